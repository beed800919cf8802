//! What every page shares: the layout (who is signed in, the navigation they are entitled to,
//! the sign-out form) and rendering.

use crate::context::Ctx;
use crate::error::WebError;
use crate::forms::FormToken;
use askama::Template;
use axum::response::Html;
use triad_domain::auth::Role;

pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
}

/// The frame around every signed-in page.
pub struct Layout {
    pub user: String,
    pub roles: String,
    pub nav: Vec<NavLink>,
    pub logout: FormToken,
    /// The person's pages follow live campus status (they are on a campus or lead a
    /// district), through one stream per browser held by a shared worker of this name.
    pub live: bool,
    pub live_worker: String,
    /// The banner links to the campus's status page (campus partners) or, for those who do
    /// not read it (staff), to the campus's page.
    pub live_links_to_status: bool,
}

impl Layout {
    pub fn new(ctx: &Ctx) -> Self {
        let actor = &ctx.actor;
        let mut nav = vec![
            NavLink {
                href: "/",
                label: "Home",
            },
            NavLink {
                href: "/org",
                label: "Organisation",
            },
        ];
        if actor.has_role(Role::Sro) || actor.has_role(Role::Sso) {
            nav.insert(
                1,
                NavLink {
                    href: "/activity",
                    label: "Log activity",
                },
            );
        }
        // Activity reports are for the officers, their campuses, agencies and districts.
        let reads_reports = [
            Role::Sro,
            Role::Sso,
            Role::CampusAdmin,
            Role::LeSupervisor,
            Role::DistrictLeader,
        ]
        .iter()
        .any(|r| actor.has_role(*r));
        if reads_reports {
            nav.push(NavLink {
                href: "/reports/activity",
                label: "Reports",
            });
        }
        if actor.has_role(Role::DistrictLeader) || actor.has_role(Role::SystemAdmin) {
            nav.push(NavLink {
                href: "/audit",
                label: "Audit trail",
            });
        }
        // District leaders give and end the school roles of their district there too.
        if actor.has_role(Role::SystemAdmin) || actor.has_role(Role::DistrictLeader) {
            nav.push(NavLink {
                href: "/admin/users",
                label: "Users",
            });
        }
        if actor.has_role(Role::SystemAdmin) {
            nav.push(NavLink {
                href: "/admin/settings",
                label: "Settings",
            });
        }
        nav.push(NavLink {
            href: "/account",
            label: "My account",
        });
        Self {
            user: actor.display_name.clone(),
            roles: actor
                .roles()
                .iter()
                .map(|r| r.label())
                .collect::<Vec<_>>()
                .join(", "),
            nav,
            logout: ctx.form(),
            live: !crate::live::Watch::of(actor).is_empty(),
            live_worker: crate::live::worker_name(&ctx.credential),
            live_links_to_status: actor.roles().iter().any(|r| {
                triad_domain::policy::permits(
                    *r,
                    triad_domain::policy::RecordClass::Shared,
                    triad_domain::policy::Action::View,
                )
            }),
        }
    }
}

impl Ctx {
    /// A fresh CSRF and idempotency token for a form on a page.
    pub fn form(&self) -> FormToken {
        FormToken::new(self.csrf_secret().unwrap_or_default())
    }
}

pub fn render<T: Template>(template: &T) -> Result<Html<String>, WebError> {
    template
        .render()
        .map(Html)
        .map_err(|e| WebError::Internal(format!("template: {e}")))
}

/// How instants read on a page: UTC, to the minute.
pub use triad_app::show::when;

/// Rows as a CSV file to download.
pub fn csv_attachment<T: serde::Serialize>(
    filename: &str,
    rows: &[T],
) -> Result<axum::response::Response, WebError> {
    let fail = |e: String| WebError::Internal(format!("csv: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.serialize(row).map_err(|e| fail(e.to_string()))?;
    }
    let plain = w.into_inner().map_err(|e| fail(e.to_string()))?;
    // Every cell a spreadsheet would run as a formula (=, +, -, @) is neutralised, whatever
    // the export: the cells come from what people typed.
    let mut safe = csv::Writer::from_writer(Vec::new());
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(plain.as_slice());
    for record in reader.records() {
        let record = record.map_err(|e| fail(e.to_string()))?;
        safe.write_record(record.iter().map(triad_domain::surveys::safe_cell))
            .map_err(|e| fail(e.to_string()))?;
    }
    let bytes = safe.into_inner().map_err(|e| fail(e.to_string()))?;
    Ok(file_attachment("text/csv; charset=utf-8", filename, bytes))
}

/// A file to save rather than open in the page. The name keeps only characters that are safe
/// in the header on every browser.
pub fn file_attachment(
    media_type: &str,
    filename: &str,
    bytes: Vec<u8>,
) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let safe: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " .-_()".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, media_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{safe}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// A photo's bytes with its media type, private to the browser cache.
pub fn image(media_type: String, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, media_type),
            (header::CACHE_CONTROL, "private, max-age=300".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// Sends the browser on to a page of the site after a write (303). The path is built from
/// what the request's own path named, which the services read leniently (an id or a code
/// with a stray newline still finds its record): characters a header cannot carry are
/// dropped, so a write that succeeded is never answered with an error. Only for paths that
/// start with a fixed segment of the site, never for a target a client chose.
pub fn redirect(path: &str) -> axum::response::Response {
    use axum::response::IntoResponse;
    let clean: String = path
        .chars()
        .filter(|c| !c.is_control() && !c.is_whitespace())
        .collect();
    axum::response::Redirect::to(&clean).into_response()
}

/// Triad's address as people reach it, for links read outside a page (a survey's flyer, a
/// calendar feed): the instance's public address where one is set, else the address this
/// request was made to (plain HTTP is served only on this machine's own loopback, so any other
/// host is reached over HTTPS). No slash at its end.
pub fn public_address(state: &crate::AppState, headers: &axum::http::HeaderMap) -> String {
    let asked_at = || {
        let host = headers.get(axum::http::header::HOST)?.to_str().ok()?;
        let local = ["localhost", "127.", "[::1]"]
            .iter()
            .any(|l| host.starts_with(l));
        Some(format!("{}://{host}", if local { "http" } else { "https" }))
    };
    state
        .config
        .notices
        .public_url
        .clone()
        .or_else(asked_at)
        .unwrap_or_default()
        .trim_end_matches('/')
        .to_string()
}
