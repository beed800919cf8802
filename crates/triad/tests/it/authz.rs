//! The authorization walk: every route the router serves × every role × the actor's own
//! tenant and a foreign one, against a table of expectations written here by hand (not
//! computed by the policy under test). A route missing from the table fails the test, and so
//! does a route that forgets to ask the policy.

use crate::both_engines;
use crate::support::*;
use reqwest::Method;
use triad_domain::auth::{Grant, Role, Scope};
use triad_store::paging::Page;
use triad_web::RouteSpec;

const EVERYONE: &[&str] = &[
    "sro",
    "sso",
    "principal",
    "staff",
    "sergeant",
    "director",
    "evaluator",
    "admin",
];
const ADMIN: &[&str] = &["admin"];
/// Who sees a district or campus of their own tenant: everyone whose reach includes it, the
/// sergeant through the agency's partnership with the district.
const DIRECTORY_READERS: &[&str] = EVERYONE;
const DISTRICT_EDITORS: &[&str] = &["director", "admin"];
const AGENCY_EDITORS: &[&str] = &["sergeant", "admin"];
const ASSIGNMENT_EDITORS: &[&str] = &["sergeant", "director", "admin"];
const OFFICERS: &[&str] = &["sro", "sso"];
/// Who reads a shared entry of the own campus: its SRO, SSO and administrator, the SRO's
/// supervisor and the district leader.
const CAMPUS_SHARED_READERS: &[&str] = &["sro", "sso", "principal", "sergeant", "director"];
const AUTHOR: &[&str] = &["sro"];
/// Who reads and records the meetings of the own campus: its SRO, SSO, administrator and the
/// district leader.
const CAMPUS_PARTNERS: &[&str] = &["sro", "sso", "principal", "director"];
const NOBODY: &[&str] = &[];
/// Who reads a campus's FERPA disclosure log: its administrator and the district leader.
const SCHOOL_SIDE: &[&str] = &["principal", "director"];
/// The agency's sworn side: the SRO and the supervisor.
const SWORN: &[&str] = &["sro", "sergeant"];
/// Who takes evidence in on the own campus: its SRO, SSO and administrator (the district
/// leader reads and records shared records but holds no custody).
const CUSTODIANS: &[&str] = &["sro", "sso", "principal"];
const AUDIT_READERS: &[&str] = &["director", "admin"];
const LEADER: &[&str] = &["director"];
const USER_MANAGERS: &[&str] = &["director", "admin"];
const IMPORTERS: &[&str] = &["sro", "sso", "sergeant"];
/// Who reads the own partnership's MOU: both sides' leaders, the campus's administrator and
/// the SRO assigned there (not the SSO, staff or evaluator).
const MOU_READERS: &[&str] = &["sro", "principal", "sergeant", "director"];
/// Who drafts it and designates a side's signatory: the two sides' leaders.
const MOU_DRAFTERS: &[&str] = &["sergeant", "director"];
/// Who reads and records a partnership's grants: the two sides' leaders alone.
const FUNDING_LEADERS: &[&str] = &["sergeant", "director"];
/// Who reads a district's community resource directory: everyone of the district (not the
/// agency's supervisor, who serves it from outside), and the instance's administrator.
const COMMUNITY_READERS: &[&str] = &[
    "sro",
    "sso",
    "principal",
    "staff",
    "director",
    "evaluator",
    "admin",
];
/// Who keeps its entries: the district's leader and the partners on its campuses.
const COMMUNITY_KEEPERS: &[&str] = &["sro", "sso", "principal", "director"];
/// Who reads and records an agency's training (its supervisor; an officer reads their own,
/// and the walk's officer has no account).
const TRAINING_KEEPERS: &[&str] = &["sergeant"];
/// Who reads a district's survey figures: its leader and the evaluator.
const SURVEY_READERS: &[&str] = &["director", "evaluator"];
/// Who reads and rates a program's assessment: its evaluators and the two sides' leaders.
const ASSESSORS: &[&str] = &["sergeant", "director", "evaluator"];
/// Who downloads the district's signed export for its state: its leader and evaluator (not the
/// agency's supervisor, who assesses only the agency's programs).
const DISTRICT_ASSESSORS: &[&str] = &["director", "evaluator"];
/// Who moves a step of the own program's improvement plan: its owner and the assessors.
const STEP_MOVERS: &[&str] = &["principal", "sergeant", "director", "evaluator"];

/// What a route expects: who is allowed on the own-tenant target and on the foreign one.
struct Expect {
    own: &'static [&'static str],
    foreign: &'static [&'static str],
}

const fn e(own: &'static [&'static str], foreign: &'static [&'static str]) -> Option<Expect> {
    Some(Expect { own, foreign })
}

/// `None`: a public route (no sign-in needed).
fn expectation(route: &RouteSpec) -> Option<Option<Expect>> {
    let exp = match (route.method, route.path) {
        (
            "GET",
            "/static/style.css"
            | "/static/app.js"
            | "/static/live-worker.js"
            | "/healthz"
            | "/health/ready"
            | "/login"
            | "/login/second-factor"
            | "/api/openapi.json",
        )
        | ("POST", "/login" | "/login/second-factor") => None,
        // Anonymous survey answers: no account.
        ("GET" | "POST", "/s/{code}") => None,
        // A calendar feed: its secret link is its credential.
        ("GET", "/calendar/{file}") => None,
        // Through an identity provider: its answer, taken once by the browser that left, is
        // the credential.
        ("GET", "/login/with/{key}" | "/login/callback") => None,
        // A forgotten password: the emailed link's secret is the credential.
        ("GET" | "POST", "/login/forgot" | "/login/reset/{secret}") => None,
        // Stopping an email from its one-click link: the link's signed token is the credential.
        ("GET" | "POST", "/email/stop/{token}") => None,
        ("GET", "/districts/{id}/surveys" | "/api/v1/districts/{id}/surveys")
        | ("GET", "/surveys/{id}" | "/api/v1/surveys/{id}") => e(SURVEY_READERS, NOBODY),
        ("POST", "/districts/{id}/surveys" | "/api/v1/districts/{id}/surveys")
        | (
            "GET",
            "/surveys/{id}/export.csv"
            | "/api/v1/surveys/{id}/answers"
            | "/surveys/{id}/themes"
            | "/surveys/{id}/flyer",
        )
        | ("POST", "/surveys/{id}/themes" | "/surveys/{id}/import") => e(LEADER, NOBODY),
        (
            "GET",
            "/" | "/org" | "/account" | "/account/second-factor" | "/api/v1/me" | "/api/v1/org",
        ) => e(EVERYONE, EVERYONE),
        (
            "POST",
            "/account/password"
            | "/account/tokens"
            | "/account/second-factor"
            | "/account/recovery-codes"
            | "/account/sign-out-everywhere"
            | "/account/calendar"
            | "/account/calendar/stop"
            | "/account/identities/link"
            | "/account/identities/unlink"
            | "/logout",
        ) => e(EVERYONE, EVERYONE),
        ("POST", "/account/tokens/{id}/revoke") => e(EVERYONE, ADMIN),
        (
            "GET",
            "/districts/{id}"
            | "/campuses/{id}"
            | "/api/v1/districts/{id}"
            | "/api/v1/campuses/{id}",
        ) => e(DIRECTORY_READERS, ADMIN),
        (
            "POST",
            "/districts/{id}/campuses"
            | "/districts/{id}/terms"
            | "/districts/{id}/non-school-days"
            | "/districts/{id}/state-words"
            | "/campuses/{id}",
        )
        | (
            "POST",
            "/api/v1/districts/{id}/campuses"
            | "/api/v1/districts/{id}/terms"
            | "/api/v1/districts/{id}/non-school-days",
        )
        | ("PUT", "/api/v1/campuses/{id}") => e(DISTRICT_EDITORS, ADMIN),
        ("GET", "/districts/{id}/role-guide" | "/api/v1/districts/{id}/role-guide") => {
            e(EVERYONE, ADMIN)
        }
        ("POST", "/districts/{id}/role-guide/{code}")
        | ("PUT", "/api/v1/districts/{id}/role-guide/{code}") => e(DISTRICT_EDITORS, ADMIN),
        ("GET", "/districts/{id}/community" | "/api/v1/districts/{id}/community") => {
            e(COMMUNITY_READERS, ADMIN)
        }
        ("POST", "/districts/{id}/community" | "/api/v1/districts/{id}/community")
        | (
            "POST",
            "/community/{id}" | "/community/{id}/verify" | "/api/v1/community/{id}/verify",
        )
        | ("PUT", "/api/v1/community/{id}") => e(COMMUNITY_KEEPERS, NOBODY),
        ("POST", "/community/{id}/retire" | "/api/v1/community/{id}/retire") => {
            e(COMMUNITY_KEEPERS, NOBODY)
        }
        ("POST", "/community/{id}/referrals" | "/api/v1/community/{id}/referrals") => {
            e(AUTHOR, NOBODY)
        }
        ("GET" | "POST", "/districts/{id}/roster") | ("POST", "/api/v1/districts/{id}/roster") => {
            e(DISTRICT_EDITORS, ADMIN)
        }
        ("POST", "/districts/{id}/community/period")
        | ("PUT", "/api/v1/districts/{id}/community/period") => e(DISTRICT_EDITORS, ADMIN),
        (
            "GET",
            "/people/{id}/training"
            | "/api/v1/people/{id}/training"
            | "/training/{id}/certificate"
            | "/api/v1/training/{id}/certificate"
            | "/agencies/{id}/training"
            | "/api/v1/agencies/{id}/training",
        )
        | (
            "POST",
            "/people/{id}/training"
            | "/api/v1/people/{id}/training"
            | "/people/{id}/briefings"
            | "/api/v1/people/{id}/briefings"
            | "/agencies/{id}/training/requirements"
            | "/training/{id}/void"
            | "/api/v1/training/{id}/void",
        )
        | ("PUT", "/api/v1/agencies/{id}/training/requirements") => e(TRAINING_KEEPERS, NOBODY),
        ("GET" | "POST", "/people/{id}/evaluations" | "/api/v1/people/{id}/evaluations") => {
            e(TRAINING_KEEPERS, NOBODY)
        }
        // The evaluation of the campus's SRO: the officer, the supervisor, and the
        // administrator of the campus (who gives their input).
        ("GET", "/evaluations/{id}" | "/api/v1/evaluations/{id}") => {
            e(&["sro", "principal", "sergeant"], NOBODY)
        }
        ("POST", "/evaluations/{id}/input") | ("PUT", "/api/v1/evaluations/{id}/input") => {
            e(&["principal"], NOBODY)
        }
        ("GET" | "POST", "/agencies/{id}/postings" | "/api/v1/agencies/{id}/postings")
        | ("POST", "/agencies/{id}/postings/minimum" | "/postings/{id}/candidates")
        | ("POST", "/candidates/{id}/decision" | "/api/v1/postings/{id}/candidates")
        | ("PUT", "/api/v1/agencies/{id}/postings/minimum" | "/api/v1/candidates/{id}/decision") => {
            e(TRAINING_KEEPERS, NOBODY)
        }
        // A post on the home campus: its supervisor, and the campus's administrator on the
        // panel.
        ("GET", "/postings/{id}" | "/api/v1/postings/{id}") => {
            e(&["principal", "sergeant"], NOBODY)
        }
        ("POST", "/candidates/{id}/panel") | ("PUT", "/api/v1/candidates/{id}/panel") => {
            e(&["principal"], NOBODY)
        }
        ("GET" | "POST", "/campuses/{id}/post") | ("GET" | "PUT", "/api/v1/campuses/{id}/post") => {
            e(CAMPUS_PARTNERS, NOBODY)
        }
        ("GET", "/districts/{id}/training" | "/api/v1/districts/{id}/training") => {
            e(SURVEY_READERS, NOBODY)
        }
        ("GET", "/campuses/{id}/start-of-year" | "/api/v1/campuses/{id}/start-of-year") => {
            e(CAMPUS_PARTNERS, NOBODY)
        }
        (
            "POST",
            "/campuses/{id}/start-of-year/{code}" | "/api/v1/campuses/{id}/start-of-year/{code}",
        ) => e(&["sro", "principal"], NOBODY),
        ("GET", "/agencies/{id}" | "/api/v1/agencies/{id}") => e(EVERYONE, ADMIN),
        ("POST", "/agencies/{id}/assignments" | "/api/v1/agencies/{id}/assignments") => {
            e(AGENCY_EDITORS, ADMIN)
        }
        (
            "POST",
            "/org/districts"
            | "/org/agencies"
            | "/org/partnerships"
            | "/api/v1/districts"
            | "/api/v1/agencies"
            | "/api/v1/partnerships",
        ) => e(ADMIN, ADMIN),
        ("GET", "/audit" | "/api/v1/audit") => e(AUDIT_READERS, AUDIT_READERS),
        (
            "GET",
            "/partnerships/{id}/mou"
            | "/mou/{id}"
            | "/mou/{id}/compare"
            | "/api/v1/partnerships/{id}/mou"
            | "/api/v1/mou/{id}"
            | "/api/v1/mou/{id}/compare",
        ) => e(MOU_READERS, NOBODY),
        (
            "POST",
            "/partnerships/{id}/mou/drafts"
            | "/partnerships/{id}/mou/signatory"
            | "/mou/{id}"
            | "/api/v1/partnerships/{id}/mou/drafts",
        )
        | ("PUT", "/api/v1/partnerships/{id}/mou/signatory" | "/api/v1/mou/{id}/clauses") => {
            e(MOU_DRAFTERS, NOBODY)
        }
        // Only the designated signatory signs: the district's leader, in the own tenant.
        ("POST", "/mou/{id}/sign" | "/api/v1/mou/{id}/signatures") => e(LEADER, NOBODY),
        (
            "GET",
            "/partnerships/{id}/assessment"
            | "/partnerships/{id}/assessment.csv"
            | "/api/v1/partnerships/{id}/assessment",
        )
        | (
            "POST",
            "/partnerships/{id}/assessment/ratings"
            | "/api/v1/partnerships/{id}/assessment/ratings",
        ) => e(ASSESSORS, NOBODY),
        (
            "GET",
            "/partnerships/{id}/improvement"
            | "/api/v1/partnerships/{id}/improvement"
            | "/partnerships/{id}/collaboration"
            | "/api/v1/partnerships/{id}/collaboration",
        )
        | (
            "POST",
            "/partnerships/{id}/findings"
            | "/api/v1/partnerships/{id}/findings"
            | "/partnerships/{id}/plan"
            | "/api/v1/partnerships/{id}/plan",
        ) => e(ASSESSORS, NOBODY),
        // A step moves by its owner (the walk's step is the principal's) or by the program's
        // assessors; nobody moves another program's step.
        ("POST", "/plan-steps/{id}/status" | "/api/v1/plan-steps/{id}/status") => {
            e(STEP_MOVERS, NOBODY)
        }
        ("GET", "/partnerships/{id}/funding" | "/api/v1/partnerships/{id}/grants")
        | (
            "POST",
            "/partnerships/{id}/grants"
            | "/api/v1/partnerships/{id}/grants"
            | "/grants/{id}/plan"
            | "/grants/{id}",
        )
        | ("PUT", "/api/v1/grants/{id}/plan" | "/api/v1/grants/{id}") => e(FUNDING_LEADERS, NOBODY),
        // District leaders find the people of their district and give or end its school
        // roles; everything else about accounts, and the instance's settings, is the
        // administrator's.
        // The list has no tenant of its own: each sees their own people in it.
        ("GET", "/admin/users") => e(USER_MANAGERS, USER_MANAGERS),
        ("GET", "/admin/users/{id}")
        | (
            "POST",
            "/admin/users/{id}/grants"
            | "/admin/users/{id}/grants/end"
            | "/admin/users/{id}/identities/move"
            | "/api/v1/users/{id}/grants",
        ) => e(USER_MANAGERS, ADMIN),
        ("GET", "/admin/settings" | "/admin/users/new")
        | (
            "POST",
            "/admin/users"
            | "/admin/users/{id}/disable"
            | "/admin/users/{id}/enable"
            | "/admin/users/{id}/unlock"
            | "/admin/settings",
        ) => e(ADMIN, ADMIN),
        ("GET", "/api/v1/users")
        | (
            "POST",
            "/api/v1/users"
            | "/api/v1/users/{id}/disable"
            | "/api/v1/users/{id}/enable"
            | "/api/v1/users/{id}/unlock",
        ) => e(ADMIN, ADMIN),
        ("GET", "/api/v1/tokens") | ("POST", "/api/v1/tokens") => e(EVERYONE, EVERYONE),
        ("POST", "/api/v1/tokens/{id}/revoke") => e(EVERYONE, ADMIN),
        ("GET", "/people/{id}" | "/api/v1/people/{id}") => e(EVERYONE, ADMIN),
        ("POST", "/people/{id}" | "/agencies/{id}/people" | "/api/v1/agencies/{id}/people")
        | ("PUT", "/api/v1/people/{id}") => e(AGENCY_EDITORS, ADMIN),
        ("POST", "/assignments/{id}/end" | "/api/v1/assignments/{id}/end") => {
            e(ASSIGNMENT_EDITORS, ADMIN)
        }
        ("GET", "/activity" | "/api/v1/activities")
        | ("POST", "/activity" | "/api/v1/activities") => e(OFFICERS, OFFICERS),
        ("GET", "/activity/{id}" | "/api/v1/activities/{id}") => e(CAMPUS_SHARED_READERS, NOBODY),
        // An import's page is for the person who sent it, whatever their role.
        ("GET", "/activity/import/{id}" | "/api/v1/activities/import/{id}") => e(EVERYONE, NOBODY),
        // Who may be named on a campus's shared records: asked by those who keep them.
        ("GET", "/api/v1/campuses/{id}/people") => e(CAMPUS_PARTNERS, NOBODY),
        ("POST", "/activity/{id}" | "/activity/{id}/undo" | "/api/v1/activities/{id}/undo")
        | ("PUT", "/api/v1/activities/{id}") => e(AUTHOR, NOBODY),
        ("GET", "/activity/{id}/lesson-plan" | "/api/v1/activities/{id}/lesson-plan") => {
            e(CAMPUS_SHARED_READERS, NOBODY)
        }
        ("POST", "/activity/{id}/lesson-plan" | "/api/v1/activities/{id}/lesson-plan") => {
            e(AUTHOR, NOBODY)
        }
        ("GET", "/reports/activity" | "/api/v1/reports/activity") => e(EVERYONE, EVERYONE),
        (
            "GET",
            "/districts/{id}/assessment-export" | "/api/v1/districts/{id}/assessment-export",
        ) => e(DISTRICT_ASSESSORS, NOBODY),
        // A district's own practices: its leader and evaluator read and keep them.
        ("GET" | "POST", "/districts/{id}/practices" | "/api/v1/districts/{id}/practices")
        | ("POST", "/district-practices/{id}/retire" | "/api/v1/district-practices/{id}/retire") => {
            e(DISTRICT_ASSESSORS, NOBODY)
        }
        // The state's page of sending instances: the administrator (who adds them) and a state
        // evaluator (who imports; the walk's evaluator is the district's, not the state's).
        ("GET", "/assessments/imports" | "/api/v1/assessment-imports")
        | ("POST", "/assessments/senders" | "/api/v1/assessment-senders")
        | (
            "POST",
            "/assessments/senders/{id}/withdraw" | "/api/v1/assessment-senders/{id}/withdraw",
        ) => e(ADMIN, ADMIN),
        ("POST", "/assessments/imports" | "/api/v1/assessment-imports") => e(NOBODY, NOBODY),
        // Every reader gets the heat map of the programs they may assess (none: an empty one).
        ("GET", "/assessments" | "/assessments.csv" | "/api/v1/assessments") => {
            e(EVERYONE, EVERYONE)
        }
        (
            "GET",
            "/campuses/{id}/meetings"
            | "/api/v1/campuses/{id}/meetings"
            | "/meetings/{id}"
            | "/api/v1/meetings/{id}",
        )
        | (
            "POST",
            "/campuses/{id}/meetings"
            | "/api/v1/campuses/{id}/meetings"
            | "/meetings/{id}/items"
            | "/api/v1/meetings/{id}/items",
        )
        | ("POST", "/action-items/{id}" | "/api/v1/action-items/{id}/status") => {
            e(CAMPUS_PARTNERS, NOBODY)
        }
        (
            "GET",
            "/campuses/{id}/incidents"
            | "/api/v1/campuses/{id}/incidents"
            | "/campuses/{id}/bans"
            | "/api/v1/campuses/{id}/bans"
            | "/campuses/{id}/visitors"
            | "/api/v1/campuses/{id}/visitors"
            | "/visitors/{id}"
            | "/api/v1/visitors/{id}",
        )
        | (
            "POST",
            "/campuses/{id}/incidents"
            | "/api/v1/campuses/{id}/incidents"
            | "/incidents/{id}/follow-ups"
            | "/api/v1/incidents/{id}/follow-ups"
            | "/incidents/{id}/bans"
            | "/api/v1/incidents/{id}/bans"
            | "/campuses/{id}/visitors"
            | "/api/v1/campuses/{id}/visitors"
            | "/visitors/{id}/sign-out"
            | "/api/v1/visitors/{id}/sign-out"
            | "/ban-matches/{id}"
            | "/api/v1/ban-matches/{id}",
        ) => e(CAMPUS_PARTNERS, NOBODY),
        (
            "GET",
            "/incidents/{id}"
            | "/api/v1/incidents/{id}"
            | "/evidence/{id}"
            | "/api/v1/evidence/{id}"
            | "/photos/{id}"
            | "/api/v1/photos/{id}",
        )
        | ("POST", "/incidents/{id}/disclosure" | "/api/v1/incidents/{id}/disclosure") => {
            e(CAMPUS_SHARED_READERS, NOBODY)
        }
        ("GET", "/bans/{id}/photo" | "/api/v1/bans/{id}/photo") => e(CAMPUS_PARTNERS, NOBODY),
        ("POST", "/incidents/{id}/le-details" | "/api/v1/incidents/{id}/le-details")
        | (
            "GET",
            "/photos/{id}/original"
            | "/api/v1/photos/{id}/original"
            | "/evidence/{id}/custody.json"
            | "/api/v1/evidence/{id}/custody-bundle",
        ) => e(SWORN, NOBODY),
        ("GET", "/campuses/{id}/disclosures" | "/api/v1/campuses/{id}/disclosures") => {
            e(SCHOOL_SIDE, NOBODY)
        }
        ("POST", "/incidents/{id}/evidence" | "/api/v1/incidents/{id}/evidence") => {
            e(CUSTODIANS, NOBODY)
        }
        // The fixture item is held by the own SRO: only the holder releases it or records
        // its status; no transfer waits for anyone.
        (
            "POST",
            "/evidence/{id}/transfer"
            | "/api/v1/evidence/{id}/transfer"
            | "/evidence/{id}/status"
            | "/api/v1/evidence/{id}/status",
        ) => e(AUTHOR, NOBODY),
        ("POST", "/evidence/{id}/acknowledge" | "/api/v1/evidence/{id}/acknowledge") => {
            e(NOBODY, NOBODY)
        }
        (
            "GET",
            "/campuses/{id}/status"
            | "/api/v1/campuses/{id}/status"
            | "/campus-events/{id}"
            | "/api/v1/campus-events/{id}",
        )
        | ("POST", "/campuses/{id}/status" | "/api/v1/campuses/{id}/status") => {
            e(CAMPUS_PARTNERS, NOBODY)
        }
        ("GET", "/campus-events/{id}/timeline.csv")
        | (
            "POST",
            "/campus-events/{id}/steps"
            | "/api/v1/campus-events/{id}/steps"
            | "/campus-events/{id}/notes"
            | "/api/v1/campus-events/{id}/notes"
            | "/campus-events/{id}/follow-ups"
            | "/api/v1/campus-events/{id}/follow-ups"
            | "/campus-events/{id}/follow-ups/{item}/done"
            | "/api/v1/campus-events/{id}/follow-ups/{item}/done",
        )
        | ("GET", "/campuses/{id}/drills" | "/api/v1/campuses/{id}/drills")
        | (
            "POST",
            "/campuses/{id}/drills"
            | "/api/v1/campuses/{id}/drills"
            | "/drills/{id}/held"
            | "/api/v1/drills/{id}/held",
        ) => e(CAMPUS_PARTNERS, NOBODY),
        // Officers import their own logs; a supervisor, their officers'.
        ("GET", "/activity/import")
        | ("POST", "/activity/import" | "/api/v1/activities/import") => e(IMPORTERS, IMPORTERS),
        // Only the person notified acknowledges the fixture notice (to the director).
        ("POST", "/notices/{id}/acknowledge" | "/api/v1/notices/{id}/acknowledge") => {
            e(LEADER, NOBODY)
        }
        // A district leader hears every campus of the district on one stream.
        ("GET", "/districts/{id}/live" | "/districts/{id}/status") => e(LEADER, NOBODY),
        // The federal counts list the incidents behind them: the district's leader's.
        (
            "GET",
            "/districts/{id}/crdc" | "/districts/{id}/crdc.csv" | "/api/v1/districts/{id}/crdc",
        ) => e(LEADER, NOBODY),
        // A person's one stream: whatever they are on, possibly nothing.
        ("GET", "/live") => e(EVERYONE, EVERYONE),
        ("GET", "/incidents/{id}/investigations" | "/api/v1/incidents/{id}/investigations") => {
            e(CAMPUS_SHARED_READERS, NOBODY)
        }
        // The walk names the criminal side: the agency's sworn side opens, writes and closes it.
        (
            "POST",
            "/incidents/{id}/investigations/{side}"
            | "/api/v1/incidents/{id}/investigations/{side}"
            | "/incidents/{id}/investigations/{side}/notes"
            | "/api/v1/incidents/{id}/investigations/{side}/notes"
            | "/incidents/{id}/investigations/{side}/close"
            | "/api/v1/incidents/{id}/investigations/{side}/close",
        ) => e(SWORN, NOBODY),
        // Whether a campus is locked down is for everyone on it, like its directory entry.
        ("GET", "/campuses/{id}/live") => e(DIRECTORY_READERS, ADMIN),
        ("GET", "/api/v1/notifications") => e(EVERYONE, EVERYONE),
        ("POST", "/notifications/{id}/read" | "/api/v1/notifications/{id}/read") => {
            e(EVERYONE, NOBODY)
        }
        _ => panic!(
            "{} {} has no expectation in the authorization table: add one",
            route.method, route.path
        ),
    };
    Some(exp)
}

/// An import job of `owner`'s, already done.
async fn import_job(app: &TestApp, owner: triad_domain::Id) -> triad_domain::Id {
    let id = triad_domain::Id::new();
    let job = triad_store::jobs::JobRow {
        id: id.to_string(),
        kind: "activity_import".into(),
        actor_id: owner.to_string(),
        input_key: "imports/none.csv".into(),
        options: "{}".into(),
        state: triad_store::jobs::DONE.into(),
        done: 0,
        total: 0,
        report: Some("{\"file_sha256\":\"\",\"rows_read\":0,\"imported\":0,\"already_present\":0,\"refused\":[]}".into()),
        error: None,
        attempts: 1,
        lease_owner: None,
        lease_until: None,
        created_at: 0,
        started_at: Some(0),
        finished_at: Some(0),
    };
    let mut tx = app.db.begin().await.unwrap();
    triad_store::jobs::insert(&mut tx, &job).await.unwrap();
    tx.commit().await.unwrap();
    id
}

/// The concrete path of a route for a target in the own or the foreign tenant.
async fn concrete(app: &TestApp, path: &str, actor: &str, foreign: bool) -> String {
    let w = &app.world;
    let id = if path.starts_with("/districts/") || path.starts_with("/api/v1/districts/") {
        if foreign {
            w.other_district
        } else {
            w.district
        }
        .to_string()
    } else if path.starts_with("/campuses/") || path.starts_with("/api/v1/campuses/") {
        if foreign { w.other_campus } else { w.campus }.to_string()
    } else if path.starts_with("/agencies/") || path.starts_with("/api/v1/agencies/") {
        if foreign { w.other_agency } else { w.agency }.to_string()
    } else if path.starts_with("/people/") || path.starts_with("/api/v1/people/") {
        if foreign { w.other_officer } else { w.officer }.to_string()
    } else if path.starts_with("/assignments/") || path.starts_with("/api/v1/assignments/") {
        if foreign {
            w.other_assignment
        } else {
            w.assignment
        }
        .to_string()
    } else if path.starts_with("/activity/import/")
        || path.starts_with("/api/v1/activities/import/")
    {
        // Their own import, or somebody else's.
        import_job(app, app.user(if foreign { "victim" } else { actor }))
            .await
            .to_string()
    } else if path.starts_with("/activity/") || path.starts_with("/api/v1/activities/") {
        if foreign {
            w.other_activity
        } else {
            w.activity
        }
        .to_string()
    } else if path.starts_with("/meetings/") || path.starts_with("/api/v1/meetings/") {
        if foreign { w.other_meeting } else { w.meeting }.to_string()
    } else if path.starts_with("/action-items/") || path.starts_with("/api/v1/action-items/") {
        if foreign { w.other_item } else { w.item }.to_string()
    } else if let Some(id) = incident_fixture(app, path, foreign) {
        id.to_string()
    } else if path.starts_with("/notices/") || path.starts_with("/api/v1/notices/") {
        if foreign { w.other_notice } else { w.notice }.to_string()
    } else if path.starts_with("/partnerships/") || path.starts_with("/api/v1/partnerships/") {
        if foreign {
            w.other_partnership
        } else {
            w.partnership
        }
        .to_string()
    } else if path.starts_with("/plan-steps/") || path.starts_with("/api/v1/plan-steps/") {
        // A fresh step of the own program, owned by the own campus's principal, or of the
        // other program, owned by its principal.
        let (partnership, owner) = if foreign {
            (w.other_partnership, "away-principal")
        } else {
            (w.partnership, "principal")
        };
        plan_step(app, partnership, app.user(owner))
            .await
            .to_string()
    } else if path.starts_with("/assessments/senders/")
        || path.starts_with("/api/v1/assessment-senders/")
    {
        // Each request withdraws a fresh sender (senders are the instance's, so no other
        // tenant's exists).
        aggregate_sender(app).await
    } else if path.starts_with("/district-practices/")
        || path.starts_with("/api/v1/district-practices/")
    {
        // Each request retires a fresh practice of the own or the other district.
        district_practice(
            app,
            if foreign {
                w.other_district
            } else {
                w.district
            },
        )
        .await
    } else if path.ends_with("/retire") {
        // Retiring takes the service off the directory: each request retires a fresh one.
        community_resource(
            app,
            if foreign {
                w.other_district
            } else {
                w.district
            },
        )
        .await
        .to_string()
    } else if path.starts_with("/community/") || path.starts_with("/api/v1/community/") {
        if foreign {
            w.other_community_resource
        } else {
            w.community_resource
        }
        .to_string()
    } else if path.starts_with("/postings/") || path.starts_with("/api/v1/postings/") {
        if foreign { w.other_posting } else { w.posting }.to_string()
    } else if path.starts_with("/candidates/") || path.starts_with("/api/v1/candidates/") {
        if foreign {
            w.other_candidate
        } else {
            w.candidate
        }
        .to_string()
    } else if path.starts_with("/evaluations/") || path.starts_with("/api/v1/evaluations/") {
        if foreign {
            w.other_evaluation
        } else {
            w.evaluation
        }
        .to_string()
    } else if path.starts_with("/training/") || path.starts_with("/api/v1/training/") {
        if foreign {
            w.other_training
        } else {
            w.training
        }
        .to_string()
    } else if path.starts_with("/grants/") || path.starts_with("/api/v1/grants/") {
        if foreign { w.other_grant } else { w.grant }.to_string()
    } else if path.starts_with("/mou/") || path.starts_with("/api/v1/mou/") {
        if foreign { w.other_mou } else { w.mou }.to_string()
    } else if path.starts_with("/surveys/") || path.starts_with("/api/v1/surveys/") {
        if foreign { w.other_survey } else { w.survey }.to_string()
    } else if path.starts_with("/drills/") || path.starts_with("/api/v1/drills/") {
        if foreign { w.other_drill } else { w.drill }.to_string()
    } else if path.starts_with("/notifications/") || path.starts_with("/api/v1/notifications/") {
        // Their own notification, or somebody else's.
        let owner = app.user(if foreign { "victim" } else { actor });
        notify(app, owner).await.to_string()
    } else if path.starts_with("/admin/users/") || path.starts_with("/api/v1/users/") {
        app.user(if foreign { "away-principal" } else { "victim" })
            .to_string()
    } else if path.starts_with("/account/tokens/") || path.starts_with("/api/v1/tokens/") {
        // Their own token, or somebody else's.
        let owner = if foreign { "victim" } else { actor };
        app.token(owner).await;
        let tokens = triad_store::auth::tokens_of(
            &mut app.db.acquire().await.unwrap(),
            app.user(owner),
            Page::ALL,
        )
        .await
        .unwrap();
        tokens[0].id.clone()
    } else {
        String::new()
    };
    // The walk names the criminal side of an investigation and a follow-up that does not exist.
    path.replace("{id}", &id)
        .replace("{side}", "criminal")
        .replace("{code}", "staff.talking_points")
        .replace("{item}", &triad_domain::Id::new().to_string())
}

/// A fresh action step of a program's improvement plan.
async fn plan_step(
    app: &TestApp,
    partnership: triad_domain::Id,
    owner: triad_domain::Id,
) -> triad_domain::Id {
    let id = triad_domain::Id::new();
    let row = triad_store::improvement::PlanRow {
        id: id.to_string(),
        partnership_id: partnership.to_string(),
        level: "step".into(),
        parent_id: None,
        title: "Invite the SRO to the faculty meeting".into(),
        owner_id: Some(owner.to_string()),
        owner_name: None,
        due_on: Some("2030-01-01".into()),
        status: "planned".into(),
        note: String::new(),
        created_at: 0,
        updated_by_name: "walk".into(),
        updated_at: 0,
    };
    let mut tx = app.db.begin().await.unwrap();
    triad_store::improvement::insert_plan_entry(&mut tx, &row)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

/// A fresh practice of a district's own, added by its leader.
async fn district_practice(app: &TestApp, district: triad_domain::Id) -> String {
    let id = triad_domain::Id::new().to_string();
    let row = triad_store::assessment::PracticeRow {
        id: id.clone(),
        district_id: district.to_string(),
        number: 0,
        short: "Bus duty".into(),
        practice: "The SRO is at the buses after school.".into(),
        related: String::new(),
        added_by: app.user("director").to_string(),
        added_at: 0,
        retired_at: None,
    };
    let mut tx = app.db.begin().await.unwrap();
    let added = triad_store::assessment::add_district_practice(&mut tx, &row)
        .await
        .unwrap();
    assert!(added.is_some());
    tx.commit().await.unwrap();
    id
}

/// A fresh instance the state takes aggregates from.
async fn aggregate_sender(app: &TestApp) -> String {
    let id = triad_domain::Id::new().to_string();
    let row = triad_store::state_aggregates::SenderRow {
        id: id.clone(),
        name: "Lakeview Unified".into(),
        public_key: triad_domain::Id::new().to_string(),
        fingerprint: "0000".into(),
        added_by: app.user("admin").to_string(),
        added_at: 0,
        withdrawn_at: None,
    };
    let mut tx = app.db.begin().await.unwrap();
    assert!(triad_store::state_aggregates::add_sender(&mut tx, &row)
        .await
        .unwrap());
    tx.commit().await.unwrap();
    id
}

/// A fresh service in a district's community directory.
async fn community_resource(app: &TestApp, district: triad_domain::Id) -> triad_domain::Id {
    let id = triad_domain::Id::new();
    let row = triad_store::community::ResourceRow {
        id: id.to_string(),
        district_id: district.to_string(),
        name: "Closing soon".into(),
        category: "other".into(),
        contact: "555-0199".into(),
        hours: None,
        languages: None,
        eligibility: None,
        verified_on: "2026-01-01".into(),
        verified_by: app.user("director").to_string(),
        created_at: 0,
        updated_at: 0,
    };
    let mut tx = app.db.begin().await.unwrap();
    triad_store::community::put(&mut tx, &row).await.unwrap();
    tx.commit().await.unwrap();
    id
}

/// The incident-side fixture a path names, in the own or the foreign tenant.
fn incident_fixture(app: &TestApp, path: &str, foreign: bool) -> Option<triad_domain::Id> {
    let w = &app.world;
    let path = path.strip_prefix("/api/v1").unwrap_or(path);
    let pick = |own, other| Some(if foreign { other } else { own });
    if path.starts_with("/incidents/") {
        pick(w.incident, w.other_incident)
    } else if path.starts_with("/evidence/") {
        pick(w.evidence, w.other_evidence)
    } else if path.starts_with("/photos/") {
        pick(w.photo, w.other_photo)
    } else if path.starts_with("/visitors/") {
        pick(w.visitor, w.other_visitor)
    } else if path.starts_with("/campus-events/") {
        pick(w.campus_event, w.other_campus_event)
    } else if path.starts_with("/bans/") {
        pick(w.ban, w.other_ban)
    } else if path.starts_with("/ban-matches/") {
        pick(w.ban_match, w.other_ban_match)
    } else {
        None
    }
}

/// A fresh notification for a user.
async fn notify(app: &TestApp, user: triad_domain::Id) -> triad_domain::Id {
    let mut tx = app.db.begin().await.unwrap();
    let n = triad_store::notifications::NewNotification {
        user,
        campus: None,
        message: "test",
        link: None,
        at: app.clock_now().millis(),
    };
    triad_store::notifications::insert(&mut tx, &n)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let unread =
        triad_store::notifications::unread(&mut app.db.acquire().await.unwrap(), user, Page::ALL)
            .await
            .unwrap();
    triad_domain::Id::parse(&unread[0].id).unwrap()
}

/// One session and one token per person and server for the whole walk, as a person's browser
/// and script would hold them (a new one per request made every request a write).
type Held = std::collections::HashMap<(String, triad_domain::Id), (Session, String)>;
/// Each walker's session and token, made once per instance and person.
static HELD: std::sync::LazyLock<std::sync::Mutex<Held>> =
    std::sync::LazyLock::new(Default::default);

async fn credentials(app: &TestApp, user: triad_domain::Id, fresh: bool) -> (Session, String) {
    let key = (app.base.clone(), user);
    if !fresh {
        if let Some(held) = HELD.lock().unwrap().get(&key) {
            return held.clone();
        }
    }
    let made = (app.session_of(user).await, app.token_of(user).await);
    if !fresh {
        HELD.lock().unwrap().insert(key, made.clone());
    }
    made
}

async fn request(
    app: &TestApp,
    route: &RouteSpec,
    path: &str,
    actor: Option<&str>,
) -> reqwest::StatusCode {
    request_as(app, route, path, actor.map(|name| app.user(name))).await
}

async fn request_as(
    app: &TestApp,
    route: &RouteSpec,
    path: &str,
    actor: Option<triad_domain::Id>,
) -> reqwest::StatusCode {
    let is_api = path.starts_with("/api/");
    let method = Method::from_bytes(route.method.as_bytes()).unwrap();
    let mut req = app.http.request(method.clone(), app.url(path));
    // Signing out and revoking end a credential: those requests get one of their own.
    let ends_credential = route.path == "/logout"
        || route.path == "/account/sign-out-everywhere"
        || route.path.ends_with("/revoke");
    match (actor, is_api) {
        (Some(user), true) => {
            let (_, token) = credentials(app, user, ends_credential).await;
            req = req.bearer_auth(token);
        }
        (Some(user), false) => {
            let (s, _) = credentials(app, user, ends_credential).await;
            req = req.header("cookie", s.cookie.clone());
            if method != Method::GET {
                let t = triad_web::forms::FormToken::new(&s.csrf);
                req = req.form(&[("_idem", t.idem), ("_csrf", t.csrf)]);
            }
        }
        (None, false) if method != Method::GET => req = req.form(&[("x", "y")]),
        _ => {}
    }
    if is_api && method != Method::GET {
        req = req
            .header("idempotency-key", triad_domain::Id::new().to_string())
            .json(&serde_json::json!({}));
    }
    let status = req.send().await.unwrap().status();
    // Signing out everywhere ends the sessions held for that person's other requests too.
    if let (Some(user), "/account/sign-out-everywhere") = (actor, route.path) {
        HELD.lock().unwrap().remove(&(app.base.clone(), user));
    }
    status
}

both_engines!(
    every_route_every_role_own_and_foreign_tenant,
    |app: TestApp| async move {
        let routes = triad_web::route_specs();
        let distinct: std::collections::HashSet<_> =
            routes.iter().map(|r| (r.method, r.path)).collect();
        assert_eq!(distinct.len(), routes.len(), "a route is listed twice");
        let (mut checked, mut guarded) = (0, 0);
        for route in &routes {
            // Every route has a line in the table above: a new one fails here until it does.
            let Some(expect) = expectation(route).unwrap() else {
                let status = request(&app, route, route.path, None).await;
                assert!(
                    status.as_u16() < 500,
                    "{} {} public: {status}",
                    route.method,
                    route.path
                );
                continue;
            };
            guarded += 1;
            // Without credentials: pages send to sign-in, the API answers 401.
            let anon_path = concrete(&app, route.path, "admin", false).await;
            let anon = request(&app, route, &anon_path, None).await;
            let wanted = if route.path.starts_with("/api/") {
                401
            } else {
                303
            };
            assert_eq!(
                anon.as_u16(),
                wanted,
                "{} {} without credentials",
                route.method,
                route.path
            );
            for foreign in [false, true] {
                let allowed = if foreign { expect.foreign } else { expect.own };
                for actor in EVERYONE {
                    let path = concrete(&app, route.path, actor, foreign).await;
                    let denials = app.audit_count("access.", "denied").await;
                    let status = request(&app, route, &path, Some(actor)).await.as_u16();
                    let what = format!(
                        "{} {} as {actor} ({} tenant): {status}",
                        route.method,
                        path,
                        if foreign { "foreign" } else { "own" }
                    );
                    if allowed.contains(actor) {
                        assert!(
                            ![401, 403, 404].contains(&status) && status < 500,
                            "{what}: should be allowed"
                        );
                    } else {
                        // Records of another tenant (a district, campus, agency or someone else's
                        // token) must look exactly like records that do not exist.
                        let tenant_scoped =
                            route.path.contains("{id}") && !route.path.starts_with("/admin/");
                        // Nothing is foreign to the instance's administrator: they are told no.
                        if foreign && tenant_scoped && *actor != "admin" {
                            assert_eq!(
                                status, 404,
                                "{what}: a foreign tenant's record must be not found"
                            );
                        } else {
                            assert!(status == 403 || status == 404, "{what}: should be denied");
                        }
                        assert!(
                            app.audit_count("access.", "denied").await > denials,
                            "{what}: the denial is not on the audit trail"
                        );
                    }
                    checked += 1;
                }
            }
        }
        // Every guarded route, as every role, in its own tenant and a foreign one.
        assert!(guarded > 0);
        assert_eq!(checked, guarded * 2 * EVERYONE.len());
    }
);

/// What a person holding a role on *another campus of the same district* only may do to the
/// home campus's records, written by hand: the district's directory (every campus person reads
/// their own district's), the agencies and officers serving it (through the partnership); for
/// the SRO of that other campus also the directory entries of the district's campuses (their
/// agency serves the whole district) and the agency's own law-enforcement records, which
/// belong to the agency on every campus; for the administrator and the SRO, the district's
/// MOU. Nothing else of the home campus.
fn sibling_allows(role: &str, route: &RouteSpec) -> bool {
    let directory = matches!(
        (route.method, route.path),
        (
            "GET",
            "/districts/{id}"
                | "/api/v1/districts/{id}"
                | "/agencies/{id}"
                | "/api/v1/agencies/{id}"
                | "/people/{id}"
                | "/api/v1/people/{id}"
                | "/districts/{id}/role-guide"
                | "/api/v1/districts/{id}/role-guide"
        )
    );
    let agency_side = role == "sro"
        && matches!(
            (route.method, route.path),
            (
                "GET",
                "/campuses/{id}"
                    | "/api/v1/campuses/{id}"
                    | "/campuses/{id}/live"
                    | "/photos/{id}/original"
                    | "/api/v1/photos/{id}/original"
                    | "/evidence/{id}/custody.json"
                    | "/api/v1/evidence/{id}/custody-bundle"
            )
        );
    // The partnership's MOU covers every campus of the district: the administrator and the
    // SRO of any of them read it (and neither drafts it).
    let mou = matches!(role, "sro" | "principal")
        && matches!(
            (route.method, route.path),
            (
                "GET",
                "/partnerships/{id}/mou"
                    | "/mou/{id}"
                    | "/mou/{id}/compare"
                    | "/api/v1/partnerships/{id}/mou"
                    | "/api/v1/mou/{id}"
                    | "/api/v1/mou/{id}/compare"
            )
        );
    // The district's community resources: read by all of it, kept by the partners of any of
    // its campuses, referred to by the SRO of any of them.
    let community = match (route.method, route.path) {
        ("GET", "/districts/{id}/community" | "/api/v1/districts/{id}/community") => true,
        (
            "POST",
            "/districts/{id}/community"
            | "/api/v1/districts/{id}/community"
            | "/community/{id}"
            | "/community/{id}/verify"
            | "/api/v1/community/{id}/verify"
            | "/community/{id}/retire"
            | "/api/v1/community/{id}/retire",
        )
        | ("PUT", "/api/v1/community/{id}") => matches!(role, "sro" | "sso" | "principal"),
        ("POST", "/community/{id}/referrals" | "/api/v1/community/{id}/referrals") => role == "sro",
        _ => false,
    };
    directory || agency_side || mou || community
}

both_engines!(
    every_route_for_a_role_held_on_another_campus_of_the_district,
    |app: TestApp| async move {
        let sibling = app.sibling_campus().await;
        let w = app.world;
        let on_sibling = |role| Grant {
            role,
            scope: app.home_campus(sibling),
        };
        let people = [
            (
                "sro",
                app.add_person(
                    "sibling-sro",
                    &[Grant {
                        role: Role::Sro,
                        scope: Scope::Agency { agency: w.agency },
                    }],
                    Some(w.agency),
                    Some((w.agency, w.district, sibling)),
                )
                .await,
            ),
            (
                "sso",
                app.add_person("sibling-sso", &[on_sibling(Role::Sso)], None, None)
                    .await,
            ),
            (
                "principal",
                app.add_person(
                    "sibling-principal",
                    &[on_sibling(Role::CampusAdmin)],
                    None,
                    None,
                )
                .await,
            ),
            (
                "staff",
                app.add_person("sibling-staff", &[on_sibling(Role::Staff)], None, None)
                    .await,
            ),
        ];
        let mut wrong = Vec::new();
        let mut checked = 0;
        for route in triad_web::route_specs() {
            // Routes about the actor's own things (home, account, tokens, notifications) and
            // the instance's accounts are walked above; this walk is about campus records.
            let Some(Some(expect)) = expectation(&route) else {
                continue;
            };
            let own_things = ["/notifications/", "/account/", "/tokens/", "/users/"];
            if !route.path.contains("{id}") || own_things.iter().any(|p| route.path.contains(p)) {
                continue;
            }
            let path = concrete(&app, route.path, "sro", false).await;
            for (role, user) in people {
                let denials = app.audit_count("access.", "denied").await;
                let status = request_as(&app, &route, &path, Some(user)).await.as_u16();
                let allowed = ![401, 403, 404].contains(&status) && status < 500;
                let should = sibling_allows(role, &route) && expect.own.contains(&role);
                let audited = app.audit_count("access.", "denied").await > denials;
                if allowed != should || (!allowed && !audited) || status >= 500 {
                    wrong.push(format!(
                        "{} {} as the {role} of another campus: {status}{}",
                        route.method,
                        route.path,
                        if !allowed && !audited {
                            " (denial not audited)"
                        } else {
                            ""
                        }
                    ));
                }
                checked += 1;
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        assert!(checked > 200, "walked {checked} cases");
    }
);
