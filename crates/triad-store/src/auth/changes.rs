//! Changes to accounts as an administrator or the command line makes them: validated,
//! audited, each in one transaction.

use super::*;
use crate::{execute, StoreError, StoreResult};
use triad_domain::auth::{Grant, Scope};
use triad_domain::{Id, Timestamp};

/// A new account, as an administrator or the CLI asks for it.
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub grant: Option<Grant>,
    pub sworn: bool,
    pub le_experience_start: Option<String>,
}

/// Who performs an account change and from where, for the audit trail.
#[derive(Debug, Clone)]
pub struct ChangedBy {
    pub actor: Option<Id>,
    pub source: Option<String>,
    pub now: Timestamp,
}

impl ChangedBy {
    pub(super) fn event(&self, action: &str) -> AuditEvent {
        AuditEvent::new(self.actor, action, Outcome::Ok).source(self.source.clone())
    }
}

use triad_domain::audit::{AuditEvent, Outcome};

/// Validates and creates an account with its person record and first role, audited, in one
/// transaction. Returns the new user's id.
pub async fn create_account(
    db: &crate::Db,
    account: NewAccount,
    by: &ChangedBy,
) -> StoreResult<Id> {
    let mut invalid = triad_domain::Invalid::default();
    let username = invalid.check(triad_domain::auth::parse_username(&account.username));
    let display_name = invalid.check(triad_domain::org::parse_name(
        "display_name",
        &account.display_name,
    ));
    let personal: Vec<&str> = [account.username.as_str(), account.display_name.as_str()]
        .into_iter()
        .collect();
    invalid.check(triad_domain::auth::check_new_password(
        &account.password,
        &personal,
    ));
    invalid.into_result()?;
    let (Some(username), Some(display_name)) = (username, display_name) else {
        return Err(StoreError::NotFound);
    };
    let hash = hash_password(account.password).await?;
    let (agency, district) = match account.grant.map(|g| g.scope) {
        Some(Scope::Agency { agency }) => (Some(agency), None),
        Some(Scope::District { district }) | Some(Scope::Campus { district, .. }) => {
            (None, Some(district))
        }
        _ => (None, None),
    };
    let mut tx = db.begin().await?;
    let user = insert_person_and_user(
        &mut tx,
        &crate::org::NewPerson {
            id: Id::new(),
            display_name: &display_name,
            email: None,
            agency,
            district,
            sworn: account.sworn,
            le_experience_start: account.le_experience_start.clone(),
        },
        &username,
        &hash,
        by.now,
    )
    .await?;
    if let Some(grant) = account.grant {
        add_grant(&mut tx, user, grant, by.now).await?;
    }
    let content = serde_json::json!({"username": username, "display_name": display_name, "grant": account.grant, "sworn": account.sworn});
    crate::audit::append(
        &mut tx,
        by.event("account.create")
            .record("user", user)
            .content(&content)
            .tenant(district, agency),
        by.now,
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// Writes a new person and their account (named as the person is); yields the account's id.
pub async fn insert_person_and_user(
    tx: &mut crate::Tx,
    person: &crate::org::NewPerson<'_>,
    username: &str,
    password_hash: &str,
    now: Timestamp,
) -> StoreResult<Id> {
    crate::org::insert_person(&mut *tx, person, now).await?;
    let user = Id::new();
    insert_user(
        &mut *tx,
        &NewUser {
            id: user,
            username,
            display_name: person.display_name,
            person: Some(person.id),
            password_hash,
        },
        now,
    )
    .await?;
    Ok(user)
}

/// The setting that turns password sign-in off for everyone but system administrators (yes/no,
/// default yes), when the district signs people in through its identity provider.
pub const PASSWORDS_SETTING: &str = "sign_in.passwords_for_everyone";

/// Whether anyone but a system administrator may sign in with a password (and be sent a link
/// to choose one).
pub async fn passwords_for_everyone<'c>(conn: impl Into<Conn<'c>>) -> StoreResult<bool> {
    let value = crate::settings::get(conn, PASSWORDS_SETTING).await?;
    Ok(value.as_deref() != Some("no"))
}

/// Whether this account may sign in with a password, and be sent a link to choose one: anyone
/// while passwords are for everyone, else only a system administrator (someone must be able to
/// sign in when the district's provider is down).
pub async fn may_use_password<'c>(conn: impl Into<Conn<'c>>, user: Id) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    if passwords_for_everyone(&mut c).await? {
        return Ok(true);
    }
    let grants = grants_of(&mut c, user).await?;
    Ok(grants
        .iter()
        .any(|g| g.role == triad_domain::auth::Role::SystemAdmin))
}

/// The setting that makes a new password end the account's API tokens too (yes/no,
/// default no).
pub const TOKENS_END_SETTING: &str = "accounts.password_change_ends_tokens";

/// Sets a new password after checking it; every session of the account ends (and, with
/// [`TOKENS_END_SETTING`], every API token).
pub async fn change_password(
    db: &crate::Db,
    user: Id,
    password: String,
    by: &ChangedBy,
) -> StoreResult<()> {
    let row = user_by_id(&mut db.acquire().await?, user)
        .await?
        .ok_or(StoreError::NotFound)?;
    triad_domain::auth::check_new_password(
        &password,
        &[row.username.as_str(), row.display_name.as_str()],
    )?;
    let hash = hash_password(password).await?;
    let mut tx = db.begin().await?;
    replace_password(&mut tx, user, &hash, by, "account.password").await?;
    tx.commit().await
}

/// Sets an account's new password (already hashed) and ends every session of the account,
/// audited as `action`; with the setting on, every API token ends too.
pub(super) async fn replace_password(
    tx: &mut crate::Tx,
    user: Id,
    hash: &str,
    by: &ChangedBy,
    action: &str,
) -> StoreResult<()> {
    set_password(&mut *tx, user, hash).await?;
    execute!(
        &mut *tx,
        "DELETE FROM sessions WHERE user_id = $1",
        user.to_string()
    )?;
    // With the setting on, a new password also ends every API token (a leaked password may
    // have made some).
    let end_tokens = crate::settings::get(&mut *tx, TOKENS_END_SETTING)
        .await?
        .is_some_and(|v| matches!(v.trim(), "yes" | "true" | "on"));
    if end_tokens {
        execute!(
            &mut *tx,
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            by.now.millis(),
            user.to_string()
        )?;
    }
    crate::audit::append(&mut *tx, by.event(action).record("user", user), by.now).await?;
    Ok(())
}

/// Disables (or re-enables) an account, audited.
pub async fn disable_account(
    db: &crate::Db,
    user: Id,
    disabled: bool,
    by: &ChangedBy,
) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    set_disabled(&mut tx, user, disabled, by.now).await?;
    let action = if disabled {
        "account.disable"
    } else {
        "account.enable"
    };
    crate::audit::append(&mut tx, by.event(action).record("user", user), by.now).await?;
    tx.commit().await
}

/// Grants a role, audited.
/// Gives an account a role, audited; the people who answer for the records the role opens
/// (see [`triad_domain::auth::overseers_of`]) are told on their home page, in the same
/// transaction. The caller has checked [`triad_domain::auth::may_grant`].
pub async fn grant_role(db: &crate::Db, user: Id, grant: Grant, by: &ChangedBy) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    let grantee = user_by_id(&mut tx, user)
        .await?
        .ok_or(StoreError::NotFound)?;
    add_grant(&mut tx, user, grant, by.now).await?;
    if let Some(overseers) = triad_domain::auth::overseers_of(grant) {
        let granter = match by.actor {
            Some(actor) => user_by_id(&mut tx, actor)
                .await?
                .map_or_else(|| "Someone".to_string(), |u| u.display_name),
            None => "The command line".to_string(),
        };
        let place = match grant.scope {
            Scope::Campus { .. } => "on a campus of your district",
            Scope::District { .. } => "for your district",
            _ => "in your agency",
        };
        let message = format!(
            "{granter} gave {} the role {} {place}: it opens records you answer for. If you \
             did not expect it, ask your system administrator.",
            grantee.display_name,
            grant.role.label()
        );
        for (id, _) in holders_of(&mut tx, overseers.role, &scope_key(overseers.scope)).await? {
            let Some(id) = Id::parse(&id) else { continue };
            crate::notifications::insert(
                &mut tx,
                &crate::notifications::NewNotification {
                    user: id,
                    campus: None,
                    message: &message,
                    link: None,
                    at: by.now.millis(),
                },
            )
            .await?;
        }
    }
    crate::audit::append(
        &mut tx,
        by.event("account.grant")
            .record("user", user)
            .content(&grant),
        by.now,
    )
    .await?;
    tx.commit().await
}

/// Ends a role a person held, on the audit trail; false when they did not hold it.
pub async fn end_grant(
    db: &crate::Db,
    user: Id,
    grant: Grant,
    by: &ChangedBy,
) -> StoreResult<bool> {
    let mut tx = db.begin().await?;
    if !remove_grant(&mut tx, user, grant).await? {
        return Ok(false);
    }
    crate::audit::append(
        &mut tx,
        by.event("account.grant.end")
            .record("user", user)
            .content(&grant),
        by.now,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
