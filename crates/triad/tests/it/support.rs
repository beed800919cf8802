//! Starts Triad for a test: a fresh database (a SQLite file, or a new PostgreSQL database in
//! the throwaway cluster the test script starts), a small two-district world, and the server
//! on port 0.

use reqwest::redirect::Policy;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use triad_domain::auth::{Grant, Role, Scope};
use triad_domain::{Id, Timestamp};
use triad_store::auth as accounts;
use triad_store::{org, Db};
use triad_web::forms::FormToken;
use triad_web::{AppState, ShiftedClock, WebConfig};

/// How long a test waits for what should come (a page's text, an event on a stream, a
/// background write) before calling it a failure. Waits end as soon as it comes; the bound
/// only has to exceed what a loaded CI machine (every test at once on two cores) needs, which
/// is why it is far above what a user would wait.
pub const PATIENCE: std::time::Duration = std::time::Duration::from_secs(30);

pub const PASSWORD: &str = "correct lantern orchard copper";
/// The upload cap of test servers.
pub const UPLOAD_LIMIT: usize = 512 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Runs a test body once per engine.
#[macro_export]
macro_rules! both_engines {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let f = $body;
                f($crate::support::TestApp::start($crate::support::Engine::Sqlite).await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let f = $body;
                f($crate::support::TestApp::start($crate::support::Engine::Postgres).await).await;
            }
        }
    };
}

/// The ids of the test world: tenant 1 is the actors' own, tenant 2 is foreign.
#[derive(Debug, Clone, Copy)]
pub struct World {
    pub district: Id,
    pub campus: Id,
    pub agency: Id,
    pub other_district: Id,
    pub other_campus: Id,
    pub other_agency: Id,
    /// A sworn officer of the agency with no account, for assignments.
    pub officer: Id,
    /// A sworn officer of the other agency, with an assignment in the other district.
    pub other_officer: Id,
    /// The own SRO's assignment, and the other officer's.
    pub assignment: Id,
    pub other_assignment: Id,
    /// A patrol the own SRO logged on the own campus, and one on the other campus.
    pub activity: Id,
    pub other_activity: Id,
    /// A meeting on each campus, each with one action item.
    pub meeting: Id,
    pub other_meeting: Id,
    pub item: Id,
    pub other_item: Id,
    /// An incident on each campus, each with an evidence item (held by the own SRO, and by
    /// the away principal) with one photo, a ban, and a visitor whose sign-in matched it.
    pub incident: Id,
    pub other_incident: Id,
    pub evidence: Id,
    pub other_evidence: Id,
    pub photo: Id,
    pub other_photo: Id,
    pub ban: Id,
    pub other_ban: Id,
    pub visitor: Id,
    pub other_visitor: Id,
    pub ban_match: Id,
    pub other_ban_match: Id,
    /// A past lockdown on each campus.
    pub campus_event: Id,
    pub other_campus_event: Id,
    /// A notice of that event to the district leader (the away principal, abroad).
    pub notice: Id,
    pub other_notice: Id,
    /// A fire drill scheduled on each campus.
    pub drill: Id,
    pub other_drill: Id,
    /// A survey campaign of each district (the seed's four questions, open).
    pub survey: Id,
    pub other_survey: Id,
    /// Each tenant's partnership, and a draft of its MOU (the own district's leader is its
    /// designated signatory).
    pub partnership: Id,
    pub other_partnership: Id,
    pub mou: Id,
    pub other_mou: Id,
    /// A grant of each tenant's partnership, with no continuation plan yet.
    pub grant: Id,
    pub other_grant: Id,
    /// A service in each district's community resource directory, checked long ago.
    pub community_resource: Id,
    pub other_community_resource: Id,
    /// A course of each agency's unassigned officer, with a PDF certificate.
    pub training: Id,
    pub other_training: Id,
    /// This school year's evaluation of each tenant's assigned SRO (the own one is the "sro"
    /// account's, on the home campus).
    pub evaluation: Id,
    pub other_evaluation: Id,
    /// An SRO post on each tenant's campus, with the agency's unassigned officer as its one
    /// candidate.
    pub posting: Id,
    pub other_posting: Id,
    pub candidate: Id,
    pub other_candidate: Id,
}

/// The identity providers of a test server, made for its world.
type ProvidersFor = Box<dyn FnOnce(&World) -> Vec<triad_web::auth::providers::Provider>>;

pub struct TestApp {
    pub engine: Engine,
    pub base: String,
    pub db: Db,
    pub clock: Arc<ShiftedClock>,
    pub world: World,
    /// User ids by user name.
    pub users: HashMap<String, Id>,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
    /// Where the database is, for running the binary against it.
    pub database_url: String,
    /// The instance's data folder (keys, stored files), for running the binary against it.
    pub data_dir: std::path::PathBuf,
    /// The server's live status hub, to count the streams it holds.
    pub live: triad_web::live::Hub,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

/// The user names of the world: one per role in tenant 1.
pub const ROLE_USERS: &[(&str, Role)] = &[
    ("sro", Role::Sro),
    ("sso", Role::Sso),
    ("principal", Role::CampusAdmin),
    ("staff", Role::Staff),
    ("sergeant", Role::LeSupervisor),
    ("director", Role::DistrictLeader),
    ("evaluator", Role::Evaluator),
    ("admin", Role::SystemAdmin),
];

fn password_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        std::thread::spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()
                .and_then(|rt| {
                    rt.block_on(accounts::hash_password(PASSWORD.to_string()))
                        .ok()
                })
                .unwrap_or_default()
        })
        .join()
        .unwrap_or_default()
    })
    .clone()
}

async fn fresh_database(engine: Engine, dir: &std::path::Path) -> String {
    match engine {
        Engine::Sqlite => format!("sqlite://{}/triad.db", dir.display()),
        Engine::Postgres => {
            let admin = std::env::var("TRIAD_TEST_POSTGRES_URL").unwrap_or_else(|_| {
                panic!("TRIAD_TEST_POSTGRES_URL is not set: run the tests with scripts/test, which starts PostgreSQL")
            });
            let name = format!("triad_test_{}", uuid::Uuid::now_v7().simple());
            let db = Db::connect(&admin)
                .await
                .expect("connect to the test cluster");
            if let Db::Postgres(pool, ..) = &db {
                sweep_earlier_databases(pool).await;
                sqlx_create(pool, &name).await;
            }
            db.close().await;
            let base = admin
                .rsplit_once('/')
                .map(|(b, _)| b.to_string())
                .unwrap_or(admin);
            format!("{base}/{name}")
        }
    }
}

/// Drops, once per test run, the databases earlier runs left on the cluster (a test's
/// database stays open until its process ends, so it cannot drop its own). A database still
/// in use, by a run going on beside this one, refuses the drop and is kept.
async fn sweep_earlier_databases(pool: &sqlx::PgPool) {
    static SWEPT: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    SWEPT
        .get_or_init(|| async {
            let started = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            let names: Vec<String> = sqlx::query_scalar(
                "SELECT datname FROM pg_database WHERE datname LIKE 'triad\\_test\\_%'",
            )
            .fetch_all(pool)
            .await
            .unwrap_or_default();
            for name in names {
                // Only databases made before this run began: a UUIDv7 starts with its time.
                let made = name
                    .strip_prefix("triad_test_")
                    .and_then(|hex| u64::from_str_radix(hex.get(..12)?, 16).ok())
                    .map_or(u64::MAX, |millis| millis / 1000);
                if made + 60 < started {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
                        .execute(pool)
                        .await;
                }
            }
        })
        .await;
}

async fn sqlx_create(pool: &sqlx::PgPool, name: &str) {
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(pool)
        .await
        .expect("create the test database");
}

impl TestApp {
    pub async fn start(engine: Engine) -> Self {
        Self::start_with(
            engine,
            WebConfig {
                behind_tls_proxy: true,
                require_second_factor: false,
                // Small, so a body just over it is cheap to send; big enough for test photos.
                upload_limit: UPLOAD_LIMIT,
                ..WebConfig::default()
            },
        )
        .await
    }

    /// Starts with a configuration of the test's choice. Tests run "behind a TLS proxy" so
    /// they can name the client address with X-Forwarded-For.
    pub async fn start_with(engine: Engine, config: WebConfig) -> Self {
        Self::launch(engine, config, None).await
    }

    /// Starts with identity providers people sign in through (made once the world is, so
    /// one may serve its district); they send people back to this server, so its address is
    /// known only once it listens. Every request to a provider gives up after `timeout`.
    pub async fn start_with_providers(
        engine: Engine,
        config: WebConfig,
        providers: impl FnOnce(&World) -> Vec<triad_web::auth::providers::Provider> + 'static,
        timeout: std::time::Duration,
    ) -> Self {
        Self::launch(engine, config, Some((Box::new(providers), timeout))).await
    }

    async fn launch(
        engine: Engine,
        mut config: WebConfig,
        providers: Option<(ProvidersFor, std::time::Duration)>,
    ) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = fresh_database(engine, dir.path()).await;
        let db = Db::open(&database_url)
            .await
            .expect("open the test database");
        let data_dir = dir.path().join("data");
        let instance = triad_store::instance::Instance::open(&data_dir).expect("instance");
        db.use_content_secret(&instance.audit_secret);
        let (world, users) = build_world(&db, &instance).await;
        let clock = Arc::new(ShiftedClock::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        if let Some((providers_for, timeout)) = providers {
            let list = providers_for(&world);
            config.providers = triad_web::auth::providers::Providers::new(list, &base, timeout)
                .expect("identity providers");
        }
        let state = AppState::new(db.clone(), clock.clone(), config, instance);
        let live = state.live.clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(triad_web::serve(listener, state, async {
            let _ = rx.await;
        }));
        // Ready as a load balancer would wait for it (`/health/ready`): changes made on every
        // instance reach this one.
        live.wait_listening().await;
        let http = reqwest::Client::builder()
            .redirect(Policy::none())
            .build()
            .expect("client");
        Self {
            engine,
            base,
            db,
            clock,
            world,
            users,
            http,
            _dir: dir,
            database_url,
            data_dir,
            live,
            _shutdown: tx,
        }
    }

    /// Another server on the same database and data folder (several instances behind a load
    /// balancer); yields its base URL. It stops with the test's runtime.
    pub async fn second_instance(&self) -> String {
        self.second_instance_parts().await.0
    }

    /// [`TestApp::second_instance`], with its database (for its test points) and its live
    /// status hub.
    pub async fn second_instance_parts(&self) -> (String, Db, triad_web::live::Hub) {
        let db = Db::open(&self.database_url)
            .await
            .expect("second connection");
        let instance = triad_store::instance::Instance::open(&self.data_dir).expect("instance");
        let state = AppState::new(
            db.clone(),
            self.clock.clone(),
            WebConfig {
                behind_tls_proxy: true,
                ..WebConfig::default()
            },
            instance,
        );
        let hub = state.live.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(triad_web::serve(listener, state, std::future::pending()));
        hub.wait_listening().await;
        (base, db, hub)
    }

    /// A second campus of the home district ("Home Middle"), made once per call.
    pub async fn sibling_campus(&self) -> Id {
        let id = Id::new();
        let mut tx = self.db.begin().await.expect("begin");
        org::insert_campus(
            &mut tx,
            id,
            self.world.district,
            "Home Middle",
            "middle",
            self.clock_now(),
        )
        .await
        .expect("campus");
        tx.commit().await.expect("commit");
        id
    }

    /// A signed-in leader of the other district (`world.other_district`): someone who leads a
    /// district, only not this one.
    pub async fn other_district_leader(&self) -> Session {
        let leader = self
            .add_person(
                "other-director",
                &[Grant {
                    role: Role::DistrictLeader,
                    scope: Scope::District {
                        district: self.world.other_district,
                    },
                }],
                None,
                None,
            )
            .await;
        self.session_of(leader).await
    }

    /// A person with an account holding `grants` (the roles a test needs, on the campuses it
    /// names), sworn for `sworn_for` if given, assigned as an SRO by `assigned` (agency,
    /// district, campus) if given. Returns the user's id.
    pub async fn add_person(
        &self,
        name: &str,
        grants: &[Grant],
        sworn_for: Option<Id>,
        assigned: Option<(Id, Id, Id)>,
    ) -> Id {
        let assigned = assigned.map(|(agency, district, campus)| NewSro {
            id: Id::new(),
            agency,
            district,
            campus,
        });
        let mut tx = self.db.begin().await.expect("begin");
        let user =
            insert_account(&mut tx, name, grants, sworn_for, assigned, self.clock_now()).await;
        tx.commit().await.expect("commit");
        user
    }

    /// A campus scope in the home district.
    pub fn home_campus(&self, campus: Id) -> Scope {
        Scope::Campus {
            district: self.world.district,
            campus,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn user(&self, name: &str) -> Id {
        *self
            .users
            .get(name)
            .unwrap_or_else(|| panic!("no test user {name}"))
    }

    /// Opens a session for a user directly in the store (no password check), returning the
    /// cookie header value and the session's CSRF secret.
    pub async fn session(&self, username: &str) -> Session {
        self.session_of(self.user(username)).await
    }

    /// [`TestApp::session`] for a user made by the test itself ([`TestApp::add_person`]).
    pub async fn session_of(&self, user: Id) -> Session {
        let token = accounts::new_secret("");
        let csrf = accounts::new_secret("");
        let mut tx = self.db.begin().await.expect("begin");
        accounts::insert_session(
            &mut tx,
            &accounts::secret_hash(&token),
            user,
            &csrf,
            true,
            None,
            self.clock_now(),
        )
        .await
        .expect("session");
        tx.commit().await.expect("commit");
        Session {
            cookie: format!("__Host-triad_session={token}"),
            csrf,
        }
    }

    /// A personal access token for a user, made directly in the store.
    pub async fn token(&self, username: &str) -> String {
        self.token_of(self.user(username)).await
    }

    /// [`TestApp::token`] for a user made by the test itself.
    pub async fn token_of(&self, user: Id) -> String {
        let secret = accounts::new_secret("triad_pat_");
        let mut tx = self.db.begin().await.expect("begin");
        accounts::insert_token(
            &mut tx,
            Id::new(),
            user,
            "test",
            &accounts::secret_hash(&secret),
            self.clock_now(),
        )
        .await
        .expect("token");
        tx.commit().await.expect("commit");
        secret
    }

    pub fn clock_now(&self) -> Timestamp {
        use triad_web::Clock;
        self.clock.now()
    }

    /// Today on the clock of the world's districts (America/Chicago), which dates entries.
    pub fn district_today(&self) -> chrono::NaiveDate {
        self.clock_now()
            .to_datetime()
            .with_timezone(&chrono_tz::America::Chicago)
            .date_naive()
    }

    /// Signs in through the real form, from an address of the test's choice.
    pub async fn sign_in(&self, username: &str, password: &str, from: &str) -> reqwest::Response {
        self.http
            .post(self.url("/login"))
            .header("x-forwarded-for", from)
            .form(&[
                ("username", username),
                ("password", password),
                ("next", "/"),
            ])
            .send()
            .await
            .expect("sign in request")
    }

    pub async fn get(&self, path: &str, s: &Session) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .header("cookie", &s.cookie)
            .send()
            .await
            .expect("get")
    }

    /// Posts a page form with a valid CSRF token for the session.
    pub async fn post_form(
        &self,
        path: &str,
        s: &Session,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let token = FormToken::new(&s.csrf);
        self.post_form_with(path, s, fields, &token).await
    }

    pub async fn post_form_with(
        &self,
        path: &str,
        s: &Session,
        fields: &[(&str, &str)],
        token: &FormToken,
    ) -> reqwest::Response {
        self.post_form_at(&self.base, path, s, fields, token).await
    }

    /// Posts a page form to the instance at `base` (see [`TestApp::second_instance`]).
    pub async fn post_form_at(
        &self,
        base: &str,
        path: &str,
        s: &Session,
        fields: &[(&str, &str)],
        token: &FormToken,
    ) -> reqwest::Response {
        let mut all: Vec<(&str, &str)> = vec![("_idem", &token.idem), ("_csrf", &token.csrf)];
        all.extend_from_slice(fields);
        self.http
            .post(format!("{base}{path}"))
            .header("cookie", &s.cookie)
            .form(&all)
            .send()
            .await
            .expect("post")
    }

    pub async fn api_get(&self, path: &str, token: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("api get")
    }

    /// A GET that must answer 200, read as JSON.
    pub async fn api_json(&self, path: &str, token: &str) -> serde_json::Value {
        let r = self.api_get(path, token).await;
        let status = r.status();
        let text = r.text().await.expect("api body");
        assert_eq!(status, 200, "GET {path}: {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("GET {path}: {e}: {text}"))
    }

    pub async fn api_send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        key: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.api_send_at(&self.base, method, path, token, key, body)
            .await
    }

    /// An API write to the instance at `base` (see [`TestApp::second_instance`]).
    pub async fn api_send_at(
        &self,
        base: &str,
        method: reqwest::Method,
        path: &str,
        token: &str,
        key: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.http
            .request(method, format!("{base}{path}"))
            .bearer_auth(token)
            .header("idempotency-key", key)
            .json(body)
            .send()
            .await
            .expect("api send")
    }

    /// An API POST with a fresh idempotency key.
    pub async fn api_post(
        &self,
        token: &str,
        path: &str,
        body: serde_json::Value,
    ) -> reqwest::Response {
        let key = Id::new().to_string();
        self.api_send(reqwest::Method::POST, path, token, &key, &body)
            .await
    }

    /// The number of rows in a table.
    pub async fn count(&self, table: &str) -> i64 {
        self.scalar(&format!("SELECT COUNT(*) FROM {table}")).await
    }

    /// The one number a query yields.
    pub async fn scalar(&self, sql: &str) -> i64 {
        match &self.db {
            Db::Sqlite(p, ..) => sqlx::query_scalar(sql).fetch_one(p).await.expect("scalar"),
            Db::Postgres(p, ..) => sqlx::query_scalar(sql).fetch_one(p).await.expect("scalar"),
        }
    }

    /// One text value read straight from the database.
    pub async fn scalar_text(&self, sql: &str) -> String {
        match &self.db {
            Db::Sqlite(p, ..) => sqlx::query_scalar(sql).fetch_one(p).await.expect("scalar"),
            Db::Postgres(p, ..) => sqlx::query_scalar(sql).fetch_one(p).await.expect("scalar"),
        }
    }

    /// Counts audit entries with an action starting with `prefix` and this outcome (counted
    /// by the database: the authorization walk asks twice per case).
    pub async fn audit_count(&self, prefix: &str, outcome: &str) -> usize {
        assert!(
            !prefix.contains('\'') && triad_domain::audit::Outcome::from_code(outcome).is_some(),
            "a test's own prefix and a known outcome"
        );
        let sql = format!(
            "SELECT COUNT(*) FROM audit_log WHERE substr(action, 1, {}) = '{prefix}' AND outcome = '{outcome}'",
            prefix.len()
        );
        usize::try_from(self.scalar(&sql).await).expect("a count")
    }

    /// Runs SQL directly on the database, as someone with access to its files would (on
    /// SQLite, on a connection of its own: the server's pooled connections only read). Several
    /// statements may be given; none takes parameters.
    pub async fn raw(&self, sql: &str) -> Result<u64, sqlx::Error> {
        match &self.db {
            Db::Sqlite(p, ..) => {
                let mut conn = p.acquire().await?.detach();
                sqlx::query("PRAGMA query_only = OFF")
                    .execute(&mut conn)
                    .await?;
                let done = sqlx::raw_sql(sql).execute(&mut conn).await;
                let _ = sqlx::Connection::close(conn).await;
                done.map(|r| r.rows_affected())
            }
            Db::Postgres(p, ..) => sqlx::raw_sql(sql)
                .execute(p)
                .await
                .map(|r| r.rows_affected()),
        }
    }
}

#[derive(Clone)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

/// An SRO assignment for [`insert_account`].
struct NewSro {
    id: Id,
    agency: Id,
    district: Id,
    campus: Id,
}

/// A person ("Test NAME") with an account of the test password holding `grants`, sworn for
/// an agency if given, assigned as an SRO if given. Returns the user's id.
async fn insert_account(
    tx: &mut triad_store::Tx,
    name: &str,
    grants: &[Grant],
    sworn_for: Option<Id>,
    assigned: Option<NewSro>,
    now: Timestamp,
) -> Id {
    let person = Id::new();
    org::insert_person(
        &mut *tx,
        &org::NewPerson {
            id: person,
            display_name: &format!("Test {name}"),
            email: Some(&format!("{name}@triad.test")),
            agency: sworn_for,
            district: None,
            sworn: sworn_for.is_some(),
            le_experience_start: None,
        },
        now,
    )
    .await
    .expect("person");
    let user = Id::new();
    accounts::insert_user(
        &mut *tx,
        &accounts::NewUser {
            id: user,
            username: name,
            display_name: &format!("Test {name}"),
            person: Some(person),
            password_hash: &password_hash(),
        },
        now,
    )
    .await
    .expect("user");
    for grant in grants {
        accounts::add_grant(&mut *tx, user, *grant, now)
            .await
            .expect("grant");
    }
    if let Some(a) = assigned {
        let assignment = org::NewAssignment {
            id: a.id,
            person,
            agency: a.agency,
            district: a.district,
            campus: a.campus,
            starts_on: "2020-08-01",
            ends_on: None,
        };
        org::insert_assignment(&mut *tx, &assignment, now)
            .await
            .expect("assignment");
    }
    user
}

async fn build_world(
    db: &Db,
    instance: &triad_store::instance::Instance,
) -> (World, HashMap<String, Id>) {
    let now = Timestamp::from_datetime(chrono::Utc::now());
    let mut tx = db.begin().await.expect("begin");
    let world = World {
        district: Id::new(),
        campus: Id::new(),
        agency: Id::new(),
        other_district: Id::new(),
        other_campus: Id::new(),
        other_agency: Id::new(),
        officer: Id::new(),
        other_officer: Id::new(),
        assignment: Id::new(),
        other_assignment: Id::new(),
        activity: Id::new(),
        other_activity: Id::new(),
        meeting: Id::new(),
        other_meeting: Id::new(),
        item: Id::new(),
        other_item: Id::new(),
        incident: Id::new(),
        other_incident: Id::new(),
        evidence: Id::new(),
        other_evidence: Id::new(),
        photo: Id::new(),
        other_photo: Id::new(),
        ban: Id::new(),
        other_ban: Id::new(),
        visitor: Id::new(),
        other_visitor: Id::new(),
        ban_match: Id::new(),
        other_ban_match: Id::new(),
        campus_event: Id::new(),
        other_campus_event: Id::new(),
        notice: Id::new(),
        other_notice: Id::new(),
        drill: Id::new(),
        other_drill: Id::new(),
        survey: Id::new(),
        other_survey: Id::new(),
        partnership: Id::new(),
        other_partnership: Id::new(),
        mou: Id::new(),
        other_mou: Id::new(),
        grant: Id::new(),
        other_grant: Id::new(),
        community_resource: Id::new(),
        other_community_resource: Id::new(),
        training: Id::new(),
        other_training: Id::new(),
        evaluation: Id::new(),
        other_evaluation: Id::new(),
        posting: Id::new(),
        other_posting: Id::new(),
        candidate: Id::new(),
        other_candidate: Id::new(),
    };
    for (d, c, a, p, name) in [
        (
            world.district,
            world.campus,
            world.agency,
            world.partnership,
            "Home",
        ),
        (
            world.other_district,
            world.other_campus,
            world.other_agency,
            world.other_partnership,
            "Away",
        ),
    ] {
        org::insert_district(
            &mut tx,
            &org::NewDistrict {
                id: d,
                name: &format!("{name} District"),
                time_zone: "America/Chicago",
                year_start: "08-01",
            },
            now,
        )
        .await
        .expect("district");
        org::insert_campus(&mut tx, c, d, &format!("{name} High"), "high", now)
            .await
            .expect("campus");
        org::insert_agency(&mut tx, a, &format!("{name} Police"), now)
            .await
            .expect("agency");
        org::insert_partnership(&mut tx, p, a, d, "2020-01-01", now)
            .await
            .expect("partnership");
    }
    let officer = org::NewPerson {
        id: world.officer,
        display_name: "Officer Unassigned",
        email: None,
        agency: Some(world.agency),
        district: None,
        sworn: true,
        le_experience_start: Some("2015-01-01".into()),
    };
    org::insert_person(&mut tx, &officer, now)
        .await
        .expect("officer");
    let other = org::NewPerson {
        id: world.other_officer,
        display_name: "Officer Away",
        email: None,
        agency: Some(world.other_agency),
        district: None,
        sworn: true,
        le_experience_start: None,
    };
    org::insert_person(&mut tx, &other, now)
        .await
        .expect("other officer");
    let away = org::NewAssignment {
        id: world.other_assignment,
        person: world.other_officer,
        agency: world.other_agency,
        district: world.other_district,
        campus: world.other_campus,
        starts_on: "2020-08-01",
        ends_on: None,
    };
    org::insert_assignment(&mut tx, &away, now)
        .await
        .expect("other assignment");
    let mut users = HashMap::new();
    let grants: Vec<(&str, Grant, bool)> = ROLE_USERS
        .iter()
        .map(|(name, role)| {
            let scope = match role {
                Role::Sro | Role::LeSupervisor => Scope::Agency {
                    agency: world.agency,
                },
                Role::Sso | Role::CampusAdmin | Role::Staff => Scope::Campus {
                    district: world.district,
                    campus: world.campus,
                },
                Role::DistrictLeader | Role::Evaluator => Scope::District {
                    district: world.district,
                },
                Role::SystemAdmin => Scope::Instance,
            };
            (
                *name,
                Grant { role: *role, scope },
                matches!(role, Role::Sro | Role::LeSupervisor),
            )
        })
        .chain([
            (
                "victim",
                Grant {
                    role: Role::Staff,
                    scope: Scope::Campus {
                        district: world.district,
                        campus: world.campus,
                    },
                },
                false,
            ),
            (
                "away-principal",
                Grant {
                    role: Role::CampusAdmin,
                    scope: Scope::Campus {
                        district: world.other_district,
                        campus: world.other_campus,
                    },
                },
                false,
            ),
        ])
        .collect();
    for (name, grant, sworn) in grants {
        let assigned = (grant.role == Role::Sro).then_some(NewSro {
            id: world.assignment,
            agency: world.agency,
            district: world.district,
            campus: world.campus,
        });
        let sworn_for = sworn.then_some(world.agency);
        let user = insert_account(&mut tx, name, &[grant], sworn_for, assigned, now).await;
        users.insert(name.to_string(), user);
    }
    for (id, author, agency, district, campus) in [
        (
            world.activity,
            users["sro"],
            world.agency,
            world.district,
            world.campus,
        ),
        (
            world.other_activity,
            users["away-principal"],
            world.other_agency,
            world.other_district,
            world.other_campus,
        ),
    ] {
        let row = patrol(id, author, agency, district, campus, now);
        triad_store::activity::insert(&mut tx, &row)
            .await
            .expect("activity");
        // A file to serve on the lesson-plan routes.
        let plan = b"%PDF-1.4 fixture lesson plan".to_vec();
        let plan_row = triad_store::activity::LessonPlanRow {
            id: Id::new().to_string(),
            activity_id: id.to_string(),
            file_key: instance
                .files
                .put("lesson-plans", "pdf", plan.clone())
                .await
                .expect("plan file"),
            file_name: "plan.pdf".into(),
            media_type: "application/pdf".into(),
            size_bytes: plan.len() as i64,
            sha256: "fixture".into(),
            uploaded_by: author.to_string(),
            uploaded_at: now.millis(),
        };
        triad_store::activity::insert_lesson_plan(&mut tx, &plan_row)
            .await
            .expect("lesson plan");
    }
    for (meeting, item, district, campus, owner) in [
        (
            world.meeting,
            world.item,
            world.district,
            world.campus,
            users["principal"],
        ),
        (
            world.other_meeting,
            world.other_item,
            world.other_district,
            world.other_campus,
            users["away-principal"],
        ),
    ] {
        let row = triad_store::meetings::MeetingRow {
            id: meeting.to_string(),
            district_id: district.to_string(),
            campus_id: campus.to_string(),
            kind: "weekly_principal".into(),
            held_on: "2026-09-01".into(),
            school_year: 2026,
            sro_present: true,
            attendees: None,
            agenda: None,
            minutes: None,
            created_by: owner.to_string(),
            created_at: now.millis(),
            updated_at: now.millis(),
            mou_version_id: None,
            supervisor_present: false,
            admin_present: false,
        };
        triad_store::meetings::insert(&mut tx, &row)
            .await
            .expect("meeting");
        let new = triad_store::meetings::NewItem {
            id: item,
            meeting,
            campus,
            title: "Walk the east fence line",
            owner: Some(owner),
            due_on: Some("2026-09-15".into()),
        };
        triad_store::meetings::insert_item(&mut tx, &new, now)
            .await
            .expect("item");
    }
    let tenants = [
        (false, users["sro"], users["director"]),
        (true, users["away-principal"], users["away-principal"]),
    ];
    for (campus_world, holder, leader) in tenants {
        crate::fixtures::incident_world(
            &mut tx,
            instance,
            &world,
            campus_world,
            holder,
            leader,
            now,
        )
        .await;
    }
    for (partnership, mou, author) in [
        (world.partnership, world.mou, users["director"]),
        (
            world.other_partnership,
            world.other_mou,
            users["away-principal"],
        ),
    ] {
        let version = triad_store::mou::VersionRow {
            id: mou.to_string(),
            partnership_id: partnership.to_string(),
            number: 1,
            based_on: None,
            created_by: author.to_string(),
            created_at: now.millis(),
            updated_at: now.millis(),
            signed_at: None,
        };
        triad_store::mou::insert_version(&mut tx, &version)
            .await
            .expect("mou");
        triad_store::mou::put_clause(&mut tx, mou, "program_goals", "Safe schools.", now.millis())
            .await
            .expect("clause");
    }
    for (partnership, grant) in [
        (world.partnership, world.grant),
        (world.other_partnership, world.other_grant),
    ] {
        let row = triad_store::funding::GrantRow {
            id: grant.to_string(),
            partnership_id: partnership.to_string(),
            covers: "SRO position".into(),
            funder: "State school safety grant".into(),
            amount_cents: 9_000_000,
            starts_on: "2024-07-01".into(),
            ends_on: "2034-06-30".into(),
            plan: None,
            plan_by: None,
            plan_at: None,
            created_by: users["director"].to_string(),
            created_at: now.millis(),
        };
        triad_store::funding::insert(&mut tx, &row)
            .await
            .expect("grant");
    }
    for (district, resource) in [
        (world.district, world.community_resource),
        (world.other_district, world.other_community_resource),
    ] {
        let row = triad_store::community::ResourceRow {
            id: resource.to_string(),
            district_id: district.to_string(),
            name: "County Food Bank".into(),
            category: "food".into(),
            contact: "555-0100".into(),
            hours: Some("Weekdays 9 to 5".into()),
            languages: Some("English, Spanish".into()),
            eligibility: None,
            verified_on: "2024-01-15".into(),
            verified_by: users["director"].to_string(),
            created_at: now.millis(),
            updated_at: now.millis(),
        };
        triad_store::community::put(&mut tx, &row)
            .await
            .expect("community resource");
    }
    for (record, person, agency) in [
        (world.training, world.officer, world.agency),
        (
            world.other_training,
            world.other_officer,
            world.other_agency,
        ),
    ] {
        let key = instance
            .files
            .put("certificates", "pdf", b"%PDF-1.4 a certificate".to_vec())
            .await
            .expect("certificate file");
        let row = triad_store::training::TrainingRow {
            id: record.to_string(),
            person_id: person.to_string(),
            agency_id: agency.to_string(),
            title: "Basic SRO course".into(),
            provider: "State police-training academy".into(),
            counts: "basic".into(),
            tenths: 400,
            completed_on: "2024-06-01".into(),
            joint: false,
            certificate_key: Some(key),
            certificate_sha256: None,
            certificate_type: Some("application/pdf".into()),
            recorded_by: users["sergeant"].to_string(),
            created_at: now.millis(),
            self_recorded: false,
            voided_at: None,
            void_reason: None,
        };
        triad_store::training::insert(&mut tx, &row)
            .await
            .expect("training");
    }
    let sro_person = triad_store::auth::user_by_id(&mut tx, users["sro"])
        .await
        .expect("sro")
        .and_then(|u| u.person_id)
        .expect("the SRO's person");
    for (evaluation, person, agency) in [
        (world.evaluation, sro_person, world.agency.to_string()),
        (
            world.other_evaluation,
            world.other_officer.to_string(),
            world.other_agency.to_string(),
        ),
    ] {
        let ratings: std::collections::BTreeMap<&str, &str> = triad_domain::personnel::CRITERIA
            .iter()
            .map(|(c, _)| (*c, "meets"))
            .collect();
        let row = triad_store::personnel::EvaluationRow {
            id: evaluation.to_string(),
            person_id: person,
            agency_id: agency,
            school_year: 2000,
            ratings: serde_json::to_string(&ratings).unwrap(),
            comments: Some("A good year.".into()),
            written_by: users["sergeant"].to_string(),
            written_by_name: "Test sergeant".into(),
            created_at: now.millis(),
        };
        triad_store::personnel::insert_evaluation(&mut tx, &row)
            .await
            .expect("evaluation");
    }
    for (posting, candidate, agency, campus, officer) in [
        (
            world.posting,
            world.candidate,
            world.agency,
            world.campus,
            world.officer,
        ),
        (
            world.other_posting,
            world.other_candidate,
            world.other_agency,
            world.other_campus,
            world.other_officer,
        ),
    ] {
        let row = triad_store::personnel::PostingRow {
            id: posting.to_string(),
            agency_id: agency.to_string(),
            campus_id: campus.to_string(),
            title: "SRO for the high school".into(),
            opened_on: "2026-01-05".into(),
            created_by: users["sergeant"].to_string(),
            created_at: now.millis(),
        };
        triad_store::personnel::insert_posting(&mut tx, &row)
            .await
            .expect("posting");
        let c = triad_store::personnel::CandidateRow {
            id: candidate.to_string(),
            posting_id: posting.to_string(),
            person_id: officer.to_string(),
            volunteered: true,
            decision: "pending".into(),
            decided_at: None,
            created_at: now.millis(),
        };
        triad_store::personnel::insert_candidate(&mut tx, &c)
            .await
            .expect("candidate");
    }
    triad_store::mou::set_signatory(
        &mut tx,
        world.partnership,
        "district",
        users["director"],
        users["director"],
        now.millis(),
    )
    .await
    .expect("signatory");
    tx.commit().await.expect("commit");
    (world, users)
}

/// A patrol entry, written straight to the store for the fixtures.
fn patrol(
    id: Id,
    author: Id,
    agency: Id,
    district: Id,
    campus: Id,
    now: Timestamp,
) -> triad_store::activity::ActivityRow {
    // The day the patrol began on the campus's clock (the world's districts are in Chicago):
    // the UTC day is the next one each evening, and on the first of a month the reports'
    // "this month" would miss it.
    // An hour ago, or the campus's midnight if that is later: in the first hour of a day (of
    // a month) on its clock, an hour ago is still the day (the month) before.
    let local_now = now
        .to_datetime()
        .with_timezone(&chrono_tz::America::Chicago);
    let midnight = local_now
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .and_then(|m| m.and_local_timezone(chrono_tz::America::Chicago).earliest())
        .map_or(now.millis(), |m| m.timestamp_millis());
    let started_at = (now.millis() - 3_600_000).max(midnight).min(now.millis());
    let day = Timestamp::from_millis(started_at)
        .to_datetime()
        .with_timezone(&chrono_tz::America::Chicago)
        .date_naive();
    triad_store::activity::ActivityRow {
        id: id.to_string(),
        author_id: author.to_string(),
        author_role: "sro".into(),
        agency_id: Some(agency.to_string()),
        district_id: district.to_string(),
        campus_id: campus.to_string(),
        category: "patrol".into(),
        triad_role: "law_enforcer".into(),
        record_class: "shared".into(),
        started_at,
        minutes: 30,
        students: 0,
        parents: 0,
        staff: 0,
        notes: None,
        case_ref: None,
        search_basis: None,
        initiated_by: None,
        topic: None,
        class_name: None,
        lesson_plan: None,
        staff_group: None,
        school_year: 2026,
        local_date: day.to_string(),
        week_start: day.to_string(),
        month: day.format("%Y-%m").to_string(),
        created_at: now.millis(),
        updated_at: now.millis(),
        version: 1,
        voided_at: None,
        voided_by: None,
    }
}

/// A code of a TOTP secret (base32, as the enrolment page shows it) for the 30-second step
/// that holds `secs` (Unix seconds).
pub fn totp_at(secret: &str, secs: i64) -> String {
    let bytes = totp_rs::Secret::Encoded(secret.to_string())
        .to_bytes()
        .expect("a base32 secret");
    totp_rs::TOTP::new(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        Some("Triad".into()),
        "x".into(),
    )
    .expect("a TOTP")
    .generate(u64::try_from(secs).unwrap_or(0))
}

/// The texts a page shows after `marker` up to the next tag, in order (secrets shown once).
pub fn shown_after(page: &str, marker: &str) -> Vec<String> {
    page.split(marker)
        .skip(1)
        .map(|p| p.split('<').next().unwrap_or_default().to_string())
        .collect()
}

impl TestApp {
    /// Sets up a second factor on the enrolment page with the session's account, as its
    /// owner would: yields the TOTP secret and the recovery codes shown.
    pub async fn enrol_second_factor(&self, s: &Session) -> (String, Vec<String>) {
        let page = self
            .get("/account/second-factor", s)
            .await
            .text()
            .await
            .expect("the enrolment page");
        assert!(page.contains("<svg"), "the enrolment page shows a QR code");
        let secret = shown_after(&page, "class=\"secret\">")
            .into_iter()
            .next()
            .expect("the secret");
        let code = totp_at(&secret, self.clock_now().millis() / 1000);
        let done = self
            .post_form("/account/second-factor", s, &[("code", &code)])
            .await
            .text()
            .await
            .expect("the recovery codes");
        (secret, shown_after(&done, "<li class=\"secret\">"))
    }
}
