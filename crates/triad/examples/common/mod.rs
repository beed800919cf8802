//! What the examples that run the server share: finding the release binary beside them, and
//! a running server that stops (SIGKILL) when dropped.

use std::path::{Path, PathBuf};
use std::process::Child;

pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The `triad` binary of the same build as the running example.
pub fn triad_binary() -> Result<PathBuf> {
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

/// A running server; killed (SIGKILL) when dropped if still running.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
