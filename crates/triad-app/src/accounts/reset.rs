//! Choosing a new password by email, for a person who forgot theirs: a link sent to the
//! address their account's person has, good for 30 minutes and once. A request is answered the
//! same whether or not an account uses the address; at most three links an hour go to one
//! address or one account, and ten are asked from one network address.

use crate::error::{AppError, AppResult};
use crate::App;
use triad_domain::Invalid;
use triad_store::auth::{self as store, UserRow};

/// A link to send: to whom, for which account, and the secret it carries (this once).
pub struct ResetMail {
    pub to: String,
    pub username: String,
    pub display_name: String,
    pub secret: String,
}

/// Asks for a link for each account (not disabled) whose person has this email address. The
/// mails to send: none when no account uses it or a limit is reached, which the person is not
/// told (a stranger learns nothing of which addresses have accounts).
pub async fn request(app: &App, email: &str, source: &str) -> AppResult<Vec<ResetMail>> {
    let email = email.trim();
    if email.is_empty()
        || email.len() > 254
        || !email.contains('@')
        || email.contains(char::is_whitespace)
    {
        return Err(Invalid::one("email", "write the email address your account uses").into());
    }
    let now = app.now();
    let address = store::address_hash(email);
    let mut accounts = Vec::new();
    for user in store::accounts_with_email(&mut app.db.acquire().await?, email).await? {
        // With passwords for system administrators only, nobody else gets one by email.
        if store::may_use_password(&mut app.db.acquire().await?, user.user_id()).await? {
            accounts.push(user);
        }
    }
    if accounts.is_empty() {
        // Counted all the same, so asking about many addresses meets the same limits.
        if store::reset_allowed(&mut app.db.acquire().await?, &address, source, None, now).await? {
            store::record_reset_request(&app.db, &address, source, None, now).await?;
        }
        return Ok(Vec::new());
    }
    let mut mails = Vec::new();
    for user in accounts {
        let id = user.user_id();
        let allowed = store::reset_allowed(
            &mut app.db.acquire().await?,
            &address,
            source,
            Some(id),
            now,
        )
        .await?;
        if !allowed {
            continue;
        }
        if let Some(secret) =
            store::record_reset_request(&app.db, &address, source, Some(id), now).await?
        {
            mails.push(ResetMail {
                to: email.to_string(),
                username: user.username,
                display_name: user.display_name,
                secret,
            });
        }
    }
    Ok(mails)
}

/// The account a link may still set a password for; not found when it was used, is past its
/// 30 minutes, or never existed (alike).
pub async fn holder(app: &App, secret: &str) -> AppResult<UserRow> {
    store::reset_holder(&mut app.db.acquire().await?, secret, app.now())
        .await?
        .ok_or(AppError::NotFound)
}

/// Sets the new password through a link, once; every session of the account ends. The second
/// factor, where the account has one, is still asked at the next sign-in.
pub async fn complete(
    app: &App,
    secret: &str,
    password: String,
    confirm: &str,
    source: &str,
) -> AppResult<()> {
    if password != confirm {
        return Err(Invalid::one("confirm", "is not the same as the new password").into());
    }
    store::reset_password(&app.db, secret, password, source, app.now())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(())
}
