//! Evidence items, their photos and their custody history (append-only, hash-chained).

use crate::{execute, fetch_all, fetch_optional, Conn, StoreResult};
use serde::Serialize;
use triad_domain::evidence::CustodyRecord;
use triad_domain::Id;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ItemRow {
    pub id: String,
    pub incident_id: String,
    pub district_id: String,
    pub campus_id: String,
    pub agency_id: Option<String>,
    pub description: String,
    pub quantity: String,
    pub condition: String,
    pub found_location: String,
    pub found_at: i64,
    pub found_by: String,
    pub provenance: String,
    pub status: String,
    pub holder_id: String,
    pub storage_location: Option<String>,
    pub went_to_law_enforcement: bool,
    pub pending_receiver_id: Option<String>,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, incident_id, district_id, campus_id, agency_id, description, quantity, \
     condition, found_location, found_at, found_by, provenance, status, holder_id, storage_location, \
     went_to_law_enforcement, pending_receiver_id, created_by, created_at, updated_at";

pub async fn insert<'c>(conn: impl Into<Conn<'c>>, r: &ItemRow) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "INSERT INTO evidence_items ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
         $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)"
    );
    execute!(
        &mut c,
        &sql,
        r.id.clone(),
        r.incident_id.clone(),
        r.district_id.clone(),
        r.campus_id.clone(),
        r.agency_id.clone(),
        r.description.clone(),
        r.quantity.clone(),
        r.condition.clone(),
        r.found_location.clone(),
        r.found_at,
        r.found_by.clone(),
        r.provenance.clone(),
        r.status.clone(),
        r.holder_id.clone(),
        r.storage_location.clone(),
        r.went_to_law_enforcement,
        r.pending_receiver_id.clone(),
        r.created_by.clone(),
        r.created_at,
        r.updated_at
    )?;
    Ok(())
}

pub async fn get<'c>(conn: impl Into<Conn<'c>>, id: Id) -> StoreResult<Option<ItemRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("SELECT {COLUMNS} FROM evidence_items WHERE id = $1");
    Ok(fetch_optional!(&mut c, ItemRow, &sql, id.to_string())?)
}

/// Takes an item for a custody change: on PostgreSQL the row stays locked until the
/// transaction ends, so two hand-overs of one item queue instead of forking its history.
pub async fn lock<'c>(conn: impl Into<Conn<'c>>, id: Id, now: i64) -> StoreResult<Option<ItemRow>> {
    let mut c: Conn = conn.into();
    let sql =
        format!("UPDATE evidence_items SET updated_at = $1 WHERE id = $2 RETURNING {COLUMNS}");
    Ok(fetch_optional!(&mut c, ItemRow, &sql, now, id.to_string())?)
}

pub async fn of_incident<'c>(conn: impl Into<Conn<'c>>, incident: Id) -> StoreResult<Vec<ItemRow>> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "SELECT {COLUMNS} FROM evidence_items WHERE incident_id = $1 ORDER BY created_at, id"
    );
    Ok(fetch_all!(&mut c, ItemRow, &sql, incident.to_string())?)
}

/// The custody state an item moves to after a record.
pub struct CustodyState<'a> {
    pub status: &'a str,
    pub holder: &'a str,
    pub storage_location: Option<String>,
    pub went_to_law_enforcement: bool,
    pub pending_receiver: Option<String>,
}

/// The items of a campus released for transfer to a person and waiting for them to
/// acknowledge receipt: (id, description).
pub async fn awaiting_receipt_by<'c>(
    conn: impl Into<Conn<'c>>,
    campus: Id,
    receiver: Id,
) -> StoreResult<Vec<(String, String)>> {
    let mut c: Conn = conn.into();
    Ok(crate::run!(&mut c, |c| {
        sqlx::query_as::<_, (String, String)>(
        "SELECT id, description FROM evidence_items WHERE campus_id = $1 AND pending_receiver_id = $2 \
         ORDER BY created_at"
    )
    .bind(campus.to_string())
    .bind(receiver.to_string())
    .fetch_all(c)
    .await
    })?)
}

pub async fn set_state<'c>(
    conn: impl Into<Conn<'c>>,
    id: Id,
    s: &CustodyState<'_>,
    now: i64,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "UPDATE evidence_items SET status = $1, holder_id = $2, storage_location = $3, \
         went_to_law_enforcement = $4, pending_receiver_id = $5, updated_at = $6 WHERE id = $7",
        s.status.to_string(),
        s.holder.to_string(),
        s.storage_location.clone(),
        s.went_to_law_enforcement,
        s.pending_receiver.clone(),
        now,
        id.to_string()
    )?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct PhotoRow {
    pub id: String,
    pub item_id: String,
    pub sha256: String,
    pub media_type: String,
    pub original_key: String,
    pub view_key: String,
    pub bytes: i64,
    pub width: i64,
    pub height: i64,
    pub taken_by: String,
    pub created_at: i64,
}

const PHOTO_COLUMNS: &str =
    "id, item_id, sha256, media_type, original_key, view_key, bytes, width, height, taken_by, created_at";

pub async fn insert_photo<'c>(conn: impl Into<Conn<'c>>, p: &PhotoRow) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "INSERT INTO evidence_photos ({PHOTO_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    );
    execute!(
        &mut c,
        &sql,
        p.id.clone(),
        p.item_id.clone(),
        p.sha256.clone(),
        p.media_type.clone(),
        p.original_key.clone(),
        p.view_key.clone(),
        p.bytes,
        p.width,
        p.height,
        p.taken_by.clone(),
        p.created_at
    )?;
    Ok(())
}

pub async fn photos<'c>(conn: impl Into<Conn<'c>>, item: Id) -> StoreResult<Vec<PhotoRow>> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "SELECT {PHOTO_COLUMNS} FROM evidence_photos WHERE item_id = $1 ORDER BY created_at, id"
    );
    Ok(fetch_all!(&mut c, PhotoRow, &sql, item.to_string())?)
}

pub async fn photo<'c>(conn: impl Into<Conn<'c>>, id: Id) -> StoreResult<Option<PhotoRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("SELECT {PHOTO_COLUMNS} FROM evidence_photos WHERE id = $1");
    Ok(fetch_optional!(&mut c, PhotoRow, &sql, id.to_string())?)
}

#[derive(sqlx::FromRow)]
struct Record {
    item_id: String,
    seq: i64,
    at: i64,
    kind: String,
    actor_id: String,
    data: String,
    prev_hash: String,
    hash: String,
    signature: String,
}

impl From<Record> for CustodyRecord {
    fn from(r: Record) -> Self {
        CustodyRecord {
            item_id: r.item_id,
            seq: r.seq,
            at: r.at,
            kind: r.kind,
            actor_id: r.actor_id,
            data: r.data,
            prev_hash: r.prev_hash,
            hash: r.hash,
            signature: r.signature,
        }
    }
}

const RECORD_COLUMNS: &str = "item_id, seq, at, kind, actor_id, data, prev_hash, hash, signature";

pub async fn append_record<'c>(conn: impl Into<Conn<'c>>, r: &CustodyRecord) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "INSERT INTO custody_records ({RECORD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    );
    execute!(
        &mut c,
        &sql,
        r.item_id.clone(),
        r.seq,
        r.at,
        r.kind.clone(),
        r.actor_id.clone(),
        r.data.clone(),
        r.prev_hash.clone(),
        r.hash.clone(),
        r.signature.clone()
    )?;
    Ok(())
}

/// An item's custody history, oldest first.
pub async fn records<'c>(conn: impl Into<Conn<'c>>, item: &str) -> StoreResult<Vec<CustodyRecord>> {
    let mut c: Conn = conn.into();
    let sql =
        format!("SELECT {RECORD_COLUMNS} FROM custody_records WHERE item_id = $1 ORDER BY seq");
    let rows = fetch_all!(&mut c, Record, &sql, item.to_string())?;
    Ok(rows.into_iter().map(CustodyRecord::from).collect())
}

#[derive(sqlx::FromRow)]
struct ItemId {
    id: String,
}

/// Every item's id, for verifying every history.
pub async fn all_item_ids<'c>(conn: impl Into<Conn<'c>>) -> StoreResult<Vec<String>> {
    let mut c: Conn = conn.into();
    let rows = fetch_all!(&mut c, ItemId, "SELECT id FROM evidence_items ORDER BY id")?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}
