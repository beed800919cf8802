//! A consistent copy of a live SQLite database with `VACUUM INTO`: one read transaction sees
//! a snapshot of the database and writes it to a new file, while other connections keep
//! writing (WAL lets readers and the writer go on together). Unlike a page-by-page copy, it
//! never restarts when a write lands meanwhile, so it finishes however busy the database is.

use crate::{Db, StoreError, StoreResult};
use std::path::Path;

/// Copies the live database behind `db` into a new file at `dest` (which must not exist).
pub async fn backup_to(db: &Db, dest: &Path) -> StoreResult<()> {
    let Db::Sqlite(pool, ..) = db else {
        return Err(StoreError::Config(
            "online backup is for SQLite; back up PostgreSQL with pg_dump".into(),
        ));
    };
    let dest = dest
        .to_str()
        .ok_or_else(|| StoreError::Config("the backup path must be UTF-8 text".into()))?;
    if dest.contains('\0') {
        return Err(StoreError::Config(
            "the backup path contains a NUL byte".into(),
        ));
    }
    // SQLite runs each connection's statements on a thread of its own, so the copy does not
    // hold up the server's runtime however long it takes. The pool's connections may not
    // write, and writing the copy counts as writing: this one is lifted, then closed.
    let mut conn = pool.acquire().await?.detach();
    sqlx::query("PRAGMA query_only = OFF")
        .execute(&mut conn)
        .await?;
    let copied = sqlx::query("VACUUM INTO $1")
        .bind(dest.to_string())
        .execute(&mut conn)
        .await;
    let _ = sqlx::Connection::close(conn).await;
    copied?;
    Ok(())
}
