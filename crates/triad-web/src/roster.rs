//! The district leader's roster page: send the OneRoster zip the student-information system
//! exports, see what would be created, changed and disabled, then import it.

use crate::context::Ctx;
use crate::error::{WebError, WebResult};
use crate::forms::FormToken;
use crate::routes::Routes;
use crate::views::{render, Layout};
use askama::Template;
use axum::extract::Path;
use axum::response::Html;
use triad_app::roster::{bundle, MatchedBy, PersonLine, RosterReport, RosterRequest};
use triad_app::AppError;
use triad_domain::Id;
use triad_store::org::{Campus, District};

pub fn routes() -> Routes {
    Routes::default()
        .get("/districts/{id}/roster", page)
        .post("/districts/{id}/roster", send)
        .post("/api/v1/districts/{id}/roster", api_import)
}

#[derive(Template)]
#[template(path = "org/roster.html")]
struct RosterPage {
    layout: Layout,
    district: District,
    campuses: Vec<Campus>,
    report: Option<RosterReport>,
    /// Why the bundle was refused, each fault on its own line.
    faults: Vec<String>,
    form: FormToken,
}

impl RosterPage {
    fn sections(&self) -> Vec<(&'static str, &[PersonLine])> {
        let Some(r) = &self.report else {
            return Vec::new();
        };
        let (c, ch, d) = if r.applied {
            ("Accounts created", "Accounts changed", "Accounts disabled")
        } else {
            (
                "Accounts to create",
                "Accounts to change",
                "Accounts to disable",
            )
        };
        vec![
            (c, &r.created[..]),
            (ch, &r.changed[..]),
            (d, &r.disabled[..]),
            ("Left as they are", &r.left_alone[..]),
            ("Not imported", &r.not_imported[..]),
        ]
    }

    fn unmatched(&self) -> Vec<&triad_app::roster::SchoolMatch> {
        self.report
            .iter()
            .flat_map(|r| r.schools.iter())
            .filter(|s| s.matched_by == MatchedBy::NotOnTriad)
            .collect()
    }
}

async fn district_of(ctx: &Ctx, id: &str) -> WebResult<(District, Vec<Campus>)> {
    let id = Id::parse(id).ok_or(WebError::from(AppError::NotFound))?;
    let district = triad_app::roster::may_import(ctx, id).await?;
    let campuses = triad_store::org::campuses_of(&mut ctx.app.db.acquire().await?, id)
        .await
        .map_err(AppError::from)?;
    Ok((district, campuses))
}

async fn page(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let (district, campuses) = district_of(&ctx, &id).await?;
    render(&RosterPage {
        layout: Layout::new(&ctx),
        district,
        campuses,
        report: None,
        faults: Vec::new(),
        form: ctx.form(),
    })
}

/// The text fields of a form sent under a name.
fn texts(parts: &[crate::forms::Part], name: &str) -> Vec<String> {
    parts
        .iter()
        .filter(|p| p.name == name && p.file_name.is_none())
        .map(|p| p.text())
        .collect()
}

/// The parts of a roster sent as a form with its zip.
async fn form_parts(
    headers: &axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> WebResult<Vec<crate::forms::Part>> {
    if !crate::forms::is_multipart(headers) {
        return Err(WebError::BadRequest(
            "send the roster as a form with its zip file (multipart/form-data, the zip as `file`)"
                .into(),
        ));
    }
    crate::forms::multipart(headers, body).await
}

/// A roster sent with its zip (`file`) and the schools matched by hand (`school`, repeated,
/// `SOURCEDID=CAMPUS`): imported (or, with `dry_run`, planned) for the district, or the faults
/// that refused it (nothing written).
async fn import_sent(
    ctx: &Ctx,
    district: &District,
    parts: &[crate::forms::Part],
    dry_run: bool,
    confirm_leavers: bool,
) -> WebResult<Result<RosterReport, Vec<String>>> {
    let messages = |invalid: triad_domain::Invalid| -> Vec<String> {
        invalid.errors.into_iter().map(|e| e.message).collect()
    };
    let Some(zip) = crate::forms::file(parts, "file") else {
        return Ok(Err(vec!["choose the roster's zip file".into()]));
    };
    let request = RosterRequest {
        district: district_id(district),
        // A school left at "Choose…" is sent as `SOURCEDID=`: not a mapping.
        mappings: texts(parts, "school")
            .into_iter()
            .filter(|m| !m.trim().ends_with('='))
            .collect(),
        dry_run,
        confirm_leavers,
    };
    let read = tokio::task::spawn_blocking(move || bundle::read_zip(std::io::Cursor::new(zip)))
        .await
        .map_err(|e| WebError::from(AppError::Internal(format!("reading a roster: {e}"))))?;
    let roster = match read {
        Ok(roster) => roster,
        Err(invalid) => return Ok(Err(messages(invalid))),
    };
    match triad_app::roster::import_as(ctx, &roster, &request).await {
        Ok(report) => Ok(Ok(report)),
        Err(AppError::Invalid(invalid)) => Ok(Err(messages(invalid))),
        Err(e) => Err(e.into()),
    }
}

/// "Show what would change" plans and writes nothing; "Import" writes. A bundle at fault is
/// shown back with every fault, and nothing is written.
async fn send(
    ctx: Ctx,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> WebResult<Html<String>> {
    let (district, campuses) = district_of(&ctx, &id).await?;
    let parts = form_parts(&headers, body).await?;
    let dry_run = texts(&parts, "action") != ["import"];
    let confirm = texts(&parts, "confirm_leavers") == ["yes"];
    let sent = import_sent(&ctx, &district, &parts, dry_run, confirm).await?;
    let (report, faults) = match sent {
        Ok(report) => (Some(report), Vec::new()),
        Err(faults) => (None, faults),
    };
    render(&RosterPage {
        layout: Layout::new(&ctx),
        district,
        campuses,
        report,
        faults,
        form: ctx.form(),
    })
}

/// The roster for the API: multipart with the zip as `file`, `school` for each school
/// matched by hand (`SOURCEDID=CAMPUS`, a campus id or name, or `none`), and `dry_run=true`
/// to see what would change without changing anything. A district's leader or a system
/// administrator; a bundle at fault is refused whole (422, every fault with its file and
/// line).
#[utoipa::path(post, path = "/api/v1/districts/{id}/roster", tag = "roster", params(("id" = String, Path), ("Idempotency-Key" = String, Header)),
    request_body(content = RosterUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = RosterReport), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)), security(("token" = [])))]
async fn api_import(
    ctx: Ctx,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> WebResult<axum::Json<RosterReport>> {
    let (district, _) = district_of(&ctx, &id).await?;
    let parts = form_parts(&headers, body).await?;
    let dry_run = texts(&parts, "dry_run") == ["true"];
    let confirm = texts(&parts, "confirm_leavers") == ["true"];
    let sent = import_sent(&ctx, &district, &parts, dry_run, confirm).await?;
    match sent {
        Ok(report) => Ok(axum::Json(report)),
        Err(faults) => {
            let mut invalid = triad_domain::Invalid::default();
            for fault in faults {
                invalid.push("bundle", fault);
            }
            Err(WebError::Invalid(invalid))
        }
    }
}

/// What the roster API takes (multipart/form-data) beside the zip, which is the `file` part.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct RosterUpload {
    /// A school matched by hand, `SOURCEDID=CAMPUS` (a campus id or name, or `none`); repeat
    /// the field for each.
    school: Option<String>,
    /// `true`: report what would change and change nothing.
    dry_run: Option<String>,
    /// `true`: the bundle may disable more than half of the roster's accounts (five or more).
    confirm_leavers: Option<String>,
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api_import),
    components(schemas(
        RosterUpload,
        RosterReport,
        triad_app::roster::SchoolMatch,
        triad_app::roster::MatchedBy,
        triad_app::roster::PersonLine,
        triad_app::roster::bundle::Mode,
        triad_app::roster::bundle::PassedOver
    ))
)]
pub struct RosterApiDoc;

fn district_id(d: &District) -> Id {
    Id::parse(&d.id).unwrap_or_else(|| Id::from_parts("unparseable", 0))
}
