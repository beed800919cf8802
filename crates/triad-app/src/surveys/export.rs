//! A campaign's answers as rows for export, every cell made safe for a spreadsheet.

use super::analysis::value_of;
use crate::error::AppResult;
use serde::Serialize;
use std::collections::HashMap;
use triad_domain::surveys::{safe_cell, Value};
use triad_store::paging::Page;
use triad_store::surveys::{self as store, CampaignRow};
use triad_store::Db;

/// One answer as exported: its respondent's role, the value, its flags and the original text.
/// Every text cell is made safe to open in a spreadsheet.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExportRow {
    pub response: String,
    pub role: String,
    pub role_as_written: String,
    pub table: String,
    pub question: String,
    pub value: String,
    pub flags: String,
    /// The themes coded in a free-text answer (after people's corrections).
    pub themes: String,
    pub original: String,
}

/// The answers of a page of a campaign's responses (`Page::ALL` for a whole export), with
/// their themes.
pub async fn export(db: &Db, campaign: &CampaignRow, responses: Page) -> AppResult<Vec<ExportRow>> {
    let mut conn = db.acquire().await?;
    let answers = store::answers(&mut conn, &campaign.id, responses).await?;
    let mut themes: HashMap<(String, String), Vec<String>> = HashMap::new();
    for k in store::codings(&mut conn, &campaign.id).await? {
        if !k.removed {
            themes
                .entry((k.response_id, k.question_key))
                .or_default()
                .push(k.theme);
        }
    }
    drop(conn);
    Ok(answers
        .into_iter()
        .map(|a| {
            let coded = themes
                .get(&(a.response_id.clone(), a.question_key.clone()))
                .map(|t| t.join(" "))
                .unwrap_or_default();
            let value = match value_of(&a) {
                Some(Value::Number(n)) => n.to_string(),
                Some(Value::Bool(b)) => if b { "yes" } else { "no" }.into(),
                Some(Value::Text(t)) => t,
                None => String::new(),
            };
            ExportRow {
                response: a.response_id,
                role: a.role,
                role_as_written: safe_cell(a.role_text.as_deref().unwrap_or("")),
                table: safe_cell(a.section.as_deref().unwrap_or("")),
                question: a.question_key,
                value: safe_cell(&value),
                flags: a.flags.unwrap_or_default(),
                themes: coded,
                original: safe_cell(a.original.as_deref().unwrap_or("")),
            }
        })
        .collect())
}
