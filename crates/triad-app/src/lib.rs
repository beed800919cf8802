//! Triad's application layer, between the store and the web: what people can do, with no
//! HTTP, no HTML and no axum in it, so the web layer and the command line call the same code.
//!
//! It is being filled capability by capability (see docs/architecture.md): today it holds the
//! clock, the error type, reading spreadsheets and photos, the activity import, and the
//! surveys that need no signed-in person (campaigns, answers, imports, analysis, export).

pub mod access;
pub mod accounts;
pub mod activity;
pub mod activity_import;
pub mod assessment;
pub mod audit_trail;
pub mod calendar;
pub mod campus;
pub mod change;
pub mod clock;
pub mod community;
pub mod context;
pub mod crdc;
pub mod due;
pub mod error;
pub mod evidence;
pub mod fresh;
pub mod funding;
pub mod identity_sign_in;
pub mod incidents;
pub mod input;
pub mod instance_settings;
pub mod live;
pub mod meetings;
pub mod mou;
pub mod notifications;
pub mod operations;
pub mod org;
pub mod partnership;
pub mod personnel;
pub mod photo;
pub mod reminders;
pub mod role_guide;
pub mod roster;
pub mod selection;
pub mod show;
pub mod sign_in;
pub mod spreadsheet;
pub mod start_of_year;
pub mod surveys;
pub mod training;
pub mod upkeep;
pub mod versions;
pub mod visitors;

pub use clock::{Clock, ShiftedClock, SystemClock};
pub use context::Ctx;
pub use error::{AppError, AppResult};

use std::sync::Arc;
use std::time::Duration;
use triad_domain::Timestamp;
use triad_store::Db;

/// What every service shares, whoever calls it (a web request, the command line). Every
/// request takes a copy: it is one shared count, not a copy of each part.
#[derive(Clone)]
pub struct App(Arc<Shared>);

/// The parts of [`App`], read through it (`app.db`).
pub struct Shared {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    /// The instance's signing key and stored files.
    pub instance: triad_store::instance::Instance,
    /// Live campus status for open pages.
    pub live: live::Hub,
    /// Who holds each credential, and campuses and districts, kept between requests.
    pub access: Arc<access::AccessCache>,
    /// Survey summaries computed lately.
    pub survey_summaries: Arc<surveys::manage::Summaries>,
    /// Program years scored lately.
    pub assessments: Arc<assessment::Scorings>,
    /// Programs' collaboration over recent years, followed lately.
    pub collaboration: Arc<assessment::Collaborations>,
    /// What Triad proposed lately for programs' years (findings not yet decided).
    pub proposals: Arc<assessment::Proposals>,
    /// Survey campaigns' gaps between roles, kept while nothing is written.
    pub survey_gaps: Arc<assessment::KeptGaps>,
    /// Pages of campaigns' coded free-text answers, kept while nothing is written.
    pub coded_answers: Arc<surveys::coding::KeptCodedAnswers>,
    /// Districts' CRDC counts built lately.
    pub crdc_counts: Arc<crdc::KeptCounts>,
    /// Activity reports built lately, kept while nothing is written.
    pub activity_reports: Arc<activity::report::KeptReports>,
    /// Districts' bans in force on a day, kept while no ban changes: what sign-ins are
    /// checked against.
    pub bans_in_force: Arc<visitors::KeptBans>,
    /// Pages of the Users list, kept while nothing is written.
    pub user_pages: Arc<accounts::KeptUserPages>,
    /// Told when notices to district leaders were written, for whatever delivers them.
    pub notices_written: Arc<tokio::sync::Notify>,
    /// The imports this instance runs as jobs, and the requests waiting for them.
    pub jobs: Arc<activity::jobs::Jobs>,
    /// The versions each request reads first, one read for the requests that arrive together.
    pub versions: Arc<versions::SharedReads>,
}

impl std::ops::Deref for App {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl App {
    pub fn new(db: Db, clock: Arc<dyn Clock>, instance: triad_store::instance::Instance) -> Self {
        db.use_content_secret(&instance.audit_secret);
        Self(Arc::new(Shared {
            versions: versions::SharedReads::new(db.clone()),
            db,
            clock,
            instance,
            live: live::Hub::default(),
            access: Arc::default(),
            survey_summaries: Arc::new(fresh::Fresh::new(Duration::from_secs(30))),
            assessments: Arc::new(fresh::Fresh::new(Duration::from_secs(60))),
            collaboration: Arc::new(fresh::Fresh::new(Duration::from_secs(60))),
            proposals: Arc::new(fresh::Fresh::new(Duration::from_secs(60))),
            survey_gaps: Arc::new(fresh::Current::new(Duration::from_secs(60))),
            // A page of fifty answers runs to some kilobytes.
            coded_answers: Arc::new(fresh::Current::bounded(Duration::from_secs(60), 256)),
            crdc_counts: Arc::new(fresh::Current::new(Duration::from_secs(60))),
            // A district's report runs to some kilobytes: a few hundred are kept at most.
            activity_reports: Arc::new(fresh::Current::bounded(Duration::from_secs(60), 256)),
            // A district's bans in force run to hundreds of kilobytes in the busiest districts.
            bans_in_force: Arc::new(fresh::Current::bounded(Duration::from_secs(60), 64)),
            // A page of fifty accounts runs to some kilobytes.
            user_pages: Arc::new(fresh::Current::bounded(Duration::from_secs(60), 256)),
            notices_written: Arc::default(),
            jobs: Arc::default(),
        }))
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }
}
