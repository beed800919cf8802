//! The collaboration metrics page: per term, for the district or one campus, as charts with
//! the table of the same figures beside them; and the same in the API.

use super::service::{self, Collaboration};
use crate::context::Ctx;
use crate::error::WebResult;
use crate::routes::Routes;
use crate::views::{render, Layout};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Html;
use serde::Deserialize;

pub fn routes() -> Routes {
    Routes::default().get("/partnerships/{id}/collaboration", page)
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct CampusQuery {
    pub campus: Option<String>,
}

#[derive(Template)]
#[template(path = "assessment/collaboration.html")]
struct CollaborationPage {
    layout: Layout,
    m: Collaboration,
    over_terms: String,
    surveys: String,
}

/// The percentages over the terms: meetings kept and each triad role's share of time.
fn over_terms(m: &Collaboration) -> String {
    let x: Vec<String> = m.terms.iter().map(|t| t.term.clone()).collect();
    let mut series = vec![(
        "Weekly principal meetings kept".to_string(),
        m.terms.iter().map(|t| t.weekly_meetings_percent).collect(),
    )];
    let roles: Vec<String> = m
        .terms
        .first()
        .map(|t| t.role_shares.iter().map(|r| r.role.clone()).collect())
        .unwrap_or_default();
    for (i, role) in roles.iter().enumerate() {
        series.push((
            format!("SRO time as {}", role.to_lowercase()),
            m.terms
                .iter()
                .map(|t| t.role_shares.get(i).and_then(|r| r.percent))
                .collect(),
        ));
    }
    crate::charts::lines("Collaboration by term", "%", &x, &series)
}

/// The relationship score by role, campaign by campaign (lower is stronger).
fn surveys(m: &Collaboration) -> String {
    let points: Vec<&service::SurveyPoint> = m.terms.iter().flat_map(|t| &t.surveys).collect();
    if points.is_empty() {
        return String::new();
    }
    let x: Vec<String> = points.iter().map(|p| p.campaign.clone()).collect();
    let series = vec![
        ("SROs".to_string(), points.iter().map(|p| p.sro).collect()),
        (
            "Administrators".to_string(),
            points.iter().map(|p| p.administrator).collect(),
        ),
        (
            "Educators and staff".to_string(),
            points.iter().map(|p| p.educator).collect(),
        ),
    ];
    crate::charts::lines(
        "Relationship score by role (1 strongest, 4 weakest)",
        "points",
        &x,
        &series,
    )
}

async fn page(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<CampusQuery>,
) -> WebResult<Html<String>> {
    let m = service::collaboration_of(&ctx, &id, q.campus.as_deref()).await?;
    render(&CollaborationPage {
        layout: Layout::new(&ctx),
        over_terms: over_terms(&m),
        surveys: surveys(&m),
        m,
    })
}
