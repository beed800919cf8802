//! A district's roster laid over its accounts: which campus each school of the roster is,
//! which account each person of the roster is, and the roles the roster gave (migration
//! 0053). An import's changes are written in one transaction, each on the audit trail.

use super::*;
use crate::{execute, fetch_all, StoreResult};
use triad_domain::auth::{Grant, Role, Scope};
use triad_domain::Id;

/// A school of the roster and the campus it is.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RosterSchool {
    pub source_id: String,
    pub campus_id: String,
}

/// A person of the roster and their account as it is now.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RosterAccount {
    pub source_id: String,
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub disabled: bool,
    /// The roster disabled the account (the person left it).
    pub removed_at: Option<i64>,
    /// The person set a password (their address is then theirs to change).
    pub has_password: bool,
}

/// A role an account of the roster holds: the roles the roster gives (on a campus of the
/// district) and whether it gave it; any other role (`campus_id` empty), which puts the
/// account out of the roster's reach.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RosterGrant {
    pub user_id: String,
    pub role: String,
    pub campus_id: Option<String>,
    pub district_id: Option<String>,
    pub given_by_roster: bool,
}

/// What Triad holds of a district's roster.
#[derive(Debug, Clone, Default)]
pub struct RosterState {
    pub schools: Vec<RosterSchool>,
    pub people: Vec<RosterAccount>,
    pub grants: Vec<RosterGrant>,
}

pub async fn state<'c>(conn: impl Into<Conn<'c>>, district: Id) -> StoreResult<RosterState> {
    let mut c: Conn = conn.into();
    let schools = fetch_all!(
        &mut c,
        RosterSchool,
        "SELECT source_id, campus_id FROM roster_schools WHERE district_id = $1",
        district.to_string()
    )?;
    let people = fetch_all!(
        &mut c,
        RosterAccount,
        "SELECT r.source_id, r.user_id, u.username, u.display_name, p.email, u.disabled, r.removed_at, \
                u.password_hash <> '' AS has_password \
         FROM roster_people r JOIN users u ON u.id = r.user_id LEFT JOIN people p ON p.id = u.person_id \
         WHERE r.district_id = $1",
        district.to_string()
    )?;
    let grants = fetch_all!(
        &mut c,
        RosterGrant,
        "SELECT g.user_id, g.role, g.campus_id, g.district_id, g.given_by_roster FROM grants g \
         JOIN roster_people r ON r.user_id = g.user_id AND r.district_id = $1",
        district.to_string()
    )?;
    Ok(RosterState {
        schools,
        people,
        grants,
    })
}

/// Every user name in use, so new accounts get names nobody has.
pub async fn usernames<'c>(conn: impl Into<Conn<'c>>) -> StoreResult<Vec<String>> {
    let mut c: Conn = conn.into();
    Ok(crate::run!(&mut c, |c| sqlx::query_scalar::<_, String>(
        "SELECT username FROM users"
    )
    .fetch_all(c)
    .await)?)
}

/// An account the roster makes.
#[derive(Debug, Clone)]
pub struct NewRosterAccount {
    pub source_id: String,
    pub username: String,
    pub name: String,
    pub email: Option<String>,
    pub grants: Vec<Grant>,
}

/// What changes for an account the roster made before.
#[derive(Debug, Clone, Default)]
pub struct RosterUpdate {
    pub user: Option<Id>,
    pub name: Option<String>,
    /// A new address (`Some(None)`: the roster no longer gives one).
    pub email: Option<Option<String>>,
    /// Enabled again: the roster disabled the account, and the person is back.
    pub enable: bool,
    pub add: Vec<Grant>,
    pub end: Vec<Grant>,
}

/// An import's changes to one district's accounts.
#[derive(Debug, Clone, Default)]
pub struct RosterChanges {
    /// Schools matched to campuses for the first time (or again, to another campus).
    pub schools: Vec<(String, Id)>,
    pub create: Vec<NewRosterAccount>,
    pub update: Vec<RosterUpdate>,
    /// Accounts of people who left the roster: disabled, their sessions and tokens ended.
    pub disable: Vec<Id>,
}

/// Writes an import's changes in one transaction: nothing of them if any fails. `summary`
/// is the content of the import's own audit entry.
pub async fn apply(
    db: &crate::Db,
    district: Id,
    changes: &RosterChanges,
    summary: &serde_json::Value,
    by: &ChangedBy,
) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    let tenant = |e: triad_domain::audit::AuditEvent| e.tenant(Some(district), None);
    for (source_id, campus) in &changes.schools {
        execute!(
            &mut tx,
            "INSERT INTO roster_schools (district_id, source_id, campus_id) VALUES ($1, $2, $3) \
             ON CONFLICT (district_id, source_id) DO UPDATE SET campus_id = excluded.campus_id",
            district.to_string(),
            source_id.clone(),
            campus.to_string()
        )?;
    }
    for account in &changes.create {
        // No password: the person signs in through the district's identity provider, or sets
        // one with "Forgot your password?" at the address the roster gives.
        let user = insert_person_and_user(
            &mut tx,
            &crate::org::NewPerson {
                id: Id::new(),
                display_name: &account.name,
                email: account.email.as_deref(),
                agency: None,
                district: Some(district),
                sworn: false,
                le_experience_start: None,
            },
            &account.username,
            "",
            by.now,
        )
        .await?;
        execute!(
            &mut tx,
            "INSERT INTO roster_people (district_id, source_id, user_id) VALUES ($1, $2, $3)",
            district.to_string(),
            account.source_id.clone(),
            user.to_string()
        )?;
        for grant in &account.grants {
            insert_grant(&mut tx, user, *grant, by.now, true).await?;
        }
        let content = serde_json::json!({
            "username": account.username, "display_name": account.name,
            "roster_id": account.source_id, "grants": account.grants,
        });
        crate::audit::append(
            &mut tx,
            tenant(
                by.event("account.create")
                    .record("user", user)
                    .content(&content),
            ),
            by.now,
        )
        .await?;
    }
    for update in &changes.update {
        let Some(user) = update.user else { continue };
        if let Some(name) = &update.name {
            execute!(
                &mut tx,
                "UPDATE users SET display_name = $1 WHERE id = $2",
                name.clone(),
                user.to_string()
            )?;
            execute!(
                &mut tx,
                "UPDATE people SET display_name = $1 WHERE id = (SELECT person_id FROM users WHERE id = $2)",
                name.clone(),
                user.to_string()
            )?;
        }
        if let Some(email) = &update.email {
            execute!(
                &mut tx,
                "UPDATE people SET email = $1 WHERE id = (SELECT person_id FROM users WHERE id = $2)",
                email.clone(),
                user.to_string()
            )?;
        }
        if update.name.is_some() || update.email.is_some() {
            let content = serde_json::json!({"display_name": update.name, "email": update.email});
            crate::audit::append(
                &mut tx,
                tenant(
                    by.event("account.roster.change")
                        .record("user", user)
                        .content(&content),
                ),
                by.now,
            )
            .await?;
        }
        if update.enable {
            // (Enabling clears the roster's note that it disabled the account.)
            set_disabled(&mut tx, user, false, by.now).await?;
            crate::audit::append(
                &mut tx,
                tenant(by.event("account.enable").record("user", user)),
                by.now,
            )
            .await?;
        }
        for grant in &update.add {
            insert_grant(&mut tx, user, *grant, by.now, true).await?;
            crate::audit::append(
                &mut tx,
                tenant(
                    by.event("account.grant")
                        .record("user", user)
                        .content(grant),
                ),
                by.now,
            )
            .await?;
        }
        for grant in &update.end {
            let ended = execute!(
                &mut tx,
                "DELETE FROM grants WHERE user_id = $1 AND role = $2 AND scope_key = $3 AND given_by_roster",
                user.to_string(),
                grant.role.code(),
                scope_key(grant.scope)
            )?;
            if ended == 0 {
                continue;
            }
            crate::audit::append(
                &mut tx,
                tenant(
                    by.event("account.grant.end")
                        .record("user", user)
                        .content(grant),
                ),
                by.now,
            )
            .await?;
        }
    }
    for user in &changes.disable {
        set_disabled(&mut tx, *user, true, by.now).await?;
        execute!(
            &mut tx,
            "UPDATE roster_people SET removed_at = $1 WHERE user_id = $2",
            by.now.millis(),
            user.to_string()
        )?;
        crate::audit::append(
            &mut tx,
            tenant(by.event("account.disable").record("user", *user)),
            by.now,
        )
        .await?;
    }
    crate::audit::append(
        &mut tx,
        tenant(
            by.event("roster.import")
                .record("district", district)
                .content(summary),
        ),
        by.now,
    )
    .await?;
    tx.commit().await?;
    db.refresh_statistics_after(
        changes.create.len(),
        &["people", "users", "grants", "roster_people"],
    )
    .await;
    Ok(())
}

/// The role a roster gives on a campus (staff or campus administrator), as a grant.
pub fn campus_grant(role: Role, district: Id, campus: Id) -> Grant {
    Grant {
        role,
        scope: Scope::Campus { district, campus },
    }
}
