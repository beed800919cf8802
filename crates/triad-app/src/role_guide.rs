//! The role guide of a district: the project's pages on what the SRO, the SSO, the
//! administrator and staff each do and do not do, with any section the district's leader has
//! rewritten in the district's own words. Read by everyone in the district (and the agencies
//! serving it); written by the district's leader.

use crate::campus::district_clock;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use triad_domain::audit::Outcome;
use triad_domain::policy::{Action, RecordClass, Resource, Tenant};
use triad_domain::role_guide::{self as rules, Block, GuideRole};
use triad_domain::Id;
use triad_store::role_guide::{self as store, SectionRow};

fn guide_record(district: Id) -> Resource {
    Resource::new(RecordClass::Directory, Tenant::district(district))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BlockView {
    /// A list (each item a bullet) or a paragraph (one item).
    pub list: bool,
    pub items: Vec<String>,
}

impl From<Block> for BlockView {
    fn from(b: Block) -> Self {
        Self {
            list: b.list,
            items: b.items,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SectionView {
    pub code: String,
    pub heading: String,
    /// The text as written (the district's own, or the project's).
    pub text: String,
    pub blocks: Vec<BlockView>,
    /// Rewritten by the district: by whom and when.
    pub rewritten: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RolePage {
    pub role: String,
    pub heading: String,
    pub sections: Vec<SectionView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Guide {
    pub district_id: String,
    pub district: String,
    pub roles: Vec<RolePage>,
    /// The actor may rewrite sections (the district's leader).
    pub may_edit: bool,
}

async fn district_for(ctx: &Ctx, id: &str, action: Action) -> AppResult<(Id, String)> {
    crate::org::district_as(ctx, id, action, guide_record).await
}

pub async fn guide(ctx: &Ctx, district: &str) -> AppResult<Guide> {
    let (id, name) = district_for(ctx, district, Action::View).await?;
    let own = store::of_district(&mut ctx.app.db.acquire().await?, id).await?;
    let local = district_clock(ctx, &id.to_string()).await?;
    let roles = GuideRole::ALL
        .into_iter()
        .map(|role| RolePage {
            role: role.code().into(),
            heading: role.heading().into(),
            sections: rules::sections_of(role)
                .map(|s| {
                    let mine = own.iter().find(|r| r.code == s.code);
                    let text = mine.map_or(s.text, |r| r.text.as_str()).to_string();
                    SectionView {
                        code: s.code.into(),
                        heading: s.heading.into(),
                        blocks: rules::blocks(&text).into_iter().map(Into::into).collect(),
                        text,
                        rewritten: mine.map(|r| {
                            format!("{}, {}", r.updated_by_name, local.show(r.updated_at))
                        }),
                    }
                })
                .collect(),
        })
        .collect();
    let may_edit = triad_domain::policy::decide(&ctx.actor, Action::Change, guide_record(id))
        == triad_domain::policy::Decision::Allow;
    Ok(Guide {
        district_id: id.to_string(),
        district: name,
        roles,
        may_edit,
    })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct SectionInput {
    /// The district's text; empty restores the project's.
    #[serde(default)]
    pub text: String,
}

/// Rewrites a section for the district, or (with an empty text) restores the project's.
pub async fn save_section(
    ctx: &Ctx,
    district: &str,
    code: &str,
    input: &SectionInput,
) -> AppResult<()> {
    let (id, _) = district_for(ctx, district, Action::Change).await?;
    let section = rules::section(code).ok_or(AppError::NotFound)?;
    let text = rules::parse_section_text(&input.text)?;
    let mut tx = ctx.change().await?;
    match &text {
        Some(text) => {
            let row = SectionRow {
                code: section.code.into(),
                text: text.clone(),
                updated_by: ctx.actor.user.to_string(),
                updated_by_name: ctx.actor.display_name.clone(),
                updated_at: ctx.now.millis(),
            };
            store::put(&mut tx, id, &row).await?;
        }
        None => {
            store::remove(&mut tx, id, section.code).await?;
        }
    }
    tx.audit(
        ctx.event(
            if text.is_some() {
                "role_guide.rewrite"
            } else {
                "role_guide.restore"
            },
            Outcome::Ok,
        )
        .record("role_guide_section", section.code)
        .content(&(section.code, &text))
        .tenant(Some(id), None),
    );
    tx.commit().await?;
    Ok(())
}
