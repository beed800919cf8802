//! The themes coded in a campaign's free-text answers, and a leader's corrections of them.

use super::manage::{campaign_acting, campaign_for};
use crate::error::{AppError, AppResult};
use crate::surveys::analysis::{instrument_of, role_of};
use serde::{Deserialize, Serialize};
use triad_domain::surveys::{self as rules, QuestionKind};
use triad_domain::{Id, Invalid};
use triad_store::paging::Page;
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

/// The free-text answers of a campaign with their themes (the district's leaders).
pub async fn coded_answers(
    ctx: &crate::context::Ctx,
    id: &str,
) -> AppResult<(CampaignRow, Vec<CodedAnswer>)> {
    let c = campaign_for(ctx, id, triad_domain::policy::RecordClass::Shared).await?;
    let instrument = instrument_of(&c)?;
    let mut conn = ctx.app.db.acquire().await?;
    let answers = store::answers(&mut conn, &c.id, Page::ALL).await?;
    let codings = store::codings(&mut conn, &c.id).await?;
    let codebook = rules::seed_codebook();
    let label = |key: &str| {
        codebook
            .iter()
            .find(|t| t.key == key)
            .map(|t| t.label.clone())
            .unwrap_or_default()
    };
    let out = answers
        .into_iter()
        .filter(|a| {
            instrument
                .question(&a.question_key)
                .is_some_and(|q| q.kind == QuestionKind::Text)
        })
        .filter_map(|a| {
            let text = a.value_text.clone()?;
            let themes = codings
                .iter()
                .filter(|k| {
                    k.response_id == a.response_id && k.question_key == a.question_key && !k.removed
                })
                .map(|k| {
                    let why = k
                        .phrase
                        .clone()
                        .map(|p| format!("“{p}”"))
                        .unwrap_or_else(|| "set by a person".into());
                    (k.theme.clone(), label(&k.theme), why)
                })
                .collect();
            Some(CodedAnswer {
                role: role_of(&a).label().into(),
                response: a.response_id,
                question: a.question_key,
                text,
                themes,
            })
        })
        .take(500)
        .collect();
    Ok((c, out))
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
    ctx.app.survey_summaries.forget(&c.id);
    Ok(())
}
