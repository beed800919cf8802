//! Who people are to Triad: roles, the scope a role is held in, passwords and the rules that
//! protect accounts (lockout, session lifetimes).

use crate::org::text_enum;
use crate::{Id, Invalid, Timestamp};
use serde::{Deserialize, Serialize};

text_enum! {
    /// The roles of the partnership (PRODUCT.md "Who uses it"). A person may hold several.
    Role {
        Sro => "sro" / "School Resource Officer",
        Sso => "sso" / "School Safety Officer",
        CampusAdmin => "campus_admin" / "Campus administrator",
        Staff => "staff" / "Staff",
        LeSupervisor => "le_supervisor" / "Law-enforcement supervisor",
        DistrictLeader => "district_leader" / "District leader",
        Evaluator => "evaluator" / "Evaluator",
        SystemAdmin => "system_admin" / "System administrator",
    }
}

impl Role {
    /// Roles held by sworn officers or with authority over records: the instance policy can
    /// require a second factor for them.
    pub fn needs_strong_auth(self) -> bool {
        matches!(
            self,
            Role::Sro
                | Role::LeSupervisor
                | Role::CampusAdmin
                | Role::DistrictLeader
                | Role::SystemAdmin
        )
    }

    /// The kind of scope a grant of this role is held in.
    pub fn scope_kind(self) -> ScopeKind {
        match self {
            Role::Sro | Role::LeSupervisor => ScopeKind::Agency,
            Role::Sso | Role::CampusAdmin | Role::Staff => ScopeKind::Campus,
            Role::DistrictLeader => ScopeKind::District,
            Role::Evaluator => ScopeKind::DistrictOrInstance,
            Role::SystemAdmin => ScopeKind::Instance,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    Agency,
    District,
    Campus,
    DistrictOrInstance,
    Instance,
}

/// Where a role is held. Campus and district scopes carry their parents so the policy can
/// decide without another lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scope {
    Instance,
    Agency { agency: Id },
    District { district: Id },
    Campus { district: Id, campus: Id },
}

impl Scope {
    pub fn fits(self, kind: ScopeKind) -> bool {
        matches!(
            (kind, self),
            (ScopeKind::Agency, Scope::Agency { .. })
                | (ScopeKind::District, Scope::District { .. })
                | (ScopeKind::Campus, Scope::Campus { .. })
                | (
                    ScopeKind::DistrictOrInstance,
                    Scope::District { .. } | Scope::Instance
                )
                | (ScopeKind::Instance, Scope::Instance)
        )
    }
}

/// A role is always given by someone else: a system administrator who could grant
/// themself a district leader's role would read every record they are meant only to keep.
pub fn may_grant(by: Option<Id>, to: Id) -> Result<(), &'static str> {
    if by == Some(to) {
        Err("no one grants a role to themself: ask another system administrator")
    } else {
        Ok(())
    }
}

/// The roles a district leader gives and ends within their own district: the school's side
/// of the partnership. Law-enforcement roles are the agency's to give, evaluators and system
/// administrators the instance's.
pub const DISTRICT_GRANTS: &[Role] = &[
    Role::CampusAdmin,
    Role::Sso,
    Role::Staff,
    Role::DistrictLeader,
];

/// The districts whose school roles an actor gives and ends (those they lead).
pub fn districts_led(actor: &Actor) -> Vec<Id> {
    actor
        .grants
        .iter()
        .filter_map(|g| match (g.role, g.scope) {
            (Role::DistrictLeader, Scope::District { district }) => Some(district),
            _ => None,
        })
        .collect()
}

/// Whether an actor may give (or end) a grant: a system administrator any; a district leader
/// the school roles of their own district and its campuses. Never to oneself ([`may_grant`]).
pub fn may_manage(actor: &Actor, grant: Grant) -> bool {
    if actor.has_role(Role::SystemAdmin) {
        return true;
    }
    let district = match grant.scope {
        Scope::District { district } | Scope::Campus { district, .. } => district,
        _ => return false,
    };
    DISTRICT_GRANTS.contains(&grant.role) && districts_led(actor).contains(&district)
}

/// Who must hear of a grant: a role that opens records is shown on the home page of the people
/// who answer for those records — the leaders of the district it opens, or the supervisors of
/// the agency. The system administrator's own role opens no records; a grant for the whole
/// instance has no one above it but the audit trail.
pub fn overseers_of(grant: Grant) -> Option<Grant> {
    if grant.role == Role::SystemAdmin {
        return None;
    }
    match grant.scope {
        Scope::Campus { district, .. } | Scope::District { district } => Some(Grant {
            role: Role::DistrictLeader,
            scope: Scope::District { district },
        }),
        Scope::Agency { agency } => Some(Grant {
            role: Role::LeSupervisor,
            scope: Scope::Agency { agency },
        }),
        Scope::Instance => None,
    }
}

/// A role held in a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub scope: Scope,
}

impl Grant {
    pub fn new(role: Role, scope: Scope) -> Result<Self, Invalid> {
        if scope.fits(role.scope_kind()) {
            Ok(Self { role, scope })
        } else {
            let wanted = match role.scope_kind() {
                ScopeKind::Agency => "an agency",
                ScopeKind::District => "a district",
                ScopeKind::Campus => "a campus",
                ScopeKind::DistrictOrInstance => "a district or the whole instance",
                ScopeKind::Instance => "the whole instance",
            };
            Err(Invalid::one(
                "scope",
                format!("a {} is granted for {wanted}", role.label()),
            ))
        }
    }
}

/// An SRO's current campus assignment: it extends the officer's reach to that campus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub agency: Id,
    pub district: Id,
    pub campus: Id,
}

/// An agency working with a district: each side may read the other's directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partnership {
    pub agency: Id,
    pub district: Id,
}

/// The person acting, with everything the policy needs to decide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user: Id,
    pub person: Option<Id>,
    pub username: String,
    pub display_name: String,
    pub sworn: bool,
    pub grants: Vec<Grant>,
    pub assignments: Vec<Assignment>,
    /// Partnerships of the agencies and districts the actor holds roles in.
    pub partnerships: Vec<Partnership>,
}

impl Actor {
    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    pub fn roles(&self) -> Vec<Role> {
        let mut roles: Vec<Role> = Role::ALL
            .iter()
            .copied()
            .filter(|r| self.has_role(*r))
            .collect();
        roles.dedup();
        roles
    }

    /// The assignments that make this person the SRO of a campus: those of an agency they
    /// are an SRO of (an SRO of another agency assigned by this one is no SRO of its here).
    pub fn sro_assignments(&self) -> impl Iterator<Item = &Assignment> {
        self.assignments.iter().filter(|a| {
            self.grants
                .iter()
                .any(|g| g.role == Role::Sro && g.scope == Scope::Agency { agency: a.agency })
        })
    }

    /// Whether the instance policy makes this person use a second factor.
    pub fn needs_strong_auth(&self) -> bool {
        self.sworn || self.grants.iter().any(|g| g.role.needs_strong_auth())
    }
}

/// The roles an actor holds for one record (its tenant and class), and whether the person is
/// sworn. Made only by `Actor::roles_for` in the access policy (which decides what
/// holds where), so a rule that takes one cannot be handed a role held on another campus,
/// district or agency.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RolesHere {
    roles: Vec<Role>,
    sworn: bool,
}

impl RolesHere {
    /// For the policy, and for the domain's own tests.
    pub(crate) fn new(mut roles: Vec<Role>, sworn: bool) -> Self {
        roles.sort_by_key(|r| Role::ALL.iter().position(|a| a == r));
        roles.dedup();
        Self { roles, sworn }
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// In [`Role::ALL`] order, each once.
    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    pub fn sworn(&self) -> bool {
        self.sworn
    }

    pub fn is_empty(&self) -> bool {
        self.roles.is_empty()
    }
}

/// A user name: lower case letters, digits, dots, dashes and underscores, 3–64 long.
pub fn parse_username(text: &str) -> Result<String, Invalid> {
    let name = text.trim().to_lowercase();
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'));
    if !(3..=64).contains(&name.chars().count()) || !ok_chars {
        return Err(Invalid::one(
            "username",
            "must be 3 to 64 letters, digits, dots, dashes or underscores",
        ));
    }
    Ok(name)
}

/// A user name for an account made from elsewhere (a roster, an identity provider): the
/// first of `wanted` that makes a valid name (an address gives its local part; other
/// characters become dots), with -2, -3… while `taken` says it is someone's. Never an
/// existing account's name, so a new account never takes over another.
pub fn free_username(wanted: &[String], taken: &dyn Fn(&str) -> bool) -> String {
    let clean = |text: &str| -> String {
        let local = text.split('@').next().unwrap_or_default();
        let mut name: String = local
            .to_lowercase()
            .chars()
            .map(|c| {
                if c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_') {
                    c
                } else {
                    '.'
                }
            })
            .collect();
        name.truncate(56);
        name.trim_matches('.').to_string()
    };
    let base = wanted
        .iter()
        .map(|text| clean(text))
        .find(|name| parse_username(name).is_ok())
        .unwrap_or_else(|| "staff".to_string());
    let mut candidate = base.clone();
    let mut n = 1;
    while taken(&candidate) || parse_username(&candidate).is_err() {
        n += 1;
        candidate = format!("{base}-{n}");
    }
    candidate
}

pub const PASSWORD_MIN_CHARS: usize = 12;
pub const PASSWORD_MAX_CHARS: usize = 256;

/// Checks a new password: long enough, not absurdly long, and not common or guessable from
/// the person's own names (zxcvbn's lists and estimates; score 3 of 4 required).
pub fn check_new_password(password: &str, personal: &[&str]) -> Result<(), Invalid> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(Invalid::one(
            "password",
            format!("must be at least {PASSWORD_MIN_CHARS} characters"),
        ));
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(Invalid::one(
            "password",
            format!("must be at most {PASSWORD_MAX_CHARS} characters"),
        ));
    }
    let estimate = zxcvbn::zxcvbn(password, personal);
    if u8::from(estimate.score()) < 3 {
        let hint = estimate
            .feedback()
            .and_then(|f| f.warning().map(|w| w.to_string()))
            .unwrap_or_else(|| "it is too easy to guess".into());
        return Err(Invalid::one(
            "password",
            format!("is too easy to guess ({hint}); try a few unrelated words"),
        ));
    }
    Ok(())
}

/// Session lifetimes: an idle session ends after 30 minutes, any session after 12 hours.
pub const SESSION_IDLE_MINUTES: i64 = 30;
pub const SESSION_ABSOLUTE_MINUTES: i64 = 12 * 60;

/// Whether a session that started at `created` and was last used at `last_seen` is still
/// alive at `now`.
pub fn session_alive(created: Timestamp, last_seen: Timestamp, now: Timestamp) -> bool {
    now < last_seen.plus_minutes(SESSION_IDLE_MINUTES)
        && now < created.plus_minutes(SESSION_ABSOLUTE_MINUTES)
}

/// Failed sign-ins: the window they are counted in and the limits that apply.
pub const FAILURE_WINDOW_MINUTES: i64 = 15;
/// Failures for one account from one address that lock the account for that address.
pub const FAILURES_PER_ACCOUNT_AND_ADDRESS: i64 = 5;
/// Failures for one account from all addresses together that lock it everywhere: a
/// distributed guesser is stopped too.
pub const FAILURES_PER_ACCOUNT: i64 = 20;
/// Failures from one address, whatever accounts they name, before that address is throttled.
pub const FAILURES_PER_ADDRESS: i64 = 10;

/// Wrong codes at the second-factor step after which that pending sign-in ends: the person
/// starts again with their password (and each wrong code counts as a failed sign-in too).
pub const SECOND_FACTOR_TRIES: i64 = 5;

/// How long a lock lasts: 15 minutes, doubled for each lock in the last 24 hours, at most a
/// day.
pub fn lock_minutes(locks_in_last_day: i64) -> i64 {
    let doublings = locks_in_last_day.clamp(0, 7) as u32;
    (FAILURE_WINDOW_MINUTES * 2_i64.pow(doublings)).min(24 * 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_must_be_held_in_the_right_kind_of_scope() {
        let campus = Scope::Campus {
            district: Id::from_parts("d", 1),
            campus: Id::from_parts("c", 1),
        };
        assert!(Grant::new(Role::CampusAdmin, campus).is_ok());
        assert!(Grant::new(Role::Sro, campus).is_err());
        assert!(Grant::new(Role::SystemAdmin, Scope::Instance).is_ok());
        assert!(Grant::new(Role::Evaluator, Scope::Instance).is_ok());
        assert!(Grant::new(Role::DistrictLeader, Scope::Instance).is_err());
    }

    #[test]
    fn a_district_leader_manages_the_school_roles_of_their_own_district_only() {
        let (home, other) = (Id::from_parts("d", 1), Id::from_parts("d", 2));
        let leader = Actor {
            user: Id::from_parts("u", 1),
            person: None,
            username: "lead".into(),
            display_name: "Lead".into(),
            sworn: false,
            grants: vec![Grant {
                role: Role::DistrictLeader,
                scope: Scope::District { district: home },
            }],
            assignments: Vec::new(),
            partnerships: Vec::new(),
        };
        let at = |district| Scope::Campus {
            district,
            campus: Id::from_parts("c", 9),
        };
        let g = |role, scope| Grant { role, scope };
        assert!(may_manage(&leader, g(Role::CampusAdmin, at(home))));
        assert!(may_manage(
            &leader,
            g(Role::DistrictLeader, Scope::District { district: home })
        ));
        assert!(
            !may_manage(&leader, g(Role::CampusAdmin, at(other))),
            "another district"
        );
        assert!(!may_manage(
            &leader,
            g(
                Role::Sro,
                Scope::Agency {
                    agency: Id::from_parts("a", 1)
                }
            )
        ));
        assert!(!may_manage(
            &leader,
            g(Role::Evaluator, Scope::District { district: home })
        ));
        assert!(!may_manage(&leader, g(Role::SystemAdmin, Scope::Instance)));
        let mut admin = leader.clone();
        admin.grants = vec![g(Role::SystemAdmin, Scope::Instance)];
        assert!(may_manage(
            &admin,
            g(
                Role::Sro,
                Scope::Agency {
                    agency: Id::from_parts("a", 1)
                }
            )
        ));
    }

    #[test]
    fn weak_and_short_passwords_are_refused() {
        assert!(check_new_password("short", &[]).is_err());
        assert!(check_new_password("password1234", &[]).is_err());
        assert!(check_new_password("jsmithjsmith1", &["jsmith"]).is_err());
        assert!(check_new_password(&"x".repeat(257), &[]).is_err());
        assert!(check_new_password("copper lantern orchard drift", &[]).is_ok());
        let long = "copper lantern orchard drift ".repeat(4);
        assert!(long.len() >= 100 && check_new_password(&long, &[]).is_ok());
    }

    #[test]
    fn sessions_end_when_idle_or_old() {
        let t0 = Timestamp::from_millis(1_000_000_000);
        assert!(session_alive(t0, t0, t0.plus_minutes(29)));
        assert!(!session_alive(t0, t0, t0.plus_minutes(30)));
        let busy = t0.plus_minutes(12 * 60 - 1);
        assert!(session_alive(t0, busy, busy));
        assert!(!session_alive(t0, busy, t0.plus_minutes(12 * 60)));
    }

    #[test]
    fn locks_grow_with_repetition_and_stop_at_a_day() {
        assert_eq!(lock_minutes(0), 15);
        assert_eq!(lock_minutes(1), 30);
        assert_eq!(lock_minutes(2), 60);
        assert_eq!(lock_minutes(50), 24 * 60);
    }

    #[test]
    fn usernames_are_normalised() {
        assert_eq!(parse_username(" J.Smith "), Ok("j.smith".into()));
        assert!(parse_username("a b").is_err());
        assert!(parse_username("ab").is_err());
    }
}
