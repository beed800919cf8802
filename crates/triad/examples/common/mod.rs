//! What the examples that run the server share: finding the release binary beside them, and
//! a running server that stops (SIGKILL) when dropped.

use std::path::{Path, PathBuf};
use std::process::Child;

pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The `triad` binary of the same build as the running example.
pub fn triad_binary() -> Result<PathBuf> {
    // Another build of the server, to compare it with this one on the same load.
    if let Ok(bin) = std::env::var("TRIAD_BENCH_BINARY") {
        return Ok(PathBuf::from(bin));
    }
    let exe = std::env::current_exe()?;
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or("no target folder")?;
    let bin = dir.join("triad");
    if !bin.exists() {
        return Err(format!(
            "{} is missing: run `cargo build --release -p triad` first",
            bin.display()
        )
        .into());
    }
    Ok(bin)
}

/// The command that serves an instance on `addr`, its output discarded; the caller sets the
/// log level and where the log goes, then spawns it.
pub fn serve_command(bin: &Path, data: &str, url: &str, addr: &str) -> std::process::Command {
    let mut command = std::process::Command::new(bin);
    command
        .args([
            "--data-dir",
            data,
            "--database-url",
            url,
            "serve",
            "--addr",
            addr,
        ])
        .stdout(std::process::Stdio::null());
    command
}

/// A running server; killed (SIGKILL) when dropped if still running.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A demo instance made by the binary (`extra` are more arguments to `triad demo`), opened:
/// its database, its district leader's account and its district.
pub async fn demo(
    bin: &Path,
    data: &str,
    url: &str,
    extra: &[&str],
) -> Result<(
    triad_store::Db,
    triad_store::auth::UserRow,
    triad_domain::Id,
)> {
    let made = std::process::Command::new(bin)
        .args([
            "--data-dir",
            data,
            "--database-url",
            url,
            "demo",
            "--no-serve",
        ])
        .args(extra)
        .stdout(std::process::Stdio::null())
        .status()?;
    if !made.success() {
        return Err("the demo could not be made".into());
    }
    let db = triad_store::Db::open(url).await?;
    let leader = triad_store::auth::user_by_name(&mut db.acquire().await?, "district-leader")
        .await?
        .ok_or("no district-leader")?;
    let district = triad_store::org::districts(&mut db.acquire().await?)
        .await?
        .first()
        .and_then(|d| triad_domain::Id::parse(&d.id))
        .ok_or("no district")?;
    Ok((db, leader, district))
}
