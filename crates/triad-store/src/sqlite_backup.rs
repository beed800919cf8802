//! A consistent copy of a live SQLite database through SQLite's online backup API, which
//! copies every page while other connections keep reading and writing.
#![allow(unsafe_code)]

use crate::{Db, StoreError, StoreResult};
use std::ffi::CString;
use std::path::Path;

/// Copies the live database behind `db` into a new file at `dest`.
pub async fn backup_to(db: &Db, dest: &Path) -> StoreResult<()> {
    let Db::Sqlite(pool, _) = db else {
        return Err(StoreError::Config(
            "online backup is for SQLite; back up PostgreSQL with pg_dump".into(),
        ));
    };
    let dest = CString::new(dest.to_string_lossy().as_bytes())
        .map_err(|_| StoreError::Config("the backup path contains a NUL byte".into()))?;
    let mut conn = pool.acquire().await?;
    let mut handle = conn.lock_handle().await?;
    let source = handle.as_raw_handle().as_ptr();
    // SAFETY: `source` is a live connection held locked for the whole call; `target` is
    // opened, used and closed here; every pointer passed is valid for the call it is
    // passed to.
    let rc = unsafe {
        use libsqlite3_sys as ffi;
        let mut target: *mut ffi::sqlite3 = std::ptr::null_mut();
        let mut rc = ffi::sqlite3_open(dest.as_ptr(), &mut target);
        if rc == ffi::SQLITE_OK {
            let main = c"main";
            let backup = ffi::sqlite3_backup_init(target, main.as_ptr(), source, main.as_ptr());
            if backup.is_null() {
                rc = ffi::sqlite3_errcode(target);
            } else {
                loop {
                    rc = ffi::sqlite3_backup_step(backup, 256);
                    if rc == ffi::SQLITE_BUSY || rc == ffi::SQLITE_LOCKED {
                        ffi::sqlite3_sleep(20);
                        continue;
                    }
                    if rc != ffi::SQLITE_OK {
                        break;
                    }
                }
                let finish = ffi::sqlite3_backup_finish(backup);
                if rc == ffi::SQLITE_DONE {
                    rc = finish;
                }
            }
        }
        ffi::sqlite3_close(target);
        rc
    };
    if rc == libsqlite3_sys::SQLITE_OK || rc == libsqlite3_sys::SQLITE_DONE {
        Ok(())
    } else {
        Err(StoreError::Config(format!(
            "the SQLite backup failed (code {rc})"
        )))
    }
}
