//! The assessment page: the 27 practices in their three groups, each with its rating, the
//! figures and records behind it, and (for those who rate) a form to rate it with a reason.

use super::service::{self, HeatMap, ProgramAssessment, RatingInput};
use crate::context::Ctx;
use crate::error::WebResult;
use crate::forms::FormToken;
use crate::routes::Routes;
use crate::views::{render, Layout};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{Html, Response};
use axum::Form;
use serde::{Deserialize, Serialize};

pub fn routes() -> Routes {
    Routes::default()
        .get("/partnerships/{id}/assessment", page)
        .get("/partnerships/{id}/assessment.csv", csv)
        .post("/partnerships/{id}/assessment/ratings", rate)
        .get("/assessments", heat_map)
        .get("/assessments.csv", heat_map_csv)
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct YearQuery {
    pub year: Option<String>,
}

/// The groups of the instrument in order, each with its items' indexes.
fn groups(a: &ProgramAssessment) -> Vec<(String, Vec<usize>)> {
    let mut out: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, item) in a.items.iter().enumerate() {
        match out.last_mut() {
            Some((group, items)) if *group == item.group => items.push(i),
            _ => out.push((item.group.clone(), vec![i])),
        }
    }
    out
}

#[derive(Template)]
#[template(path = "assessment/program.html")]
struct AssessmentPage {
    layout: Layout,
    a: ProgramAssessment,
    groups: Vec<(String, Vec<usize>)>,
    forms: Vec<FormToken>,
    /// A form per item of each checklist.
    checklist_forms: Vec<Vec<FormToken>>,
    ratings: Vec<(&'static str, &'static str)>,
}

async fn page(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<YearQuery>,
) -> WebResult<Html<String>> {
    let a = service::of_program(&ctx, &id, q.year.as_deref()).await?;
    let forms = a.items.iter().map(|_| ctx.form()).collect();
    let checklist_forms = a
        .checklists
        .iter()
        .map(|c| c.items.iter().map(|_| ctx.form()).collect())
        .collect();
    render(&AssessmentPage {
        layout: Layout::new(&ctx),
        groups: groups(&a),
        a,
        forms,
        checklist_forms,
        ratings: triad_domain::assessment::Rating::ALL
            .iter()
            .map(|r| (r.code(), r.label()))
            .collect(),
    })
}

/// One row of the CSV: an item with its rating, the records' rating and the figures.
#[derive(Serialize)]
struct Row<'a> {
    school_year: &'a str,
    item: u16,
    group: &'a str,
    practice: &'a str,
    rating: &'a str,
    from_the_records: &'a str,
    rated_by: &'a str,
    reason: &'a str,
    figures: String,
    campuses: String,
}

async fn csv(ctx: Ctx, Path(id): Path<String>, Query(q): Query<YearQuery>) -> WebResult<Response> {
    let a = service::of_program(&ctx, &id, q.year.as_deref()).await?;
    let mut rows: Vec<Row> = a
        .items
        .iter()
        .map(|i| Row {
            school_year: &a.year_label,
            item: u16::from(i.number),
            group: &i.group,
            practice: &i.short,
            rating: &i.rating_label,
            from_the_records: i.computed.as_deref().unwrap_or(""),
            rated_by: i.by_person.as_ref().map_or("", |p| p.by.as_str()),
            reason: i.by_person.as_ref().map_or("", |p| p.note.as_str()),
            figures: i.figures.join(" "),
            campuses: i
                .campuses
                .iter()
                .map(|c| format!("{}: {} ({})", c.name, c.rating_label, c.figure))
                .collect::<Vec<_>>()
                .join("; "),
        })
        .collect();
    // The checklists rated beside the instrument, after it, each item with the instrument's
    // practices that bear on it.
    for c in &a.checklists {
        for i in &c.items {
            rows.push(Row {
                school_year: &a.year_label,
                item: i.number,
                group: &c.title,
                practice: &i.short,
                rating: &i.rating_label,
                from_the_records: "",
                rated_by: i.by_person.as_ref().map_or("", |p| p.by.as_str()),
                reason: i.by_person.as_ref().map_or("", |p| p.note.as_str()),
                figures: i
                    .related
                    .iter()
                    .map(|r| format!("{}. {}: {}", r.number, r.short, r.rating_label))
                    .collect::<Vec<_>>()
                    .join("; "),
                campuses: String::new(),
            });
        }
    }
    crate::views::csv_attachment(
        &format!(
            "assessment {} {} {}.csv",
            a.agency, a.district, a.school_year
        ),
        &rows,
    )
}

async fn rate(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<RatingInput>,
) -> WebResult<Response> {
    service::rate(&ctx, &id, &input).await?;
    let item: String = input.item.chars().filter(char::is_ascii_digit).collect();
    let year: String = input.year.chars().filter(char::is_ascii_digit).collect();
    let checklist: String = input
        .checklist
        .chars()
        .filter(|c| c.is_ascii_lowercase() || *c == '-')
        .collect();
    let anchor = if checklist.is_empty() {
        format!("item-{item}")
    } else {
        format!("{checklist}-{item}")
    };
    Ok(crate::views::redirect(&format!(
        "/partnerships/{id}/assessment?year={year}#{anchor}"
    )))
}

#[derive(Template)]
#[template(path = "assessment/heat_map.html")]
struct HeatMapPage {
    layout: Layout,
    m: HeatMap,
    ratings: Vec<(&'static str, &'static str)>,
}

impl HeatMapPage {
    fn cell(&self, code: &Option<String>) -> &'static str {
        cell(code)
    }
}

/// The words of a rating code in a cell.
fn cell(code: &Option<String>) -> &'static str {
    code.as_deref()
        .and_then(triad_domain::assessment::Rating::from_code)
        .map_or("Not rated", |r| r.label())
}

async fn heat_map(ctx: Ctx, Query(q): Query<YearQuery>) -> WebResult<Html<String>> {
    let m = service::heat_map(&ctx, q.year.as_deref()).await?;
    render(&HeatMapPage {
        layout: Layout::new(&ctx),
        m,
        ratings: triad_domain::assessment::Rating::ALL
            .iter()
            .map(|r| (r.code(), r.label()))
            .collect(),
    })
}

/// The heat map as a spreadsheet: a row a practice, a column a program.
async fn heat_map_csv(ctx: Ctx, Query(q): Query<YearQuery>) -> WebResult<Response> {
    let m = service::heat_map(&ctx, q.year.as_deref()).await?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut header = vec!["item".to_string(), "practice".to_string()];
    header.extend(m.programs.iter().map(|p| match &p.imported_from {
        Some(_) => format!("{} / {} (imported)", p.district, p.agency),
        None => format!("{} / {}", p.district, p.agency),
    }));
    rows.push(header);
    for (i, item) in m.items.iter().enumerate() {
        let mut row = vec![item.number.to_string(), item.short.clone()];
        row.extend(m.programs.iter().map(|p| {
            if p.assessed {
                cell(&p.ratings[i]).to_string()
            } else {
                "no records".to_string()
            }
        }));
        rows.push(row);
    }
    crate::views::csv_attachment(&format!("assessments {}.csv", m.school_year), &rows)
}
