//! Signing in through an identity provider (OpenID Connect): what Triad does with an identity
//! a provider vouched for. The protocol (discovery, the code exchange, the ID token's checks)
//! is the web layer's; here is which account it is, whether it may sign in, and the session.
//!
//! An identity is the provider's subject at its issuer. It finds an account only through a
//! link: made when the account's owner, signed in, links it, or when the first sign-in of an
//! unknown identity makes a new account. An email address never finds an account: an address
//! at a provider can be given to someone else, a subject cannot.

use crate::change::Change;
use crate::error::AppResult;
use crate::App;
use triad_domain::audit::{AuditEvent, Outcome};
use triad_domain::{Id, Timestamp};
use triad_store::auth as store;

/// What the instance's configuration says of a provider, as far as accounts go.
pub struct ProviderPolicy<'a> {
    /// The provider's key in the configuration (and in its sign-in address).
    pub key: &'a str,
    /// The email domains whose people may sign in through it, lower case.
    pub email_domains: &'a [String],
    /// Only an address the provider says it verified counts.
    pub require_verified_email: bool,
    /// New accounts made by it are this district's leaders' to give roles to.
    pub district: Option<Id>,
    /// A first sign-in takes the account the district's roster made for its address (with
    /// the roles the roster gave), when there is exactly one not yet taken.
    pub roster_accounts: bool,
}

/// What a provider vouched for in a verified ID token.
#[derive(Debug, Clone)]
pub struct VouchedIdentity {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    pub name: Option<String>,
    /// The token's `amr` names a second factor (RFC 8176: mfa, otp, hwk, swk).
    pub second_factor: bool,
}

/// The `amr` values (RFC 8176) that say a second factor was given at the provider.
pub const SECOND_FACTOR_METHODS: &[&str] = &["mfa", "otp", "hwk", "swk"];

/// Why a vouched identity did not sign in or link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Its address is not at a domain the provider is configured for (or there is none).
    EmailDomain,
    /// The provider did not say it verified the address.
    EmailNotVerified,
    /// Its account is disabled.
    Disabled,
    /// Linking: the identity is already another account's.
    LinkedElsewhere,
    /// Linking: the session that asked has ended (signed out, timed out, disabled) meanwhile.
    LinkEnded,
}

/// What a vouched identity came to.
pub enum IdentitySignIn {
    /// A session began; with `second_factor`, it waits for a Triad code before it counts.
    Session {
        token: String,
        second_factor: bool,
    },
    /// The identity is now (or was already) linked to the account that asked.
    Linked,
    Refused(Refusal),
}

fn event(user: Option<Id>, source: &str, action: &str, outcome: Outcome) -> AuditEvent {
    let mut event = AuditEvent::new(user, action, outcome).source(Some(source.to_string()));
    if let Some(u) = user {
        event = event.record("user", u);
    }
    event
}

/// The address, lower case, when the provider may vouch for it: plain ASCII with one `@`
/// (`a@b@district.org` and look-alike letters are not the district's), at a configured domain.
fn allowed_email(policy: &ProviderPolicy, identity: &VouchedIdentity) -> Result<String, Refusal> {
    let email = identity
        .email
        .as_deref()
        .map(|e| e.trim().to_ascii_lowercase())
        .filter(|e| e.is_ascii() && e.matches('@').count() == 1 && !e.starts_with('@'))
        .ok_or(Refusal::EmailDomain)?;
    let domain = email.rsplit('@').next().unwrap_or_default();
    if !policy.email_domains.iter().any(|d| d == domain) {
        return Err(Refusal::EmailDomain);
    }
    if policy.require_verified_email && identity.email_verified != Some(true) {
        return Err(Refusal::EmailNotVerified);
    }
    Ok(email)
}

/// The account of the session that asked to link an identity, while that session is still
/// signed in (alive, past its second factor) and its account not disabled.
async fn linking_account(app: &App, session_hash: &str, now: Timestamp) -> AppResult<Option<Id>> {
    let mut conn = app.db.acquire().await?;
    let Some(session) = store::session_by_hash(&mut conn, session_hash).await? else {
        return Ok(None);
    };
    let alive = triad_domain::auth::session_alive(
        Timestamp::from_millis(session.created_at),
        Timestamp::from_millis(session.last_seen_at),
        now,
    );
    let Some(user) = Id::parse(&session.user_id).filter(|_| alive && session.second_factor_done)
    else {
        return Ok(None);
    };
    let enabled = store::user_by_id(&mut conn, user)
        .await?
        .is_some_and(|u| !u.disabled);
    Ok(enabled.then_some(user))
}

/// Signs in with a vouched identity, or links it to the account of `link_session` (the hash
/// of the session that asked, which must still be signed in). An unknown identity signing in
/// gets a new account with no role.
pub async fn with_identity(
    app: &App,
    policy: &ProviderPolicy<'_>,
    identity: &VouchedIdentity,
    link_session: Option<&str>,
    source: &str,
) -> AppResult<IdentitySignIn> {
    let now = app.now();
    let link_to = match link_session {
        None => None,
        Some(hash) => match linking_account(app, hash, now).await? {
            Some(owner) => Some(owner),
            None => return refuse(app, None, identity, policy, Refusal::LinkEnded, source).await,
        },
    };
    let email = match allowed_email(policy, identity) {
        Ok(email) => email,
        Err(refusal) => return refuse(app, link_to, identity, policy, refusal, source).await,
    };
    let linked = store::identity_account(
        &mut app.db.acquire().await?,
        &identity.issuer,
        &identity.subject,
    )
    .await?;
    if let Some(owner) = link_to {
        return match linked {
            Some(user) if user == owner => Ok(IdentitySignIn::Linked),
            Some(_) => {
                refuse(
                    app,
                    link_to,
                    identity,
                    policy,
                    Refusal::LinkedElsewhere,
                    source,
                )
                .await
            }
            None => {
                let mut tx = Change::open(&app.db, now).await?;
                link(&mut tx, policy, identity, &email, owner, source, now).await?;
                tell_owner(&mut tx, owner, &email, now).await?;
                tx.commit().await?;
                Ok(IdentitySignIn::Linked)
            }
        };
    }
    let user = match linked {
        Some(user) => user,
        None => {
            // Someone disabled (by hand or by the roster) gets no fresh account by signing in
            // with an identity never linked: their address, as a guard, never as a finder.
            let disabled = store::disabled_with_email(&mut app.db.acquire().await?, &email).await?;
            if disabled {
                return refuse(app, None, identity, policy, Refusal::Disabled, source).await;
            }
            match roster_account(app, policy, identity, &email).await? {
                Some(user) => {
                    let mut tx = Change::open(&app.db, now).await?;
                    link(&mut tx, policy, identity, &email, user, source, now).await?;
                    tx.audit(
                        event(
                            Some(user),
                            source,
                            "account.identity.roster_match",
                            Outcome::Ok,
                        )
                        .content(&serde_json::json!({
                            "provider": policy.key,
                            "email": email,
                            "district": policy.district,
                        })),
                    );
                    tx.commit().await?;
                    user
                }
                None => new_account(app, policy, identity, &email, source).await?,
            }
        }
    };
    let row = store::user_by_id(&mut app.db.acquire().await?, user).await?;
    let Some(row) = row.filter(|u| !u.disabled) else {
        return refuse(app, Some(user), identity, policy, Refusal::Disabled, source).await;
    };
    // The provider's second factor stands for Triad's; without it, an account that enrolled
    // Triad's own still gives a code.
    let waits_for_code = row.totp_enabled && !identity.second_factor;
    let token = store::new_secret("");
    let token_hash = store::secret_hash(&token);
    let mut tx = Change::open(&app.db, now).await?;
    store::insert_session(
        &mut tx,
        &token_hash,
        user,
        &store::new_secret(""),
        !waits_for_code,
        Some(source.to_string()),
        now,
    )
    .await?;
    if identity.second_factor {
        store::note_second_factor_by_provider(&mut tx, &token_hash).await?;
    }
    let action = if waits_for_code {
        "auth.login.provider_ok"
    } else {
        "auth.login.success"
    };
    tx.audit(
        event(Some(user), source, action, Outcome::Ok).content(&serde_json::json!({
            "provider": policy.key,
            "second_factor_by_provider": identity.second_factor,
        })),
    );
    tx.commit().await?;
    Ok(IdentitySignIn::Session {
        token,
        second_factor: waits_for_code,
    })
}

/// Records an answer from a provider that failed its checks (a token forged, expired, for
/// another client, or without this sign-in's nonce): nobody signed in, and someone may be trying.
pub async fn record_rejected(
    app: &App,
    provider: &str,
    detail: &str,
    source: &str,
) -> AppResult<()> {
    let rejected = event(
        None,
        source,
        "auth.login.provider_rejected",
        Outcome::Denied,
    )
    .content(&serde_json::json!({ "provider": provider, "detail": detail }));
    triad_store::audit::record(&app.db, rejected, app.now()).await?;
    Ok(())
}

async fn refuse(
    app: &App,
    user: Option<Id>,
    identity: &VouchedIdentity,
    policy: &ProviderPolicy<'_>,
    refusal: Refusal,
    source: &str,
) -> AppResult<IdentitySignIn> {
    let denied = event(user, source, "auth.login.provider_refused", Outcome::Denied).content(
        &serde_json::json!({
            "provider": policy.key,
            "subject": identity.subject,
            "email": identity.email,
            "reason": format!("{refusal:?}"),
        }),
    );
    triad_store::audit::record(&app.db, denied, app.now()).await?;
    Ok(IdentitySignIn::Refused(refusal))
}

async fn link(
    tx: &mut Change,
    policy: &ProviderPolicy<'_>,
    identity: &VouchedIdentity,
    email: &str,
    user: Id,
    source: &str,
    now: Timestamp,
) -> AppResult<()> {
    let new = store::NewIdentity {
        issuer: &identity.issuer,
        subject: &identity.subject,
        provider: policy.key,
        email: Some(email),
        email_verified: identity.email_verified == Some(true),
    };
    store::link_identity(tx, &new, user, now).await?;
    tx.audit(
        event(Some(user), source, "account.identity.link", Outcome::Ok).content(
            &serde_json::json!({ "provider": policy.key, "subject": identity.subject, "email": email }),
        ),
    );
    Ok(())
}

/// Tells an account's owner a sign-in was linked to it: a session taken by someone else could
/// otherwise add a way in unnoticed.
async fn tell_owner(tx: &mut Change, user: Id, email: &str, now: Timestamp) -> AppResult<()> {
    let message = format!(
        "A district sign-in ({email}) was linked to your account. If this was not you, unlink it on your account page and tell your district's safety director."
    );
    triad_store::notifications::insert(
        &mut **tx,
        &triad_store::notifications::NewNotification {
            user,
            campus: None,
            message: &message,
            link: Some("/account"),
            at: now.millis(),
        },
    )
    .await?;
    Ok(())
}

/// The roster's account for this address, where the provider is trusted to take them.
async fn roster_account(
    app: &App,
    policy: &ProviderPolicy<'_>,
    identity: &VouchedIdentity,
    email: &str,
) -> AppResult<Option<Id>> {
    // Only an address the provider verified finds the roster's account.
    let verified = identity.email_verified == Some(true);
    let Some(district) = policy
        .district
        .filter(|_| policy.roster_accounts && verified)
    else {
        return Ok(None);
    };
    let mut conn = app.db.acquire().await?;
    Ok(store::unclaimed_roster_account(&mut conn, district, email).await?)
}

/// An account for an identity seen for the first time: named from its address, with no role
/// and no password, linked to the identity.
async fn new_account(
    app: &App,
    policy: &ProviderPolicy<'_>,
    identity: &VouchedIdentity,
    email: &str,
    source: &str,
) -> AppResult<Id> {
    let now = app.now();
    let taken: std::collections::HashSet<String> =
        store::roster::usernames(&mut app.db.acquire().await?)
            .await?
            .into_iter()
            .collect();
    let username = triad_domain::auth::free_username(&[email.to_string()], &|n| taken.contains(n));
    let display_name = identity
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| triad_domain::org::parse_name("display_name", n).is_ok())
        .map_or_else(|| username.clone(), str::to_string);
    let verified = identity.email_verified == Some(true);
    let mut tx = Change::open(&app.db, now).await?;
    let user = store::insert_person_and_user(
        &mut tx,
        &triad_store::org::NewPerson {
            id: Id::new(),
            display_name: &display_name,
            email: verified.then_some(email),
            agency: None,
            district: policy.district,
            sworn: false,
            le_experience_start: None,
        },
        &username,
        "",
        now,
    )
    .await?;
    tx.audit(
        event(None, source, "account.create", Outcome::Ok)
            .record("user", user)
            .content(&serde_json::json!({
                "username": username,
                "display_name": display_name,
                "provider": policy.key,
            }))
            .tenant(policy.district, None),
    );
    link(&mut tx, policy, identity, email, user, source, now).await?;
    tx.commit().await?;
    Ok(user)
}

/// Unlinks one of the actor's own identities (by issuer and subject).
pub async fn unlink_own(ctx: &crate::Ctx, issuer: &str, subject: &str) -> AppResult<bool> {
    let mut conn = ctx.app.db.acquire().await?;
    let user = store::user_by_id(&mut conn, ctx.actor.user).await?;
    let has_password = user.is_some_and(|u| !u.password_hash.is_empty());
    let identities = store::identities_of(&mut conn, ctx.actor.user).await?;
    drop(conn);
    let this_one = identities
        .iter()
        .any(|i| i.issuer == issuer && i.subject == subject);
    if this_one && identities.len() == 1 && !has_password {
        // Their only way in: unlinked, their next sign-in would make them a second account.
        return Err(crate::error::AppError::Conflict(
            "this sign-in is the only way into your account: link another one (or set a password) before unlinking it".into(),
        ));
    }
    let mut tx = ctx.change().await?;
    let removed = store::unlink_identity(&mut tx, ctx.actor.user, issuer, subject).await?;
    if removed == 0 {
        return Ok(false);
    }
    tx.audit(
        ctx.event("account.identity.unlink", Outcome::Ok)
            .record("user", ctx.actor.user)
            .content(&serde_json::json!({ "issuer": issuer, "subject": subject })),
    );
    tx.commit().await?;
    Ok(true)
}

/// The actor's linked identities, for their account page.
pub async fn own_identities(ctx: &crate::Ctx) -> AppResult<Vec<store::IdentityRow>> {
    Ok(store::identities_of(&mut ctx.app.db.acquire().await?, ctx.actor.user).await?)
}
