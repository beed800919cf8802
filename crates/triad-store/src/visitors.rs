//! Campus bans, visitor sign-ins and the ban matches a sign-in raised.

use crate::paging::{after_cursor, Order, Page};
use crate::statement::{Statement, Value};
use crate::{execute, fetch_all, fetch_optional, Conn, StoreResult};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;
use triad_domain::visitors::{compare, name_keys, BanScope, Candidate, Person};
use triad_domain::Id;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct BanRow {
    pub id: String,
    pub district_id: String,
    pub campus_id: String,
    pub scope: String,
    pub incident_id: String,
    pub given_name: String,
    pub family_name: String,
    pub given_key: String,
    pub family_key: String,
    pub birth_date: Option<String>,
    pub description: Option<String>,
    pub photo_key: Option<String>,
    pub starts_on: String,
    pub ends_on: String,
    pub reason: String,
    pub served_by: String,
    pub served_at: i64,
    pub created_by: String,
    pub created_at: i64,
}

const BAN_COLUMNS: &str =
    "id, district_id, campus_id, scope, incident_id, given_name, family_name, \
     given_key, family_key, birth_date, description, photo_key, starts_on, ends_on, reason, \
     served_by, served_at, created_by, created_at";

pub async fn insert_ban<'c>(conn: impl Into<Conn<'c>>, b: &BanRow) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "INSERT INTO bans ({BAN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
         $12, $13, $14, $15, $16, $17, $18, $19)"
    );
    execute!(
        &mut c,
        &sql,
        b.id.clone(),
        b.district_id.clone(),
        b.campus_id.clone(),
        b.scope.clone(),
        b.incident_id.clone(),
        b.given_name.clone(),
        b.family_name.clone(),
        b.given_key.clone(),
        b.family_key.clone(),
        b.birth_date.clone(),
        b.description.clone(),
        b.photo_key.clone(),
        b.starts_on.clone(),
        b.ends_on.clone(),
        b.reason.clone(),
        b.served_by.clone(),
        b.served_at,
        b.created_by.clone(),
        b.created_at
    )?;
    Ok(())
}

pub async fn ban<'c>(conn: impl Into<Conn<'c>>, id: Id) -> StoreResult<Option<BanRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("SELECT {BAN_COLUMNS} FROM bans WHERE id = $1");
    Ok(fetch_optional!(&mut c, BanRow, &sql, id.to_string())?)
}

/// The bans of these ids, whole, in one statement (an id of no ban is left out, and the
/// order is the database's): the bans a sign-in may match, to show with it.
pub async fn bans_by_ids<'c>(conn: impl Into<Conn<'c>>, ids: &[Id]) -> StoreResult<Vec<BanRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut c: Conn = conn.into();
    let sql = format!(
        "SELECT {BAN_COLUMNS} FROM bans WHERE id IN ({})",
        crate::conn::numbered(1, ids.len())
    );
    let ids: Vec<String> = ids.iter().map(Id::to_string).collect();
    crate::conn::fetch_bound(&mut c, &sql, &ids).await
}

/// Bans in force on a campus on a day (its own and the district-wide ones), soonest ending
/// first: the front office's printable list.
/// How many bans issued on a campus end between two days (inclusive, `YYYY-MM-DD`): a
/// reminder to decide on renewing them, so it carries no one's name.
pub async fn bans_ending<'c>(
    conn: impl Into<Conn<'c>>,
    district: Id,
    campus: Id,
    from: &str,
    to: &str,
) -> StoreResult<i64> {
    let mut c: Conn = conn.into();
    Ok(crate::fetch_scalar!(
        &mut c,
        i64,
        "SELECT COUNT(*) FROM bans WHERE district_id = $1 AND ends_on >= $3 AND ends_on <= $4 \
         AND campus_id = $2",
        district.to_string(),
        campus.to_string(),
        from.to_string(),
        to.to_string()
    )?)
}

pub async fn bans_in_force<'c>(
    conn: impl Into<Conn<'c>>,
    district: Id,
    campus: Id,
    day: &str,
    page: Page,
) -> StoreResult<Vec<BanRow>> {
    let mut c: Conn = conn.into();
    let after = after_cursor(
        &page,
        "$5",
        "bans",
        "",
        &["ends_on", "family_key", "id"],
        Order::Ascending,
        "district_id = $1",
    );
    let sql = format!(
        "SELECT {BAN_COLUMNS} FROM bans WHERE district_id = $1 AND (scope = 'district' OR campus_id = $2) \
         AND starts_on <= $3 AND ends_on >= $3 AND {after} ORDER BY ends_on, family_key, id LIMIT $4"
    );
    Ok(fetch_all!(
        &mut c,
        BanRow,
        &sql,
        district.to_string(),
        campus.to_string(),
        day.to_string(),
        page.limit,
        page.cursor()
    )?)
}

pub async fn bans_of_incident<'c>(
    conn: impl Into<Conn<'c>>,
    incident: Id,
) -> StoreResult<Vec<BanRow>> {
    let mut c: Conn = conn.into();
    let sql =
        format!("SELECT {BAN_COLUMNS} FROM bans WHERE incident_id = $1 ORDER BY created_at, id");
    Ok(fetch_all!(&mut c, BanRow, &sql, incident.to_string())?)
}

/// Every ban in force in a district on a day, district-wide and each campus's, indexed by the
/// keys a visitor is looked up by: what a sign-in checks the visitor against. Read once and
/// kept under the ban version (migration 0059), and brought up to date with the bans changed
/// since when it moves (migration 0060, [`Self::updated`]), so a sign-in spends no statement
/// of its own on the check; a district holds a few thousand bans at most. Only what
/// the check needs is read and kept: a sign-in that matches reads its bans whole by their ids.
pub struct BansInForce {
    /// Shared with the kept bans this was brought up to date from.
    bans: Vec<std::sync::Arc<BanToCheck>>,
    by_birth_date: HashMap<NaiveDate, Vec<usize>>,
    by_family_key: HashMap<String, Vec<usize>>,
    by_given_key: HashMap<String, Vec<usize>>,
}

/// What a ban is checked by.
struct BanToCheck {
    id: Id,
    campus_id: String,
    district_wide: bool,
    banned: Person,
    given_key: String,
    family_key: String,
}

impl BanToCheck {
    /// `None` for an id that is not one: it cannot be referred to by a match, and no ban is
    /// stored so.
    fn of(row: BanToCheckRow) -> Option<Self> {
        Some(Self {
            id: Id::parse(&row.id)?,
            campus_id: row.campus_id,
            district_wide: row.scope == BanScope::District.code(),
            banned: Person {
                given: row.given_name,
                family: row.family_name,
                birth_date: row
                    .birth_date
                    .as_deref()
                    .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
            },
            given_key: row.given_key,
            family_key: row.family_key,
        })
    }
}

/// The columns a ban is checked by.
const BAN_TO_CHECK: &str =
    "id, campus_id, scope, given_name, family_name, given_key, family_key, birth_date";

/// The ids of the bans of `district` changed (issued, corrected, moved or deleted) since the
/// ban version was `since`, from the log the ban triggers keep (migration 0060); `None` when a
/// change named no bans (a `TRUNCATE` on PostgreSQL, logged as `*`), so that everything must be
/// read again.
pub async fn bans_changed_since<'c>(
    conn: impl Into<Conn<'c>>,
    district: Id,
    since: i64,
) -> StoreResult<Option<Vec<String>>> {
    #[derive(sqlx::FromRow)]
    struct Changed {
        ban_id: String,
    }
    let mut c: Conn = conn.into();
    let rows = fetch_all!(
        &mut c,
        Changed,
        "SELECT DISTINCT ban_id FROM ban_changes WHERE district_id IN ($1, '*') AND version > $2",
        district.to_string(),
        since
    )?;
    if rows.iter().any(|row| row.ban_id == "*") {
        return Ok(None);
    }
    Ok(Some(rows.into_iter().map(|row| row.ban_id).collect()))
}

/// Forgets the log of changed bans but for its newest `keep` versions, and leaves a `*` at the
/// oldest version kept: an instance whose kept bans are older than that reads its district
/// whole, as after a `TRUNCATE`, instead of missing a change that was forgotten. Yields how
/// many rows of the log went.
pub async fn forget_old_ban_changes<'c>(conn: impl Into<Conn<'c>>, keep: i64) -> StoreResult<u64> {
    #[derive(sqlx::FromRow)]
    struct Oldest {
        kept_from: Option<i64>,
    }
    let mut c: Conn = conn.into();
    let oldest = fetch_optional!(
        &mut c,
        Oldest,
        "SELECT MAX(version) - $1 AS kept_from FROM ban_changes",
        keep.max(1)
    )?;
    let Some(kept_from) = oldest.and_then(|o| o.kept_from) else {
        return Ok(0);
    };
    let forgotten = execute!(
        &mut c,
        "DELETE FROM ban_changes WHERE version < $1",
        kept_from
    )?;
    if forgotten > 0 {
        execute!(
            &mut c,
            "INSERT INTO ban_changes (version, district_id, ban_id) VALUES ($1, '*', '*')",
            kept_from
        )?;
    }
    Ok(forgotten)
}

#[derive(sqlx::FromRow)]
struct BanToCheckRow {
    id: String,
    campus_id: String,
    scope: String,
    given_name: String,
    family_name: String,
    given_key: String,
    family_key: String,
    birth_date: Option<String>,
}

impl BansInForce {
    /// The bans in force in `district` on `day` (`YYYY-MM-DD`).
    pub async fn read<'c>(conn: impl Into<Conn<'c>>, district: Id, day: &str) -> StoreResult<Self> {
        let mut c: Conn = conn.into();
        let rows = fetch_all!(
            &mut c,
            BanToCheckRow,
            &format!("SELECT {BAN_TO_CHECK} FROM bans WHERE district_id = $1 AND starts_on <= $2 AND ends_on >= $2 ORDER BY id"),
            district.to_string(),
            day.to_string()
        )?;
        Ok(Self::of(rows))
    }

    /// The most changed bans named in the statement that reads them again; past it (a repair
    /// in SQL of many bans), the district's are read whole.
    const UPDATED_AT_MOST: usize = 256;

    /// These bans brought up to date with `changed`, the ids of the district's bans changed
    /// since they were read ([`bans_changed_since`]): the changed ones are read again, and
    /// those still in force on `day` replace their old selves or join. The answer is what
    /// [`Self::read`] would read now.
    pub async fn updated<'c>(
        &self,
        conn: impl Into<Conn<'c>>,
        district: Id,
        day: &str,
        changed: &[String],
    ) -> StoreResult<Self> {
        let mut c: Conn = conn.into();
        if changed.len() > Self::UPDATED_AT_MOST {
            return Self::read(c, district, day).await;
        }
        let read: Vec<BanToCheckRow> = if changed.is_empty() {
            Vec::new()
        } else {
            // The ids as the log holds them, which are the bans' own: a lookup by an id
            // printed anew would miss one stored in another spelling (upper case, by a repair
            // in SQL).
            let ids = crate::key_lookups::padded(changed.to_vec());
            let sql = format!(
                "SELECT {BAN_TO_CHECK} FROM bans WHERE district_id = $1 AND starts_on <= $2 \
                 AND ends_on >= $2 AND id IN ({})",
                crate::conn::numbered(3, ids.len())
            );
            let mut args = vec![district.to_string(), day.to_string()];
            args.extend(ids);
            crate::conn::fetch_bound(&mut c, &sql, &args).await?
        };
        let changed: std::collections::HashSet<Id> =
            changed.iter().filter_map(|id| Id::parse(id)).collect();
        let bans = self
            .bans
            .iter()
            .filter(|ban| !changed.contains(&ban.id))
            .cloned()
            .chain(read.into_iter().filter_map(BanToCheck::of).map(Into::into))
            .collect();
        Ok(Self::indexed(bans))
    }

    fn of(rows: Vec<BanToCheckRow>) -> Self {
        Self::indexed(
            rows.into_iter()
                .filter_map(BanToCheck::of)
                .map(Into::into)
                .collect(),
        )
    }

    fn indexed(bans: Vec<std::sync::Arc<BanToCheck>>) -> Self {
        let mut index = Self {
            bans: Vec::with_capacity(bans.len()),
            by_birth_date: HashMap::new(),
            by_family_key: HashMap::new(),
            by_given_key: HashMap::new(),
        };
        for ban in bans {
            let n = index.bans.len();
            if let Some(born) = ban.banned.birth_date {
                index.by_birth_date.entry(born).or_default().push(n);
            }
            index
                .by_family_key
                .entry(ban.family_key.clone())
                .or_default()
                .push(n);
            index
                .by_given_key
                .entry(ban.given_key.clone())
                .or_default()
                .push(n);
            index.bans.push(ban);
        }
        index
    }

    /// How many bans are in force in the district.
    pub fn len(&self) -> usize {
        self.bans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bans.is_empty()
    }

    /// The ids of the bans in force on `campus` (its own and the district-wide ones) that
    /// `visitor` may be, strongest candidate first: those sharing the birth date or a name key
    /// with the visitor (the contract of [`name_keys`]), then compared name by name in the
    /// domain.
    pub fn matching(&self, campus: Id, visitor: &Person) -> Vec<(Id, Candidate)> {
        let keys = name_keys(&visitor.given, &visitor.family);
        let by_name = [
            (&self.by_family_key, &keys.family_key),
            (&self.by_family_key, &keys.given_key),
            (&self.by_given_key, &keys.given_key),
            (&self.by_given_key, &keys.family_key),
        ];
        let by_birth = visitor
            .birth_date
            .and_then(|born| self.by_birth_date.get(&born));
        let mut found: Vec<usize> = by_name
            .iter()
            .filter_map(|(index, key)| index.get(key.as_str()))
            .chain(by_birth)
            .flatten()
            .copied()
            .collect();
        found.sort_unstable();
        found.dedup();
        let campus = campus.to_string();
        let mut out: Vec<(Id, Candidate)> = found
            .into_iter()
            .map(|n| &self.bans[n])
            .filter(|b| b.district_wide || b.campus_id == campus)
            .filter_map(|b| Some((b.id, compare(visitor, &b.banned)?)))
            .collect();
        // Equally strong candidates by id, whatever order the bans were read or updated in.
        out.sort_by_key(|c| (std::cmp::Reverse(c.1.strength), c.0));
        out
    }
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct VisitorRow {
    pub id: String,
    pub district_id: String,
    pub campus_id: String,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: String,
    pub id_type: String,
    pub id_last_four: String,
    pub purpose: String,
    pub host: String,
    pub badge: Option<String>,
    pub escort: Option<String>,
    pub time_in: i64,
    pub time_out: Option<i64>,
    pub incident_id: Option<String>,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const VISITOR_COLUMNS: &str = "id, district_id, campus_id, given_name, family_name, birth_date, \
     id_type, id_last_four, purpose, host, badge, escort, time_in, time_out, incident_id, \
     created_by, created_at, updated_at";

/// The key of a person signed in and not out: one open visit per person and campus.
pub fn open_person(given: &str, family: &str, birth_date: &str) -> String {
    format!(
        "{}|{}|{birth_date}",
        given.trim().to_lowercase(),
        family.trim().to_lowercase()
    )
}

/// The open visit of a person on a campus, if they are signed in and not out.
pub async fn open_visit<'c>(
    conn: impl Into<Conn<'c>>,
    campus: Id,
    person: &str,
) -> StoreResult<Option<VisitorRow>> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "SELECT {VISITOR_COLUMNS} FROM visitors WHERE campus_id = $1 AND open_person = $2 AND time_out IS NULL"
    );
    Ok(fetch_optional!(
        &mut c,
        VisitorRow,
        &sql,
        campus.to_string(),
        person.to_string()
    )?)
}

/// What a second open visit of the same person is refused with.
pub const ALREADY_SIGNED_IN: &str = "this person is already signed in on this campus";

/// A sign-in's insert, to run now or with its write's release (see [`crate::Tx::defer`]). A
/// second open visit of the same person breaks a unique key, however close together the two
/// come.
pub fn insert_visitor_statement(v: &VisitorRow) -> Statement {
    let open = v
        .time_out
        .is_none()
        .then(|| open_person(&v.given_name, &v.family_name, &v.birth_date));
    Statement::new(
        format!(
            "INSERT INTO visitors ({VISITOR_COLUMNS}, open_person) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
             $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
        ),
        vec![
            Value::from(v.id.as_str()),
            Value::from(v.district_id.as_str()),
            Value::from(v.campus_id.as_str()),
            Value::from(v.given_name.as_str()),
            Value::from(v.family_name.as_str()),
            Value::from(v.birth_date.as_str()),
            Value::from(v.id_type.as_str()),
            Value::from(v.id_last_four.as_str()),
            Value::from(v.purpose.as_str()),
            Value::from(v.host.as_str()),
            Value::from(v.badge.clone()),
            Value::from(v.escort.clone()),
            Value::from(v.time_in),
            Value::from(v.time_out),
            Value::from(v.incident_id.clone()),
            Value::from(v.created_by.as_str()),
            Value::from(v.created_at),
            Value::from(v.updated_at),
            Value::from(open),
        ],
    )
}

/// Signs a visitor in now. A person already signed in (and not out) on the campus is refused,
/// however close together the two sign-ins come.
pub async fn insert_visitor<'c>(conn: impl Into<Conn<'c>>, v: &VisitorRow) -> StoreResult<()> {
    insert_visitor_statement(v)
        .execute(conn)
        .await
        .map_err(|e| e.or_conflict(ALREADY_SIGNED_IN))?;
    Ok(())
}

pub async fn visitor<'c>(conn: impl Into<Conn<'c>>, id: Id) -> StoreResult<Option<VisitorRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("SELECT {VISITOR_COLUMNS} FROM visitors WHERE id = $1");
    Ok(fetch_optional!(&mut c, VisitorRow, &sql, id.to_string())?)
}

/// A sign-in with the ban matches it raised (strongest first), each with its ban.
#[derive(Debug, Clone)]
pub struct VisitorListed {
    pub visitor: VisitorRow,
    pub matches: Vec<(MatchRow, BanRow)>,
}

/// One sign-in of a list page, and whether it raised any ban match: the page's statement
/// asks only that, so a page whose sign-ins matched no one (nearly every page) is read in
/// one statement of narrow rows.
#[derive(sqlx::FromRow)]
struct VisitorOfPage {
    #[sqlx(flatten)]
    visitor: VisitorRow,
    matched: bool,
}

/// A campus's sign-ins since an instant, newest first, each with its matches (strongest
/// first) and their bans; with `name`, only those whose name holds it (any case).
///
/// One statement reads the page, and a second the matches of the sign-ins that have any,
/// only when some do. Measured on PostgreSQL (pgbench, kept plans, a page of 51), the page
/// with its matches and bans joined in one statement ran at 5,273 a second, the page with a
/// "has matches" flag at 7,899: the join's rows are 855 bytes wide, most of it empty, and
/// are sorted again after it.
pub async fn visitors_since<'c>(
    conn: impl Into<Conn<'c>>,
    campus: Id,
    since: i64,
    name: &str,
    page: Page,
) -> StoreResult<Vec<VisitorListed>> {
    let mut c: Conn = conn.into();
    let after = after_cursor(
        &page,
        "$4",
        "visitors",
        "",
        &["time_in", "id"],
        Order::Descending,
        "campus_id = $1",
    );
    let typed = name.trim().to_lowercase();
    let holds = crate::paging::holds_typed(c.engine(), "given_name || ' ' || family_name", "$5");
    // The flag is asked of the page's sign-ins only, after its LIMIT.
    let sql = format!(
        "SELECT v.*, EXISTS (SELECT 1 FROM ban_matches m WHERE m.visitor_id = v.id) AS matched \
         FROM (SELECT {VISITOR_COLUMNS} FROM visitors WHERE campus_id = $1 AND time_in >= $2 AND {after} \
               AND ($5 = '' OR {holds}) \
               ORDER BY time_in DESC, id DESC LIMIT $3) v \
         ORDER BY v.time_in DESC, v.id DESC"
    );
    let rows = fetch_all!(
        &mut c,
        VisitorOfPage,
        &sql,
        campus.to_string(),
        since,
        page.limit,
        page.cursor(),
        typed
    )?;
    let matched: Vec<String> = rows
        .iter()
        .filter(|row| row.matched)
        .map(|row| row.visitor.id.clone())
        .collect();
    let mut matches_of: HashMap<String, Vec<(MatchRow, BanRow)>> = HashMap::new();
    for (m, ban) in matches_with_bans(&mut c, &matched).await? {
        matches_of
            .entry(m.visitor_id.clone())
            .or_default()
            .push((m, ban));
    }
    Ok(rows
        .into_iter()
        .map(|row| VisitorListed {
            matches: matches_of.remove(&row.visitor.id).unwrap_or_default(),
            visitor: row.visitor,
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct Counted {
    n: i64,
}

/// The most open visits [`signed_in_now`] counts: past it the answer is "this many or
/// more", so the count costs the same however many sign-ins were never signed out.
pub const OPEN_VISITS_COUNTED: i64 = 1000;

/// How many visitors are signed in on a campus now (not signed out), up to
/// [`OPEN_VISITS_COUNTED`]: the open visits, which carry their person's key until sign-out
/// (read from that index, not the year's sign-ins).
pub async fn signed_in_now<'c>(conn: impl Into<Conn<'c>>, campus: Id) -> StoreResult<i64> {
    let mut c: Conn = conn.into();
    let row = fetch_optional!(
        &mut c,
        Counted,
        "SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM visitors WHERE campus_id = $1 \
         AND open_person IS NOT NULL AND time_out IS NULL LIMIT $2) open_visits",
        campus.to_string(),
        OPEN_VISITS_COUNTED
    )?;
    Ok(row.map_or(0, |r| r.n))
}

pub async fn sign_out<'c>(conn: impl Into<Conn<'c>>, id: Id, at: i64) -> StoreResult<u64> {
    let mut c: Conn = conn.into();
    Ok(execute!(
        &mut c,
        "UPDATE visitors SET time_out = $1, updated_at = $1, open_person = NULL WHERE id = $2 AND time_out IS NULL",
        at,
        id.to_string()
    )?)
}

pub async fn link_visitor_incident<'c>(
    conn: impl Into<Conn<'c>>,
    visitor: Id,
    incident: Id,
    at: i64,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "UPDATE visitors SET incident_id = $1, updated_at = $2 WHERE id = $3",
        incident.to_string(),
        at,
        visitor.to_string()
    )?;
    Ok(())
}

/// Removes sign-ins older than the retention cut-off, except those linked to an incident,
/// with their ban matches. Yields how many sign-ins went.
pub async fn purge_visitors<'c>(conn: impl Into<Conn<'c>>, before: i64) -> StoreResult<u64> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "DELETE FROM ban_matches WHERE visitor_id IN \
         (SELECT id FROM visitors WHERE time_in < $1 AND incident_id IS NULL)",
        before
    )?;
    Ok(execute!(
        &mut c,
        "DELETE FROM visitors WHERE time_in < $1 AND incident_id IS NULL",
        before
    )?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct MatchRow {
    pub id: String,
    pub visitor_id: String,
    pub ban_id: String,
    pub reasons: String,
    pub strength: i64,
    pub decision: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
}

const MATCH_COLUMNS: &str =
    "id, visitor_id, ban_id, reasons, strength, decision, decided_by, decided_at";

/// A ban match's insert, to run now or with its write's release (after its sign-in's).
pub fn insert_match_statement(m: &MatchRow) -> Statement {
    Statement::new(
        format!(
            "INSERT INTO ban_matches ({MATCH_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        ),
        vec![
            Value::from(m.id.as_str()),
            Value::from(m.visitor_id.as_str()),
            Value::from(m.ban_id.as_str()),
            Value::from(m.reasons.as_str()),
            Value::from(m.strength),
            Value::from(m.decision.as_str()),
            Value::from(m.decided_by.clone()),
            Value::from(m.decided_at),
        ],
    )
}

pub async fn insert_match<'c>(conn: impl Into<Conn<'c>>, m: &MatchRow) -> StoreResult<()> {
    insert_match_statement(m).execute(conn).await?;
    Ok(())
}

/// A ban match read with its ban: the match's columns carry an `m_` prefix, so the ban's
/// keep their own names.
#[derive(sqlx::FromRow)]
struct MatchWithBan {
    m_id: String,
    m_visitor_id: String,
    m_ban_id: String,
    m_reasons: String,
    m_strength: i64,
    m_decision: String,
    m_decided_by: Option<String>,
    m_decided_at: Option<i64>,
    #[sqlx(flatten)]
    ban: BanRow,
}

/// The ban matches these sign-ins raised, each with its ban, in one statement: strongest
/// first, then by id, the order a sign-in shows them in. A match whose ban is not there is
/// left out, as a ban that is not there cannot be shown.
pub async fn matches_with_bans<'c>(
    conn: impl Into<Conn<'c>>,
    visitors: &[String],
) -> StoreResult<Vec<(MatchRow, BanRow)>> {
    if visitors.is_empty() {
        return Ok(Vec::new());
    }
    let mut c: Conn = conn.into();
    // Padded, so that few texts are kept prepared (a page's matched sign-ins number 1 to 51).
    let ids = crate::key_lookups::padded(visitors.to_vec());
    let sql = format!(
        "SELECT m.id AS m_id, m.visitor_id AS m_visitor_id, m.ban_id AS m_ban_id, \
           m.reasons AS m_reasons, m.strength AS m_strength, m.decision AS m_decision, \
           m.decided_by AS m_decided_by, m.decided_at AS m_decided_at, b.* \
         FROM ban_matches m JOIN bans b ON b.id = m.ban_id \
         WHERE m.visitor_id IN ({}) ORDER BY m.strength DESC, m.id",
        crate::conn::numbered(1, ids.len())
    );
    let rows: Vec<MatchWithBan> = crate::conn::fetch_bound(&mut c, &sql, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let m = MatchRow {
                id: row.m_id,
                visitor_id: row.m_visitor_id,
                ban_id: row.m_ban_id,
                reasons: row.m_reasons,
                strength: row.m_strength,
                decision: row.m_decision,
                decided_by: row.m_decided_by,
                decided_at: row.m_decided_at,
            };
            (m, row.ban)
        })
        .collect())
}

pub async fn get_match<'c>(conn: impl Into<Conn<'c>>, id: Id) -> StoreResult<Option<MatchRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("SELECT {MATCH_COLUMNS} FROM ban_matches WHERE id = $1");
    Ok(fetch_optional!(&mut c, MatchRow, &sql, id.to_string())?)
}

/// Decides a pending match; yields 0 when it was already decided (a second tap).
pub async fn decide_match<'c>(
    conn: impl Into<Conn<'c>>,
    id: Id,
    decision: &str,
    by: Id,
    at: i64,
) -> StoreResult<u64> {
    let mut c: Conn = conn.into();
    Ok(execute!(
        &mut c,
        "UPDATE ban_matches SET decision = $1, decided_by = $2, decided_at = $3 WHERE id = $4 AND decision = 'pending'",
        decision.to_string(),
        by.to_string(),
        at,
        id.to_string()
    )?)
}
