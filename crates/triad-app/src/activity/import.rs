//! Importing activity logs from a form: what the form holds, and who may use it. The import
//! itself is [`crate::activity_import`], shared with the command line.

use crate::error::AppResult;
use triad_domain::auth::Role;

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
    let officer_side = [Role::Sro, Role::Sso, Role::LeSupervisor];
    if officer_side.iter().any(|r| ctx.actor.has_role(*r)) {
        return Ok(());
    }
    Err(ctx
        .deny(
            "importing activity logs is for officers and their supervisors",
            ("activity_import", ""),
        )
        .await)
}
