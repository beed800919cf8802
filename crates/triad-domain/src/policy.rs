//! The one access policy. Every page, API route and CLI command asks [`decide`] before it
//! reads or writes a record; nothing else grants access.
//!
//! A decision depends on three things: the actor's roles and where they hold them, the class
//! of the record (PRODUCT.md: law-enforcement, shared, school, aggregate, plus the directory
//! of the organisation, accounts and the audit trail) and the record's tenant. A record outside
//! everything the actor can reach is answered as if it did not exist, so ids leak nothing.

use crate::auth::{Actor, Role, RolesHere, Scope};
use crate::Id;
use serde::{Deserialize, Serialize};

/// What kind of record is touched; decides who may see it at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordClass {
    /// Investigations, arrests, use-of-force, evidence detail: the agency's sworn side.
    LawEnforcement,
    /// Incidents of service, bans, visitors, lockdowns, meetings, activity summaries.
    Shared,
    /// Administrative investigation notes, discipline decisions: the school side only.
    School,
    /// Counts, scores and survey results.
    Aggregate,
    /// Agencies, districts, campuses, calendars, people and assignments.
    Directory,
    /// Sign-in accounts, role grants and tokens.
    Accounts,
    /// The audit trail itself.
    Audit,
    /// A partnership's MOU: its versions, clauses, signatories and signatures. It belongs to
    /// an agency and a district together (a tenant with both and no campus).
    Agreement,
    /// A partnership's grants and their continuation plans: like the MOU, the agency's and
    /// the district's together, but only their leaders' business.
    Funding,
    /// A district's community resource directory and the referrals made to it: read by
    /// everyone of the district, kept by the partners on its campuses.
    Community,
    /// A person's training records and, later, the other records of an officer's post: the
    /// agency's, read and written by its supervisors and by the person themselves.
    Personnel,
    /// A program's assessment against the instrument: the agency's and the district's
    /// together, read and rated by the district's evaluators and leaders and the agency's
    /// supervisors (figures and dates, never the records' content).
    Assessment,
}

impl RecordClass {
    /// Reads of these classes are written to the audit trail.
    pub fn read_is_audited(self) -> bool {
        matches!(self, RecordClass::LawEnforcement | RecordClass::School)
    }

    pub fn code(self) -> &'static str {
        match self {
            RecordClass::LawEnforcement => "law_enforcement",
            RecordClass::Shared => "shared",
            RecordClass::School => "school",
            RecordClass::Aggregate => "aggregate",
            RecordClass::Directory => "directory",
            RecordClass::Accounts => "accounts",
            RecordClass::Audit => "audit",
            RecordClass::Agreement => "agreement",
            RecordClass::Funding => "funding",
            RecordClass::Community => "community",
            RecordClass::Personnel => "personnel",
            RecordClass::Assessment => "assessment",
        }
    }
}

/// Where a record belongs. Empty fields mean the record is above that level (an agency has
/// no campus; an instance-wide setting has nothing).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Tenant {
    pub agency: Option<Id>,
    pub district: Option<Id>,
    pub campus: Option<Id>,
}

impl Tenant {
    pub const INSTANCE: Tenant = Tenant {
        agency: None,
        district: None,
        campus: None,
    };

    pub fn agency(agency: Id) -> Self {
        Self {
            agency: Some(agency),
            ..Self::INSTANCE
        }
    }

    pub fn district(district: Id) -> Self {
        Self {
            district: Some(district),
            ..Self::INSTANCE
        }
    }

    pub fn campus(district: Id, campus: Id) -> Self {
        Self {
            district: Some(district),
            campus: Some(campus),
            agency: None,
        }
    }
}

/// What the actor wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    View,
    Change,
}

/// The policy's answer. `NotFound` is for records outside the actor's reach: the caller must
/// answer exactly as for an id that does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Decision {
    Allow,
    Forbidden,
    NotFound,
}

/// A record as the policy sees it: its class, its tenant, who owns it when it belongs to one
/// person (their own account, their own tokens), and who alone may change it when a record
/// binds its changes to one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resource {
    pub class: RecordClass,
    pub tenant: Tenant,
    pub owner: Option<Id>,
    pub changed_only_by: Option<OnlyBy>,
    pub kept_by: Option<KeptBy>,
}

impl Resource {
    pub fn new(class: RecordClass, tenant: Tenant) -> Self {
        Self {
            class,
            tenant,
            owner: None,
            changed_only_by: None,
            kept_by: None,
        }
    }

    pub fn owned_by(mut self, user: Id) -> Self {
        self.owner = Some(user);
        self
    }

    /// Binds changes to the record to one person, on top of the roles that allow them.
    pub fn changed_only_by(mut self, rule: OnlyBy) -> Self {
        self.changed_only_by = Some(rule);
        self
    }

    /// Narrows changes to the record to some of the roles its class allows, as held for it.
    pub fn kept_by(mut self, rule: KeptBy) -> Self {
        self.kept_by = Some(rule);
        self
    }
}

/// A change that only some of the roles allowed to change a class of record may make, by the
/// roles the actor holds for this record (never those held on another campus).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeptBy {
    /// The activity log is kept by the campus's SRO and SSO; its administrator reads it.
    ActivityLog,
    /// Evidence is taken into custody by campus administrators, SSOs and law enforcement.
    EvidenceCustody,
    /// An item's disposition is recorded by law enforcement.
    EvidenceDisposition,
    /// A referral to a community service is recorded by the campus's SRO.
    Referral,
    /// The start-of-year checklist is marked by the campus's SRO or administrator.
    StartOfYear,
    /// An SRO's evaluation is written by the agency's supervisor (never by the officer it is
    /// about, who reads it).
    Evaluation,
    /// A training record is voided by the agency's supervisor (not by the officer).
    TrainingVoid,
}

impl KeptBy {
    fn allows(self, here: &RolesHere) -> bool {
        use crate::evidence::{custody_side, Side};
        match self {
            KeptBy::ActivityLog => here.has(Role::Sro) || here.has(Role::Sso),
            KeptBy::EvidenceCustody => custody_side(here).is_some(),
            KeptBy::EvidenceDisposition => custody_side(here) == Some(Side::LawEnforcement),
            KeptBy::Referral => here.has(Role::Sro),
            KeptBy::StartOfYear => here.has(Role::Sro) || here.has(Role::CampusAdmin),
            KeptBy::Evaluation => here.has(Role::LeSupervisor),
            KeptBy::TrainingVoid => here.has(Role::LeSupervisor),
        }
    }

    /// Why anyone else is refused, in words for them.
    pub fn refusal(self) -> &'static str {
        match self {
            KeptBy::ActivityLog => "the activity log is kept by the SRO and the SSO of a campus",
            KeptBy::EvidenceCustody => {
                "only campus administrators, SSOs and law-enforcement officers take custody of evidence"
            }
            KeptBy::EvidenceDisposition => {
                "the law-enforcement officer holding the item records its disposition"
            }
            KeptBy::Referral => "referrals are recorded by the campus's SRO",
            KeptBy::Evaluation => "an SRO's evaluation is written by the agency's supervisor",
            KeptBy::TrainingVoid => "a training record is voided by the agency's supervisor",
            KeptBy::StartOfYear => {
                "the start-of-year checklist is marked by the campus's SRO or administrator"
            }
        }
    }
}

/// A change to a record that one person alone may make, whatever roles others hold for it:
/// the rule, and the person it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnlyBy {
    /// An activity entry is corrected, and given a lesson plan, by the officer who logged it.
    Author(Id),
    /// An evidence item is released, or its disposition recorded, by the person holding it.
    Holder(Id),
    /// A notice of a campus event is acknowledged by the person it was sent to.
    Addressee(Id),
    /// An item in transfer is acknowledged by the receiver named; `None`: no transfer waits.
    Receiver(Option<Id>),
}

impl OnlyBy {
    /// The person a stored id names; an id that no longer parses names nobody.
    pub fn stored(text: &str) -> Id {
        Id::parse(text).unwrap_or_else(Id::random)
    }

    /// The one person who may make the change, if anyone.
    pub fn person(self) -> Option<Id> {
        match self {
            OnlyBy::Author(p) | OnlyBy::Holder(p) | OnlyBy::Addressee(p) => Some(p),
            OnlyBy::Receiver(p) => p,
        }
    }

    /// Why anyone else is refused, in words for them.
    pub fn refusal(self) -> &'static str {
        match self {
            OnlyBy::Author(_) => "only the officer who logged an entry corrects it",
            OnlyBy::Holder(_) => {
                "only the person holding the item releases it or records its disposition"
            }
            OnlyBy::Addressee(_) => "only the person notified acknowledges a notice",
            OnlyBy::Receiver(_) => "no transfer of this item waits for you",
        }
    }
}

/// One place a role reaches: a grant, or an SRO's current campus assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Reach {
    role: Role,
    agency: Option<Id>,
    district: Option<Id>,
    campus: Option<Id>,
    instance: bool,
    /// Reached through a partnership: the partner's directory may be read, nothing more.
    directory_view_only: bool,
}

impl Reach {
    fn new(role: Role) -> Self {
        Self {
            role,
            agency: None,
            district: None,
            campus: None,
            instance: false,
            directory_view_only: false,
        }
    }
}

fn reaches(actor: &Actor) -> Vec<Reach> {
    let mut out: Vec<Reach> = actor
        .grants
        .iter()
        .map(|g| {
            let mut r = Reach::new(g.role);
            match g.scope {
                Scope::Instance => r.instance = true,
                Scope::Agency { agency } => r.agency = Some(agency),
                Scope::District { district } => r.district = Some(district),
                Scope::Campus { district, campus } => {
                    r.district = Some(district);
                    r.campus = Some(campus);
                }
            }
            r
        })
        .collect();
    // An SRO reaches the campuses they are assigned to, for the agency they serve: only an
    // assignment of an agency they are an SRO of (an SRO of another agency assigned here by
    // this one reaches nothing of this agency's records through it).
    out.extend(actor.sro_assignments().map(|a| Reach {
        agency: Some(a.agency),
        district: Some(a.district),
        campus: Some(a.campus),
        ..Reach::new(Role::Sro)
    }));
    // An agency's people read the directory of the districts it serves, and a district's
    // people the directory of the agencies serving it.
    let partners: Vec<Reach> = out
        .iter()
        .filter(|r| !r.instance)
        .flat_map(|r| {
            actor.partnerships.iter().filter_map(move |p| {
                let (agency, district) = match (r.agency, r.district) {
                    (Some(a), None) if a == p.agency => (None, Some(p.district)),
                    (None, Some(d)) if d == p.district => (Some(p.agency), None),
                    _ => return None,
                };
                Some(Reach {
                    agency,
                    district,
                    directory_view_only: true,
                    ..Reach::new(r.role)
                })
            })
        })
        .collect();
    out.extend(partners);
    out
}

/// Whether a reach covers a record's tenant, at the level the record lives at.
fn covers(reach: &Reach, tenant: &Tenant, class: RecordClass) -> bool {
    if reach.instance {
        return true;
    }
    // A partnership's MOU (and its funding) is reached from either side: the district's people (its leaders,
    // the administrators of its campuses, and the SROs this agency assigned there) and the
    // agency's supervisors. An SRO reaches it through an assignment, never through the
    // agency grant (which would open the MOU of every district the agency serves).
    if matches!(
        class,
        RecordClass::Agreement | RecordClass::Funding | RecordClass::Assessment
    ) {
        let district_side = reach.district.is_some()
            && reach.district == tenant.district
            && reach.agency.is_none_or(|a| tenant.agency == Some(a));
        let agency_side = reach.role != Role::Sro
            && reach.campus.is_none()
            && reach.district.is_none()
            && reach.agency.is_some()
            && reach.agency == tenant.agency;
        return district_side || agency_side;
    }
    // Law-enforcement records belong to the agency: its sworn side sees them on any campus.
    if class == RecordClass::LawEnforcement {
        return reach.agency.is_some() && reach.agency == tenant.agency;
    }
    if let Some(campus) = reach.campus {
        if tenant.campus == Some(campus) {
            return true;
        }
        // Campus people see the directory of their own district (its calendar, campuses) and
        // its community resources.
        return matches!(class, RecordClass::Directory | RecordClass::Community)
            && tenant.campus.is_none()
            && tenant.district.is_some()
            && tenant.district == reach.district;
    }
    if let Some(district) = reach.district {
        if tenant.district == Some(district) {
            return true;
        }
    }
    if let Some(agency) = reach.agency {
        // An agency reaches its own records; a campus's shared and school records belong to
        // the campus, which an officer reaches through an assignment, not through the
        // agency. Only the supervisor reads the shared records of the agency's officers.
        let campus_record = matches!(class, RecordClass::Shared | RecordClass::School);
        if tenant.agency == Some(agency) && (!campus_record || reach.role == Role::LeSupervisor) {
            return true;
        }
    }
    false
}

/// What a role may do to a class of record inside its reach.
pub fn permits(role: Role, class: RecordClass, action: Action) -> bool {
    use Action::*;
    use RecordClass::*;
    use Role::*;
    match class {
        LawEnforcement => matches!(role, Sro | LeSupervisor),
        Shared => match role {
            Sro | Sso | CampusAdmin | DistrictLeader => true,
            LeSupervisor => action == View,
            _ => false,
        },
        School => matches!(role, CampusAdmin | DistrictLeader),
        Aggregate => {
            action == View
                && matches!(
                    role,
                    Evaluator | DistrictLeader | LeSupervisor | CampusAdmin | Sro
                )
        }
        Directory => match action {
            View => true,
            Change => matches!(role, SystemAdmin | DistrictLeader | LeSupervisor),
        },
        Accounts => role == SystemAdmin,
        Audit => action == View && matches!(role, SystemAdmin | DistrictLeader),
        // Drafted by the two sides' leaders; read by the people who work under it.
        Agreement => match action {
            View => matches!(role, DistrictLeader | LeSupervisor | CampusAdmin | Sro),
            Change => matches!(role, DistrictLeader | LeSupervisor),
        },
        Funding => matches!(role, DistrictLeader | LeSupervisor),
        Personnel => role == LeSupervisor,
        Assessment => matches!(role, Evaluator | DistrictLeader | LeSupervisor),
        Community => match action {
            View => true,
            Change => matches!(role, DistrictLeader | CampusAdmin | Sro | Sso),
        },
    }
}

/// The reaches that hold for a record: the one scoping of roles to a record's tenant, used by
/// [`decide`] and by [`Actor::roles_for`] alike.
fn held_for<'a>(
    reach: &'a [Reach],
    tenant: &'a Tenant,
    class: RecordClass,
) -> impl Iterator<Item = &'a Reach> + 'a {
    reach.iter().filter(move |r| covers(r, tenant, class))
}

impl Actor {
    /// The roles that hold for a record of `class` at `tenant` (reach through a partnership,
    /// which opens only a directory, gives none). Every rule that depends on a role takes
    /// these, never the roles the actor holds elsewhere: the SSO of one campus who is the
    /// administrator of another is only the SSO here.
    pub fn roles_for(&self, tenant: &Tenant, class: RecordClass) -> RolesHere {
        let reach = reaches(self);
        let roles = held_for(&reach, tenant, class)
            .filter(|r| !r.directory_view_only)
            .map(|r| r.role)
            .collect();
        RolesHere::new(roles, self.sworn)
    }
}

/// The access decision for one actor, one action and one record: what their roles allow,
/// narrowed by the record's own rules: the roles it keeps a change to, the one person it binds
/// a change to.
pub fn decide(actor: &Actor, action: Action, resource: Resource) -> Decision {
    decide_within(actor, &reaches(actor), action, resource)
}

/// Whether [`decide`] allows the actor `action` on at least one of `resources`. The actor's
/// reach is worked out once: a form's list of people asks this of hundreds of people, each
/// against every campus of a program.
pub fn allows_any(actor: &Actor, action: Action, resources: &[Resource]) -> bool {
    let reach = reaches(actor);
    resources
        .iter()
        .any(|resource| decide_within(actor, &reach, action, *resource) == Decision::Allow)
}

/// [`decide`], with the actor's reach already worked out.
fn decide_within(actor: &Actor, reach: &[Reach], action: Action, resource: Resource) -> Decision {
    match by_roles_within(actor, reach, action, resource) {
        Decision::Allow if record_rule_refusal(actor, action, resource).is_some() => {
            Decision::Forbidden
        }
        decision => decision,
    }
}

/// Why a change the actor's roles allow is refused all the same: the record keeps it to some
/// of those roles ([`KeptBy`]) or binds it to one person ([`OnlyBy`]). `None` when that is
/// not the reason (allowed, or refused by role).
pub fn record_rule_refusal(
    actor: &Actor,
    action: Action,
    resource: Resource,
) -> Option<&'static str> {
    if action != Action::Change || by_roles(actor, action, resource) != Decision::Allow {
        return None;
    }
    if let Some(rule) = resource.kept_by {
        if !rule.allows(&actor.roles_for(&resource.tenant, resource.class)) {
            return Some(rule.refusal());
        }
    }
    let rule = resource.changed_only_by?;
    (rule.person() != Some(actor.user)).then(|| rule.refusal())
}

/// What the actor's roles (and ownership) allow, before any rule binding a change to one
/// person.
fn by_roles(actor: &Actor, action: Action, resource: Resource) -> Decision {
    by_roles_within(actor, &reaches(actor), action, resource)
}

/// [`by_roles`], with the actor's reach already worked out.
fn by_roles_within(actor: &Actor, reach: &[Reach], action: Action, resource: Resource) -> Decision {
    // One's own account and training records are one's own to manage; one's own shared
    // records (an officer's own activity report) are one's own to read.
    let own = resource.owner == Some(actor.user);
    if own
        && (matches!(
            resource.class,
            RecordClass::Accounts | RecordClass::Personnel
        ) || (resource.class == RecordClass::Shared && action == Action::View))
    {
        return Decision::Allow;
    }
    let permitted = |r: &Reach| {
        if r.directory_view_only {
            resource.class == RecordClass::Directory && action == Action::View
        } else {
            permits(r.role, resource.class, action)
        }
    };
    if held_for(reach, &resource.tenant, resource.class).any(permitted) {
        return Decision::Allow;
    }
    // Inside the actor's world but not theirs to do: say so. Outside it: nothing is there.
    let touches = reach.iter().any(|r| {
        covers(r, &resource.tenant, RecordClass::Directory)
            || (r.agency.is_some() && r.agency == resource.tenant.agency)
    });
    if touches {
        Decision::Forbidden
    } else {
        Decision::NotFound
    }
}

/// Shorthand for routes: `Ok` when allowed, the decision otherwise.
pub fn require(actor: &Actor, action: Action, resource: Resource) -> Result<(), Decision> {
    match decide(actor, action, resource) {
        Decision::Allow => Ok(()),
        other => Err(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Assignment, Grant};

    fn id(n: u64) -> Id {
        Id::from_parts("policy-test", n)
    }

    fn actor(grants: Vec<Grant>, assignments: Vec<Assignment>) -> Actor {
        Actor {
            user: id(99),
            person: None,
            username: "x".into(),
            display_name: "X".into(),
            sworn: false,
            grants,
            assignments,
            partnerships: vec![crate::auth::Partnership {
                agency: id(AGENCY),
                district: id(DISTRICT),
            }],
        }
    }

    const AGENCY: u64 = 1;
    const DISTRICT: u64 = 2;
    const CAMPUS: u64 = 3;
    const OTHER_CAMPUS: u64 = 4;
    const OTHER_DISTRICT: u64 = 5;
    const OTHER_AGENCY: u64 = 6;

    fn sro() -> Actor {
        actor(
            vec![Grant {
                role: Role::Sro,
                scope: Scope::Agency { agency: id(AGENCY) },
            }],
            vec![Assignment {
                agency: id(AGENCY),
                district: id(DISTRICT),
                campus: id(CAMPUS),
            }],
        )
    }

    fn principal() -> Actor {
        actor(
            vec![Grant {
                role: Role::CampusAdmin,
                scope: Scope::Campus {
                    district: id(DISTRICT),
                    campus: id(CAMPUS),
                },
            }],
            vec![],
        )
    }

    fn le_record(agency: u64, campus: u64) -> Resource {
        Resource::new(
            RecordClass::LawEnforcement,
            Tenant {
                agency: Some(id(agency)),
                district: Some(id(DISTRICT)),
                campus: Some(id(campus)),
            },
        )
    }

    fn agreement(agency: u64, district: u64) -> Resource {
        Resource::new(
            RecordClass::Agreement,
            Tenant {
                agency: Some(id(agency)),
                district: Some(id(district)),
                campus: None,
            },
        )
    }

    #[test]
    fn an_mou_is_read_by_both_sides_and_drafted_by_their_leaders_only() {
        let one = |role, scope| actor(vec![Grant { role, scope }], vec![]);
        let leader = one(
            Role::DistrictLeader,
            Scope::District {
                district: id(DISTRICT),
            },
        );
        let supervisor = one(Role::LeSupervisor, Scope::Agency { agency: id(AGENCY) });
        let sso = one(
            Role::Sso,
            Scope::Campus {
                district: id(DISTRICT),
                campus: id(CAMPUS),
            },
        );
        let evaluator = one(
            Role::Evaluator,
            Scope::District {
                district: id(DISTRICT),
            },
        );
        let ours = agreement(AGENCY, DISTRICT);
        for (who, actor, view, change) in [
            ("district leader", &leader, Decision::Allow, Decision::Allow),
            (
                "LE supervisor",
                &supervisor,
                Decision::Allow,
                Decision::Allow,
            ),
            (
                "principal",
                &principal(),
                Decision::Allow,
                Decision::Forbidden,
            ),
            ("assigned SRO", &sro(), Decision::Allow, Decision::Forbidden),
            ("SSO", &sso, Decision::Forbidden, Decision::Forbidden),
            (
                "evaluator",
                &evaluator,
                Decision::Forbidden,
                Decision::Forbidden,
            ),
        ] {
            assert_eq!(decide(actor, Action::View, ours), view, "{who} reads");
            assert_eq!(decide(actor, Action::Change, ours), change, "{who} drafts");
        }
        // Another district's MOU with the same agency: the agency's supervisor reads it; the
        // SRO, whose assignment is here, does not (the agency grant opens no MOU), nor does
        // this district's leader.
        let elsewhere = agreement(AGENCY, OTHER_DISTRICT);
        assert_eq!(
            decide(&supervisor, Action::View, elsewhere),
            Decision::Allow
        );
        assert_ne!(decide(&sro(), Action::View, elsewhere), Decision::Allow);
        assert_eq!(
            decide(&leader, Action::View, elsewhere),
            Decision::Forbidden
        );
        // This district's MOU with another agency: its leader and principal read it; this
        // agency's SRO and supervisor do not.
        let other_agency = agreement(OTHER_AGENCY, DISTRICT);
        assert_eq!(
            decide(&leader, Action::Change, other_agency),
            Decision::Allow
        );
        assert_eq!(
            decide(&principal(), Action::View, other_agency),
            Decision::Allow
        );
        assert_ne!(decide(&sro(), Action::View, other_agency), Decision::Allow);
        assert_ne!(
            decide(&supervisor, Action::View, other_agency),
            Decision::Allow
        );
    }

    fn assessment(agency: u64, district: u64) -> Resource {
        Resource {
            class: RecordClass::Assessment,
            ..agreement(agency, district)
        }
    }

    #[test]
    fn a_program_assessment_is_for_its_evaluators_and_the_two_leaders_only() {
        let one = |role, scope| actor(vec![Grant { role, scope }], vec![]);
        let leader = one(
            Role::DistrictLeader,
            Scope::District {
                district: id(DISTRICT),
            },
        );
        let supervisor = one(Role::LeSupervisor, Scope::Agency { agency: id(AGENCY) });
        let evaluator = one(
            Role::Evaluator,
            Scope::District {
                district: id(DISTRICT),
            },
        );
        let state_evaluator = one(Role::Evaluator, Scope::Instance);
        let other_evaluator = one(
            Role::Evaluator,
            Scope::District {
                district: id(OTHER_DISTRICT),
            },
        );
        let ours = assessment(AGENCY, DISTRICT);
        for (who, actor, allowed) in [
            ("district leader", &leader, true),
            ("LE supervisor", &supervisor, true),
            ("evaluator of the district", &evaluator, true),
            ("state evaluator", &state_evaluator, true),
            ("evaluator of another district", &other_evaluator, false),
            ("principal", &principal(), false),
            ("assigned SRO", &sro(), false),
        ] {
            for action in [Action::View, Action::Change] {
                assert_eq!(
                    decide(actor, action, ours) == Decision::Allow,
                    allowed,
                    "{who} {action:?}"
                );
            }
        }
        // The agency's supervisor reaches the agency's programs only.
        let other_agency = assessment(OTHER_AGENCY, DISTRICT);
        assert_ne!(
            decide(&supervisor, Action::View, other_agency),
            Decision::Allow
        );
        assert_eq!(decide(&leader, Action::View, other_agency), Decision::Allow);
    }

    #[test]
    fn law_enforcement_records_stay_with_the_agency() {
        assert_eq!(
            decide(&sro(), Action::View, le_record(AGENCY, CAMPUS)),
            Decision::Allow
        );
        assert_eq!(
            decide(&sro(), Action::View, le_record(AGENCY, OTHER_CAMPUS)),
            Decision::Allow
        );
        assert_eq!(
            decide(&sro(), Action::View, le_record(OTHER_AGENCY, CAMPUS)),
            Decision::Forbidden
        );
        assert_eq!(
            decide(&principal(), Action::View, le_record(AGENCY, CAMPUS)),
            Decision::Forbidden
        );
    }

    #[test]
    fn shared_records_of_other_campuses_are_not_the_officers_through_the_agency() {
        let elsewhere = Resource::new(
            RecordClass::Shared,
            Tenant {
                agency: Some(id(AGENCY)),
                district: Some(id(DISTRICT)),
                campus: Some(id(OTHER_CAMPUS)),
            },
        );
        assert_ne!(decide(&sro(), Action::View, elsewhere), Decision::Allow);
        let here = Resource::new(
            RecordClass::Shared,
            Tenant {
                agency: Some(id(AGENCY)),
                district: Some(id(DISTRICT)),
                campus: Some(id(CAMPUS)),
            },
        );
        assert_eq!(decide(&sro(), Action::Change, here), Decision::Allow);
        let supervisor = actor(
            vec![Grant {
                role: Role::LeSupervisor,
                scope: Scope::Agency { agency: id(AGENCY) },
            }],
            vec![],
        );
        assert_eq!(
            decide(&supervisor, Action::View, elsewhere),
            Decision::Allow
        );
        assert_eq!(
            decide(&supervisor, Action::Change, elsewhere),
            Decision::Forbidden
        );
    }

    #[test]
    fn school_records_are_for_the_school_side() {
        let record = Resource::new(
            RecordClass::School,
            Tenant::campus(id(DISTRICT), id(CAMPUS)),
        );
        assert_eq!(
            decide(&principal(), Action::Change, record),
            Decision::Allow
        );
        assert_eq!(decide(&sro(), Action::View, record), Decision::Forbidden);
    }

    #[test]
    fn another_tenant_is_not_found() {
        let foreign = Resource::new(
            RecordClass::Shared,
            Tenant::campus(id(OTHER_DISTRICT), id(OTHER_CAMPUS)),
        );
        assert_eq!(
            decide(&principal(), Action::View, foreign),
            Decision::NotFound
        );
        assert_eq!(decide(&sro(), Action::View, foreign), Decision::NotFound);
    }

    #[test]
    fn system_admins_run_the_instance_but_read_no_records() {
        let admin = actor(
            vec![Grant {
                role: Role::SystemAdmin,
                scope: Scope::Instance,
            }],
            vec![],
        );
        let shared = Resource::new(
            RecordClass::Shared,
            Tenant::campus(id(DISTRICT), id(CAMPUS)),
        );
        assert_eq!(decide(&admin, Action::View, shared), Decision::Forbidden);
        let accounts = Resource::new(RecordClass::Accounts, Tenant::INSTANCE);
        assert_eq!(decide(&admin, Action::Change, accounts), Decision::Allow);
        assert_eq!(
            decide(&principal(), Action::Change, accounts),
            Decision::NotFound
        );
    }

    #[test]
    fn everyone_manages_their_own_account() {
        let me = principal();
        let mine = Resource::new(RecordClass::Accounts, Tenant::INSTANCE).owned_by(me.user);
        assert_eq!(decide(&me, Action::Change, mine), Decision::Allow);
        let theirs = Resource::new(RecordClass::Accounts, Tenant::INSTANCE).owned_by(id(7));
        assert_eq!(decide(&me, Action::Change, theirs), Decision::NotFound);
    }

    #[test]
    fn partners_read_each_others_directory_and_nothing_more() {
        let supervisor = actor(
            vec![Grant {
                role: Role::LeSupervisor,
                scope: Scope::Agency { agency: id(AGENCY) },
            }],
            vec![],
        );
        let campus = Resource::new(
            RecordClass::Directory,
            Tenant::campus(id(DISTRICT), id(CAMPUS)),
        );
        assert_eq!(decide(&supervisor, Action::View, campus), Decision::Allow);
        assert_eq!(
            decide(&supervisor, Action::Change, campus),
            Decision::Forbidden
        );
        let shared = Resource::new(
            RecordClass::Shared,
            Tenant::campus(id(DISTRICT), id(CAMPUS)),
        );
        assert_eq!(
            decide(&supervisor, Action::View, shared),
            Decision::Forbidden
        );
        let agency = Resource::new(RecordClass::Directory, Tenant::agency(id(AGENCY)));
        assert_eq!(decide(&principal(), Action::View, agency), Decision::Allow);
        let other = Resource::new(RecordClass::Directory, Tenant::agency(id(OTHER_AGENCY)));
        assert_eq!(
            decide(&principal(), Action::View, other),
            Decision::NotFound
        );
    }

    #[test]
    fn campus_people_read_their_district_directory_but_do_not_change_it() {
        let calendar = Resource::new(RecordClass::Directory, Tenant::district(id(DISTRICT)));
        assert_eq!(
            decide(&principal(), Action::View, calendar),
            Decision::Allow
        );
        assert_eq!(
            decide(&principal(), Action::Change, calendar),
            Decision::Forbidden
        );
    }

    #[test]
    fn roles_hold_only_where_they_are_held() {
        let campus = |c| Scope::Campus {
            district: id(DISTRICT),
            campus: id(c),
        };
        // The SSO of one campus who is the administrator of another.
        let mixed = actor(
            vec![
                Grant {
                    role: Role::Sso,
                    scope: campus(CAMPUS),
                },
                Grant {
                    role: Role::CampusAdmin,
                    scope: campus(OTHER_CAMPUS),
                },
            ],
            vec![],
        );
        let here = Tenant::campus(id(DISTRICT), id(CAMPUS));
        let there = Tenant::campus(id(DISTRICT), id(OTHER_CAMPUS));
        assert_eq!(
            mixed.roles_for(&here, RecordClass::Shared).roles(),
            &[Role::Sso]
        );
        assert_eq!(
            mixed.roles_for(&there, RecordClass::Shared).roles(),
            &[Role::CampusAdmin]
        );
        // A partnership opens a directory, never a role.
        let district = Tenant::district(id(DISTRICT));
        assert!(mixed.roles_for(&district, RecordClass::Shared).is_empty());
    }

    #[test]
    fn an_assignment_counts_only_for_an_agency_the_officer_is_an_sro_of() {
        // An SRO of the other agency whom this agency assigned to a campus: no reach into
        // this agency's law-enforcement records through the assignment.
        let elsewhere = actor(
            vec![Grant {
                role: Role::Sro,
                scope: Scope::Agency {
                    agency: id(OTHER_AGENCY),
                },
            }],
            vec![Assignment {
                agency: id(AGENCY),
                district: id(DISTRICT),
                campus: id(CAMPUS),
            }],
        );
        let records = Resource::new(
            RecordClass::LawEnforcement,
            Tenant {
                agency: Some(id(AGENCY)),
                ..Tenant::campus(id(DISTRICT), id(CAMPUS))
            },
        );
        assert_ne!(decide(&elsewhere, Action::View, records), Decision::Allow);
        assert!(elsewhere
            .roles_for(&records.tenant, RecordClass::LawEnforcement)
            .is_empty());
        // The agency's own SRO, assigned the same way, reads them.
        assert_eq!(decide(&sro(), Action::View, records), Decision::Allow);
    }

    #[test]
    fn a_change_bound_to_one_person_is_theirs_alone_among_those_whose_roles_allow_it() {
        let officer = sro();
        let shared = Resource::new(
            RecordClass::Shared,
            Tenant::campus(id(DISTRICT), id(CAMPUS)),
        );
        for rule in [
            OnlyBy::Author(officer.user),
            OnlyBy::Holder(officer.user),
            OnlyBy::Addressee(officer.user),
            OnlyBy::Receiver(Some(officer.user)),
        ] {
            let mine = shared.changed_only_by(rule);
            assert_eq!(decide(&officer, Action::Change, mine), Decision::Allow);
            assert_eq!(record_rule_refusal(&officer, Action::Change, mine), None);
        }
        for rule in [
            OnlyBy::Author(id(7)),
            OnlyBy::Holder(id(7)),
            OnlyBy::Addressee(id(7)),
            OnlyBy::Receiver(Some(id(7))),
            OnlyBy::Receiver(None),
        ] {
            let theirs = shared.changed_only_by(rule);
            assert_eq!(
                decide(&officer, Action::Change, theirs),
                Decision::Forbidden
            );
            assert_eq!(
                record_rule_refusal(&officer, Action::Change, theirs),
                Some(rule.refusal())
            );
            // Reading is not bound: the roles decide.
            assert_eq!(decide(&officer, Action::View, theirs), Decision::Allow);
        }
        // The person named, without a role that allows the change, is refused by role (the
        // binding narrows what roles allow; it grants nothing).
        let stranger_roles = principal();
        let bound_to_them = Resource::new(
            RecordClass::LawEnforcement,
            Tenant {
                agency: Some(id(AGENCY)),
                district: Some(id(DISTRICT)),
                campus: Some(id(CAMPUS)),
            },
        )
        .changed_only_by(OnlyBy::Holder(stranger_roles.user));
        assert_ne!(
            decide(&stranger_roles, Action::Change, bound_to_them),
            Decision::Allow
        );
        assert_eq!(
            record_rule_refusal(&stranger_roles, Action::Change, bound_to_them),
            None,
            "refused by role, not by the binding"
        );
        // Outside the actor's reach a bound record is still not found.
        let foreign = Resource::new(
            RecordClass::Shared,
            Tenant::campus(id(OTHER_DISTRICT), id(OTHER_CAMPUS)),
        )
        .changed_only_by(OnlyBy::Author(id(7)));
        assert_eq!(
            decide(&officer, Action::Change, foreign),
            Decision::NotFound
        );
    }

    fn campus_grant(role: Role, campus: u64) -> Grant {
        Grant {
            role,
            scope: Scope::Campus {
                district: id(DISTRICT),
                campus: id(campus),
            },
        }
    }

    #[test]
    fn a_change_kept_to_some_roles_is_theirs_as_held_for_the_record() {
        let here = Tenant {
            agency: Some(id(AGENCY)),
            ..Tenant::campus(id(DISTRICT), id(CAMPUS))
        };
        let shared = Resource::new(RecordClass::Shared, here);
        let sso = actor(vec![campus_grant(Role::Sso, CAMPUS)], vec![]);
        let supervisor = actor(
            vec![Grant {
                role: Role::LeSupervisor,
                scope: Scope::Agency { agency: id(AGENCY) },
            }],
            vec![],
        );
        // Who keeps each: the rule allows them, and refuses the others whose roles allow
        // the change, in words for them.
        let cases = [
            (
                KeptBy::ActivityLog,
                vec![sro(), sso.clone()],
                vec![principal()],
            ),
            (
                KeptBy::EvidenceCustody,
                vec![sro(), sso.clone(), principal()],
                vec![],
            ),
            (
                KeptBy::EvidenceDisposition,
                vec![sro()],
                vec![sso.clone(), principal()],
            ),
        ];
        for (rule, keepers, others) in cases {
            let kept = shared.kept_by(rule);
            for keeper in &keepers {
                assert_eq!(
                    decide(keeper, Action::Change, kept),
                    Decision::Allow,
                    "{rule:?}"
                );
            }
            for other in &others {
                assert_eq!(
                    decide(other, Action::Change, kept),
                    Decision::Forbidden,
                    "{rule:?}"
                );
                assert_eq!(
                    record_rule_refusal(other, Action::Change, kept),
                    Some(rule.refusal())
                );
                // Reading is not kept: the roles decide.
                assert_eq!(decide(other, Action::View, kept), Decision::Allow);
            }
        }
        // A supervisor reads the campus's shared records but changes none: refused by role,
        // not by the rule.
        let log = shared.kept_by(KeptBy::ActivityLog);
        assert_ne!(decide(&supervisor, Action::Change, log), Decision::Allow);
        assert_eq!(record_rule_refusal(&supervisor, Action::Change, log), None);
        // A role held on another campus counts for nothing here: the administrator of this
        // campus who is the SSO of another does not keep this campus's log.
        let two_hats = actor(
            vec![
                campus_grant(Role::CampusAdmin, CAMPUS),
                campus_grant(Role::Sso, OTHER_CAMPUS),
            ],
            vec![],
        );
        assert_eq!(decide(&two_hats, Action::Change, log), Decision::Forbidden);
        let there = Resource::new(
            RecordClass::Shared,
            Tenant::campus(id(DISTRICT), id(OTHER_CAMPUS)),
        )
        .kept_by(KeptBy::ActivityLog);
        assert_eq!(decide(&two_hats, Action::Change, there), Decision::Allow);
    }

    #[test]
    fn allowed_on_any_of_several_records_is_exactly_allowed_on_one_of_them() {
        let tenants = [
            Tenant::campus(id(DISTRICT), id(CAMPUS)),
            Tenant::campus(id(DISTRICT), id(OTHER_CAMPUS)),
            Tenant::district(id(DISTRICT)),
            Tenant::district(id(OTHER_DISTRICT)),
        ];
        let mut records: Vec<Resource> = tenants
            .iter()
            .flat_map(|t| {
                [
                    Resource::new(RecordClass::Shared, *t),
                    Resource::new(RecordClass::School, *t),
                    Resource::new(RecordClass::Shared, *t).kept_by(KeptBy::ActivityLog),
                ]
            })
            .collect();
        records.extend([
            agreement(AGENCY, DISTRICT),
            agreement(OTHER_AGENCY, DISTRICT),
            le_record(AGENCY, CAMPUS),
            le_record(OTHER_AGENCY, CAMPUS),
        ]);
        let scopes = [
            Scope::Instance,
            Scope::Agency { agency: id(AGENCY) },
            Scope::District {
                district: id(DISTRICT),
            },
            Scope::Campus {
                district: id(DISTRICT),
                campus: id(CAMPUS),
            },
        ];
        let mut actors = vec![sro(), principal()];
        for role in Role::ALL {
            for scope in scopes {
                actors.push(actor(vec![Grant { role: *role, scope }], vec![]));
            }
        }
        for who in &actors {
            for action in [Action::View, Action::Change] {
                // Every record alone, and every pair: one allowed is enough, none is none.
                for (i, first) in records.iter().enumerate() {
                    for second in &records[i..] {
                        let set = [*first, *second];
                        let one_allowed = set
                            .iter()
                            .any(|r| decide(who, action, *r) == Decision::Allow);
                        assert_eq!(
                            allows_any(who, action, &set),
                            one_allowed,
                            "{:?} {action:?} {set:?}",
                            who.grants
                        );
                    }
                    assert_eq!(
                        allows_any(who, action, &[*first]),
                        decide(who, action, *first) == Decision::Allow
                    );
                }
            }
            assert!(!allows_any(who, Action::View, &[]));
        }
    }
}
