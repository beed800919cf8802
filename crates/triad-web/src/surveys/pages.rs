//! Survey pages: a district's campaigns and the form that starts one; a campaign's analysis
//! with charts and its export; and the anonymous answer form anyone with the link opens
//! (no account, in English or Spanish, with the district's notice where students or parents
//! are asked).

use super::service;
use crate::context::Ctx;
use crate::error::{WebError, WebResult};
use crate::forms::FormToken;
use crate::routes::Routes;
use crate::views::{render, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use std::collections::HashMap;
use triad_app::surveys::analysis::Summary;
use triad_app::surveys::campaigns::{AnswerInput, NewCampaign};
use triad_domain::surveys::{Instrument, Question, QuestionKind, RespondentRole};
use triad_store::paging::Page;
use triad_store::surveys::CampaignRow;

pub fn routes() -> Routes {
    Routes::default()
        .get("/districts/{id}/surveys", district_surveys)
        .post("/districts/{id}/surveys", create)
        .get("/surveys/{id}", summary_page)
        .get("/surveys/{id}/export.csv", export_csv)
        .get("/surveys/{id}/themes", themes_page)
        .get("/surveys/{id}/flyer", flyer_page)
        .post("/surveys/{id}/import", import_upload)
        .post("/surveys/{id}/themes", correct_coding)
        .get("/s/{code}", answer_form)
        .post("/s/{code}", answer)
}

#[derive(Template)]
#[template(path = "surveys/surveys.html")]
struct SurveysPage {
    layout: Layout,
    rows: Vec<usize>,
    kinds: Vec<QuestionKind>,
    campuses: Vec<triad_store::org::Campus>,
    district_id: String,
    /// Each campaign with its full link and the link's QR code (SVG).
    campaigns: Vec<(service::CampaignCard, String, std::sync::Arc<str>)>,
    /// The roles a campaign may ask, and whether the form asks them at first.
    audience: Vec<(&'static str, &'static str, bool)>,
    /// The form that starts a campaign, for those who may (not an evaluator).
    may_start: bool,
    form: FormToken,
    /// A campaign just started: its link code and one-time tokens (shown once).
    started: Option<(CampaignRow, Vec<String>)>,
}

/// The district's campaigns with the form that starts one (and the one just started). The
/// policy is asked by `of_district` before anything else is read.
async fn surveys_page(
    ctx: &Ctx,
    headers: &axum::http::HeaderMap,
    district: String,
    started: Option<(CampaignRow, Vec<String>)>,
) -> WebResult<Html<String>> {
    let campaigns = service::cards(ctx, &district, Page::ALL)
        .await?
        .into_iter()
        .map(|card| {
            let link = public_link(ctx, headers, &card.row.public_code);
            let qr = ctx.state.link_codes.svg(&link, 160);
            (card, link, qr)
        })
        .collect();
    let id = triad_domain::Id::parse(&district).ok_or(WebError::NotFound)?;
    let campuses = triad_app::org::campuses_of(ctx, id).await?;
    render(&SurveysPage {
        layout: Layout::new(ctx),
        campuses,
        rows: (1..=triad_domain::surveys::BUILDER_ROWS).collect(),
        kinds: vec![
            QuestionKind::Scale,
            QuestionKind::YesNo,
            QuestionKind::Text,
            QuestionKind::Choice,
        ],
        may_start: service::may_start(ctx, &district),
        audience: triad_domain::surveys::RespondentRole::ALL
            .iter()
            .filter(|r| **r != triad_domain::surveys::RespondentRole::Unknown)
            .map(|r| {
                let first = matches!(r.code(), "sro" | "sso" | "administrator" | "educator");
                (r.code(), r.label(), first)
            })
            .collect(),
        district_id: district,
        campaigns,
        form: ctx.form(),
        started,
    })
}

async fn district_surveys(
    ctx: Ctx,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> WebResult<Html<String>> {
    surveys_page(&ctx, &headers, id, None).await
}

/// A survey's link in full, at the instance's public address.
fn public_link(ctx: &Ctx, headers: &axum::http::HeaderMap, code: &str) -> String {
    format!(
        "{}/s/{code}",
        crate::views::public_address(&ctx.state, headers)
    )
}

#[derive(Template)]
#[template(path = "surveys/survey_flyer.html")]
struct FlyerPage {
    layout: Layout,
    c: CampaignRow,
    link: String,
    qr: std::sync::Arc<str>,
}

/// A page to print and post: the survey's name, the district's notice, its link and QR code.
async fn flyer_page(
    ctx: Ctx,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> WebResult<Html<String>> {
    let c = service::flyer(&ctx, &id).await?;
    let link = public_link(&ctx, &headers, &c.public_code);
    render(&FlyerPage {
        layout: Layout::new(&ctx),
        qr: ctx.state.link_codes.svg(&link, 320),
        link,
        c,
    })
}

/// The form starts a campaign of the built-in questions, or of questions written on it. The
/// roles asked come as one checkbox each.
async fn create(
    ctx: Ctx,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let audience: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "audience")
        .map(|(_, v)| v.clone())
        .collect();
    let fields: HashMap<String, String> = pairs.into_iter().collect();
    let field = |k: &str| {
        if k == "audience" {
            audience.join(" ")
        } else {
            fields.get(k).cloned().unwrap_or_default()
        }
    };
    let instrument = if field("questions") == "own" {
        let built = triad_domain::surveys::build_instrument(&field("name"), &field)?;
        Some(serde_json::to_value(built).map_err(|e| WebError::Internal(e.to_string()))?)
    } else {
        None
    };
    let input = NewCampaign {
        name: field("name"),
        instrument_key: String::new(),
        instrument,
        audience: field("audience"),
        opens_on: field("opens_on"),
        closes_on: field("closes_on"),
        tokens: field("tokens"),
        notice: field("notice"),
        name_es: field("name_es"),
        notice_es: field("notice_es"),
        campus: field("campus"),
    };
    let started = service::start(&ctx, &id, &input).await?;
    let mut page = surveys_page(&ctx, &headers, id, Some(started))
        .await?
        .into_response();
    // Its one-time links are shown this once.
    page.extensions_mut().insert(crate::forms::ShownOnce);
    Ok(page)
}

#[derive(Template)]
#[template(path = "surveys/survey.html")]
struct SummaryPage {
    layout: Layout,
    s: Summary,
    /// Each question with its chart (empty where nothing shows).
    questions: Vec<(triad_app::surveys::analysis::QuestionSummary, String)>,
    themes_chart: String,
    /// The links to the answers themselves (export, themes), for those who may read them.
    answers_links: bool,
    /// The import form, for those who may import (the district's leaders).
    import: Option<FormToken>,
    report: Option<triad_app::surveys::import::SurveyImportReport>,
}

async fn summary_with(
    ctx: &Ctx,
    id: &str,
    report: Option<triad_app::surveys::import::SurveyImportReport>,
) -> WebResult<Html<String>> {
    let s = service::summary_for(ctx, id).await?;
    let question_charts = question_charts(&s);
    let themes_chart = themes_chart(&s);
    let import = service::may_import(ctx, &s).then(|| ctx.form());
    render(&SummaryPage {
        layout: Layout::new(ctx),
        answers_links: service::may_read_answers(ctx, &s),
        questions: s.questions.iter().cloned().zip(question_charts).collect(),
        themes_chart,
        s,
        import,
        report,
    })
}

async fn summary_page(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    summary_with(&ctx, &id, None).await
}

async fn import_upload(
    ctx: Ctx,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> WebResult<Html<String>> {
    let (input, file): (service::ImportForm, _) =
        crate::forms::read_input(&headers, body, "file").await?;
    let report = service::import_upload(&ctx, &id, &input.map, file).await?;
    summary_with(&ctx, &id, Some(report)).await
}

#[derive(Template)]
#[template(path = "surveys/survey_themes.html")]
struct ThemesPage<'a> {
    layout: Layout,
    campaign: CampaignRow,
    q: ThemesQuery,
    /// The answers of this page, and how many the filter found.
    answers: &'a [super::coding::CodedAnswer],
    found: usize,
    /// This page and how many there are (1-based), and a page asked past the end.
    page: usize,
    pages: usize,
    past_end: bool,
    /// The links to the page before and after, keeping the filter.
    before: Option<String>,
    after: Option<String>,
    codebook: &'static [triad_domain::surveys::Theme],
    /// The codebook's themes as the options of each answer's correction form.
    theme_options: &'static str,
    forms: Vec<FormToken>,
}

/// The options every correction form offers (the codebook is built in), written once: a page
/// of fifty answers wrote them, each escaped, fifty times.
#[derive(Template)]
#[template(
    source = r#"{% for t in codebook %}<option value="{{ t.key }}">{{ t.label }}</option>{% endfor %}"#,
    ext = "html"
)]
struct ThemeOptions {
    codebook: &'static [triad_domain::surveys::Theme],
}

fn theme_options() -> &'static str {
    static OPTIONS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    OPTIONS.get_or_init(|| {
        ThemeOptions {
            codebook: triad_domain::surveys::seed_codebook(),
        }
        .render()
        .unwrap_or_default()
    })
}

/// What the themes page looks for: a theme, words in the answer, and its page.
#[derive(Debug, Clone, Default, Deserialize)]
struct ThemesQuery {
    #[serde(default)]
    theme: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: String,
}

/// How many answers a page of the themes shows.
const ANSWERS_PER_PAGE: usize = 50;

async fn themes_page(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<ThemesQuery>,
) -> WebResult<Html<String>> {
    let page: usize = match q.page.trim() {
        "" => 1,
        text => text.parse().ok().filter(|n| *n >= 1).ok_or_else(|| {
            WebError::from(triad_app::AppError::Invalid(triad_domain::Invalid::one(
                "page",
                "a page number from 1",
            )))
        })?,
    };
    let filter = super::coding::AnswerFilter {
        theme: q.theme.clone(),
        words: q.q.clone(),
    };
    let first = (page - 1).saturating_mul(ANSWERS_PER_PAGE);
    let (campaign, answers) = super::coding::coded_answers(
        &ctx,
        &id,
        &filter,
        first..first.saturating_add(ANSWERS_PER_PAGE),
    )
    .await?;
    let codebook = triad_domain::surveys::seed_codebook();
    let found = answers.found;
    let pages = found.div_ceil(ANSWERS_PER_PAGE).max(1);
    let shown = &answers.shown;
    let link = |n: usize| {
        let kept = [
            ("theme", q.theme.clone()),
            ("q", q.q.clone()),
            ("page", n.to_string()),
        ];
        format!(
            "/surveys/{id}/themes?{}",
            serde_urlencoded::to_string(kept).unwrap_or_default()
        )
    };
    render(&ThemesPage {
        layout: Layout::new(&ctx),
        forms: shown.iter().map(|_| ctx.form()).collect(),
        before: (page > 1 && page <= pages).then(|| link(page - 1)),
        after: (page < pages).then(|| link(page + 1)),
        past_end: page > pages,
        page,
        pages,
        found,
        campaign,
        answers: shown,
        codebook,
        theme_options: theme_options(),
        q,
    })
}

async fn correct_coding(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<super::coding::CodingInput>,
) -> WebResult<Response> {
    super::coding::correct_coding(&ctx, &id, &input).await?;
    Ok(axum::response::Redirect::to(&format!("/surveys/{id}/themes")).into_response())
}

async fn export_csv(ctx: Ctx, Path(id): Path<String>) -> WebResult<Response> {
    let (name, rows) = service::export_for(&ctx, &id, Page::ALL).await?;
    crate::views::csv_attachment(&format!("survey-{name}.csv"), &rows)
}

#[derive(Debug, Default, Deserialize)]
struct AnswerQuery {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    t: String,
    #[serde(default)]
    opt_out: String,
}

/// One question as the form shows it.
struct Field {
    key: String,
    kind: QuestionKind,
    text: String,
    options: Vec<(String, String)>,
}

/// Whether the form is to be in Spanish: `?lang=` says so, else the browser's languages in
/// their order of preference (a language the form does not have falls back to English; the
/// switch to the other is on the form).
fn in_spanish(lang: &str, headers: &axum::http::HeaderMap) -> bool {
    match lang.trim() {
        "es" => return true,
        "en" => return false,
        _ => {}
    }
    let accepted = headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut best: Option<(f32, bool)> = None;
    for part in accepted.split(',') {
        let mut pieces = part.split(';');
        let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let weight = pieces
            .find_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
            })
            .unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or("");
        let known = match primary {
            "es" => Some(true),
            "en" => Some(false),
            _ => None,
        };
        if let Some(spanish) = known {
            if best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, spanish));
            }
        }
    }
    best.is_some_and(|(_, spanish)| spanish)
}

fn field(q: &Question, spanish: bool, audience: &[RespondentRole]) -> Field {
    let text = match (&q.text_es, spanish) {
        (Some(es), true) => es.clone(),
        _ => q.text.clone(),
    };
    let options = match (q.kind, &q.scale) {
        (QuestionKind::Scale, Some(s)) => {
            let mut out = Vec::new();
            let mut x = s.min;
            let (low, high) = match (spanish, &s.low_label_es, &s.high_label_es) {
                (true, Some(low), Some(high)) => (low, high),
                _ => (&s.low_label, &s.high_label),
            };
            while x <= s.max + 1e-9 {
                let label = if (x - s.min).abs() < 1e-9 {
                    format!("{x} ({low})")
                } else if (x - s.max).abs() < 1e-9 {
                    format!("{x} ({high})")
                } else {
                    format!("{x}")
                };
                out.push((format!("{x}"), label));
                x += s.step;
            }
            out
        }
        (QuestionKind::YesNo, _) => vec![
            ("yes".into(), if spanish { "Sí" } else { "Yes" }.into()),
            ("no".into(), "No".into()),
        ],
        (QuestionKind::Choice, _) => q.choices.iter().map(|c| (c.clone(), c.clone())).collect(),
        (QuestionKind::Role, _) => audience
            .iter()
            .map(|r| {
                let label = if spanish { r.label_es() } else { r.label() };
                (r.code().to_string(), label.to_string())
            })
            .collect(),
        (_, _) => Vec::new(),
    };
    Field {
        key: q.key.clone(),
        kind: q.kind,
        text,
        options,
    }
}

#[derive(Template)]
#[template(path = "surveys/survey_answer.html")]
struct AnswerPage {
    name: String,
    code: String,
    token: String,
    spanish: bool,
    notice: Option<String>,
    fields: Vec<Field>,
    error: Option<String>,
    closed: Option<String>,
}

#[derive(Template)]
#[template(path = "surveys/survey_thanks.html")]
struct ThanksPage {
    spanish: bool,
    opted_out: bool,
}

fn answer_page(
    c: &CampaignRow,
    instrument: &Instrument,
    q: &AnswerQuery,
    spanish: bool,
    error: Option<String>,
    today: &str,
) -> WebResult<Html<String>> {
    let audience: Vec<RespondentRole> = c
        .audience
        .split(' ')
        .filter_map(RespondentRole::from_code)
        .collect();
    let closed = match (
        today < c.opens_on.as_str(),
        today > c.closes_on.as_str(),
        spanish,
    ) {
        (true, _, false) => Some(format!("This survey opens on {}.", c.opens_on)),
        (true, _, true) => Some(format!("Esta encuesta abre el {}.", c.opens_on)),
        (_, true, false) => Some(format!("This survey closed on {}.", c.closes_on)),
        (_, true, true) => Some(format!("Esta encuesta cerró el {}.", c.closes_on)),
        _ => None,
    };
    let in_words = |english: &String, spanish_text: &Option<String>| match (spanish, spanish_text) {
        (true, Some(es)) => es.clone(),
        _ => english.clone(),
    };
    render(&AnswerPage {
        name: in_words(&c.name, &c.name_es),
        code: c.public_code.clone(),
        token: q.t.clone(),
        spanish,
        notice: c.notice.as_ref().map(|n| in_words(n, &c.notice_es)),
        fields: instrument
            .questions
            .iter()
            .map(|question| field(question, spanish, &audience))
            .collect(),
        error,
        closed,
    })
}

/// The anonymous form. Opting out (students and parents, PPRA) records nothing.
async fn answer_form(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<AnswerQuery>,
    headers: axum::http::HeaderMap,
) -> WebResult<Response> {
    let c = triad_app::surveys::campaigns::by_public_code(&state.db, &code).await?;
    let spanish = in_spanish(&q.lang, &headers);
    if !q.opt_out.is_empty() {
        return Ok(render(&ThanksPage {
            spanish,
            opted_out: true,
        })?
        .into_response());
    }
    let instrument = triad_app::surveys::analysis::instrument_of(&c)?;
    let today = state.now().to_datetime().date_naive().to_string();
    Ok(answer_page(&c, &instrument, &q, spanish, None, &today)?.into_response())
}

/// A refusal of an answer, in the form's language.
fn refusal_in(spanish: bool, invalid: &triad_domain::Invalid) -> String {
    invalid
        .errors
        .iter()
        .map(|e| match (spanish, e.field) {
            (true, "role") => "Elija su función.".to_string(),
            (true, "answers") if e.message == "answer at least one question" => {
                "Responda al menos una pregunta.".to_string()
            }
            _ => e.message.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

async fn answer(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: axum::http::HeaderMap,
    Form(fields): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let c = triad_app::surveys::campaigns::by_public_code(&state.db, &code).await?;
    let input = AnswerInput { fields };
    let q = AnswerQuery {
        lang: input.fields.get("lang").cloned().unwrap_or_default(),
        t: input.fields.get("token").cloned().unwrap_or_default(),
        opt_out: String::new(),
    };
    let spanish = in_spanish(&q.lang, &headers);
    match triad_app::surveys::campaigns::answer(&state.db, &c, &input, state.now()).await {
        Ok(()) => {
            triad_app::surveys::manage::forget_summaries(&state.survey_summaries, &c.id);
            Ok(render(&ThanksPage {
                spanish,
                opted_out: false,
            })?
            .into_response())
        }
        Err(triad_app::AppError::Invalid(invalid)) => {
            let instrument = triad_app::surveys::analysis::instrument_of(&c)?;
            let today = state.now().to_datetime().date_naive().to_string();
            let message = refusal_in(spanish, &invalid);
            let page = answer_page(&c, &instrument, &q, spanish, Some(message), &today)?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Each question's chart (SVG), for its card: the full distribution of the answers of each
/// role whose group is shown, as stacked bars, and, where the district asked it before, the
/// mean of each role campaign by campaign, as lines.
fn question_charts(s: &Summary) -> Vec<String> {
    s.questions
        .iter()
        .map(|q| {
            let shown: Vec<_> = q.groups.iter().filter(|g| g.n.is_some()).collect();
            let mut svg = String::new();
            if let Some(first) = shown.first() {
                let series: Vec<&str> = first
                    .counts
                    .iter()
                    .map(|(label, _)| label.as_str())
                    .collect();
                let items: Vec<(String, Vec<i64>)> = shown
                    .iter()
                    .map(|g| {
                        let counts = g
                            .counts
                            .iter()
                            .map(|(_, n)| i64::try_from(*n).unwrap_or(0))
                            .collect();
                        (g.role.clone(), counts)
                    })
                    .collect();
                svg.push_str(&crate::charts::stacked(
                    &format!("How each role answered: {}", q.text),
                    &series,
                    &items,
                ));
            }
            let points: Vec<_> = s.trend.iter().filter(|p| p.question == q.key).collect();
            let mut campaigns: Vec<(String, String)> = Vec::new();
            for p in &points {
                if !campaigns.iter().any(|(c, _)| c == &p.campaign) {
                    campaigns.push((p.campaign.clone(), p.opens_on.clone()));
                }
            }
            campaigns.sort_by(|a, b| a.1.cmp(&b.1));
            if campaigns.len() > 1 {
                let mut roles: Vec<String> = Vec::new();
                for p in &points {
                    if !roles.contains(&p.role) {
                        roles.push(p.role.clone());
                    }
                }
                let series: Vec<(String, Vec<Option<f64>>)> = roles
                    .iter()
                    .map(|role| {
                        let values = campaigns
                            .iter()
                            .map(|(c, _)| {
                                points
                                    .iter()
                                    .find(|p| &p.campaign == c && &p.role == role)
                                    .and_then(|p| p.mean)
                            })
                            .collect();
                        (role.clone(), values)
                    })
                    .collect();
                let x: Vec<String> = campaigns.iter().map(|(_, opened)| opened.clone()).collect();
                svg.push_str(&crate::charts::lines(
                    &format!("Mean answer, campaign by campaign: {}", q.text),
                    "(mean)",
                    &x,
                    &series,
                ));
            }
            svg
        })
        .collect()
}

/// The themes of the free-text answers, by how many answers carry each.
fn themes_chart(s: &Summary) -> String {
    let total = usize::try_from(s.responses).unwrap_or(0);
    let themes: Vec<(String, i64, String)> = s
        .themes
        .iter()
        .filter_map(|t| {
            let n: i64 = t.by_role.iter().filter_map(|(_, n)| *n).sum();
            let share = (usize::try_from(n).unwrap_or(0) * 100)
                .checked_div(total)
                .and_then(|p| i64::try_from(p).ok())
                .unwrap_or(0);
            (n > 0).then(|| (t.label.clone(), share, format!("{n} answers")))
        })
        .collect();
    if themes.is_empty() {
        return String::new();
    }
    crate::charts::bars(
        "Themes in the free-text answers (share of responses)",
        &themes,
    )
}
