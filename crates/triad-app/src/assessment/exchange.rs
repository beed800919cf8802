//! Districts that run their own instance send the state a signed aggregate of a school year:
//! their programs' ratings and the partnership survey's scores by role, no record, no note, no
//! person. The district's leaders and evaluators download it; the state instance's
//! administrator adds each sending instance's public key, and its state evaluators import the
//! files, which show beside the state's own programs on the heat map.

use super::collaboration::relationship_scores;
use super::findings::{campaigns_of_year, counted_ratings, district_campaigns};
use super::{chosen_year, district_assessments, year_label, HeatColumn};
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use triad_domain::assessment::aggregate::{self as rules, Aggregate, ProgramAggregate};
use triad_domain::assessment::{Rating, SRO_PROGRAM};
use triad_domain::audit::Outcome;
use triad_domain::policy::{decide, Action, Decision, RecordClass, Resource, Tenant};
use triad_domain::{Id, Invalid};
use triad_store::state_aggregates::{self as store, ImportRow, SenderRow};

/// The state's view of imported districts: the instance's evaluators (a state evaluator).
fn state_view() -> Resource {
    Resource::new(RecordClass::Assessment, Tenant::INSTANCE)
}

/// Which instances the state takes files from: its administrator's trust decision.
fn senders_record() -> Resource {
    Resource::new(RecordClass::Accounts, Tenant::INSTANCE)
}

/// The district's signed aggregate of a school year (none: the current one; at most ten
/// back): the file's name and its text.
pub async fn export(ctx: &Ctx, district: &str, year: Option<&str>) -> AppResult<(String, String)> {
    let id = Id::parse(district).ok_or(AppError::NotFound)?;
    let d = triad_store::org::district(&mut ctx.app.db.acquire().await?, id)
        .await?
        .ok_or(AppError::NotFound)?;
    ctx.require(Action::View, district_assessments(id), ("district", &d.id))
        .await?;
    let local = crate::campus::Local::of(&d);
    let current = local.school_year(ctx.now);
    let allowed: Vec<i64> = (current - 9..=current).rev().collect();
    let year = chosen_year(year, &allowed)?;
    let rows: Vec<_> = triad_store::assessment::programs(&mut ctx.app.db.acquire().await?)
        .await?
        .into_iter()
        .filter(|r| r.district_id == d.id)
        .collect();
    let partnerships: Vec<triad_store::org::Partnership> = rows
        .iter()
        .map(|row| triad_store::org::Partnership {
            id: row.partnership_id.clone(),
            agency_id: row.agency_id.clone(),
            district_id: row.district_id.clone(),
            started_on: row.started_on.clone(),
        })
        .collect();
    let mut programs = Vec::new();
    for (row, p) in rows.iter().zip(&partnerships) {
        let ratings = counted_ratings(ctx, p, &local, year).await?.map(|r| r.0);
        programs.push(ProgramAggregate {
            agency: row.agency_name.clone(),
            assessed: ratings.is_some(),
            ratings: ratings.map_or_else(
                || vec![None; SRO_PROGRAM.items.len()],
                |rs| rs.iter().map(|r| r.map(|r| r.code().to_string())).collect(),
            ),
        });
    }
    // The partnership survey is the district's: read once, through any of its programs.
    let Some(first) = partnerships.first() else {
        return Err(AppError::Invalid(Invalid::one(
            "district",
            "the district has no SRO program (no agency serves it) to export",
        )));
    };
    let campaigns = district_campaigns(ctx, first).await?;
    let min_group = crate::surveys::campaigns::min_group(&ctx.app.db).await?;
    let of_year = campaigns_of_year(&campaigns, &local, year);
    let surveys = relationship_scores(ctx, of_year.iter(), min_group)
        .await?
        .into_iter()
        .map(|s| rules::SurveyAggregate {
            campaign: s.campaign,
            opens_on: s.opens_on,
            sro: s.sro,
            administrator: s.administrator,
            educator: s.educator,
            sro_administrator_gap: s.sro_administrator_gap,
        })
        .collect();
    let aggregate = Aggregate {
        format: rules::FORMAT.to_string(),
        instrument: SRO_PROGRAM.code.to_string(),
        instrument_version: SRO_PROGRAM.version,
        district: d.name.clone(),
        school_year: year,
        exported_at: ctx
            .now
            .to_datetime()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        smallest_group: u32::try_from(min_group).unwrap_or(u32::MAX),
        programs,
        surveys,
    };
    let file = rules::seal(&aggregate, &ctx.app.instance.signing_key);
    // What leaves the instance is on its audit trail.
    let mut tx = ctx.change().await?;
    tx.audit(
        ctx.event("assessment.aggregate_export", Outcome::Ok)
            .record("district", &d.id)
            .tenant(Some(id), None),
    );
    tx.commit().await?;
    let name = format!(
        "{} assessment {}.json",
        d.name.replace(['/', '\\', '"'], " "),
        year_label(year)
    );
    Ok((name, file))
}

/// This instance's public key, as a sending instance gives it to the state.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OwnKey {
    pub fingerprint: String,
    /// Base64 of the 32-byte Ed25519 key: what the state's administrator adds.
    pub public_key: String,
}

pub fn own_key(ctx: &Ctx) -> OwnKey {
    let key = ctx.app.instance.signing_key.verifying_key();
    OwnKey {
        fingerprint: rules::fingerprint(&key),
        public_key: rules::key_text(&key),
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SenderView {
    pub id: String,
    pub name: String,
    pub fingerprint: String,
    pub added_at: String,
    /// When trust in it was withdrawn (none: its files are taken).
    pub withdrawn_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportView {
    pub district: String,
    pub sender: String,
    pub school_year: i64,
    pub year_label: String,
    pub exported_at: String,
    pub programs: usize,
    /// Sent by an instance no longer trusted: kept, but not on the heat map.
    pub withdrawn: bool,
}

/// The state's page of sending instances and what they sent.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StateImports {
    /// Whether the reader adds senders (the administrator) and imports (a state evaluator).
    pub adds_senders: bool,
    pub imports: bool,
    pub own_key: OwnKey,
    pub senders: Vec<SenderView>,
    /// Newest school year first.
    pub imported: Vec<ImportView>,
}

fn allowed(ctx: &Ctx, action: Action, r: Resource) -> bool {
    decide(&ctx.actor, action, r) == Decision::Allow
}

fn when(millis: i64) -> String {
    triad_domain::Timestamp::from_millis(millis)
        .to_datetime()
        .format("%Y-%m-%d %H:%M UTC")
        .to_string()
}

fn sender_view(s: &SenderRow) -> SenderView {
    SenderView {
        id: s.id.clone(),
        name: s.name.clone(),
        fingerprint: s.fingerprint.clone(),
        added_at: when(s.added_at),
        withdrawn_at: s.withdrawn_at.map(when),
    }
}

/// The senders and imports (the administrator and state evaluators).
pub async fn state_imports(ctx: &Ctx) -> AppResult<StateImports> {
    let adds_senders = allowed(ctx, Action::Change, senders_record());
    let imports = allowed(ctx, Action::Change, state_view());
    if !adds_senders && !imports {
        ctx.require(Action::View, state_view(), ("aggregate_imports", "all"))
            .await?;
    }
    let mut conn = ctx.app.db.acquire().await?;
    let senders = store::senders(&mut conn).await?;
    let current = i64::from(chrono::Datelike::year(&ctx.now.to_datetime()));
    let imported = store::of_years(&mut conn, current - 9, current)
        .await?
        .into_iter()
        .map(|row| {
            let sender = senders.iter().find(|s| s.id == row.sender_id);
            ImportView {
                sender: sender.map_or_else(String::new, |s| s.name.clone()),
                withdrawn: sender.is_none_or(|s| s.withdrawn_at.is_some()),
                year_label: year_label(row.school_year),
                programs: rules::program_count(&row.aggregate),
                district: row.district,
                school_year: row.school_year,
                exported_at: row.exported_at,
            }
        })
        .collect();
    Ok(StateImports {
        adds_senders,
        imports,
        own_key: own_key(ctx),
        senders: senders.iter().map(sender_view).collect(),
        imported,
    })
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct SenderInput {
    /// Who runs the instance, e.g. "Lakeview Unified School District".
    #[serde(default)]
    pub name: String,
    /// The instance's public key: base64 of its 32 bytes, or the PEM file
    /// `instance-ed25519.pub.pem` from its data folder.
    #[serde(default)]
    pub public_key: String,
}

/// Adds an instance the state takes files from (the administrator), on the audit trail.
pub async fn add_sender(ctx: &Ctx, input: &SenderInput) -> AppResult<SenderView> {
    ctx.require(
        Action::Change,
        senders_record(),
        ("aggregate_sender", "new"),
    )
    .await?;
    let mut bad = Invalid::default();
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        bad.push(
            "name",
            "name who runs the instance (at most 200 characters)",
        );
    }
    let key = rules::parse_key(&input.public_key);
    if key.is_none() {
        bad.push(
            "public_key",
            "paste the instance's public key: its file instance-ed25519.pub.pem, or the key shown on its state export page",
        );
    }
    let Some(key) = key.filter(|_| bad.errors.is_empty()) else {
        return Err(AppError::Invalid(bad));
    };
    if key == ctx.app.instance.signing_key.verifying_key() {
        return Err(AppError::Invalid(Invalid::one(
            "public_key",
            "this is this instance's own key: add the key of the instance that sends the files",
        )));
    }
    let row = SenderRow {
        id: Id::new().to_string(),
        name: name.to_string(),
        public_key: rules::key_text(&key),
        fingerprint: rules::fingerprint(&key),
        added_by: ctx.actor.user.to_string(),
        added_at: ctx.now.millis(),
        withdrawn_at: None,
    };
    let mut tx = ctx.change().await?;
    if !store::add_sender(&mut tx, &row).await? {
        return Err(AppError::Invalid(Invalid::one(
            "public_key",
            "an instance with this key is already added",
        )));
    }
    // A key added again after a withdrawal keeps its first row (and what it sent).
    let kept = store::sender_by_key(&mut tx, &row.public_key)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.audit(
        ctx.event("assessment.aggregate_sender", Outcome::Ok)
            .record("aggregate_sender", &kept.id)
            .content(&kept),
    );
    tx.commit().await?;
    Ok(sender_view(&kept))
}

/// Withdraws trust from a sending instance (the administrator), on the audit trail: files it
/// signs are refused from now on and what it sent leaves the heat map; its imports are kept,
/// and adding its key again restores them.
pub async fn withdraw_sender(ctx: &Ctx, id: &str) -> AppResult<SenderView> {
    ctx.require(Action::Change, senders_record(), ("aggregate_sender", id))
        .await?;
    let mut tx = ctx.change().await?;
    let sender = store::senders(&mut tx)
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(AppError::NotFound)?;
    if !store::withdraw_sender(&mut tx, id, &ctx.actor.user.to_string(), ctx.now.millis()).await? {
        return Err(AppError::Invalid(Invalid::one(
            "sender",
            format!("{} is already withdrawn", sender.name),
        )));
    }
    tx.audit(
        ctx.event("assessment.aggregate_sender_withdrawn", Outcome::Ok)
            .record("aggregate_sender", id),
    );
    tx.commit().await?;
    Ok(sender_view(&SenderRow {
        withdrawn_at: Some(ctx.now.millis()),
        ..sender
    }))
}

/// What an import kept.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub sender: String,
    pub district: String,
    pub school_year: i64,
    pub year_label: String,
    pub exported_at: String,
    pub programs: usize,
    pub surveys: usize,
    /// The export it replaced (an older one of the same district's year), if any.
    pub replaced_export_of: Option<String>,
}

/// Imports a signed aggregate (a state evaluator): signed by an added sender, untouched since,
/// and newer than what is kept of the same district's year; otherwise nothing changes.
pub async fn import(ctx: &Ctx, file: Option<&[u8]>) -> AppResult<ImportReport> {
    ctx.require(Action::Change, state_view(), ("aggregate_import", "new"))
        .await?;
    let refused = |why: String| AppError::Invalid(Invalid::one("file", why));
    let file = file
        .filter(|f| !f.is_empty())
        .ok_or_else(|| refused("choose the district's export file (.json) to import".into()))?;
    let opened = rules::open(file).map_err(|r| refused(r.to_string()))?;
    let key = rules::key_text(&opened.signed_by);
    let mut tx = ctx.change().await?;
    let Some(sender) = store::sender_by_key(&mut tx, &key).await? else {
        return Err(refused(format!(
            "the file was signed by an instance this one does not take files from (key {}): the administrator adds it first",
            rules::fingerprint(&opened.signed_by)
        )));
    };
    if let Some(withdrawn) = sender.withdrawn_at {
        return Err(refused(format!(
            "the file was signed by {}, whose files this instance no longer takes (withdrawn {}): the administrator adds its key again first",
            sender.name,
            when(withdrawn)
        )));
    }
    let a = &opened.aggregate;
    let exported_at = opened.exported_at_utc.clone();
    let before = store::kept(&mut tx, &sender.id, &a.district, a.school_year).await?;
    let row = ImportRow {
        id: Id::new().to_string(),
        sender_id: sender.id.clone(),
        district: a.district.clone(),
        school_year: a.school_year,
        exported_at: exported_at.clone(),
        digest: opened.digest.clone(),
        aggregate: opened.text.clone(),
        signature: opened.signature.clone(),
        imported_by: ctx.actor.user.to_string(),
        imported_at: ctx.now.millis(),
    };
    if !store::keep_newest(&mut tx, &row).await? {
        let kept = before.map(|b| b.exported_at).unwrap_or_default();
        return Err(refused(format!(
            "{}'s {} is already imported from an export made {kept}; this file was made {exported_at}: only a newer export replaces it",
            a.district,
            year_label(a.school_year),
        )));
    }
    tx.audit(
        ctx.event("assessment.aggregate_import", Outcome::Ok)
            .record("aggregate_import", &row.id)
            .content(&serde_json::json!({
                "sender": sender.id,
                "district": a.district,
                "school_year": a.school_year,
                "exported_at": a.exported_at,
                "digest": opened.digest,
            })),
    );
    tx.commit().await?;
    Ok(ImportReport {
        sender: sender.name,
        district: a.district.clone(),
        school_year: a.school_year,
        year_label: year_label(a.school_year),
        exported_at: exported_at.clone(),
        programs: a.programs.len(),
        surveys: a.surveys.len(),
        replaced_export_of: before.map(|b| b.exported_at),
    })
}

/// Whether the reader holds the state's view, or keeps its list of sending instances.
pub(super) fn reads_state_view(ctx: &Ctx) -> bool {
    allowed(ctx, Action::View, state_view()) || allowed(ctx, Action::Change, senders_record())
}

/// The heat map's columns of the districts imported for a school year, for a reader of the
/// state's view (none for anyone else).
pub(super) async fn imported_columns(ctx: &Ctx, year: i64) -> AppResult<Vec<HeatColumn>> {
    if !allowed(ctx, Action::View, state_view()) {
        return Ok(Vec::new());
    }
    let mut conn = ctx.app.db.acquire().await?;
    let senders = store::senders(&mut conn).await?;
    let mut out = Vec::new();
    for row in store::of_years(&mut conn, year, year).await? {
        // Kept only after its checks; a row that no longer reads is shown as nothing rather
        // than guessed at.
        let Ok(a) = serde_json::from_str::<Aggregate>(&row.aggregate) else {
            continue;
        };
        // What an instance no longer trusted sent stays kept, off the map.
        let Some(sender) = senders
            .iter()
            .find(|s| s.id == row.sender_id && s.withdrawn_at.is_none())
            .map(|s| s.name.clone())
        else {
            continue;
        };
        for p in a.programs {
            out.push(HeatColumn {
                partnership: String::new(),
                agency: p.agency,
                district: a.district.clone(),
                assessed: p.assessed,
                met: p
                    .ratings
                    .iter()
                    .filter(|r| r.as_deref() == Some(Rating::Met.code()))
                    .count(),
                ratings: p.ratings,
                imported_from: Some(format!("{sender}, exported {}", a.exported_at)),
            });
        }
    }
    Ok(out)
}
