//! Triad's web layer: server-rendered pages and the JSON API over the same domain and store
//! calls. Every route goes: extract the actor → parse input into domain types → ask the one
//! access policy → one transaction writing the record and its audit entry → render.

mod access;
pub mod activity;
pub mod audit;
pub mod auth;
mod campus;
mod charts;
mod context;
pub mod error;
pub mod evidence;
pub mod forms;
mod home;
mod incident_file;
pub mod incidents;
pub mod live;
pub mod meetings;
mod notifications;
mod nul;
pub mod openapi;
pub mod operations;
pub mod org;
pub mod paging;
mod replay;
pub mod routes;
mod security;
pub mod surveys;
mod views;
pub mod visitors;

pub use context::Ctx;
pub use routes::RouteSpec;

use std::sync::Arc;
use triad_domain::Timestamp;
use triad_store::Db;

pub use triad_app::{Clock, ShiftedClock, SystemClock};

/// How the server is exposed, which decides some headers.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// TLS is terminated in front of Triad (a reverse proxy): send HSTS.
    pub behind_tls_proxy: bool,
    /// Require a second factor for sworn officers and administrators.
    pub require_second_factor: bool,
    /// The largest upload (a photo form) in bytes.
    pub upload_limit: usize,
    /// Where notices to district leaders go besides Triad's pages.
    pub notices: operations::NoticeConfig,
    /// How often an open live stream checks that its session or token still holds.
    pub live_recheck: std::time::Duration,
    /// How long a write's request waits for it before answering `202` (still being recorded)
    /// while the write goes on: under the 30 s at which any request is cut off, so a write
    /// that is saving is never answered "not saved".
    pub write_answer_within: std::time::Duration,
    /// How long an import sent from the web waits for its job before answering with the job
    /// (its page follows it) rather than the report.
    pub import_answer_within: std::time::Duration,
}

/// Room for a few full-resolution phone photos in one form.
pub const DEFAULT_UPLOAD_LIMIT: usize = 40 * 1024 * 1024;

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            behind_tls_proxy: false,
            require_second_factor: false,
            upload_limit: DEFAULT_UPLOAD_LIMIT,
            notices: operations::NoticeConfig::default(),
            live_recheck: std::time::Duration::from_secs(30),
            write_answer_within: std::time::Duration::from_secs(25),
            import_answer_within: std::time::Duration::from_secs(5),
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<WebConfig>,
    /// The instance's signing key and stored files.
    pub instance: triad_store::instance::Instance,
    /// Live campus status for open pages.
    pub live: live::Hub,
    /// One delivery of notices at a time in this instance.
    pub deliveries: Arc<tokio::sync::Mutex<()>>,
    /// Answers to writes not stored yet, for replays.
    pub answers: Arc<replay::Answers>,
    /// Survey summaries computed lately.
    pub survey_summaries: Arc<surveys::service::Cache>,
    /// Who holds each credential, and campuses and districts, kept between requests.
    pub access: Arc<access::AccessCache>,
    /// The imports this instance runs as jobs, and the requests waiting for them.
    pub jobs: activity::import_job::Shared,
}

impl AppState {
    pub fn new(
        db: Db,
        clock: Arc<dyn Clock>,
        config: WebConfig,
        instance: triad_store::instance::Instance,
    ) -> Self {
        db.use_content_secret(&instance.audit_secret);
        Self {
            db,
            clock,
            config: Arc::new(config),
            instance,
            live: live::Hub::default(),
            deliveries: Arc::default(),
            answers: Arc::default(),
            survey_summaries: Arc::default(),
            access: Arc::default(),
            jobs: Arc::default(),
        }
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }
}

/// Every capability's routes.
fn all_routes() -> routes::Routes {
    routes::Routes::default()
        .merge(crate::security::routes())
        .merge(crate::home::routes())
        .merge(crate::auth::routes())
        .merge(crate::org::routes())
        .merge(crate::activity::routes())
        .merge(crate::meetings::routes())
        .merge(crate::incidents::routes())
        .merge(crate::incident_file::routes())
        .merge(crate::evidence::routes())
        .merge(crate::visitors::routes())
        .merge(crate::notifications::routes())
        .merge(crate::operations::routes())
        .merge(crate::audit::routes())
        .merge(crate::surveys::routes())
        .merge(crate::openapi::routes())
}

/// The whole application: every capability's routes, behind the security layers.
pub fn router(state: AppState) -> axum::Router {
    security::layers(all_routes().into_router(), state.clone()).with_state(state)
}

/// Every route the application serves, for the authorization walk.
pub fn route_specs() -> Vec<RouteSpec> {
    all_routes().specs()
}

/// Serves the application on a bound listener until `shutdown` resolves. Tests bind port 0
/// and call this too, so they exercise exactly what production runs.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener_task = tokio::spawn(live::listen(
        state.db.clone(),
        state.live.clone(),
        state.clock.clone(),
    ));
    let notices_task = tokio::spawn(operations::retry_notices(state.clone()));
    let jobs_task = tokio::spawn(activity::import_job::run(state.clone()));
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    listener_task.abort();
    notices_task.abort();
    jobs_task.abort();
    served
}
