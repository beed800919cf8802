//! Campus bans and visitor sign-in: once for pages and API.
//!
//! Every sign-in is checked against the bans in force on the campus. Name-and-birth-date
//! matching alone produces false matches, so candidates are shown with their reasons and a
//! person decides; a confirmed match becomes an incident and tells the campus's SRO and
//! administrators.

use crate::campus::{self, Local};
use crate::change::Change;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::incidents::{FoundIncident, IncidentInput};
use crate::live::{Live, LiveNotice};
use serde::{Deserialize, Serialize};
use triad_domain::audit::Outcome;
use triad_domain::org as org_rules;
use triad_domain::policy::{Action, RecordClass, Resource};
use triad_domain::text::parse_text;
use triad_domain::visitors::{
    self as rules, BanScope, Candidate, IdType, MatchDecision, MatchReason, Person,
};
use triad_domain::{Id, Invalid, Timestamp};
use triad_store::org::Campus;
use triad_store::paging::Page;
use triad_store::visitors::{self as store, BanRow, MatchRow, VisitorRow};

/// Bans ending within this many days show on the administrator's home page.
pub const EXPIRY_NOTICE_DAYS: i64 = 14;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BanView {
    pub id: String,
    pub incident_id: String,
    pub name: String,
    pub birth_date: Option<String>,
    pub description: Option<String>,
    pub scope: String,
    pub scope_label: String,
    pub starts_on: String,
    pub ends_on: String,
    pub reason: String,
    pub served_by: String,
    pub served_at: String,
    pub has_photo: bool,
}

fn ban_view(b: &BanRow, local: &Local) -> BanView {
    BanView {
        id: b.id.clone(),
        incident_id: b.incident_id.clone(),
        name: format!("{} {}", b.given_name, b.family_name),
        birth_date: b.birth_date.clone(),
        description: b.description.clone(),
        scope_label: BanScope::from_code(&b.scope)
            .map(|s| s.label())
            .unwrap_or("")
            .into(),
        scope: b.scope.clone(),
        starts_on: b.starts_on.clone(),
        ends_on: b.ends_on.clone(),
        reason: b.reason.clone(),
        served_by: b.served_by.clone(),
        served_at: local.show(b.served_at),
        has_photo: b.photo_key.is_some(),
    }
}

/// Bans issued from an incident the actor already reads.
pub async fn bans_of_incident(ctx: &Ctx, found: &FoundIncident) -> AppResult<Vec<BanView>> {
    let rows = store::bans_of_incident(&mut ctx.app.db.acquire().await?, found.id()).await?;
    Ok(rows.iter().map(|b| ban_view(b, &found.local)).collect())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct BanInput {
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub family_name: String,
    /// YYYY-MM-DD, when known.
    #[serde(default)]
    pub birth_date: String,
    /// What the person looks like, for the front office.
    #[serde(default)]
    pub description: String,
    /// campus or district
    #[serde(default)]
    pub scope: String,
    /// YYYY-MM-DD
    #[serde(default)]
    pub starts_on: String,
    /// YYYY-MM-DD
    #[serde(default)]
    pub ends_on: String,
    #[serde(default)]
    pub reason: String,
    /// Who served the notice.
    #[serde(default)]
    pub served_by: String,
    /// When the notice was served, campus time: YYYY-MM-DDTHH:MM
    #[serde(default)]
    pub served_at: String,
}

/// Issues a ban from an incident, with an optional photo of the person for the front office
/// (kept as a re-encoded copy without metadata).
pub async fn issue_ban(
    ctx: &Ctx,
    incident: &str,
    input: BanInput,
    photo: Option<bytes::Bytes>,
) -> AppResult<BanView> {
    let found = crate::incidents::find(ctx, incident, Action::Change).await?;
    let today = found.local.date(ctx.now);
    let mut invalid = Invalid::default();
    let given = invalid.check(org_rules::parse_name("given_name", &input.given_name));
    let family = invalid.check(org_rules::parse_name("family_name", &input.family_name));
    let birth = if input.birth_date.trim().is_empty() {
        None
    } else {
        invalid.check(rules::parse_birth_date(
            "birth_date",
            &input.birth_date,
            today,
        ))
    };
    let description = invalid
        .check(parse_text("description", &input.description, 1000))
        .flatten();
    let scope = BanScope::from_code(&input.scope);
    if scope.is_none() {
        invalid.push("scope", "choose this campus or the whole district");
    }
    let starts = invalid.check(org_rules::parse_date("starts_on", &input.starts_on));
    let ends = invalid.check(org_rules::parse_date("ends_on", &input.ends_on));
    if let (Some(s), Some(e)) = (starts, ends) {
        invalid.check(rules::check_ban_period(s, e));
    }
    let reason = invalid.check(org_rules::parse_name("reason", &input.reason));
    let served_by = invalid.check(org_rules::parse_name("served_by", &input.served_by));
    let served_at = invalid.check(triad_domain::time::parse_local(
        "served_at",
        &input.served_at,
        found.local.tz,
    ));
    if served_at.is_some_and(|at| at.is_in_the_future(ctx.now)) {
        invalid.push(
            "served_at",
            "the notice is recorded once served: this time is in the future",
        );
    }
    invalid.into_result()?;
    let (
        Some(given),
        Some(family),
        Some(scope),
        Some(starts),
        Some(ends),
        Some(reason),
        Some(served_by),
        Some(served_at),
    ) = (
        given, family, scope, starts, ends, reason, served_by, served_at,
    )
    else {
        return Err(AppError::NotFound);
    };
    let photo_key = match photo {
        Some(bytes) => Some(store_ban_photo(ctx, bytes).await?),
        None => None,
    };
    let keys = rules::name_keys(&given, &family);
    let row = BanRow {
        id: Id::new().to_string(),
        district_id: found.campus.district_id.clone(),
        campus_id: found.campus.id.clone(),
        scope: scope.code().into(),
        incident_id: found.row.id.clone(),
        given_name: given,
        family_name: family,
        given_key: keys.given_key,
        family_key: keys.family_key,
        birth_date: birth.map(|d| d.to_string()),
        description,
        photo_key: photo_key.clone(),
        starts_on: starts.to_string(),
        ends_on: ends.to_string(),
        reason,
        served_by,
        served_at: served_at.millis(),
        created_by: ctx.actor.user.to_string(),
        created_at: ctx.now.millis(),
    };
    let written = write_ban(ctx, &row, &found).await;
    if written.is_err() {
        ctx.app
            .instance
            .files
            .discard(&photo_key.into_iter().collect::<Vec<_>>())
            .await;
    }
    written?;
    Ok(ban_view(&row, &found.local))
}

async fn write_ban(ctx: &Ctx, row: &BanRow, found: &FoundIncident) -> AppResult<()> {
    let mut tx = ctx.change().await?;
    store::insert_ban(&mut tx, row).await?;
    let event = ctx
        .event("ban.create", Outcome::Ok)
        .record("ban", &row.id)
        .content(row)
        .tenant(Some(found.campus.district()), found.agency());
    tx.audit(event);
    tx.commit().await?;
    Ok(())
}

/// Checks and re-encodes a ban photo; only the clean copy is kept.
async fn store_ban_photo(ctx: &Ctx, bytes: bytes::Bytes) -> AppResult<String> {
    use crate::photo;
    let limits = photo::Limits::in_force(&ctx.app.db).await?;
    let processed = photo::process_bounded(bytes, limits)
        .await
        .map_err(|e| AppError::Internal(format!("a photo task failed: {e}")))?
        .map_err(|e| Invalid::one("photo", e.to_string()))?;
    Ok(ctx
        .app
        .instance
        .files
        .put("photos-view", "jpg", processed.view_jpeg)
        .await?)
}

/// A banned person's photo, for those who read the campus's bans.
pub async fn ban_photo(ctx: &Ctx, id: &str) -> AppResult<Vec<u8>> {
    let parsed = Id::parse(id).ok_or(AppError::NotFound)?;
    let mut conn = ctx.app.db.acquire().await?;
    let ban = store::ban(&mut conn, parsed).await?;
    let campus = match &ban {
        Some(b) => {
            triad_store::org::campus(&mut conn, Id::parse(&b.campus_id).unwrap_or_default()).await?
        }
        None => None,
    };
    drop(conn);
    let tenant = campus.as_ref().map(|c| campus::tenant(c, None)).unwrap_or(
        triad_domain::policy::Tenant::campus(Id::from_parts("none", 0), parsed),
    );
    ctx.require(
        Action::View,
        Resource::new(RecordClass::Shared, tenant),
        ("ban", id),
    )
    .await?;
    let key = ban.and_then(|b| b.photo_key).ok_or(AppError::NotFound)?;
    Ok(ctx.app.instance.files.get(&key).await?)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BanList {
    pub campus_id: String,
    pub campus: String,
    pub on: String,
    pub bans: Vec<BanView>,
}

/// The bans in force on a campus today: the front office's printable list.
pub async fn bans(ctx: &Ctx, campus_id: &str, page: Page) -> AppResult<BanList> {
    let campus = campus::campus_for(
        ctx,
        campus_id,
        RecordClass::Shared,
        Action::View,
        "campus_bans",
    )
    .await?;
    let local = campus::local(ctx, &campus).await?;
    let today = local.date(ctx.now).to_string();
    let rows = store::bans_in_force(
        &mut ctx.app.db.acquire().await?,
        campus.district(),
        campus.campus_id(),
        &today,
        page,
    )
    .await?;
    Ok(BanList {
        campus_id: campus.id.clone(),
        campus: campus.name.clone(),
        on: today,
        bans: rows.iter().map(|b| ban_view(b, &local)).collect(),
    })
}

/// Bans of a campus ending soon, for its administrators' home page.
pub async fn expiring_bans(ctx: &Ctx, campus: &Campus) -> AppResult<Vec<BanView>> {
    let local = campus::local(ctx, campus).await?;
    let today = local.date(ctx.now);
    let rows = store::bans_in_force(
        &mut ctx.app.db.acquire().await?,
        campus.district(),
        campus.campus_id(),
        &today.to_string(),
        Page::ALL,
    )
    .await?;
    Ok(rows
        .iter()
        .filter(|b| {
            org_rules::parse_date("ends_on", &b.ends_on)
                .is_ok_and(|end| rules::expires_within(end, today, EXPIRY_NOTICE_DAYS))
        })
        .map(|b| ban_view(b, &local))
        .collect())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct VisitorInput {
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub family_name: String,
    /// Read from the ID, for ban matching: YYYY-MM-DD
    #[serde(default)]
    pub birth_date: String,
    /// drivers_license, state_id, passport, military or other
    #[serde(default)]
    pub id_type: String,
    /// The last four characters of the ID number: never the whole number.
    #[serde(default)]
    pub id_last_four: String,
    #[serde(default)]
    pub purpose: String,
    /// Who the visitor is here to see.
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub badge: String,
    #[serde(default)]
    pub escort: String,
    /// Campus time YYYY-MM-DDTHH:MM; empty means now.
    #[serde(default)]
    pub time_in: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MatchView {
    pub id: String,
    pub ban: BanView,
    pub reasons: Vec<String>,
    pub strength: i64,
    pub decision: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VisitorView {
    pub id: String,
    pub campus_id: String,
    pub name: String,
    pub birth_date: String,
    pub id_type: String,
    pub id_last_four: String,
    pub purpose: String,
    pub host: String,
    pub badge: Option<String>,
    pub escort: Option<String>,
    pub time_in: String,
    pub time_out: Option<String>,
    pub incident_id: Option<String>,
    pub matches: Vec<MatchView>,
    /// Where the front desk stands with this visitor: `held` (a possible ban match waits for
    /// a person's decision: no badge), `banned` (a match was confirmed: not admitted) or
    /// `clear` (no match, or every match dismissed: the badge may be printed); `left` when the
    /// visitor signed out before anyone decided on a possible match.
    pub desk: String,
}

/// Where the front desk stands with a visitor, by their matches.
fn desk_state(incident: Option<&str>, signed_out: bool, matches: &[MatchView]) -> &'static str {
    if incident.is_some()
        || matches
            .iter()
            .any(|m| m.decision == MatchDecision::Confirmed.code())
    {
        "banned"
    } else if matches
        .iter()
        .any(|m| m.decision == MatchDecision::Pending.code())
    {
        if signed_out {
            "left"
        } else {
            "held"
        }
    } else {
        "clear"
    }
}

struct VisitorParsed {
    given: String,
    family: String,
    birth: chrono::NaiveDate,
    id_type: IdType,
    last_four: String,
    purpose: String,
    host: String,
    badge: Option<String>,
    escort: Option<String>,
    time_in: Timestamp,
}

fn parse_visitor(
    input: &VisitorInput,
    local: &Local,
    now: Timestamp,
) -> Result<VisitorParsed, Invalid> {
    let mut invalid = Invalid::default();
    let given = invalid.check(org_rules::parse_name("given_name", &input.given_name));
    let family = invalid.check(org_rules::parse_name("family_name", &input.family_name));
    let birth = invalid.check(rules::parse_birth_date(
        "birth_date",
        &input.birth_date,
        local.date(now),
    ));
    let id_type = IdType::from_code(&input.id_type);
    if id_type.is_none() {
        invalid.push("id_type", "say which ID was seen");
    }
    let last_four = invalid.check(rules::parse_id_last_four(
        "id_last_four",
        &input.id_last_four,
    ));
    let purpose = invalid.check(org_rules::parse_name("purpose", &input.purpose));
    let host = invalid.check(org_rules::parse_name("host", &input.host));
    let badge = invalid
        .check(parse_text("badge", &input.badge, 50))
        .flatten();
    let escort = invalid
        .check(parse_text("escort", &input.escort, 200))
        .flatten();
    let time_in = if input.time_in.trim().is_empty() {
        Some(now)
    } else {
        invalid.check(triad_domain::time::parse_local(
            "time_in",
            &input.time_in,
            local.tz,
        ))
    };
    if let Some(t) = time_in {
        invalid.check(rules::check_visit_times(t, None, now));
    }
    invalid.into_result()?;
    match (
        given, family, birth, id_type, last_four, purpose, host, time_in,
    ) {
        (
            Some(given),
            Some(family),
            Some(birth),
            Some(id_type),
            Some(last_four),
            Some(purpose),
            Some(host),
            Some(time_in),
        ) => Ok(VisitorParsed {
            given,
            family,
            birth,
            id_type,
            last_four,
            purpose,
            host,
            badge,
            escort,
            time_in,
        }),
        _ => Err(Invalid::one("given_name", "the sign-in could not be read")),
    }
}

/// Signs a visitor in and checks the bans in force.
pub async fn sign_in(ctx: &Ctx, campus_id: &str, input: VisitorInput) -> AppResult<VisitorView> {
    let campus = campus::campus_for(
        ctx,
        campus_id,
        RecordClass::Shared,
        Action::Change,
        "campus_visitors",
    )
    .await?;
    let local = campus::local(ctx, &campus).await?;
    let p = parse_visitor(&input, &local, ctx.now)?;
    let person = Person {
        given: p.given.clone(),
        family: p.family.clone(),
        birth_date: Some(p.birth),
    };
    let day = local.date(p.time_in).to_string();
    let candidates = bans_in_force(ctx, &campus, &day)
        .await?
        .matching(campus.campus_id(), &person);
    let row = VisitorRow {
        id: Id::new().to_string(),
        district_id: campus.district_id.clone(),
        campus_id: campus.id.clone(),
        given_name: p.given,
        family_name: p.family,
        birth_date: p.birth.to_string(),
        id_type: p.id_type.code().into(),
        id_last_four: p.last_four,
        purpose: p.purpose,
        host: p.host,
        badge: p.badge,
        escort: p.escort,
        time_in: p.time_in.millis(),
        time_out: None,
        incident_id: None,
        created_by: ctx.actor.user.to_string(),
        created_at: ctx.now.millis(),
        updated_at: ctx.now.millis(),
    };
    let mut matched = Vec::new();
    if !candidates.is_empty() {
        // A sign-in that may be someone banned (few are) reads those bans whole, for the answer.
        let ids: Vec<Id> = candidates.iter().map(|(id, _)| *id).collect();
        let bans = store::bans_by_ids(&mut ctx.app.db.acquire().await?, &ids).await?;
        for (candidate, ban) in with_their_bans(candidates, bans) {
            matched.push((pending_match(&row, &ban, &candidate), ban));
        }
    }
    let event = ctx
        .event("visitor.sign_in", Outcome::Ok)
        .record("visitor", &row.id)
        .content(&row)
        .tenant(Some(campus.district()), None);
    let mut publish_here = None;
    // One open visit per person: the database refuses a second, however close together the
    // two come, and the refusal says since when the first is in (read only then: most
    // sign-ins are nobody's second).
    let kept = if matched.is_empty() {
        // Nothing to decide on the way: the sign-in goes with the others of the moment.
        let mut change = ctx.prepared_change();
        change.audit(event);
        change.write(store::insert_visitor_statement(&row));
        change
            .commit_refusing_duplicates(store::ALREADY_SIGNED_IN)
            .await
    } else {
        let mut tx = ctx.change().await?;
        // The SRO and the administrators are told at once, while the visitor waits.
        let message = format!(
            "Possible banned person at the front office of {}: {} {} is held at the desk until someone decides.",
            campus.name, row.given_name, row.family_name
        );
        let link = format!("/visitors/{}", row.id);
        publish_here = tell_campus(ctx, &mut tx, &campus, &local, &message, &link).await?;
        tx.audit(event);
        // The sign-in and its matches go with the write's release: nothing reads them back.
        tx.defer(store::insert_visitor_statement(&row));
        for (m, _) in &matched {
            tx.defer(store::insert_match_statement(m));
        }
        tx.commit_refusing_duplicates(store::ALREADY_SIGNED_IN)
            .await
    };
    if let Err(e) = kept {
        return Err(already_signed_in(ctx, &campus, &row, &local)
            .await?
            .unwrap_or(e));
    }
    if let Some(notice) = publish_here {
        ctx.app.live.publish(notice);
    }
    // The answer is made from what was written, in the order the matches are read back.
    matched.sort_by(|(a, _), (b, _)| b.strength.cmp(&a.strength).then(a.id.cmp(&b.id)));
    Ok(view_of(row, matched, &local))
}

/// Districts' bans in force on a day, by district and day, kept under the ban version: every
/// change to a ban moves it, in the change's transaction, and every request reads it when it
/// arrives, so a sign-in is checked against every ban committed before it came, on any
/// instance, as a read of its own would (see [`crate::versions`]). When it has moved, the
/// district's bans changed since are read from the log the same transactions keep (migration
/// 0060) and the kept ones brought up to date. Each is still read whole once a minute.
pub type KeptBans = crate::fresh::Current<(String, String), store::BansInForce, i64>;

/// The bans in force in the campus's district on `day`, as kept or read now. Who may sign
/// visitors in on the campus is checked before: what is kept is never shown, only matched.
async fn bans_in_force(
    ctx: &Ctx,
    campus: &Campus,
    day: &str,
) -> AppResult<std::sync::Arc<store::BansInForce>> {
    let key = (campus.district_id.clone(), day.to_string());
    ctx.app
        .bans_in_force
        .get_or_update(key, ctx.ban_version, ctx.now, |outdated| async move {
            let mut conn = ctx.app.db.acquire().await?;
            // Kept under an older ban version: only the district's bans changed since are
            // read (none, when the ban was another district's). A version that went back (a
            // database restored under a running instance) reads the district whole.
            if let Some(outdated) = outdated.filter(|o| o.versions < ctx.ban_version) {
                let changed =
                    store::bans_changed_since(&mut conn, campus.district(), outdated.versions)
                        .await?;
                match changed {
                    Some(changed) if changed.is_empty() => {
                        return Ok((outdated.value, outdated.built_at))
                    }
                    Some(changed) => {
                        let updated = outdated
                            .value
                            .updated(&mut conn, campus.district(), day, &changed)
                            .await?;
                        return Ok((std::sync::Arc::new(updated), outdated.built_at));
                    }
                    None => {}
                }
            }
            let read = store::BansInForce::read(&mut conn, campus.district(), day).await?;
            Ok((std::sync::Arc::new(read), ctx.now))
        })
        .await
}

/// A match a sign-in raised, for someone to decide.
fn pending_match(visitor: &VisitorRow, ban: &BanRow, candidate: &Candidate) -> MatchRow {
    MatchRow {
        id: Id::new().to_string(),
        visitor_id: visitor.id.clone(),
        ban_id: ban.id.clone(),
        reasons: candidate
            .reasons
            .iter()
            .map(|r| r.code())
            .collect::<Vec<_>>()
            .join(","),
        strength: i64::from(candidate.strength),
        decision: MatchDecision::Pending.code().into(),
        decided_by: None,
        decided_at: None,
    }
}

/// The refusal of a second sign-in of someone already in: who, and since when. `None` when
/// their visit is not open (the refusal was for something else, or they left meanwhile).
async fn already_signed_in(
    ctx: &Ctx,
    campus: &Campus,
    row: &VisitorRow,
    local: &Local,
) -> AppResult<Option<AppError>> {
    let key = store::open_person(&row.given_name, &row.family_name, &row.birth_date);
    let open =
        store::open_visit(&mut ctx.app.db.acquire().await?, campus.campus_id(), &key).await?;
    Ok(open.map(|open| {
        AppError::Conflict(format!(
            "{} {} is already signed in here (since {}): sign them out before signing them in again",
            open.given_name,
            open.family_name,
            local.show(open.time_in)
        ))
    }))
}

/// A sign-in as people read it, with its ban matches, read on `conn` (inside a write, its
/// transaction).
async fn visitor_view<'c>(
    conn: impl Into<triad_store::Conn<'c>>,
    v: VisitorRow,
    local: &Local,
) -> AppResult<VisitorView> {
    let matched = store::matches_with_bans(conn, std::slice::from_ref(&v.id)).await?;
    Ok(view_of(v, matched, local))
}

/// Each item with the ban of its id, in the items' order; an item whose ban was not read is
/// left out, as a ban that is not there cannot be shown.
fn with_their_bans<T>(items: Vec<(Id, T)>, bans: Vec<BanRow>) -> Vec<(T, BanRow)> {
    let by_id: std::collections::HashMap<String, BanRow> =
        bans.into_iter().map(|ban| (ban.id.clone(), ban)).collect();
    items
        .into_iter()
        .filter_map(|(id, item)| Some((item, by_id.get(&id.to_string())?.clone())))
        .collect()
}

/// A sign-in as people read it, with the matches it raised (strongest first) and their bans.
fn view_of(v: VisitorRow, matched: Vec<(MatchRow, BanRow)>, local: &Local) -> VisitorView {
    let matches: Vec<MatchView> = matched
        .into_iter()
        .map(|(m, ban)| MatchView {
            reasons: m
                .reasons
                .split(',')
                .filter_map(MatchReason::from_code)
                .map(|r| r.label().to_string())
                .collect(),
            id: m.id,
            ban: ban_view(&ban, local),
            strength: m.strength,
            decision: m.decision,
        })
        .collect();
    VisitorView {
        desk: desk_state(v.incident_id.as_deref(), v.time_out.is_some(), &matches).into(),
        name: format!("{} {}", v.given_name, v.family_name),
        time_in: local.show(v.time_in),
        time_out: v.time_out.map(|t| local.show(t)),
        id: v.id,
        campus_id: v.campus_id,
        birth_date: v.birth_date,
        id_type: IdType::from_code(&v.id_type)
            .map(|t| t.label())
            .unwrap_or("")
            .into(),
        id_last_four: v.id_last_four,
        purpose: v.purpose,
        host: v.host,
        badge: v.badge,
        escort: v.escort,
        incident_id: v.incident_id,
        matches,
    }
}

/// A visitor the actor may act on, with their campus.
async fn find(ctx: &Ctx, id: &str, action: Action) -> AppResult<(VisitorRow, Campus)> {
    let parsed = Id::parse(id).ok_or(AppError::NotFound)?;
    let mut conn = ctx.app.db.acquire().await?;
    let visitor = store::visitor(&mut conn, parsed).await?;
    let campus = match &visitor {
        Some(v) => {
            ctx.campus(&mut conn, Id::parse(&v.campus_id).unwrap_or_default())
                .await?
        }
        None => None,
    };
    drop(conn);
    let tenant = campus.as_ref().map(|c| campus::tenant(c, None)).unwrap_or(
        triad_domain::policy::Tenant::campus(Id::from_parts("none", 0), parsed),
    );
    ctx.require(
        action,
        Resource::new(RecordClass::Shared, tenant),
        ("visitor", id),
    )
    .await?;
    match (visitor, campus) {
        (Some(v), Some(c)) => Ok((v, c)),
        _ => Err(AppError::NotFound),
    }
}

pub async fn visitor(ctx: &Ctx, id: &str) -> AppResult<VisitorView> {
    let (v, campus) = find(ctx, id, Action::View).await?;
    let local = campus::local(ctx, &campus).await?;
    visitor_view(&mut ctx.app.db.acquire().await?, v, &local).await
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CampusVisitors {
    pub campus_id: String,
    pub campus: String,
    pub visitors: Vec<VisitorView>,
}

/// A page of the last day's sign-ins of a campus, newest first.
pub async fn campus_visitors(
    ctx: &Ctx,
    campus_id: &str,
    name: &str,
    page: Page,
) -> AppResult<CampusVisitors> {
    let campus = campus::campus_for(
        ctx,
        campus_id,
        RecordClass::Shared,
        Action::View,
        "campus_visitors",
    )
    .await?;
    let local = campus::local(ctx, &campus).await?;
    let since = ctx.now.millis() - 24 * 3_600_000;
    let mut conn = ctx.app.db.acquire_for_list().await?;
    let name: String = name.chars().take(100).collect();
    let visitors = store::visitors_since(&mut conn, campus.campus_id(), since, &name, page)
        .await?
        .into_iter()
        .map(|listed| view_of(listed.visitor, listed.matches, &local))
        .collect::<Vec<_>>();
    drop(conn);
    campus::check_cursor(ctx, "visitors", &campus, page, visitors.len()).await?;
    Ok(CampusVisitors {
        campus_id: campus.id.clone(),
        campus: campus.name.clone(),
        visitors,
    })
}

/// Signs a visitor out.
pub async fn sign_out(ctx: &Ctx, id: &str) -> AppResult<VisitorView> {
    let (v, campus) = find(ctx, id, Action::Change).await?;
    let local = campus::local(ctx, &campus).await?;
    let mut tx = ctx.change().await?;
    if store::sign_out(
        &mut tx,
        Id::parse(&v.id).unwrap_or_default(),
        ctx.now.millis(),
    )
    .await?
        == 0
    {
        return Err(Invalid::one("time_out", "this visitor has already signed out").into());
    }
    let event = ctx
        .event("visitor.sign_out", Outcome::Ok)
        .record("visitor", &v.id)
        .tenant(Some(campus.district()), None);
    tx.audit(event);
    let view = visitor_after(&mut tx, &v.id, &local).await?;
    tx.commit().await?;
    Ok(view)
}

/// A sign-in as a write inside `tx` left it: read before the commit, so that the commit is the
/// last step of the request that may fail.
async fn visitor_after(tx: &mut Change, id: &str, local: &Local) -> AppResult<VisitorView> {
    let row = store::visitor(&mut *tx, Id::parse(id).unwrap_or_default())
        .await?
        .ok_or(AppError::NotFound)?;
    visitor_view(tx, row, local).await
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MatchInput {
    /// confirmed or dismissed
    #[serde(default)]
    pub decision: String,
}

/// A person decides a candidate match. A confirmed match records an incident on the campus,
/// links the sign-in to it and tells the campus's SRO and administrators.
pub async fn decide_match(ctx: &Ctx, id: &str, input: MatchInput) -> AppResult<VisitorView> {
    let parsed = Id::parse(id).ok_or(AppError::NotFound)?;
    let m = store::get_match(&mut ctx.app.db.acquire().await?, parsed).await?;
    let visitor_id = m
        .as_ref()
        .map(|m| m.visitor_id.clone())
        .unwrap_or_else(|| Id::new().to_string());
    let (v, campus) = find(ctx, &visitor_id, Action::Change).await?;
    let m = m.ok_or(AppError::NotFound)?;
    let decision = MatchDecision::from_code(&input.decision)
        .filter(|d| *d != MatchDecision::Pending)
        .ok_or_else(|| Invalid::one("decision", "confirm the match or dismiss it"))?;
    let local = campus::local(ctx, &campus).await?;
    let mut tx = ctx.change().await?;
    if store::decide_match(
        &mut tx,
        parsed,
        decision.code(),
        ctx.actor.user,
        ctx.now.millis(),
    )
    .await?
        == 0
    {
        return Err(AppError::Conflict("this match was already decided".into()));
    }
    let event = ctx
        .event("visitor.match.decide", Outcome::Ok)
        .record("ban_match", id)
        .content(&decision.code())
        .tenant(Some(campus.district()), None);
    tx.audit(event);
    let publish_here = if decision == MatchDecision::Confirmed {
        confirm(ctx, &mut tx, &campus, &local, &v, &m).await?
    } else {
        None
    };
    let view = visitor_after(&mut tx, &v.id, &local).await?;
    tx.commit().await?;
    if let Some(notice) = publish_here {
        ctx.app.live.publish(notice);
    }
    Ok(view)
}

async fn confirm(
    ctx: &Ctx,
    tx: &mut Change,
    campus: &Campus,
    local: &Local,
    v: &VisitorRow,
    m: &MatchRow,
) -> AppResult<Option<Live>> {
    let input = IncidentInput {
        kind: "campus_ban".into(),
        classification: "law_enforcement".into(),
        occurred_at: Timestamp::from_millis(v.time_in)
            .to_datetime()
            .with_timezone(&local.tz)
            .format("%Y-%m-%dT%H:%M")
            .to_string(),
        location: "Front office sign-in".into(),
        reported_by: ctx.actor.display_name.clone(),
        narrative: format!(
            "A visitor who signed in as {} {} was confirmed to match an active campus ban (ban {}).",
            v.given_name, v.family_name, m.ban_id
        ),
        people: vec![triad_domain::incidents::PersonDraft {
            kind: "visitor".into(),
            name: format!("{} {}", v.given_name, v.family_name),
            description: String::new(),
        }],
    };
    let incident = crate::incidents::report_in(ctx, tx, campus, &input).await?;
    let incident_id = Id::parse(&incident.id).unwrap_or_default();
    store::link_visitor_incident(
        &mut *tx,
        Id::parse(&v.id).unwrap_or_default(),
        incident_id,
        ctx.now.millis(),
    )
    .await?;
    let link = format!("/incidents/{}", incident.id);
    let message = format!(
        "{} {} signed in at {} and matches an active ban: the SRO is needed at the front office.",
        v.given_name, v.family_name, campus.name
    );
    tell_campus(ctx, tx, campus, local, &message, &link).await
}

/// Tells a campus's SRO and administrators, on their home page, in the same write, and on
/// every page they have open once it commits. Yields the live notice this instance is to
/// publish after the commit, if it is for this instance to do.
async fn tell_campus(
    ctx: &Ctx,
    tx: &mut Change,
    campus: &Campus,
    local: &Local,
    message: &str,
    link: &str,
) -> AppResult<Option<Live>> {
    let today = local.date(ctx.now).to_string();
    let recipients =
        triad_store::notifications::campus_recipients(&mut *tx, campus.campus_id(), &today).await?;
    for user in &recipients {
        let n = triad_store::notifications::NewNotification {
            user: *user,
            campus: Some(campus.campus_id()),
            message,
            link: Some(link),
            at: ctx.now.millis(),
        };
        triad_store::notifications::insert(&mut *tx, &n).await?;
    }
    let notice = Live::Notice(LiveNotice {
        district_id: campus.district_id.clone(),
        campus_id: campus.id.clone(),
        recipients: recipients.iter().map(Id::to_string).collect(),
        message: message.to_string(),
        link: link.to_string(),
    });
    Ok(crate::live::send_at_commit(tx, notice).await?)
}
