//! Evidence intake, custody transfers and disposition: once for pages and API.
//!
//! Every change appends a signed record to the item's custody chain in the same transaction
//! as the item's new state and the audit entry. Photos are hashed as uploaded and kept
//! unaltered for law enforcement; everyone else sees a re-encoded copy without metadata.

use crate::change::Change;
use crate::context::{Ctx, PersonChoice};
use crate::error::{AppError, AppResult};
use crate::incidents::FoundIncident;
use crate::input::{text_fields, Part};
use crate::photo::{self, Limits, Processed};
use serde::{Deserialize, Serialize};
use triad_domain::audit::Outcome;
use triad_domain::auth::RolesHere;
use triad_domain::evidence::{
    self as rules, CustodyKind, CustodyRecord, Disposition, EvidenceStatus, NewCustodyRecord, Side,
    TransferCheck,
};
use triad_domain::org as org_rules;
use triad_domain::policy::{Action, Decision, KeptBy, OnlyBy, RecordClass, Resource};
use triad_domain::text::parse_text;
use triad_domain::{Id, Invalid};
use triad_store::evidence::{self as store, CustodyState, ItemRow, PhotoRow};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ItemSummary {
    pub id: String,
    pub incident_id: String,
    pub description: String,
    pub status: String,
    pub status_label: String,
    pub holder: String,
    pub photos: usize,
}

fn status_label(code: &str) -> String {
    EvidenceStatus::from_code(code)
        .map(|s| s.label())
        .unwrap_or("")
        .into()
}

async fn user_name(ctx: &Ctx, id: &str) -> AppResult<String> {
    let user = triad_store::auth::user_by_id(
        &mut ctx.app.db.acquire().await?,
        Id::parse(id).unwrap_or_default(),
    )
    .await?;
    Ok(user.map(|u| u.display_name).unwrap_or_default())
}

async fn summary(ctx: &Ctx, item: &ItemRow) -> AppResult<ItemSummary> {
    let photos = store::photos(&mut ctx.app.db.acquire().await?, id_of(&item.id)).await?;
    Ok(ItemSummary {
        id: item.id.clone(),
        incident_id: item.incident_id.clone(),
        description: item.description.clone(),
        status_label: status_label(&item.status),
        status: item.status.clone(),
        holder: user_name(ctx, &item.holder_id).await?,
        photos: photos.len(),
    })
}

fn id_of(text: &str) -> Id {
    Id::parse(text).unwrap_or_default()
}

/// The items taken in for an incident the actor already reads.
pub async fn of_incident(ctx: &Ctx, found: &FoundIncident) -> AppResult<Vec<ItemSummary>> {
    let items = store::of_incident(&mut ctx.app.db.acquire().await?, found.id()).await?;
    let mut out = Vec::with_capacity(items.len());
    for item in &items {
        out.push(summary(ctx, item).await?);
    }
    Ok(out)
}

/// The side the actor holds evidence for, by the roles they hold for the item's campus and
/// agency (`held`), once the policy kept the change to those who take custody.
fn side_held(held: &RolesHere) -> AppResult<Side> {
    rules::custody_side(held).ok_or_else(|| AppError::from_decision(Decision::Forbidden))
}

/// Who an item may be handed to: the people the policy lets hold it, other than its holder.
pub async fn receiver_choices(ctx: &Ctx, id: &str) -> AppResult<Vec<PersonChoice>> {
    let item = find(ctx, id, Action::View).await?;
    let record = shared(Some(&item), Id::parse(id).unwrap_or_default());
    let holder = item.holder_id.clone();
    ctx.choices(record, Action::Change, |p| {
        p.user.id != holder
            && rules::custody_side(&p.actor.roles_for(&record.tenant, RecordClass::Shared))
                .is_some()
    })
    .await
}

/// What an intake says about the item, as entered.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct IntakeInput {
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub quantity: String,
    #[serde(default)]
    pub condition: String,
    #[serde(default)]
    pub found_location: String,
    /// Campus time: YYYY-MM-DDTHH:MM
    #[serde(default)]
    pub found_at: String,
    #[serde(default)]
    pub found_by: String,
    #[serde(default)]
    pub storage_location: String,
}

/// The facts of an intake, as they enter the custody chain.
#[derive(Debug, Clone, Serialize)]
struct IntakeFacts {
    incident_id: String,
    description: String,
    quantity: String,
    condition: String,
    found_location: String,
    found_at: i64,
    found_by: String,
    storage_location: Option<String>,
    photos: Vec<PhotoFact>,
}

#[derive(Debug, Clone, Serialize)]
struct PhotoFact {
    id: String,
    sha256: String,
    media_type: String,
}

fn required(invalid: &mut Invalid, field: &'static str, text: &str) -> Option<String> {
    invalid.check(org_rules::parse_name(field, text))
}

/// Decodes, hashes and re-encodes every uploaded photo; refuses the form if any fails.
async fn process_photos(
    db: &triad_store::Db,
    parts: &[Part],
) -> AppResult<Vec<(Processed, bytes::Bytes)>> {
    let uploads: Vec<&Part> = parts
        .iter()
        .filter(|p| p.name == "photo" && p.file_name.is_some() && !p.bytes.is_empty())
        .collect();
    if uploads.is_empty() {
        return Err(Invalid::one(
            "photo",
            "add at least one photo of the item: always take a picture of evidence",
        )
        .into());
    }
    let limits = Limits::in_force(db).await?;
    let mut out = Vec::with_capacity(uploads.len());
    for part in uploads {
        let bytes = part.bytes.clone();
        let processed = photo::process_bounded(bytes.clone(), limits.clone())
            .await
            .map_err(|e| AppError::Internal(format!("a photo task failed: {e}")))?
            .map_err(|e| {
                let name = part.file_name.clone().unwrap_or_default();
                Invalid::one("photo", format!("{name}: {e}"))
            })?;
        out.push((processed, bytes));
    }
    Ok(out)
}

/// Stores a photo's original and viewing copy; yields the row to insert.
async fn store_photo(
    ctx: &Ctx,
    item: &str,
    processed: Processed,
    original: bytes::Bytes,
    written: &mut Vec<String>,
) -> AppResult<PhotoRow> {
    let files = &ctx.app.instance.files;
    let original_key = files
        .put("photos-original", processed.format, original.to_vec())
        .await?;
    written.push(original_key.clone());
    let view_key = files.put("photos-view", "jpg", processed.view_jpeg).await?;
    written.push(view_key.clone());
    Ok(PhotoRow {
        id: Id::new().to_string(),
        item_id: item.to_string(),
        sha256: processed.sha256,
        media_type: processed.media_type.into(),
        original_key,
        view_key,
        bytes: original.len() as i64,
        width: i64::from(processed.width),
        height: i64::from(processed.height),
        taken_by: ctx.actor.user.to_string(),
        created_at: ctx.now.millis(),
    })
}

/// Whom a request to take an item in is for: the incident, and the side of custody the
/// person takes it for. Asked before the request's body (its photos) is read.
pub struct IntakeAllowed {
    found: FoundIncident,
    side: Side,
}

/// Whether the actor may take an item in for an incident.
pub async fn may_take_in(ctx: &Ctx, incident: &str) -> AppResult<IntakeAllowed> {
    let found = crate::incidents::find(ctx, incident, Action::Change).await?;
    let custody = found
        .resource(RecordClass::Shared)
        .kept_by(KeptBy::EvidenceCustody);
    let held = ctx
        .require(Action::Change, custody, ("incident", incident))
        .await?;
    let side = side_held(&held)?;
    Ok(IntakeAllowed { found, side })
}

/// Takes an item in for an incident, with its photos (the parts of a form with files).
/// Nothing is kept unless all of it is.
pub async fn intake(ctx: &Ctx, allowed: IntakeAllowed, parts: &[Part]) -> AppResult<ItemSummary> {
    let IntakeAllowed { found, side } = allowed;
    let input: IntakeInput = text_fields(parts)?;
    let mut invalid = Invalid::default();
    let description = required(&mut invalid, "description", &input.description);
    let quantity = required(&mut invalid, "quantity", &input.quantity);
    let condition = required(&mut invalid, "condition", &input.condition);
    let found_location = required(&mut invalid, "found_location", &input.found_location);
    let found_by = required(&mut invalid, "found_by", &input.found_by);
    let found_at = invalid.check(triad_domain::time::parse_local(
        "found_at",
        &input.found_at,
        found.local.tz,
    ));
    if found_at.is_some_and(|at| at.is_in_the_future(ctx.now)) {
        invalid.push("found_at", "this time is in the future");
    }
    let storage = invalid.check(parse_text("storage_location", &input.storage_location, 200));
    invalid.into_result()?;
    let photos = process_photos(&ctx.app.db, parts).await?;
    let (
        Some(description),
        Some(quantity),
        Some(condition),
        Some(found_location),
        Some(found_by),
        Some(found_at),
        Some(storage),
    ) = (
        description,
        quantity,
        condition,
        found_location,
        found_by,
        found_at,
        storage,
    )
    else {
        return Err(AppError::NotFound);
    };
    let item_id = Id::new().to_string();
    let mut written = Vec::new();
    let mut rows = Vec::new();
    for (processed, original) in photos {
        match store_photo(ctx, &item_id, processed, original, &mut written).await {
            Ok(row) => rows.push(row),
            Err(e) => {
                ctx.app.instance.files.discard(&written).await;
                return Err(e);
            }
        }
    }
    let law = side == Side::LawEnforcement;
    let item = ItemRow {
        id: item_id.clone(),
        incident_id: found.row.id.clone(),
        district_id: found.campus.district_id.clone(),
        campus_id: found.campus.id.clone(),
        agency_id: found.row.agency_id.clone(),
        description,
        quantity,
        condition,
        found_location,
        found_at: found_at.millis(),
        found_by,
        provenance: triad_domain::incidents::Provenance::of_writer(&found.held)
            .code()
            .into(),
        status: if law {
            EvidenceStatus::InCustody
        } else {
            EvidenceStatus::Collected
        }
        .code()
        .into(),
        holder_id: ctx.actor.user.to_string(),
        storage_location: storage,
        went_to_law_enforcement: law,
        pending_receiver_id: None,
        created_by: ctx.actor.user.to_string(),
        created_at: ctx.now.millis(),
        updated_at: ctx.now.millis(),
    };
    let facts = IntakeFacts {
        incident_id: item.incident_id.clone(),
        description: item.description.clone(),
        quantity: item.quantity.clone(),
        condition: item.condition.clone(),
        found_location: item.found_location.clone(),
        found_at: item.found_at,
        found_by: item.found_by.clone(),
        storage_location: item.storage_location.clone(),
        photos: rows
            .iter()
            .map(|p| PhotoFact {
                id: p.id.clone(),
                sha256: p.sha256.clone(),
                media_type: p.media_type.clone(),
            })
            .collect(),
    };
    let written_ok = write_intake(ctx, &item, &rows, &facts).await;
    if written_ok.is_err() {
        ctx.app.instance.files.discard(&written).await;
    }
    written_ok?;
    summary(ctx, &item).await
}

async fn write_intake(
    ctx: &Ctx,
    item: &ItemRow,
    photos: &[PhotoRow],
    facts: &IntakeFacts,
) -> AppResult<()> {
    let mut tx = ctx.change().await?;
    store::insert(&mut tx, item).await?;
    for p in photos {
        store::insert_photo(&mut tx, p).await?;
    }
    append(
        ctx,
        &mut tx,
        item,
        CustodyKind::Intake,
        facts,
        "evidence.intake",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Appends a signed custody record after the item's last one, with its audit entry.
async fn append<T: Serialize>(
    ctx: &Ctx,
    tx: &mut Change,
    item: &ItemRow,
    kind: CustodyKind,
    data: &T,
    action: &str,
) -> AppResult<CustodyRecord> {
    let history = store::records(&mut *tx, &item.id).await?;
    let data = serde_json::to_string(data)
        .map_err(|e| AppError::Internal(format!("custody data: {e}")))?;
    let actor = ctx.actor.user.to_string();
    let record = rules::link(
        NewCustodyRecord {
            item_id: &item.id,
            at: ctx.now,
            kind,
            actor_id: &actor,
            data,
        },
        history.last().map(|r| (r.seq, r.hash.as_str())),
        &ctx.app.instance.signing_key,
    );
    store::append_record(&mut *tx, &record).await?;
    let event = ctx
        .event(action, Outcome::Ok)
        .record("evidence", &item.id)
        .content(&record.hash)
        .tenant(
            Some(id_of(&item.district_id)),
            item.agency_id.as_deref().and_then(Id::parse),
        );
    tx.audit(event);
    Ok(record)
}

/// An item's custody history as a signed bundle anyone can check offline
/// (docs/custody-bundle.md), for the agency's sworn side: its SRO and supervisor. The
/// download is an audited read of a law-enforcement record.
pub async fn custody_bundle(ctx: &Ctx, id: &str) -> AppResult<triad_domain::evidence::Bundle> {
    let parsed = Id::parse(id).ok_or(AppError::NotFound)?;
    let item = store::get(&mut ctx.app.db.acquire().await?, parsed).await?;
    let record = Resource::new(RecordClass::LawEnforcement, tenant(item.as_ref(), parsed));
    ctx.require(Action::View, record, ("evidence_bundle", id))
        .await?;
    let item = item.ok_or(AppError::NotFound)?;
    let mut conn = ctx.app.db.acquire().await?;
    let records = store::records(&mut conn, &item.id).await?;
    let photos = store::photos(&mut conn, parsed)
        .await?
        .into_iter()
        .map(|p| triad_domain::evidence::PhotoHash {
            id: p.id,
            sha256: p.sha256,
            media_type: p.media_type,
        })
        .collect();
    drop(conn);
    Ok(triad_domain::evidence::sign_bundle(
        triad_domain::evidence::Export {
            item_id: &item.id,
            earlier_keys: &ctx.app.instance.retired_keys,
            item: serde_json::to_value(&item).map_err(|e| AppError::Internal(e.to_string()))?,
            photos,
            records,
            exported_at: ctx.now.to_datetime().to_rfc3339(),
        },
        &ctx.app.instance.signing_key,
    ))
}

/// An item the actor may act on (a shared record of its campus).
async fn find(ctx: &Ctx, id: &str, action: Action) -> AppResult<ItemRow> {
    Ok(find_held(ctx, id, action).await?.0)
}

/// [`find`], with the roles the actor holds for the item's campus and agency.
async fn find_held(ctx: &Ctx, id: &str, action: Action) -> AppResult<(ItemRow, RolesHere)> {
    find_bound(ctx, id, action, None, None).await
}

/// [`find_held`] for a change the item binds to one person (`bind` names them): the holder
/// releasing it, the receiver acknowledging it.
async fn find_bound(
    ctx: &Ctx,
    id: &str,
    action: Action,
    bind: Option<fn(&ItemRow) -> OnlyBy>,
    kept: Option<KeptBy>,
) -> AppResult<(ItemRow, RolesHere)> {
    let parsed = Id::parse(id).ok_or(AppError::NotFound)?;
    let item = store::get(&mut ctx.app.db.acquire().await?, parsed).await?;
    let mut resource = shared(item.as_ref(), parsed);
    if let (Some(item), Some(bind)) = (&item, bind) {
        resource = resource.changed_only_by(bind(item));
    }
    if let Some(kept) = kept {
        resource = resource.kept_by(kept);
    }
    let held = ctx.require(action, resource, ("evidence", id)).await?;
    Ok((item.ok_or(AppError::NotFound)?, held))
}

fn holder(item: &ItemRow) -> OnlyBy {
    OnlyBy::Holder(OnlyBy::stored(&item.holder_id))
}

fn receiver(item: &ItemRow) -> OnlyBy {
    OnlyBy::Receiver(item.pending_receiver_id.as_deref().map(OnlyBy::stored))
}

fn tenant(item: Option<&ItemRow>, id: Id) -> triad_domain::policy::Tenant {
    match item {
        Some(i) => triad_domain::policy::Tenant {
            agency: i.agency_id.as_deref().and_then(Id::parse),
            district: Id::parse(&i.district_id),
            campus: Id::parse(&i.campus_id),
        },
        None => triad_domain::policy::Tenant::campus(Id::from_parts("none", 0), id),
    }
}

fn shared(item: Option<&ItemRow>, id: Id) -> Resource {
    Resource::new(RecordClass::Shared, tenant(item, id))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PhotoView {
    pub id: String,
    pub sha256: String,
    pub media_type: String,
    pub width: i64,
    pub height: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CustodyView {
    pub seq: i64,
    pub at: String,
    pub kind: String,
    pub kind_label: String,
    pub actor: String,
    /// The record's content as signed (JSON text).
    pub data: String,
    pub hash: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ItemDetail {
    pub item: ItemSummary,
    pub campus_id: String,
    pub quantity: String,
    pub condition: String,
    pub found_location: String,
    pub found_at: String,
    pub found_by: String,
    pub storage_location: Option<String>,
    pub pending_receiver: Option<String>,
    /// The actor is the one a transfer waits for.
    pub awaiting_me: bool,
    /// The actor holds the item.
    pub held_by_me: bool,
    pub law_enforcement: bool,
    /// The actor may download the item's signed custody bundle (the agency's sworn side).
    pub may_export: bool,
    pub photos: Vec<PhotoView>,
    pub custody: Vec<CustodyView>,
}

pub async fn item(ctx: &Ctx, id: &str) -> AppResult<ItemDetail> {
    let item = find(ctx, id, Action::View).await?;
    let campus = triad_store::org::campus(&mut ctx.app.db.acquire().await?, id_of(&item.campus_id))
        .await?
        .ok_or(AppError::NotFound)?;
    let local = crate::campus::local(ctx, &campus).await?;
    let mut conn = ctx.app.db.acquire().await?;
    let photos = store::photos(&mut conn, id_of(&item.id)).await?;
    let records = store::records(&mut conn, &item.id).await?;
    drop(conn);
    let mut custody = Vec::with_capacity(records.len());
    for r in records {
        custody.push(CustodyView {
            seq: r.seq,
            at: local.show(r.at),
            kind_label: CustodyKind::from_code(&r.kind)
                .map(|k| k.label())
                .unwrap_or("")
                .into(),
            kind: r.kind,
            actor: user_name(ctx, &r.actor_id).await?,
            data: r.data,
            hash: r.hash,
        });
    }
    let me = ctx.actor.user.to_string();
    Ok(ItemDetail {
        item: summary(ctx, &item).await?,
        campus_id: item.campus_id.clone(),
        quantity: item.quantity.clone(),
        condition: item.condition.clone(),
        found_location: item.found_location.clone(),
        found_at: local.show(item.found_at),
        found_by: item.found_by.clone(),
        storage_location: item.storage_location.clone(),
        pending_receiver: match &item.pending_receiver_id {
            Some(r) => Some(user_name(ctx, r).await?),
            None => None,
        },
        awaiting_me: item.pending_receiver_id.as_deref() == Some(me.as_str()),
        held_by_me: item.holder_id == me,
        law_enforcement: item.went_to_law_enforcement,
        may_export: triad_domain::policy::decide(
            &ctx.actor,
            Action::View,
            Resource::new(
                RecordClass::LawEnforcement,
                tenant(Some(&item), id_of(&item.id)),
            ),
        ) == triad_domain::policy::Decision::Allow,
        photos: photos
            .into_iter()
            .map(|p| PhotoView {
                id: p.id,
                sha256: p.sha256,
                media_type: p.media_type,
                width: p.width,
                height: p.height,
            })
            .collect(),
        custody,
    })
}

/// Locks an item for a custody change and checks the actor is the one to make it.
async fn take_for_change(ctx: &Ctx, tx: &mut Change, id: &str) -> AppResult<ItemRow> {
    store::lock(&mut *tx, id_of(id), ctx.now.millis())
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TransferInput {
    /// The receiver's user name.
    #[serde(default)]
    pub receiver: String,
    /// Why the item changes hands.
    #[serde(default)]
    pub reason: String,
    /// Where the item will be kept.
    #[serde(default)]
    pub storage_location: String,
}

#[derive(Debug, Clone, Serialize)]
struct TransferFacts {
    released_by: String,
    receiver: String,
    reason: String,
    storage_location: Option<String>,
}

/// Releases an item to a receiver, who must then acknowledge it.
pub async fn transfer(ctx: &Ctx, id: &str, input: TransferInput) -> AppResult<ItemSummary> {
    let (item, _) = find_bound(ctx, id, Action::Change, Some(holder), None).await?;
    // A closed item is refused as closed, whoever is named.
    let status = EvidenceStatus::from_code(&item.status).unwrap_or(EvidenceStatus::Collected);
    if status.is_final() {
        rules::check_transfer(TransferCheck {
            status,
            went_to_law_enforcement: item.went_to_law_enforcement,
            pending: false,
            receiver: &RolesHere::default(),
            receiver_is_holder: false,
        })?;
    }
    let mut invalid = Invalid::default();
    let reason = invalid.check(org_rules::parse_name("reason", &input.reason));
    let storage = invalid.check(parse_text("storage_location", &input.storage_location, 200));
    // The receiver must be someone the access policy lets hold this item, and counts by the
    // roles they hold for its campus and agency. Anyone else (another district's officer, or
    // a name nobody has) gets the same answer, so the refusal tells no one which names exist.
    let record = shared(Some(&item), Id::parse(id).unwrap_or_default());
    let receiver = ctx.named(&input.receiver, record, Action::Change).await?;
    let receiver_here = receiver
        .as_ref()
        .map(|n| n.actor.roles_for(&record.tenant, RecordClass::Shared));
    if receiver_here.is_none() {
        let refused = ctx
            .event("evidence.transfer", Outcome::Denied)
            .record("evidence", id)
            .tenant(
                Some(id_of(&item.district_id)),
                item.agency_id.as_deref().and_then(Id::parse),
            );
        triad_store::audit::record(&ctx.app.db, refused, ctx.now).await?;
        invalid.push(
            "receiver",
            "name someone who can hold this item, by their user name: an administrator or SSO \
             of its campus, or an officer of its agency",
        );
    }
    invalid.into_result()?;
    let (Some(reason), Some(storage), Some(receiver), Some(receiver_here)) =
        (reason, storage, receiver.map(|n| n.user), receiver_here)
    else {
        return Err(AppError::NotFound);
    };
    let mut tx = ctx.change().await?;
    let item = take_for_change(ctx, &mut tx, id).await?;
    rules::check_transfer(TransferCheck {
        status: EvidenceStatus::from_code(&item.status).unwrap_or(EvidenceStatus::Collected),
        went_to_law_enforcement: item.went_to_law_enforcement,
        pending: item.pending_receiver_id.is_some(),
        receiver: &receiver_here,
        receiver_is_holder: receiver.id == item.holder_id,
    })?;
    let facts = TransferFacts {
        released_by: item.holder_id.clone(),
        receiver: receiver.id.clone(),
        reason,
        storage_location: storage.clone(),
    };
    append(
        ctx,
        &mut tx,
        &item,
        CustodyKind::TransferOffered,
        &facts,
        "evidence.transfer",
    )
    .await?;
    let state = CustodyState {
        status: &item.status,
        holder: &item.holder_id,
        storage_location: storage.or(item.storage_location.clone()),
        went_to_law_enforcement: item.went_to_law_enforcement,
        pending_receiver: Some(receiver.id.clone()),
    };
    store::set_state(&mut tx, id_of(id), &state, ctx.now.millis()).await?;
    tx.commit().await?;
    let item = find(ctx, id, Action::View).await?;
    summary(ctx, &item).await
}

/// The receiver acknowledges an item: custody passes to them.
pub async fn acknowledge(ctx: &Ctx, id: &str) -> AppResult<ItemSummary> {
    let custody = Some(KeptBy::EvidenceCustody);
    let (_, held) = find_bound(ctx, id, Action::Change, Some(receiver), custody).await?;
    let me = ctx.actor.user.to_string();
    let side = side_held(&held)?;
    let mut tx = ctx.change().await?;
    let item = take_for_change(ctx, &mut tx, id).await?;
    if item.pending_receiver_id.as_deref() != Some(me.as_str()) {
        return Err(AppError::Conflict(
            "the transfer was already settled".into(),
        ));
    }
    let law = side == Side::LawEnforcement;
    let status = match EvidenceStatus::from_code(&item.status) {
        Some(EvidenceStatus::Collected) if law => EvidenceStatus::InCustody.code(),
        _ => item.status.as_str(),
    }
    .to_string();
    #[derive(Serialize)]
    struct Received<'a> {
        received_by: &'a str,
        status: &'a str,
    }
    let facts = Received {
        received_by: &me,
        status: &status,
    };
    append(
        ctx,
        &mut tx,
        &item,
        CustodyKind::TransferReceived,
        &facts,
        "evidence.receive",
    )
    .await?;
    let state = CustodyState {
        status: &status,
        holder: &me,
        storage_location: item.storage_location.clone(),
        went_to_law_enforcement: item.went_to_law_enforcement || law,
        pending_receiver: None,
    };
    store::set_state(&mut tx, id_of(id), &state, ctx.now.millis()).await?;
    tx.commit().await?;
    let item = find(ctx, id, Action::View).await?;
    summary(ctx, &item).await
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = EvidenceStatusInput)]
pub struct StatusInput {
    /// in_custody, held_for_hearing, held_for_court, returned_to_owner or destroyed
    #[serde(default)]
    pub status: String,
    /// The disposition that allows a destruction or return (case, date received).
    #[serde(default)]
    pub disposition_ref: String,
    /// Who approved the destruction or return.
    #[serde(default)]
    pub approved_by: String,
    /// Who the item was returned to.
    #[serde(default)]
    pub returned_to: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
struct StatusFacts {
    from: String,
    to: String,
    disposition: Disposition,
    note: Option<String>,
}

fn optional(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

/// Moves an item towards its disposition. The law-enforcement holder does this.
pub async fn set_status(ctx: &Ctx, id: &str, input: StatusInput) -> AppResult<ItemSummary> {
    let disposition = Some(KeptBy::EvidenceDisposition);
    find_bound(ctx, id, Action::Change, Some(holder), disposition).await?;
    let to = EvidenceStatus::from_code(&input.status)
        .ok_or_else(|| Invalid::one("status", "choose the item's new status"))?;
    let mut invalid = Invalid::default();
    for (field, text) in [
        ("disposition_ref", &input.disposition_ref),
        ("approved_by", &input.approved_by),
        ("returned_to", &input.returned_to),
    ] {
        invalid.check(parse_text(field, text, 500));
    }
    let note = invalid
        .check(parse_text("note", &input.note, 2000))
        .flatten();
    invalid.into_result()?;
    let disposition = Disposition {
        disposition_ref: optional(&input.disposition_ref),
        approved_by: optional(&input.approved_by),
        returned_to: optional(&input.returned_to),
    };
    let mut tx = ctx.change().await?;
    let item = take_for_change(ctx, &mut tx, id).await?;
    let from = EvidenceStatus::from_code(&item.status).unwrap_or(EvidenceStatus::Collected);
    rules::check_status_change(from, to, &disposition)?;
    let facts = StatusFacts {
        from: from.code().into(),
        to: to.code().into(),
        disposition,
        note,
    };
    append(
        ctx,
        &mut tx,
        &item,
        CustodyKind::Status,
        &facts,
        "evidence.status",
    )
    .await?;
    let state = CustodyState {
        status: to.code(),
        holder: &item.holder_id,
        storage_location: item.storage_location.clone(),
        went_to_law_enforcement: item.went_to_law_enforcement,
        pending_receiver: item.pending_receiver_id.clone(),
    };
    store::set_state(&mut tx, id_of(id), &state, ctx.now.millis()).await?;
    tx.commit().await?;
    let item = find(ctx, id, Action::View).await?;
    summary(ctx, &item).await
}

/// A photo's bytes and media type. The viewing copy is for everyone who reads the item (an
/// administrator's disciplinary hearing); the unaltered original for law enforcement only.
pub async fn photo(ctx: &Ctx, id: &str, original: bool) -> AppResult<(String, Vec<u8>)> {
    let parsed = Id::parse(id).ok_or(AppError::NotFound)?;
    let mut conn = ctx.app.db.acquire().await?;
    let photo = store::photo(&mut conn, parsed).await?;
    let item = match &photo {
        Some(p) => store::get(&mut conn, id_of(&p.item_id)).await?,
        None => None,
    };
    drop(conn);
    let class = if original {
        RecordClass::LawEnforcement
    } else {
        RecordClass::Shared
    };
    let resource = Resource::new(class, tenant(item.as_ref(), parsed));
    ctx.require(Action::View, resource, ("evidence_photo", id))
        .await?;
    let (Some(photo), Some(_)) = (photo, item) else {
        return Err(AppError::NotFound);
    };
    let (key, media_type) = if original {
        (photo.original_key, photo.media_type)
    } else {
        (photo.view_key, "image/jpeg".to_string())
    };
    let bytes = ctx.app.instance.files.get(&key).await?;
    Ok((media_type, bytes))
}
