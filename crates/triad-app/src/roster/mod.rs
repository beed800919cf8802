//! Roster import: a district's OneRoster bundle made into its accounts, so district IT does
//! not create and disable forty campuses of accounts by hand.
//!
//! Schools become campuses (by the roster's id once matched; the first time by name, or by a
//! mapping the importer gives). Teachers and aides become staff on their schools, school
//! administrators campus administrators of theirs; a district-level administrator gets an
//! account with no role (a district leader grants it); a person in several schools gets the
//! role on each. Students, parents and guardians are never imported: they are counted as they
//! are read and nothing of them is kept. A person who leaves the roster (missing from the
//! next full bundle, or marked `tobedeleted`) is disabled, never deleted, so their records
//! keep their name. Only accounts the roster made are the roster's to change, and only roles
//! the roster gave are the roster's to end: an existing account is never taken over because a
//! roster row carries its user name or address.

pub mod bundle;

use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use bundle::{Mode, OrgKind, PassedOver, Roster, RosterPerson, RosterRole};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap, HashSet};
use triad_domain::audit::Outcome;
use triad_domain::auth::{Grant, Role, Scope};
use triad_domain::{Id, Invalid};
use triad_store::auth::roster::{self as store, NewRosterAccount, RosterChanges, RosterUpdate};
use triad_store::auth::ChangedBy;
use triad_store::org::{self, Campus, District};
use triad_store::Db;

/// What an importer asks: the district, schools to match by hand, and whether to only look.
#[derive(Debug, Clone, Default)]
pub struct RosterRequest {
    pub district: Id,
    /// `sourcedId=campus` (a campus's id or name, or `none` for a school not on Triad).
    pub mappings: Vec<String>,
    pub dry_run: bool,
    /// The importer confirms that as many people left as the bundle says (see
    /// [`too_many_leave`]).
    pub confirm_leavers: bool,
}

/// How a school of the roster was matched to a campus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    /// By the roster's id, matched at an earlier import.
    Before,
    /// By the campus's name.
    Name,
    /// By the mapping the importer gave.
    Mapping,
    /// Not matched: the school's people get no role from it.
    NotOnTriad,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SchoolMatch {
    pub source_id: String,
    pub name: String,
    pub campus_id: Option<String>,
    pub campus_name: Option<String>,
    pub matched_by: MatchedBy,
}

/// A person of the report: who, and what happens to them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PersonLine {
    /// The line of `users.csv` (0 for a person missing from the bundle).
    pub line: u64,
    pub source_id: String,
    pub username: String,
    pub name: String,
    /// What is done, in words ("Staff at Lincoln Elementary", "new address").
    pub what: Vec<String>,
}

/// What an import did (or, for a dry run, would do).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RosterReport {
    pub district_id: String,
    pub district_name: String,
    /// False for a dry run: nothing was written.
    pub applied: bool,
    pub mode: Mode,
    pub schools: Vec<SchoolMatch>,
    pub created: Vec<PersonLine>,
    pub changed: Vec<PersonLine>,
    pub disabled: Vec<PersonLine>,
    /// People of the roster whose accounts already match it.
    pub unchanged: usize,
    /// Accounts of the roster's people left as they are: given a role the roster does not
    /// give, they are changed by hand only.
    pub left_alone: Vec<PersonLine>,
    /// Adults not imported, with why (none of their schools is on Triad; marked to be
    /// deleted before they ever had an account).
    pub not_imported: Vec<PersonLine>,
    pub passed_over: PassedOver,
}

/// Whether the actor imports rosters for the district: a system administrator any, a district
/// leader their own. A refusal is on the audit trail; a district out of reach is not found.
pub async fn may_import(ctx: &Ctx, district: Id) -> AppResult<District> {
    let found = org::district(&mut ctx.app.db.acquire().await?, district).await?;
    let staff_here = Grant {
        role: Role::Staff,
        scope: Scope::District { district },
    };
    match found {
        Some(d) if triad_domain::auth::may_manage(&ctx.actor, staff_here) => Ok(d),
        _ => {
            triad_store::audit::record(
                &ctx.app.db,
                ctx.event("access.roster", Outcome::Denied)
                    .record("district", district),
                ctx.now,
            )
            .await?;
            Err(AppError::NotFound)
        }
    }
}

/// The districts whose rosters the actor imports.
pub async fn importable_districts(ctx: &Ctx) -> AppResult<Vec<District>> {
    let all = org::districts(&mut ctx.app.db.acquire().await?).await?;
    if ctx.actor.has_role(Role::SystemAdmin) {
        return Ok(all);
    }
    let led = triad_domain::auth::districts_led(&ctx.actor);
    Ok(all
        .into_iter()
        .filter(|d| Id::parse(&d.id).is_some_and(|id| led.contains(&id)))
        .collect())
}

/// Imports (or, with `dry_run`, only plans) a roster as the signed-in actor.
pub async fn import_as(
    ctx: &Ctx,
    roster: &Roster,
    request: &RosterRequest,
) -> AppResult<RosterReport> {
    may_import(ctx, request.district).await?;
    import(&ctx.app.db, roster, request, &ctx.by()).await
}

/// Imports (or plans) a roster for a district. The operator's command line calls it directly.
pub async fn import(
    db: &Db,
    roster: &Roster,
    request: &RosterRequest,
    by: &ChangedBy,
) -> AppResult<RosterReport> {
    let district = org::district(&mut db.acquire().await?, request.district)
        .await?
        .ok_or_else(|| AppError::Invalid(Invalid::one("district", "there is no such district")))?;
    let mut conn = db.acquire().await?;
    let campuses = org::campuses_of(&mut conn, request.district).await?;
    let state = store::state(&mut conn, request.district).await?;
    let taken: HashSet<String> = store::usernames(&mut conn).await?.into_iter().collect();
    drop(conn);
    let schools = match_schools(roster, &campuses, &state, &request.mappings)?;
    let (report, changes) = plan(roster, &district, request.district, &schools, &state, taken);
    let on_roster = state.people.iter().filter(|a| !a.disabled).count();
    if !request.dry_run
        && !request.confirm_leavers
        && too_many_leave(report.disabled.len(), on_roster)
    {
        return Err(AppError::Invalid(Invalid::one(
            "confirm_leavers",
            format!(
                "this bundle would disable {} of the {on_roster} accounts on the roster (a \
                 truncated or filtered export looks like this): nothing was changed. If that \
                 many people left, import it again confirming it",
                report.disabled.len()
            ),
        )));
    }
    if !request.dry_run {
        let summary = serde_json::json!({
            "mode": report.mode,
            "created": report.created.len(), "changed": report.changed.len(),
            "disabled": report.disabled.len(), "unchanged": report.unchanged,
            "not_imported": report.not_imported.len(), "left_alone": report.left_alone.len(),
            "passed_over": report.passed_over,
            "schools_matched": changes.schools.iter()
                .map(|(source, campus)| serde_json::json!({"school": source, "campus": campus}))
                .collect::<Vec<_>>(),
        });
        store::apply(db, request.district, &changes, &summary, by).await?;
    }
    Ok(RosterReport {
        applied: !request.dry_run,
        ..report
    })
}

/// Whether a bundle disables so many of the roster's accounts that the importer must say it
/// is right: five or more, and more than half of those on the roster.
pub fn too_many_leave(leaving: usize, on_roster: usize) -> bool {
    leaving >= 5 && leaving * 2 > on_roster
}

/// Each school of the roster and the campus it is: the importer's mapping first, then an
/// earlier import's match, then a campus of the same name.
fn match_schools(
    roster: &Roster,
    campuses: &[Campus],
    state: &store::RosterState,
    mappings: &[String],
) -> AppResult<Vec<(SchoolMatch, Option<Id>)>> {
    let schools: Vec<&bundle::Org> = roster
        .orgs
        .iter()
        .filter(|o| o.kind == OrgKind::School)
        .collect();
    let mut given: HashMap<String, Option<&Campus>> = HashMap::new();
    let mut invalid = Invalid::default();
    for mapping in mappings.iter().map(|m| m.trim()).filter(|m| !m.is_empty()) {
        let Some((source, campus)) = mapping.split_once('=') else {
            invalid.push("mapping", format!("'{mapping}' is not sourcedId=campus"));
            continue;
        };
        let (source, campus) = (source.trim(), campus.trim());
        if !schools.iter().any(|s| s.source_id == source) {
            invalid.push(
                "mapping",
                format!("{source} is not a school of this bundle"),
            );
            continue;
        }
        if campus.eq_ignore_ascii_case("none") {
            given.insert(source.to_string(), None);
            continue;
        }
        let found: Vec<&Campus> = campuses
            .iter()
            .filter(|c| c.id == campus || c.name.trim().eq_ignore_ascii_case(campus))
            .collect();
        match found.as_slice() {
            [one] => {
                given.insert(source.to_string(), Some(*one));
            }
            [] => invalid.push(
                "mapping",
                format!("the district has no campus '{campus}' (for school {source})"),
            ),
            _ => invalid.push(
                "mapping",
                format!("more than one campus is named '{campus}': give the campus's id"),
            ),
        }
    }
    invalid.into_result()?;
    let before: HashMap<&str, &str> = state
        .schools
        .iter()
        .map(|s| (s.source_id.as_str(), s.campus_id.as_str()))
        .collect();
    let by_id = |id: &str| campuses.iter().find(|c| c.id == id);
    Ok(schools
        .into_iter()
        .map(|school| {
            let named: Vec<&Campus> = campuses
                .iter()
                .filter(|c| c.name.trim().eq_ignore_ascii_case(school.name.trim()))
                .collect();
            let (campus, matched_by) = if let Some(mapped) = given.get(&school.source_id) {
                match mapped {
                    Some(c) if before.get(school.source_id.as_str()) == Some(&c.id.as_str()) => {
                        (Some(*c), MatchedBy::Before)
                    }
                    Some(c) => (Some(*c), MatchedBy::Mapping),
                    None => (None, MatchedBy::NotOnTriad),
                }
            } else if let Some(c) = before
                .get(school.source_id.as_str())
                .and_then(|id| by_id(id))
            {
                (Some(c), MatchedBy::Before)
            } else if let [one] = named.as_slice() {
                (Some(*one), MatchedBy::Name)
            } else {
                (None, MatchedBy::NotOnTriad)
            };
            (
                SchoolMatch {
                    source_id: school.source_id.clone(),
                    name: school.name.clone(),
                    campus_id: campus.map(|c| c.id.clone()),
                    campus_name: campus.map(|c| c.name.clone()),
                    matched_by,
                },
                campus.map(Campus::campus_id),
            )
        })
        .collect())
}

/// The report and the changes that make the district's accounts what the roster says.
fn plan(
    roster: &Roster,
    district: &District,
    district_id: Id,
    schools: &[(SchoolMatch, Option<Id>)],
    state: &store::RosterState,
    mut taken: HashSet<String>,
) -> (RosterReport, RosterChanges) {
    let campus_of: HashMap<&str, (Id, &str)> = schools
        .iter()
        .filter_map(|(m, id)| Some((m.source_id.as_str(), ((*id)?, m.campus_name.as_deref()?))))
        .collect();
    let district_orgs: HashSet<&str> = roster
        .orgs
        .iter()
        .filter(|o| o.kind == OrgKind::District)
        .map(|o| o.source_id.as_str())
        .collect();
    let campus_names: HashMap<Id, &str> = campus_of.values().map(|(id, n)| (*id, *n)).collect();
    let describe = |g: &Grant| match g.scope {
        Scope::Campus { campus, .. } => format!(
            "{} at {}",
            g.role.label(),
            campus_names
                .get(&campus)
                .copied()
                .unwrap_or("a campus no longer in the roster")
        ),
        _ => g.role.label().to_string(),
    };
    let accounts: HashMap<&str, &store::RosterAccount> = state
        .people
        .iter()
        .map(|a| (a.source_id.as_str(), a))
        .collect();
    // Each account's roles the roster gives (held however they were given), those the
    // roster gave, and the accounts holding any other role: out of the roster's reach.
    let mut held: HashMap<&str, BTreeSet<(String, String)>> = HashMap::new();
    let mut given: HashMap<&str, BTreeSet<(String, String)>> = HashMap::new();
    let mut out_of_reach: HashSet<&str> = HashSet::new();
    let district_text = district_id.to_string();
    for g in &state.grants {
        let rosters_kind = matches!(
            Role::from_code(&g.role),
            Some(Role::Staff | Role::CampusAdmin)
        ) && g.district_id.as_deref() == Some(district_text.as_str());
        let Some(campus) = g.campus_id.clone().filter(|_| rosters_kind) else {
            out_of_reach.insert(g.user_id.as_str());
            continue;
        };
        let key = (g.role.clone(), campus);
        if g.given_by_roster {
            given
                .entry(g.user_id.as_str())
                .or_default()
                .insert(key.clone());
        }
        held.entry(g.user_id.as_str()).or_default().insert(key);
    }
    let mut report = RosterReport {
        district_id: district.id.clone(),
        district_name: district.name.clone(),
        applied: false,
        mode: roster.mode,
        schools: schools.iter().map(|(m, _)| m.clone()).collect(),
        created: Vec::new(),
        changed: Vec::new(),
        disabled: Vec::new(),
        unchanged: 0,
        left_alone: Vec::new(),
        not_imported: Vec::new(),
        passed_over: roster.passed_over,
    };
    let mut changes = RosterChanges {
        schools: schools
            .iter()
            .filter(|(m, _)| matches!(m.matched_by, MatchedBy::Name | MatchedBy::Mapping))
            .filter_map(|(m, id)| Some((m.source_id.clone(), (*id)?)))
            .collect(),
        ..RosterChanges::default()
    };
    let line = |p: &RosterPerson, username: &str, what: Vec<String>| PersonLine {
        line: p.line,
        source_id: p.source_id.clone(),
        username: username.to_string(),
        name: p.name.clone(),
        what,
    };
    for person in &roster.people {
        let role = match person.role {
            RosterRole::Teacher | RosterRole::Aide => Role::Staff,
            RosterRole::Administrator => Role::CampusAdmin,
        };
        let mut wanted: Vec<Grant> = person
            .orgs
            .iter()
            .filter_map(|o| campus_of.get(o.as_str()))
            .map(|(campus, _)| store::campus_grant(role, district_id, *campus))
            .collect();
        // Two schools of the roster may be one campus: one role there.
        let mut once: Vec<Grant> = Vec::new();
        wanted.retain(|g| {
            let first = !once.contains(g);
            once.push(*g);
            first
        });
        let district_admin = person.role == RosterRole::Administrator
            && person
                .orgs
                .iter()
                .any(|o| district_orgs.contains(o.as_str()));
        match accounts.get(person.source_id.as_str()) {
            None if !person.active => report.not_imported.push(line(
                person,
                "",
                vec!["marked to be deleted or not enabled, and never had an account".into()],
            )),
            None if wanted.is_empty() && !district_admin => report.not_imported.push(line(
                person,
                "",
                vec!["none of their schools is a campus on Triad".into()],
            )),
            None => {
                let username = free_username(person, &mut taken);
                let mut what: Vec<String> = wanted.iter().map(describe).collect();
                if what.is_empty() {
                    what.push("no role yet: a district leader grants it".into());
                }
                report.created.push(line(person, &username, what));
                changes.create.push(NewRosterAccount {
                    source_id: person.source_id.clone(),
                    username,
                    name: person.name.clone(),
                    email: person.email.clone(),
                    grants: wanted,
                });
            }
            // An account given a role the roster does not give (a district leader's, an
            // agency's, the instance's) is no longer the roster's: a roster could otherwise
            // disable it, or give it an address to reset its password at.
            Some(account) if out_of_reach.contains(account.user_id.as_str()) => {
                report.left_alone.push(line(
                    person,
                    &account.username,
                    vec!["holds roles the roster does not give: change the account by hand".into()],
                ));
            }
            Some(account) => {
                let user = Id::parse(&account.user_id);
                if !person.active {
                    if !account.disabled {
                        report.disabled.push(line(
                            person,
                            &account.username,
                            vec!["marked to be deleted or not enabled in the roster".into()],
                        ));
                        changes.disable.extend(user);
                    } else {
                        report.unchanged += 1;
                    }
                    continue;
                }
                let held = held
                    .get(account.user_id.as_str())
                    .cloned()
                    .unwrap_or_default();
                let given = given
                    .get(account.user_id.as_str())
                    .cloned()
                    .unwrap_or_default();
                let wanted_keys: BTreeSet<(String, String)> = wanted
                    .iter()
                    .filter_map(|g| match g.scope {
                        Scope::Campus { campus, .. } => {
                            Some((g.role.code().to_string(), campus.to_string()))
                        }
                        _ => None,
                    })
                    .collect();
                let mut update = RosterUpdate {
                    user,
                    ..RosterUpdate::default()
                };
                let mut what = Vec::new();
                if account.display_name != person.name {
                    what.push(format!("name was {}", account.display_name));
                    update.name = Some(person.name.clone());
                }
                // A person who set a password keeps the address they reset it at.
                if !account.has_password
                    && account.email.as_deref().filter(|e| !e.is_empty()) != person.email.as_deref()
                {
                    what.push("new email address".into());
                    update.email = Some(person.email.clone());
                }
                if account.disabled && account.removed_at.is_some() {
                    what.push("back on the roster: enabled again".into());
                    update.enable = true;
                }
                for g in &wanted {
                    if let Scope::Campus { campus, .. } = g.scope {
                        if !held.contains(&(g.role.code().to_string(), campus.to_string())) {
                            what.push(format!("now {}", describe(g)));
                            update.add.push(*g);
                        }
                    }
                }
                for (role, campus) in given.difference(&wanted_keys) {
                    let (Some(role), Some(campus)) = (Role::from_code(role), Id::parse(campus))
                    else {
                        continue;
                    };
                    let g = store::campus_grant(role, district_id, campus);
                    what.push(format!("no longer {}", describe(&g)));
                    update.end.push(g);
                }
                if what.is_empty() {
                    report.unchanged += 1;
                } else {
                    report.changed.push(line(person, &account.username, what));
                    changes.update.push(update);
                }
            }
        }
    }
    // Who leaves without a row of their own: in a full bundle, everyone not listed; in any
    // bundle, the departures given by id alone.
    let listed: HashSet<&str> = roster.people.iter().map(|p| p.source_id.as_str()).collect();
    for account in &state.people {
        let given_by_id = roster
            .departed
            .contains(&bundle::departure_key(&account.source_id));
        let missing = roster.mode == Mode::Bulk && !listed.contains(account.source_id.as_str());
        if !(given_by_id || missing)
            || account.disabled
            || out_of_reach.contains(account.user_id.as_str())
        {
            continue;
        }
        let why = if given_by_id {
            "marked to be deleted in the roster"
        } else {
            "no longer in the roster"
        };
        report.disabled.push(PersonLine {
            line: 0,
            source_id: account.source_id.clone(),
            username: account.username.clone(),
            name: account.display_name.clone(),
            what: vec![why.into()],
        });
        changes.disable.extend(Id::parse(&account.user_id));
    }
    (report, changes)
}

/// A user name nobody has: the roster's own, else the address's local part, else one made
/// from the roster id; with -2, -3… when taken (never by taking over an existing account).
fn free_username(person: &RosterPerson, taken: &mut HashSet<String>) -> String {
    let wanted = [
        person.username.clone(),
        person.email.clone().unwrap_or_default(),
        format!("staff.{}", person.source_id),
    ];
    let name = triad_domain::auth::free_username(&wanted, &|name| taken.contains(name));
    taken.insert(name.clone());
    name
}
