//! Signing in: the password with lockout and per-address throttling, then the second factor
//! when the account has one; and signing out. Failures of either step count against the same
//! limits. What a refusal says is the web's; here is what happened.

use crate::change::Change;
use crate::context::Ctx;
use crate::error::AppResult;
use crate::App;
use triad_domain::audit::{AuditEvent, Outcome};
use triad_domain::auth as rules;
use triad_domain::{Id, Timestamp};
use triad_store::auth as store;

/// What a password sign-in came to.
pub enum PasswordSignIn {
    /// A session began; with `second_factor`, it waits for a code before it counts.
    Session { token: String, second_factor: bool },
    /// Not signed in: a wrong password, a name that does not exist, or a locked account,
    /// told apart only on the audit trail.
    Refused,
    /// Too many failures from this address lately.
    Throttled,
}

/// What a second-factor code came to.
pub enum CodeSignIn {
    /// No sign-in waits for a code here (no session, ended, disabled account).
    NotPending,
    SignedIn,
    /// A wrong code; the sign-in may try again.
    WrongCode,
    /// The sign-in ended (too many wrong codes, or the account was locked meanwhile): the
    /// person starts again from the password.
    Ended,
}

fn event(user: Option<Id>, source: &str, action: &str, outcome: Outcome) -> AuditEvent {
    let mut event = AuditEvent::new(user, action, outcome).source(Some(source.to_string()));
    if let Some(u) = user {
        event = event.record("user", u);
    }
    event
}

/// Checks credentials, counting failures per account and address, per account, and per
/// address. A stranger at one address can lock an account only for that address, so the
/// officer signing in from elsewhere is not kept out.
pub async fn with_password(
    app: &App,
    username: &str,
    password: &str,
    source: &str,
) -> AppResult<PasswordSignIn> {
    let now = app.now();
    let window = now.minus_minutes(rules::FAILURE_WINDOW_MINUTES);
    let db = &app.db;
    let mut conn = db.acquire().await?;
    if store::count_failures(&mut conn, None, Some(source), window).await?
        >= rules::FAILURES_PER_ADDRESS
    {
        let throttled = event(None, source, "auth.login.throttled", Outcome::Denied);
        triad_store::audit::record(db, throttled, now).await?;
        return Ok(PasswordSignIn::Throttled);
    }
    let name = username.trim().to_lowercase();
    let user = store::user_by_name(&mut conn, &name)
        .await?
        .filter(|u| !u.disabled);
    let Some(user) = user else {
        // Spend the same time as a real check so user names cannot be probed by timing.
        store::spend_verification_time(password.to_string()).await?;
        let mut tx = Change::open(db, now).await?;
        store::record_failure(&mut tx, &name, None, source, now).await?;
        tx.audit(event(None, source, "auth.login.failure", Outcome::Failed));
        tx.commit().await?;
        return Ok(PasswordSignIn::Refused);
    };
    let user_id = user.user_id();
    if store::active_lock(&mut conn, user_id, source, now)
        .await?
        .is_some()
    {
        drop(conn);
        // The same check and the same answer as a wrong password: the lock is not told.
        store::spend_verification_time(password.to_string()).await?;
        let locked = event(Some(user_id), source, "auth.login.locked", Outcome::Denied);
        triad_store::audit::record(db, locked, now).await?;
        return Ok(PasswordSignIn::Refused);
    }
    // With passwords off, only a system administrator's still signs in (someone must be able
    // to when the provider is down). Anyone else's is not even checked, so the form cannot be
    // used to lock them out; the answer and the time taken are a wrong password's.
    if !store::may_use_password(&mut conn, user_id).await? {
        drop(conn);
        store::spend_verification_time(password.to_string()).await?;
        let off = event(
            Some(user_id),
            source,
            "auth.login.password_off",
            Outcome::Denied,
        );
        triad_store::audit::record(db, off, now).await?;
        return Ok(PasswordSignIn::Refused);
    }
    drop(conn);
    // An account with no password (made by a roster or a provider sign-in) takes as long to
    // refuse as any other, so its name cannot be told apart by timing.
    let right = if user.password_hash.is_empty() {
        store::spend_verification_time(password.to_string()).await?;
        false
    } else {
        store::verify_password(password.to_string(), user.password_hash.clone()).await?
    };
    if !right {
        record_failure(app, user_id, &name, source, now, "auth.login.failure").await?;
        return Ok(PasswordSignIn::Refused);
    }
    let token = store::new_secret("");
    let csrf_secret = store::new_secret("");
    let second_factor = user.totp_enabled;
    let mut tx = Change::open(db, now).await?;
    store::insert_session(
        &mut tx,
        &store::secret_hash(&token),
        user_id,
        &csrf_secret,
        !second_factor,
        Some(source.to_string()),
        now,
    )
    .await?;
    let action = if second_factor {
        "auth.login.password_ok"
    } else {
        "auth.login.success"
    };
    tx.audit(event(Some(user_id), source, action, Outcome::Ok));
    tx.commit().await?;
    Ok(PasswordSignIn::Session {
        token,
        second_factor,
    })
}

/// Records a wrong password or second-factor code (`action` says which) and locks the
/// account when a limit is reached: both count against the same limits.
async fn record_failure(
    app: &App,
    user: Id,
    name: &str,
    source: &str,
    now: Timestamp,
    action: &str,
) -> AppResult<()> {
    let window = now.minus_minutes(rules::FAILURE_WINDOW_MINUTES);
    let mut tx = Change::open(&app.db, now).await?;
    store::record_failure(&mut tx, name, Some(user), source, now).await?;
    tx.audit(event(Some(user), source, action, Outcome::Failed));
    let here = store::count_failures(&mut tx, Some(user), Some(source), window).await?;
    let everywhere = store::count_failures(&mut tx, Some(user), None, window).await?;
    let lock_source = if everywhere >= rules::FAILURES_PER_ACCOUNT {
        Some(None)
    } else if here >= rules::FAILURES_PER_ACCOUNT_AND_ADDRESS {
        Some(Some(source))
    } else {
        None
    };
    if let Some(scope) = lock_source {
        let earlier = store::locks_since(&mut tx, user, now.minus_minutes(24 * 60)).await?;
        let until = now.plus_minutes(rules::lock_minutes(earlier));
        let lock = store::insert_lock(&mut tx, user, scope, now, until).await?;
        tx.audit(
            event(Some(user), source, "auth.lock", Outcome::Denied).record("account_lock", lock),
        );
    }
    tx.commit().await?;
    Ok(())
}

/// Completes a sign-in waiting for its second factor, with a code from the authenticator app
/// or a recovery code. `token_hash` is the waiting session's.
pub async fn with_code(
    app: &App,
    token_hash: &str,
    code: &str,
    source: &str,
) -> AppResult<CodeSignIn> {
    let now = app.now();
    let mut conn = app.db.acquire().await?;
    let Some(session) = store::session_by_hash(&mut conn, token_hash).await? else {
        return Ok(CodeSignIn::NotPending);
    };
    let alive = rules::session_alive(
        Timestamp::from_millis(session.created_at),
        Timestamp::from_millis(session.last_seen_at),
        now,
    );
    let Some(user_id) = Id::parse(&session.user_id) else {
        return Ok(CodeSignIn::NotPending);
    };
    let user = store::user_by_id(&mut conn, user_id).await?;
    let Some(user) = user.filter(|u| alive && !u.disabled) else {
        return Ok(CodeSignIn::NotPending);
    };
    // The same throttle and locks as passwords: a guesser of codes is stopped like a guesser
    // of passwords.
    let window = now.minus_minutes(rules::FAILURE_WINDOW_MINUTES);
    let throttled = store::count_failures(&mut conn, None, Some(source), window).await?
        >= rules::FAILURES_PER_ADDRESS;
    let locked = store::active_lock(&mut conn, user_id, source, now)
        .await?
        .is_some();
    drop(conn);
    if throttled || locked {
        end_pending(app, token_hash, user_id, source, "auth.login.locked").await?;
        return Ok(CodeSignIn::Ended);
    }
    // One try is taken before the code is checked, so a burst of guesses sent at once gets
    // no more than SECOND_FACTOR_TRIES checks between them. A count on the waiting session,
    // not on the audit trail: the code's outcome is.
    let mut tx = app.db.begin().await?;
    let tried =
        store::take_second_factor_try(&mut tx, token_hash, rules::SECOND_FACTOR_TRIES).await?;
    tx.commit().await?;
    let ended = "auth.second_factor.ended";
    let Some(tries) = tried else {
        end_pending(app, token_hash, user_id, source, ended).await?;
        return Ok(CodeSignIn::Ended);
    };
    let code = code.trim().replace(' ', "");
    let step = user
        .totp_secret
        .as_deref()
        .and_then(|secret| crate::accounts::own::totp_step(secret, &code, now));
    let mut tx = Change::open(&app.db, now).await?;
    // A code is taken once: its step must be later than every step accepted before (RFC 6238
    // section 5.2), so a code seen over a shoulder or replayed from another address fails.
    let ok = match step {
        Some(step) => store::take_totp_step(&mut tx, user_id, step).await?,
        None => store::use_recovery_code(&mut tx, user_id, &code, now).await?,
    };
    if ok {
        store::complete_second_factor(&mut tx, token_hash).await?;
        tx.audit(event(
            Some(user_id),
            source,
            "auth.login.success",
            Outcome::Ok,
        ));
        tx.commit().await?;
        return Ok(CodeSignIn::SignedIn);
    }
    drop(tx);
    let failure = "auth.second_factor.failure";
    record_failure(app, user_id, &user.username, source, now, failure).await?;
    // That was the last try this sign-in had: it ends, and the person starts again.
    if tries >= rules::SECOND_FACTOR_TRIES {
        end_pending(app, token_hash, user_id, source, ended).await?;
        return Ok(CodeSignIn::Ended);
    }
    Ok(CodeSignIn::WrongCode)
}

/// Ends a sign-in waiting for its second factor.
async fn end_pending(
    app: &App,
    token_hash: &str,
    user: Id,
    source: &str,
    action: &str,
) -> AppResult<()> {
    let mut tx = Change::open(&app.db, app.now()).await?;
    store::delete_session(&mut tx, token_hash).await?;
    tx.audit(event(Some(user), source, action, Outcome::Denied));
    tx.commit().await
}

/// Ends the actor's session (a token is not a sign-in: nothing to end). Pages of this session
/// still open elsewhere stop hearing its campuses.
/// Ends every session of the reader, this one included, on every device ("sign out
/// everywhere": a phone left behind, a shared computer): how many were ended. API tokens are
/// not sessions and stay (each is revoked on its own).
pub async fn sign_out_everywhere(ctx: &Ctx) -> AppResult<usize> {
    let mut tx = ctx.change().await?;
    let ended = store::delete_sessions_of(&mut tx, ctx.actor.user).await?;
    tx.audit(
        ctx.event("auth.sign_out_everywhere", Outcome::Ok)
            .record("user", ctx.actor.user)
            .content(&serde_json::json!({ "sessions_ended": ended.len() })),
    );
    tx.commit().await?;
    for hash in &ended {
        ctx.app.live.end_streams(&format!("session:{hash}"));
    }
    Ok(ended.len())
}

pub async fn sign_out(ctx: &Ctx) -> AppResult<()> {
    let crate::access::Credential::Session { token_hash, .. } = &ctx.credential else {
        return Ok(());
    };
    let mut tx = ctx.change().await?;
    store::delete_session(&mut tx, token_hash).await?;
    tx.audit(
        ctx.event("auth.logout", Outcome::Ok)
            .record("user", ctx.actor.user),
    );
    tx.commit().await?;
    ctx.app.live.end_streams(&ctx.credential.holder_key());
    Ok(())
}
