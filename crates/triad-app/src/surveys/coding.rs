//! The themes coded in a campaign's free-text answers, and a leader's corrections of them.

use super::manage::{campaign_acting, campaign_for};
use crate::error::{AppError, AppResult};
use crate::surveys::analysis::{instrument_of, role_of};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use triad_domain::surveys::{self as rules, QuestionKind};
use triad_domain::{Id, Invalid};
use triad_store::surveys::{self as store, CampaignRow};

/// A free-text answer with the themes coded in it, for the person who checks the coding.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CodedAnswer {
    pub response: String,
    pub question: String,
    pub role: String,
    pub text: String,
    /// (theme, label, the phrase that triggered it or "set by a person")
    pub themes: Vec<(String, String, String)>,
}

/// What the themes page looks for: a theme of the codebook (empty: any) and words the answer
/// contains, in any case.
#[derive(Debug, Clone, Default)]
pub struct AnswerFilter {
    pub theme: String,
    pub words: String,
}

/// The answers a filter found: the asked slice of them, with their themes, and how many.
#[derive(Debug, Clone)]
pub struct CodedAnswers {
    pub shown: Vec<CodedAnswer>,
    pub found: usize,
}

/// A campaign's coded answers as one filter and slice found them, kept while nothing is
/// written (a correction, an imported answer or any other write moves the data version) and at
/// most a minute: a page of fifty answers and their codings is read from hundreds of rows. Keyed
/// by (campaign, theme, lowered words, first, end); who may read them is asked on every view.
pub type KeptCodedAnswers =
    crate::fresh::Current<(String, String, String, usize, usize), CodedAnswers>;

/// The free-text answers of a campaign that match `filter`, with their themes, the `shown`
/// slice of them in the order of the responses' random ids (the district's leaders). The
/// database matches, counts and pages them, and reads the codings of the slice alone with it.
pub async fn coded_answers(
    ctx: &crate::context::Ctx,
    id: &str,
    filter: &AnswerFilter,
    shown: std::ops::Range<usize>,
) -> AppResult<(CampaignRow, Arc<CodedAnswers>)> {
    let c = campaign_for(ctx, id, triad_domain::policy::RecordClass::Shared).await?;
    let theme = filter.theme.trim();
    if !theme.is_empty() && rules::seed_codebook().iter().all(|t| t.key != theme) {
        return Err(Invalid::one("theme", "choose a theme from the list").into());
    }
    let words = filter.words.trim().to_lowercase();
    let key = (
        c.id.clone(),
        theme.to_string(),
        words.clone(),
        shown.start,
        shown.end,
    );
    let answers = ctx
        .app
        .coded_answers
        .get_or_build(key, ctx.versions(), ctx.now, || {
            read_coded_answers(&ctx.app.db, &c, theme, &words, shown)
        })
        .await?;
    Ok((c, answers))
}

/// Reads what [`coded_answers`] shows.
async fn read_coded_answers(
    db: &triad_store::Db,
    c: &CampaignRow,
    theme: &str,
    words: &str,
    shown: std::ops::Range<usize>,
) -> AppResult<CodedAnswers> {
    let instrument = instrument_of(c)?;
    let codebook = rules::seed_codebook();
    let questions: Vec<String> = instrument
        .questions
        .iter()
        .filter(|q| q.kind == QuestionKind::Text)
        .map(|q| q.key.clone())
        .collect();
    let search = |slice: Option<std::ops::Range<usize>>| store::TextSearch {
        questions: &questions,
        theme: Some(theme).filter(|t| !t.is_empty()),
        slice: slice.map(|s| as_i64(s.start)..as_i64(s.end)),
    };
    let mut conn = db.acquire_for_list().await?;
    let (page, found) = if words.is_empty() {
        // The database pages and counts; a page past the end holds no row to carry the count,
        // so the first answer is asked for it.
        let page = store::text_answers(&mut conn, &c.id, search(Some(shown.clone()))).await?;
        let found = match page.first() {
            Some(first) => first.found,
            None if shown.start > 0 => store::text_answers(&mut conn, &c.id, search(Some(0..1)))
                .await?
                .first()
                .map_or(0, |first| first.found),
            None => 0,
        };
        (page, usize::try_from(found).unwrap_or_default())
    } else {
        // Words are matched here, not in SQL: SQLite lowers ASCII letters only, and a leader
        // looking through Spanish answers types "él" for "ÉL".
        let matching: Vec<_> = store::text_answers(&mut conn, &c.id, search(None))
            .await?
            .into_iter()
            .filter(|a| a.text.to_lowercase().contains(words))
            .collect();
        let found = matching.len();
        let page = matching
            .into_iter()
            .skip(shown.start)
            .take(shown.len())
            .collect();
        (page, found)
    };
    let label = |key: &str| {
        codebook
            .iter()
            .find(|t| t.key == key)
            .map(|t| t.label.clone())
            .unwrap_or_default()
    };
    let shown = page
        .into_iter()
        .map(|a| {
            let themes = a
                .themes
                .into_iter()
                .map(|k| {
                    let why = k
                        .phrase
                        .map(|p| format!("“{p}”"))
                        .unwrap_or_else(|| "set by a person".into());
                    let label = label(&k.theme);
                    (k.theme, label, why)
                })
                .collect();
            CodedAnswer {
                role: role_of(&a.role).label().into(),
                response: a.response_id,
                question: a.question_key,
                text: a.text,
                themes,
            }
        })
        .collect();
    Ok(CodedAnswers { shown, found })
}

fn as_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CodingInput {
    #[serde(default)]
    pub response: String,
    #[serde(default)]
    pub question: String,
    #[serde(default)]
    pub theme: String,
    /// add or remove
    #[serde(default)]
    pub action: String,
}

/// A person corrects the coding of one answer: adds a theme the phrases missed, or removes
/// one they found wrongly. Corrections count in the theme figures from then on.
pub async fn correct_coding(
    ctx: &crate::context::Ctx,
    id: &str,
    input: &CodingInput,
) -> AppResult<()> {
    let c = campaign_acting(
        ctx,
        id,
        triad_domain::policy::RecordClass::Shared,
        triad_domain::policy::Action::Change,
    )
    .await?;
    let mut invalid = Invalid::default();
    if !rules::seed_codebook().iter().any(|t| t.key == input.theme) {
        invalid.push("theme", "choose a theme of the codebook");
    }
    let removed = match input.action.as_str() {
        "add" => false,
        "remove" => true,
        _ => {
            invalid.push("action", "add or remove");
            false
        }
    };
    invalid.into_result()?;
    let mut conn = ctx.app.db.acquire().await?;
    if !store::answered(&mut conn, &c.id, &input.response, &input.question).await? {
        return Err(AppError::NotFound);
    }
    drop(conn);
    let row = store::CodingRow {
        response_id: input.response.clone(),
        campaign_id: c.id.clone(),
        question_key: input.question.clone(),
        theme: input.theme.clone(),
        phrase: None,
        source: "person".into(),
        removed,
    };
    let mut tx = ctx.change().await?;
    store::insert_codings(&mut tx, std::slice::from_ref(&row)).await?;
    let event = ctx
        .event("survey.coding.correct", triad_domain::audit::Outcome::Ok)
        .record("survey_campaign", &c.id)
        .content(&row)
        .tenant(c.district_id.as_deref().and_then(Id::parse), None);
    tx.audit(event);
    tx.commit().await?;
    crate::surveys::manage::forget_summaries(&ctx.app.survey_summaries, &c.id);
    Ok(())
}
