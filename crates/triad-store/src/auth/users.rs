//! Accounts and the roles they hold: users, grants, and everything the access policy needs
//! about one (their grants, assignments and partnerships), and the people a picker offers.

use crate::conn::{fetch_bound, numbered};
use crate::paging::{after_cursor, Order, Page};
use crate::{execute, fetch_all, fetch_optional, fetch_scalar, Conn, StoreError, StoreResult};
use triad_domain::auth::{Actor, Assignment, Grant, Partnership, Role, Scope};
use triad_domain::{Id, Timestamp};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub person_id: Option<String>,
    pub display_name: String,
    pub password_hash: String,
    pub disabled: bool,
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    pub created_at: i64,
}

impl UserRow {
    pub fn user_id(&self) -> Id {
        Id::parse(&self.id).unwrap_or_else(|| Id::from_parts("unparseable", 0))
    }
}

const USER_COLUMNS: &str = "id, username, person_id, display_name, password_hash, disabled, \
                            totp_secret, totp_enabled, created_at";

/// An account's columns under a table alias, for queries that join.
fn user_columns_of(alias: &str) -> String {
    USER_COLUMNS
        .split(", ")
        .map(|col| format!("{alias}.{}", col.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub struct NewUser<'a> {
    pub id: Id,
    pub username: &'a str,
    pub display_name: &'a str,
    pub person: Option<Id>,
    pub password_hash: &'a str,
}

pub async fn insert_user<'c>(
    conn: impl Into<Conn<'c>>,
    user: &NewUser<'_>,
    now: Timestamp,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO users (id, username, person_id, display_name, password_hash, disabled, created_at) \
         VALUES ($1, $2, $3, $4, $5, FALSE, $6)",
        user.id.to_string(),
        user.username.to_string(),
        user.person.map(|p| p.to_string()),
        user.display_name.to_string(),
        user.password_hash.to_string(),
        now.millis(),
    )
    .map_err(|e| StoreError::from(e).or_conflict("that user name is taken"))?;
    Ok(())
}

pub async fn user_by_name<'c>(
    conn: impl Into<Conn<'c>>,
    username: &str,
) -> StoreResult<Option<UserRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
    Ok(fetch_optional!(
        &mut c,
        UserRow,
        &sql,
        username.to_string()
    )?)
}

pub async fn user_by_id<'c>(conn: impl Into<Conn<'c>>, id: Id) -> StoreResult<Option<UserRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
    Ok(fetch_optional!(&mut c, UserRow, &sql, id.to_string())?)
}

/// The accounts that are not disabled whose person has this email address (compared without
/// case).
pub async fn accounts_with_email<'c>(
    conn: impl Into<Conn<'c>>,
    email: &str,
) -> StoreResult<Vec<UserRow>> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users WHERE NOT disabled AND person_id IN \
         (SELECT id FROM people WHERE LOWER(email) = $1) ORDER BY username"
    );
    Ok(fetch_all!(&mut c, UserRow, &sql, email.to_lowercase())?)
}

/// Whether a disabled account's person has this email address (compared without case): a
/// sign-in through an identity provider with it makes no new account for someone disabled.
pub async fn disabled_with_email<'c>(conn: impl Into<Conn<'c>>, email: &str) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let found: i64 = fetch_scalar!(
        &mut c,
        i64,
        "SELECT COUNT(*) FROM users WHERE disabled AND person_id IN \
         (SELECT id FROM people WHERE LOWER(email) = $1)",
        email.to_lowercase()
    )?;
    Ok(found > 0)
}

/// An account that may be sent email of a kind, with its person's address.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Emailable {
    #[sqlx(flatten)]
    pub user: UserRow,
    pub email: String,
}

/// The accounts that are not disabled, whose person has an email address, and who have not
/// stopped email of `kind`.
pub async fn accounts_to_email<'c>(
    conn: impl Into<Conn<'c>>,
    kind: &str,
) -> StoreResult<Vec<Emailable>> {
    let mut c: Conn = conn.into();
    let columns = user_columns_of("u");
    let sql = format!(
        "SELECT {columns}, p.email FROM users u JOIN people p ON p.id = u.person_id \
         WHERE NOT u.disabled AND p.email IS NOT NULL AND p.email <> '' \
         AND NOT EXISTS (SELECT 1 FROM email_opt_outs o WHERE o.user_id = u.id AND o.kind = $1) \
         ORDER BY u.username"
    );
    Ok(fetch_all!(&mut c, Emailable, &sql, kind.to_string())?)
}

/// A page of the accounts, by user name.
pub async fn list_users<'c>(conn: impl Into<Conn<'c>>, page: Page) -> StoreResult<Vec<UserRow>> {
    let mut c: Conn = conn.into();
    let after = after_cursor(
        &page,
        "$2",
        "users",
        "",
        &["username", "id"],
        Order::Ascending,
        "1 = 1",
    );
    let sql =
        format!("SELECT {USER_COLUMNS} FROM users WHERE {after} ORDER BY username, id LIMIT $1");
    Ok(fetch_all!(
        &mut c,
        UserRow,
        &sql,
        page.limit,
        page.cursor()
    )?)
}

/// The SQL condition "the account `alias` was made by a sign-in through the identity provider
/// of one of the districts `list` names or by its roster, and holds no role and no password":
/// waiting for the district's leader to give it a role. (An account whose roles were all
/// ended by hand is not the leader's to find.)
fn waiting_in_districts(alias: &str, list: &str) -> String {
    format!(
        "(NOT EXISTS (SELECT 1 FROM grants w WHERE w.user_id = {alias}.id) \
         AND {alias}.password_hash = '' \
         AND (EXISTS (SELECT 1 FROM roster_people r WHERE r.user_id = {alias}.id AND r.district_id IN ({list})) \
           OR (EXISTS (SELECT 1 FROM identities i WHERE i.user_id = {alias}.id) \
             AND EXISTS (SELECT 1 FROM people p WHERE p.id = {alias}.person_id AND p.district_id IN ({list})))))"
    )
}

/// Whether an account holds no role and is of one of `districts` (see
/// [`waiting_in_districts`]): such an account is that district's leaders' to give a role.
pub async fn waiting_for_role_in<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    districts: &[Id],
) -> StoreResult<bool> {
    if districts.is_empty() {
        return Ok(false);
    }
    let mut c: Conn = conn.into();
    let list = (0..districts.len())
        .map(|i| format!("${}", i + 2))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT COUNT(*) FROM users u WHERE u.id = $1 AND {}",
        waiting_in_districts("u", &list)
    );
    let ids: Vec<String> = districts.iter().map(Id::to_string).collect();
    let found: i64 = crate::run!(&mut c, |c| {
        let mut q = sqlx::query_scalar::<_, i64>(&sql).bind(user.to_string());
        for id in &ids {
            q = q.bind(id.clone());
        }
        q.fetch_one(c).await
    })?;
    Ok(found > 0)
}

/// What the Users page looks for: words in the user name or full name, a role held, and (for
/// a district leader) people holding a role in one of their districts, or waiting for one
/// there.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub text: String,
    pub role: Option<Role>,
    /// None: every account; Some: only those holding a role in one of these districts, or
    /// holding none and of one of them.
    pub districts: Option<Vec<Id>>,
}

/// A page of the accounts a filter finds, by user name.
pub async fn search_users<'c>(
    conn: impl Into<Conn<'c>>,
    filter: &UserFilter,
    page: Page,
) -> StoreResult<Vec<UserRow>> {
    let mut c: Conn = conn.into();
    let after = after_cursor(
        &page,
        "$2",
        "users",
        "u.",
        &["username", "id"],
        Order::Ascending,
        "1 = 1",
    );
    // Typed text matches itself: % and _ are not wildcards here.
    let like = crate::paging::contains_pattern(&filter.text).unwrap_or_default();
    let districts = filter.districts.clone();
    let in_districts = match &districts {
        None => "1 = 1".to_string(),
        Some(ids) if ids.is_empty() => "1 = 0".to_string(),
        Some(ids) => {
            let list = (0..ids.len())
                .map(|i| format!("${}", i + 5))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "(EXISTS (SELECT 1 FROM grants g WHERE g.user_id = u.id AND g.district_id IN ({list})) \
                 OR {})",
                waiting_in_districts("u", &list)
            )
        }
    };
    let sql = format!(
        "SELECT {} FROM users u WHERE {after} \
         AND ($3 = '' OR LOWER(u.username) LIKE $3 ESCAPE '\\' OR LOWER(u.display_name) LIKE $3 ESCAPE '\\') \
         AND ($4 = '' OR EXISTS (SELECT 1 FROM grants r WHERE r.user_id = u.id AND r.role = $4)) \
         AND {in_districts} ORDER BY u.username, u.id LIMIT $1",
        user_columns_of("u")
    );
    let role = filter
        .role
        .map(|r| r.code().to_string())
        .unwrap_or_default();
    let ids: Vec<String> = districts
        .unwrap_or_default()
        .iter()
        .map(Id::to_string)
        .collect();
    Ok(crate::run!(&mut c, |c| {
        let mut q = sqlx::query_as::<_, UserRow>(&sql)
            .bind(page.limit)
            .bind(page.cursor())
            .bind(like.clone())
            .bind(role.clone());
        for id in &ids {
            q = q.bind(id.clone());
        }
        q.fetch_all(c).await
    })?)
}

/// How many accounts there are.
pub async fn count_users<'c>(conn: impl Into<Conn<'c>>) -> StoreResult<i64> {
    let mut c: Conn = conn.into();
    Ok(fetch_scalar!(&mut c, i64, "SELECT COUNT(*) FROM users")?)
}

pub async fn set_password<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    password_hash: &str,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    let n = execute!(
        &mut c,
        "UPDATE users SET password_hash = $1 WHERE id = $2",
        password_hash.to_string(),
        user.to_string()
    )?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Disables or re-enables an account; disabling ends every session and token at once.
pub async fn set_disabled<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    disabled: bool,
    now: Timestamp,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    let n = execute!(
        &mut c,
        "UPDATE users SET disabled = $1 WHERE id = $2",
        disabled,
        user.to_string()
    )?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    if !disabled {
        // Enabled (by hand or by the roster): the roster's note that it disabled the account
        // no longer holds, so the roster never enables one a person disables again later.
        execute!(
            &mut c,
            "UPDATE roster_people SET removed_at = NULL WHERE user_id = $1",
            user.to_string()
        )?;
    }
    if disabled {
        execute!(
            &mut c,
            "DELETE FROM sessions WHERE user_id = $1",
            user.to_string()
        )?;
        execute!(
            &mut c,
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            now.millis(),
            user.to_string()
        )?;
    }
    Ok(())
}

pub fn scope_key(scope: Scope) -> String {
    match scope {
        Scope::Instance => "instance".into(),
        Scope::Agency { agency } => format!("agency:{agency}"),
        Scope::District { district } => format!("district:{district}"),
        Scope::Campus { campus, .. } => format!("campus:{campus}"),
    }
}

pub async fn add_grant<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    grant: Grant,
    now: Timestamp,
) -> StoreResult<()> {
    insert_grant(conn, user, grant, now, false).await
}

/// Gives a role (nothing when it is held already, however it was given); `by_roster` marks
/// a role a district's roster gave, which only a later roster import ends by itself.
pub(super) async fn insert_grant<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    grant: Grant,
    now: Timestamp,
    by_roster: bool,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    let (agency, district, campus) = match grant.scope {
        Scope::Instance => (None, None, None),
        Scope::Agency { agency } => (Some(agency), None, None),
        Scope::District { district } => (None, Some(district), None),
        Scope::Campus { district, campus } => (None, Some(district), Some(campus)),
    };
    execute!(
        &mut c,
        // A role given by hand that the roster had given becomes the hand's: no later roster
        // import ends it. One the roster gives that was held already stays as it was.
        if by_roster {
            "INSERT INTO grants (id, user_id, role, scope_key, agency_id, district_id, campus_id, created_at, given_by_roster) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (user_id, role, scope_key) DO NOTHING"
        } else {
            "INSERT INTO grants (id, user_id, role, scope_key, agency_id, district_id, campus_id, created_at, given_by_roster) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (user_id, role, scope_key) \
             DO UPDATE SET given_by_roster = FALSE"
        },
        Id::new().to_string(),
        user.to_string(),
        grant.role.code(),
        scope_key(grant.scope),
        agency.map(|i| i.to_string()),
        district.map(|i| i.to_string()),
        campus.map(|i| i.to_string()),
        now.millis(),
        by_roster,
    )?;
    Ok(())
}

pub async fn remove_grant<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    grant: Grant,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let n = execute!(
        &mut c,
        "DELETE FROM grants WHERE user_id = $1 AND role = $2 AND scope_key = $3",
        user.to_string(),
        grant.role.code(),
        scope_key(grant.scope)
    )?;
    Ok(n > 0)
}

#[derive(sqlx::FromRow)]
struct GrantRow {
    role: String,
    agency_id: Option<String>,
    district_id: Option<String>,
    campus_id: Option<String>,
}

impl GrantRow {
    fn into_grant(self) -> Option<Grant> {
        let role = Role::from_code(&self.role)?;
        let id = |t: Option<String>| t.as_deref().and_then(Id::parse);
        let scope = match (id(self.agency_id), id(self.district_id), id(self.campus_id)) {
            (None, None, None) => Scope::Instance,
            (Some(agency), None, None) => Scope::Agency { agency },
            (None, Some(district), None) => Scope::District { district },
            (None, Some(district), Some(campus)) => Scope::Campus { district, campus },
            _ => return None,
        };
        Some(Grant { role, scope })
    }
}

/// The grants of each of `users`, by user id, in one statement (in [`grants_of`]'s order).
pub async fn grants_of_users<'c>(
    conn: impl Into<Conn<'c>>,
    users: &[UserRow],
) -> StoreResult<std::collections::HashMap<String, Vec<Grant>>> {
    let mut grants: std::collections::HashMap<String, Vec<Grant>> = Default::default();
    if users.is_empty() {
        return Ok(grants);
    }
    let mut c: Conn = conn.into();
    let user_ids: Vec<String> = users.iter().map(|u| u.id.clone()).collect();
    #[derive(sqlx::FromRow)]
    struct UserGrant {
        user_id: String,
        #[sqlx(flatten)]
        grant: GrantRow,
    }
    let sql = format!(
        "SELECT user_id, role, agency_id, district_id, campus_id FROM grants \
         WHERE user_id IN ({}) ORDER BY user_id, role, scope_key",
        numbered(1, user_ids.len())
    );
    let rows: Vec<UserGrant> = fetch_bound(&mut c, &sql, &user_ids).await?;
    for row in rows {
        if let Some(g) = row.grant.into_grant() {
            grants.entry(row.user_id).or_default().push(g);
        }
    }
    Ok(grants)
}

pub async fn grants_of<'c>(conn: impl Into<Conn<'c>>, user: Id) -> StoreResult<Vec<Grant>> {
    let mut c: Conn = conn.into();
    let rows = fetch_all!(
        &mut c,
        GrantRow,
        "SELECT role, agency_id, district_id, campus_id FROM grants WHERE user_id = $1 ORDER BY role, scope_key",
        user.to_string()
    )?;
    Ok(rows.into_iter().filter_map(GrantRow::into_grant).collect())
}

#[derive(sqlx::FromRow)]
struct AssignmentRow {
    agency_id: String,
    district_id: String,
    campus_id: String,
}

/// Everything the access policy needs about a user, as of a date (for assignments).
pub async fn load_actor<'c>(
    conn: impl Into<Conn<'c>>,
    user: &UserRow,
    today: &str,
) -> StoreResult<Actor> {
    let mut actors = load_actors(conn, std::slice::from_ref(user), today).await?;
    actors
        .pop()
        .ok_or_else(|| StoreError::Config("an account read just now is missing".into()))
}

/// Everything the access policy needs about each of `users` (see [`load_actor`]), in four
/// queries whatever their number (a picker asks for up to a few hundred on every keystroke):
/// their grants, their people's sworn flags, the assignments in force on `today`, and the
/// partnerships of the places their grants are held in. Yields them in the order of `users`.
pub async fn load_actors<'c>(
    conn: impl Into<Conn<'c>>,
    users: &[UserRow],
    today: &str,
) -> StoreResult<Vec<Actor>> {
    use std::collections::HashMap;
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let mut c: Conn = conn.into();
    let person_ids: Vec<String> = users.iter().filter_map(|u| u.person_id.clone()).collect();
    let mut grants = grants_of_users(&mut c, users).await?;

    #[derive(sqlx::FromRow)]
    struct Sworn {
        id: String,
        sworn: bool,
    }
    #[derive(sqlx::FromRow)]
    struct PersonAssignment {
        person_id: String,
        #[sqlx(flatten)]
        assignment: AssignmentRow,
    }
    let (mut sworn, mut assignments) = (HashMap::new(), HashMap::<String, Vec<Assignment>>::new());
    if !person_ids.is_empty() {
        let sql = format!(
            "SELECT id, sworn FROM people WHERE id IN ({})",
            numbered(1, person_ids.len())
        );
        for row in fetch_bound::<Sworn>(&mut c, &sql, &person_ids).await? {
            sworn.insert(row.id, row.sworn);
        }
        let n = person_ids.len();
        let sql = format!(
            "SELECT person_id, agency_id, district_id, campus_id FROM assignments \
             WHERE person_id IN ({}) AND starts_on <= ${} AND (ends_on IS NULL OR ends_on >= ${})",
            numbered(1, n),
            n + 1,
            n + 1
        );
        let mut args = person_ids.clone();
        args.push(today.to_string());
        for row in fetch_bound::<PersonAssignment>(&mut c, &sql, &args).await? {
            let r = row.assignment;
            if let (Some(agency), Some(district), Some(campus)) = (
                Id::parse(&r.agency_id),
                Id::parse(&r.district_id),
                Id::parse(&r.campus_id),
            ) {
                assignments
                    .entry(row.person_id)
                    .or_default()
                    .push(Assignment {
                        agency,
                        district,
                        campus,
                    });
            }
        }
    }

    // Every partnership of an agency or a district any of them holds a grant in.
    let mut places: Vec<String> = grants
        .values()
        .flatten()
        .filter_map(|g| match g.scope {
            Scope::Agency { agency } => Some(agency.to_string()),
            Scope::District { district } | Scope::Campus { district, .. } => {
                Some(district.to_string())
            }
            Scope::Instance => None,
        })
        .collect();
    places.sort();
    places.dedup();
    let partnerships: Vec<Partnership> = if places.is_empty() {
        Vec::new()
    } else {
        #[derive(sqlx::FromRow)]
        struct Pair {
            agency_id: String,
            district_id: String,
        }
        let list = numbered(1, places.len());
        let sql = format!(
            "SELECT agency_id, district_id FROM partnerships \
             WHERE agency_id IN ({list}) OR district_id IN ({list}) ORDER BY started_on, id"
        );
        fetch_bound::<Pair>(&mut c, &sql, &places)
            .await?
            .into_iter()
            .filter_map(|p| {
                Some(Partnership {
                    agency: Id::parse(&p.agency_id)?,
                    district: Id::parse(&p.district_id)?,
                })
            })
            .collect()
    };

    Ok(users
        .iter()
        .map(|user| {
            let grants = grants.remove(&user.id).unwrap_or_default();
            let person = user.person_id.as_deref().and_then(Id::parse);
            let key = user.person_id.clone().unwrap_or_default();
            // The same partnerships `load_actor` finds: those of each grant's agency or district.
            let mut own: Vec<Partnership> = Vec::new();
            for grant in &grants {
                for p in &partnerships {
                    let of_grant = match grant.scope {
                        Scope::Agency { agency } => p.agency == agency,
                        Scope::District { district } | Scope::Campus { district, .. } => {
                            p.district == district
                        }
                        Scope::Instance => false,
                    };
                    if of_grant && !own.contains(p) {
                        own.push(*p);
                    }
                }
            }
            Actor {
                user: user.user_id(),
                person,
                username: user.username.clone(),
                display_name: user.display_name.clone(),
                sworn: person.is_some() && sworn.get(&key).copied().unwrap_or(false),
                grants,
                assignments: if person.is_some() {
                    assignments.remove(&key).unwrap_or_default()
                } else {
                    Vec::new()
                },
                partnerships: own,
            }
        })
        .collect())
}

/// Active accounts that hold a role in a district or in an agency partnered with it, whose
/// name or user name contains `text` (any case), by name: the people a picker in that district
/// may offer, before the policy says which of them may act on the record at hand.
pub async fn people_near_district<'c>(
    conn: impl Into<Conn<'c>>,
    district: Id,
    text: &str,
    limit: i64,
) -> StoreResult<Vec<UserRow>> {
    let mut c: Conn = conn.into();
    let pattern = crate::paging::contains_pattern(text).unwrap_or_else(|| "%".into());
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users u WHERE u.disabled = FALSE AND u.id IN \
         (SELECT user_id FROM grants WHERE district_id = $1 \
          UNION SELECT g.user_id FROM grants g JOIN partnerships p ON p.agency_id = g.agency_id \
          WHERE p.district_id = $1) \
         AND (LOWER(u.display_name) LIKE $2 ESCAPE '\\' OR LOWER(u.username) LIKE $2 ESCAPE '\\') \
         ORDER BY u.display_name, u.id LIMIT $3"
    );
    Ok(fetch_all!(
        &mut c,
        UserRow,
        &sql,
        district.to_string(),
        pattern,
        limit
    )?)
}

#[derive(sqlx::FromRow)]
struct RoleHolderRow {
    id: String,
    display_name: String,
}

/// Active users holding a role in a scope (`campus:ID`, `district:ID`, …), by name.
pub async fn holders_of<'c>(
    conn: impl Into<Conn<'c>>,
    role: Role,
    scope_key: &str,
) -> StoreResult<Vec<(String, String)>> {
    let mut c: Conn = conn.into();
    let rows = fetch_all!(
        &mut c,
        RoleHolderRow,
        "SELECT u.id, u.display_name FROM grants g JOIN users u ON u.id = g.user_id \
         WHERE g.role = $1 AND g.scope_key = $2 AND u.disabled = FALSE ORDER BY u.display_name",
        role.code(),
        scope_key.to_string()
    )?;
    Ok(rows.into_iter().map(|h| (h.id, h.display_name)).collect())
}
