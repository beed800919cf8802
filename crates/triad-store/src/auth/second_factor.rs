//! The second factor: TOTP steps taken once each, the tries a pending sign-in has at a code,
//! and recovery codes.

use super::*;
use crate::{execute, fetch_optional, Conn, StoreResult};
use triad_domain::{Id, Timestamp};

/// Takes a TOTP time step for an account, once: true when it is later than every step
/// accepted before (then it is recorded), false for a step already used or an earlier one.
/// One conditional statement, so two sign-ins racing with the same code cannot both win.
pub async fn take_totp_step<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    step: i64,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let taken = execute!(
        &mut c,
        "UPDATE users SET totp_last_step = $1 WHERE id = $2 \
         AND (totp_last_step IS NULL OR totp_last_step < $1)",
        step,
        user.to_string()
    )?;
    Ok(taken == 1)
}

/// Takes one of a pending sign-in's `limit` tries at a second-factor code, before the code
/// is checked: how many tries it has used with this one, or `None` when none is left (or the
/// sign-in is gone or already complete). One conditional statement, so guesses sent at once
/// cannot take more than `limit` between them.
pub async fn take_second_factor_try<'c>(
    conn: impl Into<Conn<'c>>,
    token_hash: &str,
    limit: i64,
) -> StoreResult<Option<i64>> {
    #[derive(sqlx::FromRow)]
    struct Tries {
        second_factor_tries: i64,
    }
    let mut c: Conn = conn.into();
    Ok(fetch_optional!(
        &mut c,
        Tries,
        "UPDATE sessions SET second_factor_tries = second_factor_tries + 1 \
         WHERE token_hash = $1 AND second_factor_done = FALSE AND second_factor_tries < $2 \
         RETURNING CAST(second_factor_tries AS BIGINT) AS second_factor_tries",
        token_hash.to_string(),
        limit
    )?
    .map(|t| t.second_factor_tries))
}

pub async fn complete_second_factor<'c>(
    conn: impl Into<Conn<'c>>,
    token_hash: &str,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "UPDATE sessions SET second_factor_done = TRUE WHERE token_hash = $1",
        token_hash.to_string()
    )?;
    Ok(())
}

pub async fn set_totp_secret<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    secret: Option<&str>,
    enabled: bool,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "UPDATE users SET totp_secret = $1, totp_enabled = $2 WHERE id = $3",
        secret.map(str::to_string),
        enabled,
        user.to_string()
    )?;
    Ok(())
}

/// Replaces the recovery codes of a user with new ones (stored hashed).
pub async fn replace_recovery_codes<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    codes: &[String],
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "DELETE FROM recovery_codes WHERE user_id = $1",
        user.to_string()
    )?;
    for code in codes {
        execute!(
            &mut c,
            "INSERT INTO recovery_codes (id, user_id, code_hash) VALUES ($1, $2, $3)",
            Id::new().to_string(),
            user.to_string(),
            secret_hash(code)
        )?;
    }
    Ok(())
}

/// Uses up a recovery code; true when it was valid and unused.
pub async fn use_recovery_code<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    code: &str,
    now: Timestamp,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let n = execute!(
        &mut c,
        "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
        now.millis(),
        user.to_string(),
        secret_hash(code.trim())
    )?;
    Ok(n == 1)
}
