//! Accounts, role grants, sessions, personal access tokens and the record of failed sign-ins,
//! a file for each; every item is named from here (`triad_store::auth::…`).

mod calendar_links;
mod changes;
mod identities;
mod lockout;
mod password_resets;
pub mod roster;
mod second_factor;
mod sessions;
mod tokens;
mod users;

pub use calendar_links::*;
pub use changes::*;
pub use identities::*;
pub use lockout::*;
pub use password_resets::*;
pub use second_factor::*;
pub use sessions::*;
pub use tokens::*;
pub use users::*;

use crate::{fetch_optional, Conn, StoreResult};
use rand::RngCore;
use sha2::{Digest, Sha256};

pub use crate::passwords::{hash_password, spend_verification_time, verify_password};

/// A fresh secret of 256 random bits, URL-safe, with a prefix that says what it is.
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    use base64::Engine;
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// Secrets are stored only as their SHA-256: a stolen database yields no usable session.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// What a request reads first: the versions it may use what this instance kept under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Versions {
    /// The version of everything a request's identity is read from (accounts, sessions,
    /// tokens, grants, people, assignments, partnerships, campuses, districts). Triggers move
    /// it in the transaction of every change to those (migration 0013), so an identity read
    /// under the version a request finds is still true for that request.
    pub access: i64,
    /// Moved by every committed write batch (migration 0056): what was built from reads under
    /// it is current while it stays.
    pub data: i64,
    /// Moved by every change to a ban (migration 0059), in its transaction: a district's bans
    /// in force, read under it, are the ones a sign-in must be checked against while it stays.
    pub bans: i64,
}

/// The versions, in one statement.
pub async fn versions<'c>(conn: impl Into<Conn<'c>>) -> StoreResult<Versions> {
    let mut c: Conn = conn.into();
    let (access, data, bans) = fetch_optional!(
        &mut c,
        (i64, i64, i64),
        "SELECT a.version, d.version, b.version FROM access_version a CROSS JOIN data_version d \
         CROSS JOIN ban_version b WHERE a.id = 1 AND d.id = 1 AND b.id = 1"
    )?
    .ok_or_else(|| crate::StoreError::Config("the version rows are missing".into()))?;
    Ok(Versions { access, data, bans })
}
