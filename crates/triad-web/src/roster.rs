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

/// "Show what would change" plans and writes nothing; "Import" writes. A bundle at fault is
/// shown back with every fault, and nothing is written.
async fn send(
    ctx: Ctx,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> WebResult<Html<String>> {
    let (district, campuses) = district_of(&ctx, &id).await?;
    if !crate::forms::is_multipart(&headers) {
        return Err(WebError::BadRequest(
            "send the roster as a form with its zip file".into(),
        ));
    }
    let parts = crate::forms::multipart(&headers, body).await?;
    let text = |name: &str| -> Vec<String> {
        parts
            .iter()
            .filter(|p| p.name == name && p.file_name.is_none())
            .map(|p| p.text())
            .collect()
    };
    let dry_run = text("action").first().map(String::as_str) != Some("import");
    let mappings: Vec<String> = text("school")
        .into_iter()
        .filter(|m| !m.trim().ends_with('='))
        .collect();
    let show = |report: Option<RosterReport>, faults: Vec<String>| {
        render(&RosterPage {
            layout: Layout::new(&ctx),
            district: district.clone(),
            campuses: campuses.clone(),
            report,
            faults,
            form: ctx.form(),
        })
    };
    let Some(zip) = crate::forms::file(&parts, "bundle") else {
        return show(None, vec!["choose the roster's zip file".into()]);
    };
    let read = tokio::task::spawn_blocking(move || bundle::read_zip(std::io::Cursor::new(zip)))
        .await
        .map_err(|e| WebError::from(AppError::Internal(format!("reading a roster: {e}"))))?;
    let roster = match read {
        Ok(roster) => roster,
        Err(invalid) => {
            return show(
                None,
                invalid.errors.into_iter().map(|e| e.message).collect(),
            )
        }
    };
    let request = RosterRequest {
        district: district_id(&district),
        mappings,
        dry_run,
    };
    match triad_app::roster::import_as(&ctx, &roster, &request).await {
        Ok(report) => show(Some(report), Vec::new()),
        Err(AppError::Invalid(invalid)) => show(
            None,
            invalid.errors.into_iter().map(|e| e.message).collect(),
        ),
        Err(e) => Err(e.into()),
    }
}

fn district_id(d: &District) -> Id {
    Id::parse(&d.id).unwrap_or_else(|| Id::from_parts("unparseable", 0))
}
