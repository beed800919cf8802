//! What email to people needs from the database: the action items due on a day with their
//! owners' addresses, a claim per person and occasion so one email goes out whichever instance
//! sends it, and the kinds of email each person stopped.

use crate::{execute, fetch_all, Conn, StoreResult};
use triad_domain::audit::{AuditEvent, Outcome};
use triad_domain::{Id, Timestamp};

/// An open action item due on a day, with its owner's address (an owner who may be emailed:
/// an account not disabled, with an address, who has not stopped this kind of email).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueItemRow {
    pub item_id: String,
    pub title: String,
    pub due_on: String,
    pub meeting_id: String,
    pub campus_id: String,
    pub campus_name: String,
    pub owner_id: String,
    pub owner_name: String,
    pub owner_email: String,
}

/// The open items of a district's campuses due on `due_on` whose owners may be sent `kind`.
pub async fn items_due_on<'c>(
    conn: impl Into<Conn<'c>>,
    district: &str,
    due_on: &str,
    kind: &str,
) -> StoreResult<Vec<DueItemRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        DueItemRow,
        "SELECT a.id AS item_id, a.title, a.due_on, a.meeting_id, a.campus_id, c.name AS campus_name, \
                u.id AS owner_id, u.display_name AS owner_name, p.email AS owner_email \
         FROM action_items a \
         JOIN campuses c ON c.id = a.campus_id \
         JOIN users u ON u.id = a.owner_id \
         JOIN people p ON p.id = u.person_id \
         WHERE a.due_on = $2 AND a.status = 'open' AND c.district_id = $1 \
           AND NOT u.disabled AND p.email IS NOT NULL AND p.email <> '' \
           AND NOT EXISTS (SELECT 1 FROM email_opt_outs o WHERE o.user_id = u.id AND o.kind = $3) \
         ORDER BY a.id",
        district.to_string(),
        due_on.to_string(),
        kind.to_string()
    )?)
}

/// Claims the email of `kind` to `user` for `occasion`: true if this caller is the one to send
/// it, false if it was claimed before (by this instance or another).
pub async fn claim_email<'c>(
    conn: impl Into<Conn<'c>>,
    kind: &str,
    user: &str,
    occasion: &str,
    now: Timestamp,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let taken = execute!(
        &mut c,
        "INSERT INTO email_claims (kind, user_id, occasion, claimed_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT DO NOTHING",
        kind.to_string(),
        user.to_string(),
        occasion.to_string(),
        now.millis()
    )?;
    Ok(taken == 1)
}

/// Whether the email of `kind` to `user` for `occasion` was claimed already: a round reads
/// this first, so a week's sent emails cost no write on every later round.
pub async fn email_claimed<'c>(
    conn: impl Into<Conn<'c>>,
    kind: &str,
    user: &str,
    occasion: &str,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let found = crate::fetch_scalar!(
        &mut c,
        i64,
        "SELECT COUNT(*) FROM email_claims WHERE kind = $1 AND user_id = $2 AND occasion = $3",
        kind.to_string(),
        user.to_string(),
        occasion.to_string()
    )?;
    Ok(found > 0)
}

/// Gives a claim back after its email could not be sent: the next round tries again.
pub async fn release_email<'c>(
    conn: impl Into<Conn<'c>>,
    kind: &str,
    user: &str,
    occasion: &str,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "DELETE FROM email_claims WHERE kind = $1 AND user_id = $2 AND occasion = $3",
        kind.to_string(),
        user.to_string(),
        occasion.to_string()
    )?;
    Ok(())
}

/// Stops one kind of email to a person (audited); stopping it twice changes nothing.
pub async fn stop_email(
    db: &crate::Db,
    user: Id,
    kind: &str,
    source: Option<String>,
    now: Timestamp,
) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    let stopped = execute!(
        &mut tx,
        "INSERT INTO email_opt_outs (user_id, kind, stopped_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
        user.to_string(),
        kind.to_string(),
        now.millis()
    )?;
    if stopped == 1 {
        let event = AuditEvent::new(Some(user), "email.stopped", Outcome::Ok)
            .record("user", user)
            .content(&kind)
            .source(source);
        crate::audit::append(&mut tx, event, now).await?;
    }
    tx.commit().await
}
