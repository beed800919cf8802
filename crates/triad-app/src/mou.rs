//! A partnership's MOU: drafts written clause by clause, the checklist of required elements,
//! each side's signatory and signature, and the comparison of two versions. Once for pages
//! and API.

use crate::campus::{district_clock, Local};
use crate::context::{Ctx, PersonChoice};
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use triad_domain::audit::Outcome;
use triad_domain::auth::Role;
use triad_domain::mou::{
    self as rules, Check, Clause, ClauseComparison, ClauseKind, Side, Standing,
};
use triad_domain::policy::{Action, RecordClass, Resource};
use triad_domain::{Id, Invalid};
use triad_store::mou::{self as store, SignatureRow, VersionRow};
use triad_store::org::Partnership;

/// The record the policy weighs for everything of a partnership's MOU.
pub fn agreement(p: &Partnership) -> Resource {
    crate::partnership::record(p, rules::record)
}

/// The role that signs for a side.
fn signing_role(side: Side) -> Role {
    match side {
        Side::Agency => Role::LeSupervisor,
        Side::District => Role::DistrictLeader,
    }
}

/// A partnership the actor may `action` the MOU of.
async fn partnership_for(ctx: &Ctx, id: &str, action: Action) -> AppResult<Partnership> {
    crate::partnership::find(ctx, id, action, rules::record).await
}

/// A version the actor may `action`, with its partnership.
async fn version_for(ctx: &Ctx, id: &str, action: Action) -> AppResult<(VersionRow, Partnership)> {
    let mut conn = ctx.app.db.acquire().await?;
    let version = match Id::parse(id) {
        Some(id) => store::version(&mut conn, id).await?,
        None => None,
    };
    let Some(version) = version else {
        return Err(AppError::NotFound);
    };
    drop(conn);
    let p = partnership_for(ctx, &version.partnership_id, action).await?;
    Ok((version, p))
}

pub(crate) fn clauses_of(rows: Vec<store::ClauseRow>) -> Vec<Clause> {
    let mut clauses: Vec<Clause> = rows
        .into_iter()
        .filter_map(|r| {
            Some(Clause {
                kind: ClauseKind::from_code(&r.kind)?,
                text: r.text,
            })
        })
        .collect();
    clauses.sort_by_key(|c| c.kind);
    clauses
}

fn signatures_of(rows: &[SignatureRow]) -> Vec<rules::Signature> {
    rows.iter()
        .filter_map(|r| {
            Some(rules::Signature {
                side: Side::from_code(&r.side)?,
                signer: Id::parse(&r.signer_id)?,
                at: triad_domain::Timestamp::from_millis(r.signed_at),
                content_hash: r.content_hash.clone(),
                acknowledged_missing: r.acknowledged_missing,
            })
        })
        .collect()
}

/// The side `user` is the designated signatory of and has not yet signed `hash` (the text a
/// draft says now) for: the signature the draft waits for from them.
fn awaited_from(
    user: Id,
    signatories: &[store::SignatoryRow],
    signatures: &[SignatureRow],
    hash: &str,
) -> Option<Side> {
    let user = user.to_string();
    signatories
        .iter()
        .filter(|s| s.user_id == user)
        .filter(|s| {
            !signatures
                .iter()
                .any(|g| g.side == s.side && g.content_hash == hash)
        })
        .find_map(|s| Side::from_code(&s.side))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionSummary {
    pub id: String,
    pub number: i64,
    /// draft or signed
    pub standing: String,
    /// How many required elements it still lacks.
    pub missing: usize,
    pub updated: String,
    pub signed: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SignatoryView {
    pub side: String,
    pub side_label: String,
    pub name: Option<String>,
}

/// A partnership's MOU at a glance: its versions and who signs for each side.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PartnershipMou {
    pub partnership_id: String,
    pub agency: String,
    pub district: String,
    pub versions: Vec<VersionSummary>,
    pub signatories: Vec<SignatoryView>,
    /// The actor may start a draft (a leader of either side, and no draft open).
    pub may_draft: bool,
    /// The side whose signatory the actor may designate, if any.
    pub designates: Option<String>,
}

async fn names(ctx: &Ctx, p: &Partnership) -> AppResult<(String, String, Local)> {
    let sides = crate::partnership::sides(ctx, p).await?;
    Ok((sides.agency, sides.district, sides.local))
}

/// The side the actor leads here, if any: the side they may designate and sign for.
fn side_led(ctx: &Ctx, p: &Partnership) -> Option<Side> {
    let here = ctx
        .actor
        .roles_for(&agreement(p).tenant, RecordClass::Agreement);
    [Side::District, Side::Agency]
        .into_iter()
        .find(|side| here.has(signing_role(*side)))
}

pub async fn of_partnership(ctx: &Ctx, id: &str) -> AppResult<PartnershipMou> {
    let p = partnership_for(ctx, id, Action::View).await?;
    let pid = Id::parse(&p.id).ok_or(AppError::NotFound)?;
    let (agency, district, local) = names(ctx, &p).await?;
    let mut conn = ctx.app.db.acquire().await?;
    let rows = store::versions(&mut conn, pid).await?;
    let mut by_version: BTreeMap<String, Vec<store::ClauseRow>> = BTreeMap::new();
    for (version, clause) in store::clauses_of_partnership(&mut conn, pid).await? {
        by_version.entry(version).or_default().push(clause);
    }
    let mut versions = Vec::new();
    for v in &rows {
        let clauses = clauses_of(by_version.remove(&v.id).unwrap_or_default());
        versions.push(VersionSummary {
            id: v.id.clone(),
            number: v.number,
            standing: if v.signed_at.is_some() {
                "signed"
            } else {
                "draft"
            }
            .into(),
            missing: rules::missing(&clauses).len(),
            updated: local.show(v.updated_at),
            signed: v.signed_at.map(|at| local.show(at)),
        });
    }
    let named = store::signatories(&mut conn, pid).await?;
    let signatories = [Side::Agency, Side::District]
        .into_iter()
        .map(|side| SignatoryView {
            side: side.code().into(),
            side_label: side.label().into(),
            name: named
                .iter()
                .find(|s| s.side == side.code())
                .map(|s| s.display_name.clone()),
        })
        .collect();
    let led = side_led(ctx, &p);
    Ok(PartnershipMou {
        may_draft: led.is_some() && rows.iter().all(|v| v.signed_at.is_some()),
        designates: led.map(|s| s.code().to_string()),
        partnership_id: p.id,
        agency,
        district,
        versions,
        signatories,
    })
}

/// Starts a draft: the newest version's clauses, or the project's template for a first one.
/// One draft at a time: a partnership with one open finishes or signs it first.
pub async fn start_draft(ctx: &Ctx, partnership: &str) -> AppResult<VersionRow> {
    let p = partnership_for(ctx, partnership, Action::Change).await?;
    let pid = Id::parse(&p.id).ok_or(AppError::NotFound)?;
    let mut tx = ctx.change().await?;
    let existing = store::versions(&mut tx, pid).await?;
    if let Some(open) = existing.iter().find(|v| v.signed_at.is_none()) {
        return Err(AppError::Conflict(format!(
            "version {} is still a draft: finish and sign it, or change it, before starting another",
            open.number
        )));
    }
    let base = existing.first();
    let clauses: Vec<Clause> = match base {
        Some(b) => {
            clauses_of(store::clauses(&mut tx, Id::parse(&b.id).ok_or(AppError::NotFound)?).await?)
        }
        None => ClauseKind::ALL
            .into_iter()
            .map(|kind| Clause {
                kind,
                text: rules::template(kind).into(),
            })
            .collect(),
    };
    let row = VersionRow {
        id: Id::new().to_string(),
        partnership_id: p.id.clone(),
        number: store::next_number(&mut tx, pid).await?,
        based_on: base.map(|b| b.id.clone()),
        created_by: ctx.actor.user.to_string(),
        created_at: ctx.now.millis(),
        updated_at: ctx.now.millis(),
        signed_at: None,
    };
    store::insert_version(&mut tx, &row).await?;
    let vid = Id::parse(&row.id).ok_or(AppError::NotFound)?;
    let written: Vec<(&str, &str)> = clauses
        .iter()
        .map(|c| (c.kind.code(), c.text.as_str()))
        .collect();
    store::insert_clauses(&mut tx, vid, &written).await?;
    tx.audit(
        ctx.event("mou.draft", Outcome::Ok)
            .record("mou_version", &row.id)
            .content(&row)
            .tenant(Id::parse(&p.district_id), Id::parse(&p.agency_id)),
    );
    tx.commit().await?;
    Ok(row)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClauseView {
    pub kind: String,
    pub heading: String,
    pub text: String,
    /// Required, and not yet written (empty, or a "[…]" of the template left).
    pub missing: bool,
    pub required: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SignatureView {
    pub side_label: String,
    pub signer: String,
    pub signed: String,
    /// Over what the version says now; a signature over an earlier text has lapsed.
    pub holds: bool,
    pub acknowledged_missing: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CheckView {
    pub heading: String,
    pub asks: String,
    pub sources: Vec<String>,
    pub met: bool,
}

impl From<Check> for CheckView {
    fn from(c: Check) -> Self {
        Self {
            heading: c.heading.into(),
            asks: c.element.asks.into(),
            sources: c.element.sources.iter().map(|s| s.to_string()).collect(),
            met: c.met,
        }
    }
}

/// One version in full: its clauses, the checklist, its signatures, and what the actor may do.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionDetail {
    pub id: String,
    pub partnership_id: String,
    pub number: i64,
    pub agency: String,
    pub district: String,
    pub standing: String,
    pub clauses: Vec<ClauseView>,
    pub checklist: Vec<CheckView>,
    pub missing: usize,
    pub signatures: Vec<SignatureView>,
    /// A draft the actor may edit.
    pub may_edit: bool,
    /// The side the actor may sign for now, as its designated signatory.
    pub signs_for: Option<String>,
    /// The version it was drafted from, to compare with.
    pub based_on: Option<String>,
}

pub async fn version_detail(ctx: &Ctx, id: &str) -> AppResult<VersionDetail> {
    let (v, p) = version_for(ctx, id, Action::View).await?;
    let (agency, district, local) = names(ctx, &p).await?;
    let vid = Id::parse(&v.id).ok_or(AppError::NotFound)?;
    let pid = Id::parse(&p.id).ok_or(AppError::NotFound)?;
    let mut conn = ctx.app.db.acquire().await?;
    let clauses = clauses_of(store::clauses(&mut conn, vid).await?);
    let signature_rows = store::signatures(&mut conn, vid).await?;
    let signatories = store::signatories(&mut conn, pid).await?;
    drop(conn);
    let hash = rules::content_hash(&clauses);
    let signed = v.signed_at.is_some();
    let checklist = rules::checklist(&clauses);
    let missing = checklist.iter().filter(|c| !c.met).count();
    let led = side_led(ctx, &p);
    let awaited = awaited_from(ctx.actor.user, &signatories, &signature_rows, &hash);
    let signs_for = led.filter(|side| !signed && awaited == Some(*side));
    let clause_views = ClauseKind::ALL
        .into_iter()
        .map(|kind| {
            let text = clauses
                .iter()
                .find(|c| c.kind == kind)
                .map(|c| c.text.clone())
                .unwrap_or_default();
            let required = rules::REQUIRED.iter().any(|e| e.clause == kind);
            ClauseView {
                kind: kind.code().into(),
                heading: kind.heading().into(),
                missing: required && !rules::is_written(&text),
                required,
                text,
            }
        })
        .collect();
    Ok(VersionDetail {
        id: v.id,
        partnership_id: p.id,
        number: v.number,
        agency,
        district,
        standing: if signed { "signed" } else { "draft" }.into(),
        clauses: clause_views,
        checklist: checklist.into_iter().map(CheckView::from).collect(),
        missing,
        signatures: signature_rows
            .iter()
            .map(|s| SignatureView {
                side_label: Side::from_code(&s.side)
                    .map(|side| side.label())
                    .unwrap_or("")
                    .into(),
                signer: s.signer_name.clone(),
                signed: local.show_zoned(s.signed_at),
                holds: s.content_hash == hash,
                acknowledged_missing: s.acknowledged_missing,
            })
            .collect(),
        may_edit: !signed && led.is_some(),
        signs_for: signs_for.map(|s| s.code().to_string()),
        based_on: v.based_on,
    })
}

/// The clauses a form or an API call writes: clause code (program_goals, sro_role, …,
/// review_schedule) → text. Clauses not named keep their text; an empty text clears one.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ClausesInput {
    #[serde(default)]
    pub clauses: BTreeMap<String, String>,
}

/// Writes clauses of a draft. A signed version is refused: a change starts a new draft.
pub async fn save_clauses(ctx: &Ctx, version: &str, input: &ClausesInput) -> AppResult<()> {
    let (v, p) = version_for(ctx, version, Action::Change).await?;
    let mut invalid = Invalid::default();
    let mut writes = Vec::new();
    for (code, text) in &input.clauses {
        // A page's form sends its token beside the clauses: only clause codes are clauses.
        let Some(kind) = ClauseKind::from_code(code) else {
            continue;
        };
        match rules::parse_clause_text(text) {
            Ok(text) => writes.push((kind, text)),
            // Named by the clause, so a page shows it beside that clause's box.
            Err(e) => e
                .errors
                .into_iter()
                .for_each(|err| invalid.push(kind.code(), err.message)),
        }
    }
    invalid.into_result()?;
    if writes.is_empty() {
        return Err(Invalid::one("clauses", "name at least one clause to write").into());
    }
    let vid = Id::parse(&v.id).ok_or(AppError::NotFound)?;
    let mut tx = ctx.change().await?;
    for (kind, text) in &writes {
        if !store::put_clause(&mut tx, vid, kind.code(), text, ctx.now.millis()).await? {
            return Err(AppError::Conflict(format!(
                "version {} is signed by both sides and never changes: start a new draft to change it",
                v.number
            )));
        }
    }
    let changed: Vec<&str> = writes.iter().map(|(k, _)| k.code()).collect();
    tx.audit(
        ctx.event("mou.edit", Outcome::Ok)
            .record("mou_version", &v.id)
            .content(&(
                &v.id,
                &changed,
                &writes.iter().map(|(_, t)| t).collect::<Vec<_>>(),
            ))
            .tenant(Id::parse(&p.district_id), Id::parse(&p.agency_id)),
    );
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct SignInput {
    /// Sign although required elements are missing (recorded with the signature).
    #[serde(default, deserialize_with = "crate::input::checkbox")]
    pub acknowledged_missing: bool,
}

/// Signs a version for the side the actor is the designated signatory of. The second side's
/// signature over the same text makes the version signed, for good.
pub async fn sign(ctx: &Ctx, version: &str, input: &SignInput) -> AppResult<Standing> {
    let (v, p) = version_for(ctx, version, Action::Change).await?;
    let Some(side) = side_led(ctx, &p) else {
        return Err(ctx
            .deny(
                "an MOU is signed by a district leader or an agency supervisor designated as signatory",
                ("mou_version", &v.id),
            )
            .await);
    };
    let vid = Id::parse(&v.id).ok_or(AppError::NotFound)?;
    let pid = Id::parse(&p.id).ok_or(AppError::NotFound)?;
    let mut tx = ctx.change().await?;
    let designated = store::signatories(&mut tx, pid)
        .await?
        .into_iter()
        .any(|s| s.side == side.code() && s.user_id == ctx.actor.user.to_string());
    if !designated {
        drop(tx);
        return Err(ctx
            .deny(
                match side {
                    Side::District => {
                        "the district's designated signatory signs the MOU for the district"
                    }
                    Side::Agency => {
                        "the agency's designated signatory signs the MOU for the agency"
                    }
                },
                ("mou_version", &v.id),
            )
            .await);
    }
    // Read inside the change: no edit or other signature can come between.
    let current = store::version(&mut tx, vid)
        .await?
        .ok_or(AppError::NotFound)?;
    let clauses = clauses_of(store::clauses(&mut tx, vid).await?);
    let rows = store::signatures(&mut tx, vid).await?;
    let mut signatures = signatures_of(&rows);
    if current.signed_at.is_some() {
        return Err(AppError::Conflict(format!(
            "version {} is already signed by both sides",
            v.number
        )));
    }
    rules::may_sign(&clauses, &signatures, side, input.acknowledged_missing)?;
    let hash = rules::content_hash(&clauses);
    let row = SignatureRow {
        version_id: v.id.clone(),
        side: side.code().into(),
        signer_id: ctx.actor.user.to_string(),
        signer_name: ctx.actor.display_name.clone(),
        signed_at: ctx.now.millis(),
        content_hash: hash.clone(),
        acknowledged_missing: input.acknowledged_missing && !rules::missing(&clauses).is_empty(),
    };
    store::insert_signature(&mut tx, &row).await?;
    signatures.extend(signatures_of(std::slice::from_ref(&row)));
    let standing = rules::standing(&signatures, &hash);
    if standing == Standing::Signed {
        store::mark_signed(&mut tx, vid, ctx.now.millis()).await?;
    }
    tx.audit(
        ctx.event("mou.sign", Outcome::Ok)
            .record("mou_version", &v.id)
            .content(&row)
            .tenant(Id::parse(&p.district_id), Id::parse(&p.agency_id)),
    );
    tx.commit().await?;
    Ok(standing)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct SignatoryInput {
    /// The user name of the person who signs for the actor's side.
    #[serde(default)]
    pub username: String,
}

/// Who the actor's side may designate: the people holding its signing role here.
pub async fn signatory_choices(ctx: &Ctx, partnership: &str) -> AppResult<Vec<PersonChoice>> {
    let p = partnership_for(ctx, partnership, Action::View).await?;
    let Some(side) = side_led(ctx, &p) else {
        return Ok(Vec::new());
    };
    let record = agreement(&p);
    ctx.choices(record, Action::Change, |n| {
        n.actor
            .roles_for(&record.tenant, RecordClass::Agreement)
            .has(signing_role(side))
    })
    .await
}

/// Designates the signatory of the actor's side: a person holding that side's signing role
/// for this partnership (the actor themself, or another).
pub async fn designate(ctx: &Ctx, partnership: &str, input: &SignatoryInput) -> AppResult<()> {
    let p = partnership_for(ctx, partnership, Action::Change).await?;
    let Some(side) = side_led(ctx, &p) else {
        return Err(ctx
            .deny(
                "each side's signatory is designated by that side's leaders",
                ("partnership", &p.id),
            )
            .await);
    };
    let record = agreement(&p);
    let named = ctx
        .named(&input.username, record, Action::Change)
        .await?
        .filter(|n| {
            n.actor
                .roles_for(&record.tenant, RecordClass::Agreement)
                .has(signing_role(side))
        });
    let Some(named) = named else {
        return Err(Invalid::one(
            "username",
            match side {
                Side::District => "choose a leader of this district",
                Side::Agency => "choose a supervisor of this agency",
            },
        )
        .into());
    };
    let pid = Id::parse(&p.id).ok_or(AppError::NotFound)?;
    let user = Id::parse(&named.user.id).ok_or(AppError::NotFound)?;
    let mut tx = ctx.change().await?;
    store::set_signatory(
        &mut tx,
        pid,
        side.code(),
        user,
        ctx.actor.user,
        ctx.now.millis(),
    )
    .await?;
    tx.audit(
        ctx.event("mou.signatory", Outcome::Ok)
            .record("partnership", &p.id)
            .content(&(side.code(), &named.user.id))
            .tenant(Id::parse(&p.district_id), Id::parse(&p.agency_id)),
    );
    tx.commit().await?;
    Ok(())
}

/// Two versions of one partnership side by side, the older first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Comparison {
    pub partnership_id: String,
    pub older: i64,
    pub newer: i64,
    #[schema(value_type = Vec<Object>)]
    pub clauses: Vec<ClauseComparison>,
}

pub async fn compare(ctx: &Ctx, one: &str, other: &str) -> AppResult<Comparison> {
    let (a, p) = version_for(ctx, one, Action::View).await?;
    if other.trim().is_empty() {
        return Err(Invalid::one("with", "choose the version to compare with").into());
    }
    let (b, q) = version_for(ctx, other, Action::View).await?;
    if p.id != q.id {
        return Err(Invalid::one("with", "compare two versions of the same MOU").into());
    }
    let (older, newer) = if a.number <= b.number { (a, b) } else { (b, a) };
    let mut conn = ctx.app.db.acquire().await?;
    let read = |v: &VersionRow| Id::parse(&v.id).ok_or(AppError::NotFound);
    let old_clauses = clauses_of(store::clauses(&mut conn, read(&older)?).await?);
    let new_clauses = clauses_of(store::clauses(&mut conn, read(&newer)?).await?);
    Ok(Comparison {
        partnership_id: p.id,
        older: older.number,
        newer: newer.number,
        clauses: rules::compare(&old_clauses, &new_clauses),
    })
}

/// Where a partnership's MOU stands, in a line for a leader's home page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MouStanding {
    pub partnership_id: String,
    pub text: String,
    /// The latest version, if any, to open.
    pub link: String,
    /// A draft waits for this person's signature, or nothing is signed yet.
    pub needs_attention: bool,
}

/// The MOU of a partnership as its leaders need to know it: none yet, the signed version in
/// force, or a draft with what it still lacks and whose signature it waits for.
pub async fn standing_of(ctx: &Ctx, partnership: &str) -> AppResult<MouStanding> {
    let p = partnership_for(ctx, partnership, Action::View).await?;
    let pid = Id::parse(&p.id).ok_or(AppError::NotFound)?;
    let local = district_clock(ctx, &p.district_id).await?;
    let mut conn = ctx.app.db.acquire().await?;
    let versions = store::versions(&mut conn, pid).await?;
    let in_force = versions.iter().find(|v| v.signed_at.is_some());
    let signed_words = in_force.and_then(|v| {
        v.signed_at.map(|at| {
            format!(
                "version {} signed on {}",
                v.number,
                local.date(triad_domain::Timestamp::from_millis(at))
            )
        })
    });
    let Some(latest) = versions.first() else {
        return Ok(MouStanding {
            link: format!("/partnerships/{}/mou", p.id),
            partnership_id: p.id,
            text: "no MOU yet: start the first draft".into(),
            needs_attention: true,
        });
    };
    if latest.signed_at.is_some() {
        return Ok(MouStanding {
            link: format!("/mou/{}", latest.id),
            partnership_id: p.id,
            text: signed_words.unwrap_or_default(),
            needs_attention: false,
        });
    }
    let vid = Id::parse(&latest.id).ok_or(AppError::NotFound)?;
    let clauses = clauses_of(store::clauses(&mut conn, vid).await?);
    let hash = rules::content_hash(&clauses);
    let signatures = store::signatures(&mut conn, vid).await?;
    let signatories = store::signatories(&mut conn, pid).await?;
    let mine_missing = awaited_from(ctx.actor.user, &signatories, &signatures, &hash).is_some();
    let missing = rules::missing(&clauses).len();
    let mut text = format!("version {} is a draft", latest.number);
    if missing > 0 {
        text.push_str(&format!(" with {missing} required element(s) missing"));
    }
    if mine_missing {
        text.push_str("; it waits for your signature");
    }
    if let Some(words) = signed_words {
        text.push_str(&format!(" ({words} is in force)"));
    }
    Ok(MouStanding {
        link: format!("/mou/{}", latest.id),
        partnership_id: p.id,
        text,
        needs_attention: mine_missing || in_force.is_none(),
    })
}

/// A version a semester review may name.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewChoice {
    pub id: String,
    pub label: String,
}

/// The MOU versions a semester review at a campus of `district` may name: those of the
/// district's partnerships whose MOU the actor may read, newest first, with the agency.
pub async fn review_choices(ctx: &Ctx, district: &str) -> AppResult<Vec<ReviewChoice>> {
    let Some(district) = Id::parse(district) else {
        return Ok(Vec::new());
    };
    let mut conn = ctx.app.db.acquire().await?;
    let mut out = Vec::new();
    for p in triad_store::org::partnerships_of_district(&mut conn, district).await? {
        let readable = triad_domain::policy::decide(&ctx.actor, Action::View, agreement(&p))
            == triad_domain::policy::Decision::Allow;
        let (Some(pid), Some(agency)) = (Id::parse(&p.id), Id::parse(&p.agency_id)) else {
            continue;
        };
        if !readable {
            continue;
        }
        let agency = triad_store::org::agency(&mut conn, agency)
            .await?
            .map(|a| a.name)
            .unwrap_or_default();
        for v in store::versions(&mut conn, pid).await? {
            let standing = if v.signed_at.is_some() {
                "signed"
            } else {
                "draft"
            };
            out.push(ReviewChoice {
                label: format!("{agency}: version {} ({standing})", v.number),
                id: v.id,
            });
        }
    }
    Ok(out)
}
