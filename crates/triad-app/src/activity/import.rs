//! Importing activity logs from a form: what the form holds, and who may use it. The import
//! itself is [`crate::activity_import`], shared with the command line.

use crate::error::AppResult;
use triad_domain::activity as rules;

/// The web form: the file comes as the `file` part; `map` holds one COLUMN=FIELD per line.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ImportInput {
    #[serde(default)]
    pub map: String,
}

impl ImportInput {
    /// The mapping, one COLUMN=FIELD per line.
    pub fn mapping(&self) -> Vec<String> {
        self.map
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    }
}

/// Importing from the web is for officers (their own logs) and their supervisors.
pub async fn may_import(ctx: &crate::context::Ctx) -> AppResult<()> {
    if rules::imports_logs(&ctx.actor) {
        return Ok(());
    }
    Err(ctx
        .deny(rules::IMPORT_REFUSAL, ("activity_import", ""))
        .await)
}
