//! Reminders by email the day before an action item is due, to its owner: from 7:00 in the
//! district's own time zone, once whichever instance sends it (a claim per person and item in
//! the database), and never to someone who stopped them with the email's one-click link. The
//! stop link carries a token signed for that person and that kind of email alone.

use crate::campus;
use crate::context::today;
use crate::error::{AppError, AppResult};
use crate::App;
use chrono::Timelike;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use triad_domain::policy::RecordClass;
use triad_domain::{Id, Timestamp};
use triad_store::email as store;

/// The kind of email a reminder of an action item due tomorrow is.
pub const ACTION_ITEM_DUE: &str = "action_item_due";
/// Reminders go from this hour of the district's day, not in the night.
pub const FROM_LOCAL_HOUR: u32 = 7;

/// What a kind of email is, in the words of the page that stops it.
pub fn kind_in_words(kind: &str) -> Option<&'static str> {
    match kind {
        ACTION_ITEM_DUE => Some("reminders the day before an action item you own is due"),
        _ => None,
    }
}

/// One email to send, claimed for this caller.
#[derive(Debug, Clone)]
pub struct Reminder {
    pub kind: &'static str,
    pub user: Id,
    /// What the claim is for (the item and its due day).
    pub occasion: String,
    pub to: String,
    pub subject: String,
    /// The body, with `{link}` where the page's full address goes.
    pub text: String,
    /// The page it is about (a path).
    pub link: String,
    /// The token of the one-click stop link.
    pub stop_token: String,
}

/// Claims the reminders due now: in each district where it is 7:00 or later, the open action
/// items due tomorrow (the district's day), to owners who may still read the campus.
pub async fn claim_due(app: &App) -> AppResult<Vec<Reminder>> {
    let now = app.now();
    let districts = triad_store::org::districts(&mut app.db.acquire().await?).await?;
    let mut out = Vec::new();
    for district in districts {
        let Ok(tz) = district.time_zone.parse::<chrono_tz::Tz>() else {
            continue;
        };
        let local = now.to_datetime().with_timezone(&tz);
        if local.hour() < FROM_LOCAL_HOUR {
            continue;
        }
        let Some(tomorrow) = local.date_naive().succ_opt() else {
            continue;
        };
        let due_on = tomorrow.to_string();
        let items = store::items_due_on(
            &mut app.db.acquire().await?,
            &district.id,
            &due_on,
            ACTION_ITEM_DUE,
        )
        .await?;
        for item in items {
            let Some(owner) = Id::parse(&item.owner_id) else {
                continue;
            };
            if !still_reads_campus(app, owner, &item.campus_id, now).await? {
                continue;
            }
            let occasion = format!("{}:{}", item.item_id, item.due_on);
            let mut tx = app.db.begin().await?;
            let claimed =
                store::claim_email(&mut tx, ACTION_ITEM_DUE, &item.owner_id, &occasion, now)
                    .await?;
            tx.commit().await?;
            if !claimed {
                continue;
            }
            out.push(Reminder {
                kind: ACTION_ITEM_DUE,
                user: owner,
                occasion,
                to: item.owner_email,
                subject: format!("Due tomorrow: {}", item.title),
                text: format!(
                    "Hello {},\n\nThe action item \"{}\" at {} is due tomorrow, {}.\n\nOpen it: {{link}}\n",
                    item.owner_name, item.title, item.campus_name, item.due_on
                ),
                link: format!("/meetings/{}", item.meeting_id),
                stop_token: stop_token(app, owner, ACTION_ITEM_DUE),
            });
        }
    }
    Ok(out)
}

/// An owner whose role on the campus ended gets no more reminders of its items.
async fn still_reads_campus(app: &App, user: Id, campus: &str, now: Timestamp) -> AppResult<bool> {
    let mut conn = app.db.acquire().await?;
    let Some(row) = triad_store::auth::user_by_id(&mut conn, user).await? else {
        return Ok(false);
    };
    let actor = triad_store::auth::load_actor(&mut conn, &row, &today(now)).await?;
    let Some(campus) = Id::parse(campus) else {
        return Ok(false);
    };
    let Some(campus) = triad_store::org::campus(&mut conn, campus).await? else {
        return Ok(false);
    };
    Ok(!actor
        .roles_for(&campus::tenant(&campus, None), RecordClass::Shared)
        .is_empty())
}

/// Gives a reminder's claim back after it could not be sent: the next round tries again.
pub async fn release(app: &App, reminder: &Reminder) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    store::release_email(
        &mut tx,
        reminder.kind,
        &reminder.user.to_string(),
        &reminder.occasion,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The token that stops one kind of email to one person: `person.kind.signature`, signed with
/// a key derived from the instance secret every instance of a deployment shares.
pub fn stop_token(app: &App, user: Id, kind: &str) -> String {
    format!(
        "{user}.{kind}.{}",
        hex::encode(stop_signature(app, user, kind))
    )
}

fn stop_signature(app: &App, user: Id, kind: &str) -> Vec<u8> {
    // A key of its own, derived from the instance secret, so these tokens sign nothing else.
    let key = hmac_sha256(&app.instance.audit_secret, b"triad email stop v1");
    hmac_sha256(&key, format!("{user}\n{kind}").as_bytes())
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// Which person and kind of email a stop token names, if its signature holds.
pub fn read_stop_token(app: &App, token: &str) -> AppResult<(Id, &'static str)> {
    let mut parts = token.splitn(3, '.');
    let (Some(user), Some(kind), Some(signature)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(AppError::NotFound);
    };
    let user = Id::parse(user).ok_or(AppError::NotFound)?;
    let kind = match kind {
        ACTION_ITEM_DUE => ACTION_ITEM_DUE,
        _ => return Err(AppError::NotFound),
    };
    let given = hex::decode(signature).map_err(|_| AppError::NotFound)?;
    let expected = stop_signature(app, user, kind);
    use subtle::ConstantTimeEq;
    if given.len() != expected.len() || !bool::from(given.ct_eq(&expected)) {
        return Err(AppError::NotFound);
    }
    Ok((user, kind))
}

/// Stops the kind of email a token names, for the person it names; nothing else changes. The
/// words of what was stopped.
pub async fn stop(app: &App, token: &str, source: Option<String>) -> AppResult<&'static str> {
    let (user, kind) = read_stop_token(app, token)?;
    triad_store::email::stop_email(&app.db, user, kind, source, app.now()).await?;
    Ok(kind_in_words(kind).unwrap_or("these emails"))
}
