//! Email that brings people back: a reminder the day before an action item is due, to its
//! owner, and a weekly email of what is due for each person at their campuses (the "what is
//! due" service), with the action items and campus-event follow-ups they own due that week and,
//! for an SRO, their training when it is short. Both go from 7:00 in the district's own time zone (the week's from Monday),
//! once whichever instance sends them (a claim per person and occasion in the database), and
//! never to someone who stopped that kind with the email's one-click link, whose token is
//! signed for that person and that kind alone.

use crate::access::Credential;
use crate::campus;
use crate::context::{today, Ctx};
use crate::error::{AppError, AppResult};
use crate::App;
use chrono::Timelike;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;
use triad_domain::auth::Role;
use triad_domain::policy::RecordClass;
use triad_domain::{Id, Timestamp};
use triad_store::auth::Emailable;
use triad_store::email as store;

/// The kind of email a reminder of an action item due tomorrow is.
pub const ACTION_ITEM_DUE: &str = "action_item_due";
/// The kind of email the weekly list of what is due is.
pub const WEEKLY_DIGEST: &str = "weekly_digest";
/// Reminders go from this hour of the district's day, not in the night.
pub const FROM_LOCAL_HOUR: u32 = 7;

/// What a kind of email is, in the words of the page that stops it.
pub fn kind_in_words(kind: &str) -> Option<&'static str> {
    match kind {
        ACTION_ITEM_DUE => Some("reminders the day before an action item you own is due"),
        WEEKLY_DIGEST => Some("weekly emails of what is due for you"),
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
/// items due tomorrow (the district's day), to owners who may still read the campus. One
/// item's failure is logged and the others still go.
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
            match reminder_of(app, item, now).await {
                Ok(Some(reminder)) => out.push(reminder),
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "a reminder could not be made"),
            }
        }
    }
    Ok(out)
}

/// Claims one email (true: this caller sends it). Rounds run every 15 minutes and find the
/// same people again: a claim already taken is read, not written again, so a round that has
/// nothing new to send costs no write.
async fn claim_once(
    app: &App,
    kind: &str,
    user: &str,
    occasion: &str,
    now: Timestamp,
) -> AppResult<bool> {
    if store::email_claimed(&mut app.db.acquire().await?, kind, user, occasion).await? {
        return Ok(false);
    }
    let mut tx = app.db.begin().await?;
    let claimed = store::claim_email(&mut tx, kind, user, occasion, now).await?;
    tx.commit().await?;
    Ok(claimed)
}

/// The reminder of one item due tomorrow, if its owner still reads the campus and it was not
/// claimed before.
async fn reminder_of(
    app: &App,
    item: store::DueItemRow,
    now: Timestamp,
) -> AppResult<Option<Reminder>> {
    let Some(owner) = Id::parse(&item.owner_id) else {
        return Ok(None);
    };
    if !still_reads_campus(app, owner, &item.campus_id, now).await? {
        return Ok(None);
    }
    let occasion = format!("{}:{}", item.item_id, item.due_on);
    if !claim_once(app, ACTION_ITEM_DUE, &item.owner_id, &occasion, now).await? {
        return Ok(None);
    }
    Ok(Some(Reminder {
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
    }))
}

/// Claims this week's email of what is due, for each person with a campus who has something
/// due or late there (no email when nothing is), from Monday 7:00 in their campus's district.
/// A person's week is claimed before it is worked out, once: a week with nothing due at its
/// start sends nothing and is not worked out again. One person's failure is logged and the
/// others still go.
pub async fn claim_digests(app: &App) -> AppResult<Vec<Reminder>> {
    let mut conn = app.db.acquire().await?;
    let people = triad_store::auth::accounts_to_email(&mut conn, WEEKLY_DIGEST).await?;
    let zones: HashMap<String, chrono_tz::Tz> = triad_store::org::districts(&mut conn)
        .await?
        .into_iter()
        .filter_map(|d| Some((d.id, d.time_zone.parse().ok()?)))
        .collect();
    drop(conn);
    let mut out = Vec::new();
    for person in people {
        match digest_of(app, &zones, person).await {
            Ok(Some(digest)) => out.push(digest),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "a weekly email could not be made"),
        }
    }
    Ok(out)
}

/// One person's email of this week, if it is theirs to get now and not claimed before.
async fn digest_of(
    app: &App,
    zones: &HashMap<String, chrono_tz::Tz>,
    person: Emailable,
) -> AppResult<Option<Reminder>> {
    use crate::due::Urgency;
    let now = app.now();
    let ctx = job_ctx(app, &person.user).await?;
    // The person's week is that of their first campus's district.
    let campuses = crate::due::campuses_on(&ctx).await?;
    let Some(tz) = campuses
        .first()
        .and_then(|(campus, _)| zones.get(&campus.district_id).copied())
    else {
        return Ok(None);
    };
    let local = now.to_datetime().with_timezone(&tz);
    let monday = triad_domain::org::week_start(local.date_naive());
    if local.date_naive() == monday && local.hour() < FROM_LOCAL_HOUR {
        return Ok(None);
    }
    let occasion = monday.to_string();
    if !claim_once(app, WEEKLY_DIGEST, &person.user.id, &occasion, now).await? {
        return Ok(None);
    }
    let weeks = crate::due::this_week(&ctx).await?;
    let mut lines: Vec<String> = weeks
        .iter()
        .flat_map(|w| {
            w.entries
                .iter()
                .filter(|e| matches!(e.urgency, Urgency::Now | Urgency::Due))
                .map(move |e| format!("- {}: {}", w.campus, e.text))
        })
        .collect();
    let sunday = (monday + chrono::Duration::days(6)).to_string();
    let owned =
        triad_store::meetings::open_items_of(&mut app.db.acquire().await?, person.user.user_id())
            .await?;
    lines.extend(owned.iter().filter_map(|item| {
        let due = item.due_on.as_deref()?;
        (due <= sunday.as_str()).then(|| format!("- Yours, due {due}: {}", item.title))
    }));
    lines.extend(follow_ups_due(app, &person, &sunday).await?);
    lines.extend(training_short(&ctx).await?);
    if lines.is_empty() {
        return Ok(None);
    }
    let user = person.user.user_id();
    Ok(Some(Reminder {
        kind: WEEKLY_DIGEST,
        user,
        occasion,
        to: person.email,
        subject: format!("Triad: what is due this week ({monday})"),
        text: format!(
            "Hello {},\n\nDue or late this week:\n{}\n\nOpen Triad: {{link}}\n",
            person.user.display_name,
            lines.join("\n")
        ),
        link: "/".into(),
        stop_token: stop_token(app, user, WEEKLY_DIGEST),
    }))
}

/// The follow-ups of campus events (a lockdown's, an evacuation's) the person owns, due by
/// `sunday` or with no day set, on campuses they still read.
async fn follow_ups_due(app: &App, person: &Emailable, sunday: &str) -> AppResult<Vec<String>> {
    let user = person.user.user_id();
    let owned =
        triad_store::operations::open_follow_ups_of(&mut app.db.acquire().await?, user).await?;
    let mut lines = Vec::new();
    for follow_up in owned {
        let due = follow_up.due_on.as_deref();
        if due.is_some_and(|d| d > sunday)
            || !still_reads_campus(app, user, &follow_up.campus_id, app.now()).await?
        {
            continue;
        }
        lines.push(match due {
            Some(day) => format!("- Follow-up yours, due {day}: {}", follow_up.title),
            None => format!("- Follow-up yours: {}", follow_up.title),
        });
    }
    Ok(lines)
}

/// An SRO's own training, when it is short of the agency's requirements.
async fn training_short(ctx: &Ctx) -> AppResult<Option<String>> {
    let Some(person) = ctx.actor.person.filter(|_| ctx.actor.has_role(Role::Sro)) else {
        return Ok(None);
    };
    let training = match crate::training::of_person(ctx, &person.to_string()).await {
        Ok(training) => training,
        Err(AppError::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    let (standing, needed) = (&training.standing, &training.requirements);
    Ok(standing.short.then(|| {
        format!(
            "- Your training is short: basic SRO course {} of {} hours, in-service {} of {} hours in {}",
            standing.basic_hours, needed.basic_hours, standing.year_hours, needed.yearly_hours, standing.year
        )
    }))
}

/// A person as a job of the instance reads for them: as they are today.
async fn job_ctx(app: &App, user: &triad_store::auth::UserRow) -> AppResult<Ctx> {
    let now = app.now();
    let mut conn = app.db.acquire().await?;
    let versions = triad_store::auth::versions(&mut conn).await?;
    let actor = triad_store::auth::load_actor(&mut conn, user, &today(now)).await?;
    Ok(Ctx {
        app: app.clone(),
        actor,
        credential: Credential::Job {
            name: "weekly digest",
        },
        source: None,
        now,
        second_factor_enabled: user.totp_enabled,
        access_version: versions.access,
        data_version: versions.data,
        ban_version: versions.bans,
    })
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
    stop_signature_with(&app.instance.audit_secret, user, kind)
}

fn stop_signature_with(secret: &[u8], user: Id, kind: &str) -> Vec<u8> {
    // A key of its own, derived from the instance secret, so these tokens sign nothing else.
    let key = hmac_sha256(secret, b"triad email stop v1");
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
        WEEKLY_DIGEST => WEEKLY_DIGEST,
        _ => return Err(AppError::NotFound),
    };
    let given = hex::decode(signature).map_err(|_| AppError::NotFound)?;
    // Signed with the secret of now, or (a link in an email sent before the instance's keys
    // were rotated) with an earlier one.
    use subtle::ConstantTimeEq;
    let signed_by = |secret: &Vec<u8>| {
        let expected = stop_signature_with(secret, user, kind);
        given.len() == expected.len() && bool::from(given.ct_eq(&expected))
    };
    let secrets = std::iter::once(&*app.instance.audit_secret)
        .chain(app.instance.retired_audit_secrets.iter());
    if !secrets.into_iter().any(signed_by) {
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
