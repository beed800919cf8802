//! The improvement page: what Triad proposes from the year's assessment and surveys, the
//! findings people accepted with whether they moved since, and the plan that answers them;
//! and the form a step's owner moves it with, from the plan or from their home page.

use super::pages::YearQuery;
use super::service::{self, DecisionInput, Improvement, PlanEntryInput, StatusInput};
use crate::context::Ctx;
use crate::error::WebResult;
use crate::forms::FormToken;
use crate::routes::Routes;
use crate::views::{redirect, render, Layout};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{Html, Response};
use axum::Form;
use serde::Deserialize;
use std::collections::HashMap;
use triad_domain::improvement::StepStatus;

pub fn routes() -> Routes {
    Routes::default()
        .get("/partnerships/{id}/improvement", page)
        .post("/partnerships/{id}/findings", decide)
        .post("/partnerships/{id}/plan", add)
        .post("/plan-steps/{id}/status", status)
}

#[derive(Template)]
#[template(path = "assessment/improvement.html")]
struct ImprovementPage {
    layout: Layout,
    m: Improvement,
    /// A fresh token for each form of the page, by what the form is for.
    tokens: HashMap<String, FormToken>,
    statuses: Vec<(&'static str, &'static str)>,
}

impl ImprovementPage {
    /// The token of one form: `kind` (accept, dismiss, goal, objective, step, status) and
    /// the proposal or entry it belongs to.
    fn token(&self, kind: &str, key: &str) -> FormToken {
        self.tokens
            .get(&format!("{kind}:{key}"))
            .cloned()
            .unwrap_or(FormToken {
                idem: String::new(),
                csrf: String::new(),
            })
    }
}

/// Every form the page shows, by the key [`ImprovementPage::token`] reads.
fn form_keys(m: &Improvement) -> Vec<String> {
    let mut keys = vec!["goal:".to_string()];
    for p in &m.proposals {
        keys.push(format!("accept:{}", p.source));
        keys.push(format!("dismiss:{}", p.source));
    }
    for goal in &m.plan {
        keys.push(format!("objective:{}", goal.id));
        for objective in &goal.children {
            keys.push(format!("step:{}", objective.id));
            for step in &objective.children {
                keys.push(format!("status:{}", step.id));
            }
        }
    }
    keys
}

async fn page(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<YearQuery>,
) -> WebResult<Html<String>> {
    let m = service::improvement_of(&ctx, &id, q.year.as_deref()).await?;
    render(&ImprovementPage {
        layout: Layout::new(&ctx),
        tokens: form_keys(&m).into_iter().map(|k| (k, ctx.form())).collect(),
        statuses: StepStatus::ALL
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
        m,
    })
}

fn back_to_plan(id: &str, year: &str, anchor: &str) -> Response {
    let year: String = year.chars().filter(char::is_ascii_digit).collect();
    redirect(&format!(
        "/partnerships/{id}/improvement?year={year}#{anchor}"
    ))
}

async fn decide(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<DecisionInput>,
) -> WebResult<Response> {
    service::decide_finding(&ctx, &id, &input).await?;
    Ok(back_to_plan(&id, &input.year, "findings"))
}

/// The plan form: the entry, and the year the page showed.
#[derive(Debug, Default, Deserialize)]
struct PlanForm {
    #[serde(default)]
    year: String,
    #[serde(flatten)]
    entry: PlanEntryInput,
}

async fn add(ctx: Ctx, Path(id): Path<String>, Form(form): Form<PlanForm>) -> WebResult<Response> {
    let added = service::add_entry(&ctx, &id, &form.entry).await?;
    Ok(back_to_plan(&id, &form.year, &format!("plan-{}", added.id)))
}

/// The status form, from the plan page or from the owner's home page (`back`: `home` or the
/// plan's partnership, never an address).
#[derive(Debug, Default, Deserialize)]
struct StatusForm {
    #[serde(default)]
    back: String,
    #[serde(flatten)]
    change: StatusInput,
}

async fn status(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<StatusForm>,
) -> WebResult<Response> {
    let step = service::set_step_status(&ctx, &id, &form.change).await?;
    if form.back == "plan" {
        Ok(back_to_plan(
            &step.partnership,
            "",
            &format!("plan-{}", step.id),
        ))
    } else {
        Ok(redirect("/#my-steps"))
    }
}
