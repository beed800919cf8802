//! Triad's web layer: server-rendered pages and the JSON API over the same domain and store
//! calls. Every route goes: extract the actor → parse input into domain types → ask the one
//! access policy → one transaction writing the record and its audit entry → render.

pub mod activity;
pub mod assessment;
pub mod audit;
pub mod auth;
mod calendar;
mod charts;
pub mod community;
mod context;
pub mod crdc;
pub mod error;
pub mod evidence;
pub mod forms;
pub mod funding;
mod home;
mod incident_file;
pub mod incidents;
mod mail;
pub mod meetings;
pub mod mou;
mod notifications;
mod nul;
pub mod openapi;
pub mod operations;
pub mod org;
pub mod paging;
pub mod personnel;
mod qr;
pub mod reminders;
mod replay;
pub mod role_guide;
mod roster;
pub mod routes;
mod security;
pub mod selection;
pub mod start_of_year;
pub mod surveys;
pub mod training;
mod views;
pub mod visitors;

pub use context::Ctx;
pub use routes::RouteSpec;
pub use triad_app::{campus, live};

use std::sync::Arc;
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
    /// The identity providers people may sign in through (none: passwords only).
    pub providers: auth::providers::Providers,
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
            providers: auth::providers::Providers::default(),
        }
    }
}

/// What every handler shares: the application's state and what serving it over HTTP adds.
#[derive(Clone)]
pub struct AppState {
    pub app: triad_app::App,
    pub config: Arc<WebConfig>,
    /// One delivery of notices at a time in this instance.
    pub deliveries: Arc<tokio::sync::Mutex<()>>,
    /// Answers to writes not stored yet, for replays.
    pub answers: Arc<replay::Answers>,
    /// The idempotency keys of writes, looked up in statements shared by those that arrive
    /// together.
    pub key_lookups: Arc<triad_store::key_lookups::SharedLookups>,
    /// Each person's home as last read, while nothing has been written since.
    pub homes: Arc<home::KeptHomes>,
    /// QR codes of survey links drawn lately.
    pub link_codes: Arc<qr::KeptLinkCodes>,
}

/// The handlers read the application's state (`state.db`, `state.live`) as their own.
impl std::ops::Deref for AppState {
    type Target = triad_app::App;

    fn deref(&self) -> &triad_app::App {
        &self.app
    }
}

impl AppState {
    pub fn new(
        db: Db,
        clock: Arc<dyn Clock>,
        config: WebConfig,
        instance: triad_store::instance::Instance,
    ) -> Self {
        Self {
            key_lookups: triad_store::key_lookups::SharedLookups::new(db.clone()),
            app: triad_app::App::new(db, clock, instance),
            config: Arc::new(config),
            deliveries: Arc::default(),
            answers: Arc::default(),
            homes: Arc::new(home::KeptHomes::new(std::time::Duration::from_secs(60))),
            link_codes: Arc::default(),
        }
    }
}

/// Every capability's routes.
fn all_routes() -> routes::Routes {
    routes::Routes::default()
        .merge(crate::security::routes())
        .merge(crate::home::routes())
        .merge(crate::auth::routes())
        .merge(crate::calendar::routes())
        .merge(crate::org::routes())
        .merge(crate::activity::routes())
        .merge(crate::meetings::routes())
        .merge(crate::mou::routes())
        .merge(crate::assessment::routes())
        .merge(crate::crdc::routes())
        .merge(crate::funding::routes())
        .merge(crate::community::routes())
        .merge(crate::training::routes())
        .merge(crate::start_of_year::routes())
        .merge(crate::personnel::routes())
        .merge(crate::selection::routes())
        .merge(crate::role_guide::routes())
        .merge(crate::incidents::routes())
        .merge(crate::incident_file::routes())
        .merge(crate::evidence::routes())
        .merge(crate::visitors::routes())
        .merge(crate::notifications::routes())
        .merge(crate::reminders::routes())
        .merge(crate::roster::routes())
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
    let jobs_task = tokio::spawn(triad_app::activity::jobs::run(state.app.clone()));
    let reminders_task = tokio::spawn(reminders::remind_forever(state.clone()));
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    listener_task.abort();
    notices_task.abort();
    jobs_task.abort();
    reminders_task.abort();
    served
}
