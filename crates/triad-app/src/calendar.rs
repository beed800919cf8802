//! A person's calendar feed, read by their calendar app through a private link with no
//! session: the meetings, drills and semester reviews of the MOU of the campuses they are a
//! partner on, and the open action items they own, each on its day. The feed is read as its
//! owner is today: a campus they left, or an account disabled, drops out at the next read.

use crate::access::Credential;
use crate::campus;
use crate::context::{today, Ctx};
use crate::error::{AppError, AppResult};
use crate::App;
use chrono::NaiveDate;
use triad_domain::drills::DrillKind;
use triad_domain::meetings::{self as meeting_rules, MeetingKind};
use triad_domain::policy::{Action, RecordClass};
use triad_domain::Id;
use triad_store::auth as store;
use triad_store::auth::CalendarLinkRow;
use triad_store::org::Campus;

/// One dated entry of the feed.
#[derive(Debug, Clone)]
pub struct CalendarEntry {
    /// The same entry keeps the same id from one read to the next, so a calendar app updates
    /// it rather than adding it again.
    pub uid: String,
    pub on: NaiveDate,
    pub summary: String,
    /// The page on Triad it comes from (a path).
    pub link: String,
}

pub struct CalendarFeed {
    /// Whose calendar it is, for the calendar's name.
    pub owner: String,
    pub entries: Vec<CalendarEntry>,
}

/// The actor's live calendar link (when it was made and last read; never its secret).
pub async fn own_link(ctx: &Ctx) -> AppResult<Option<CalendarLinkRow>> {
    ctx.require(
        Action::View,
        ctx.own_account(),
        ("user", &ctx.actor.user.to_string()),
    )
    .await?;
    Ok(store::live_calendar_link(&mut ctx.app.db.acquire().await?, ctx.actor.user).await?)
}

/// Makes the actor a new calendar link, stopping the one they had; the secret is returned
/// this once.
pub async fn make_link(ctx: &Ctx) -> AppResult<String> {
    ctx.require(
        Action::Change,
        ctx.own_account(),
        ("user", &ctx.actor.user.to_string()),
    )
    .await?;
    let (_, secret) = store::make_calendar_link(&ctx.app.db, ctx.actor.user, &ctx.by()).await?;
    Ok(secret)
}

/// Stops the actor's calendar link: their calendar app reads nothing more from it.
pub async fn stop_link(ctx: &Ctx) -> AppResult<()> {
    ctx.require(
        Action::Change,
        ctx.own_account(),
        ("user", &ctx.actor.user.to_string()),
    )
    .await?;
    store::stop_calendar_link(&ctx.app.db, ctx.actor.user, &ctx.by()).await?;
    Ok(())
}

/// The feed behind a link's secret. A secret that is unknown or stopped, or whose owner's
/// account is disabled, is not found (alike, so a guess learns nothing).
pub async fn feed(app: &App, secret: &str, source: Option<String>) -> AppResult<CalendarFeed> {
    let ctx = link_holder(app, secret, source).await?;
    let mut entries = Vec::new();
    for (campus, here) in crate::due::campuses_on(&ctx).await? {
        if crate::due::partner(&here) {
            entries.extend(campus_entries(&ctx, &campus).await?);
        }
    }
    entries.extend(owned_items(&ctx).await?);
    entries.sort_by(|a, b| (a.on, &a.uid).cmp(&(b.on, &b.uid)));
    let owner = store::user_by_id(&mut app.db.acquire().await?, ctx.actor.user)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_default();
    Ok(CalendarFeed { owner, entries })
}

/// The link's owner as they are today, acting through the link.
async fn link_holder(app: &App, secret: &str, source: Option<String>) -> AppResult<Ctx> {
    let now = app.now();
    let mut conn = app.db.acquire().await?;
    let versions = store::versions(&mut conn).await?;
    let link = store::calendar_link_by_secret(&mut conn, &store::secret_hash(secret))
        .await?
        .ok_or(AppError::NotFound)?;
    let user = match Id::parse(&link.user_id) {
        Some(id) => store::user_by_id(&mut conn, id).await?,
        None => None,
    }
    .filter(|u| !u.disabled)
    .ok_or(AppError::NotFound)?;
    let actor = store::load_actor(&mut conn, &user, &today(now)).await?;
    drop(conn);
    let recently = link
        .last_read_at
        .is_some_and(|at| at > now.millis() - store::TOUCH_EVERY_MS);
    if !recently {
        // The account page shows when the link was last read; a touch that fails is tried
        // again at the next read, and the feed is served all the same.
        let touched = async {
            let mut tx = app.db.begin_unkeyed().await?;
            store::touch_calendar_link(&mut tx, &link.id, now).await?;
            tx.commit().await
        };
        if let Err(e) = touched.await {
            tracing::warn!(error = %e, "a calendar link's last read could not be written down");
        }
    }
    Ok(Ctx {
        app: app.clone(),
        actor,
        credential: Credential::CalendarLink { id: link.id },
        source,
        now,
        second_factor_enabled: user.totp_enabled,
        access_version: versions.access,
        data_version: versions.data,
        ban_version: versions.bans,
    })
}

/// A campus's meetings, drills and semester reviews still to hold, this school year.
async fn campus_entries(ctx: &Ctx, campus: &Campus) -> AppResult<Vec<CalendarEntry>> {
    let cal = campus::calendar(ctx, campus).await?;
    let mut conn = ctx.app.db.acquire().await?;
    let meetings =
        triad_store::meetings::of_campus(&mut conn, campus.campus_id(), cal.year).await?;
    let drills = triad_store::drills::of_campus(&mut conn, campus.campus_id(), cal.year).await?;
    drop(conn);
    let mut out = Vec::new();
    for m in &meetings {
        let (Some(kind), Some(on)) = (MeetingKind::from_code(&m.kind), date(&m.held_on)) else {
            continue;
        };
        out.push(CalendarEntry {
            uid: format!("meeting-{}", m.id),
            on,
            summary: format!("{} — {}", kind.label(), campus.name),
            link: format!("/meetings/{}", m.id),
        });
    }
    for d in &drills {
        let Some(on) = date(&d.scheduled_on) else {
            continue;
        };
        let kind = DrillKind::from_code(&d.kind)
            .map(|k| k.label())
            .unwrap_or("Drill");
        let held = if d.held_at.is_some() { " (held)" } else { "" };
        out.push(CalendarEntry {
            uid: format!("drill-{}", d.id),
            on,
            summary: format!("{kind} drill{held} — {}", campus.name),
            link: format!("/campuses/{}/drills", campus.id),
        });
    }
    // A term's semester review of the MOU not held yet is due by the term's last day.
    let held = crate::meetings::held(&meetings);
    let cadence = meeting_rules::cadence(&held, &cal.school_days, &cal.terms, cal.today);
    for (term, (name, reviewed)) in cal.terms.iter().zip(&cadence.semester_reviews) {
        if *reviewed || term.last_day < cal.today {
            continue;
        }
        out.push(CalendarEntry {
            uid: format!("review-{}-{}", campus.id, term.first_day),
            on: term.last_day,
            summary: format!(
                "Semester review of the MOU due by the end of the {name} — {}",
                campus.name
            ),
            link: format!("/campuses/{}/meetings", campus.id),
        });
    }
    Ok(out)
}

/// The open action items the person owns that have a due day, on campuses they may still
/// read.
async fn owned_items(ctx: &Ctx) -> AppResult<Vec<CalendarEntry>> {
    let mut conn = ctx.app.db.acquire().await?;
    let items = triad_store::meetings::open_items_of(&mut conn, ctx.actor.user).await?;
    let mut out = Vec::new();
    for item in items {
        let Some(on) = item.due_on.as_deref().and_then(date) else {
            continue;
        };
        let Some(campus_id) = Id::parse(&item.campus_id) else {
            continue;
        };
        let Some(campus) = ctx.campus(&mut conn, campus_id).await? else {
            continue;
        };
        let readable = !ctx
            .actor
            .roles_for(&campus::tenant(&campus, None), RecordClass::Shared)
            .is_empty();
        if readable {
            out.push(CalendarEntry {
                uid: format!("action-{}", item.id),
                on,
                summary: format!("Due: {} — {}", item.title, campus.name),
                link: format!("/meetings/{}", item.meeting_id),
            });
        }
    }
    Ok(out)
}

fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}
