//! What every page shares: the layout (who is signed in, the navigation they are entitled to,
//! the sign-out form) and rendering.

use crate::context::Ctx;
use crate::error::WebError;
use crate::forms::FormToken;
use askama::Template;
use axum::response::Html;
use triad_domain::auth::Role;
use triad_domain::Timestamp;

pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
}

/// The frame around every signed-in page.
pub struct Layout {
    pub user: String,
    pub roles: String,
    pub nav: Vec<NavLink>,
    pub logout: FormToken,
    /// The campuses whose live status this person's pages listen to (space-separated ids).
    pub live_campuses: String,
}

impl Layout {
    pub fn new(ctx: &Ctx) -> Self {
        let actor = &ctx.actor;
        let mut nav = vec![
            NavLink {
                href: "/",
                label: "Home",
            },
            NavLink {
                href: "/org",
                label: "Organisation",
            },
        ];
        if actor.has_role(Role::Sro) || actor.has_role(Role::Sso) {
            nav.insert(
                1,
                NavLink {
                    href: "/activity",
                    label: "Log activity",
                },
            );
        }
        nav.push(NavLink {
            href: "/reports/activity",
            label: "Reports",
        });
        if actor.has_role(Role::DistrictLeader) || actor.has_role(Role::SystemAdmin) {
            nav.push(NavLink {
                href: "/audit",
                label: "Audit trail",
            });
        }
        if actor.has_role(Role::SystemAdmin) {
            nav.push(NavLink {
                href: "/admin/users",
                label: "Users",
            });
        }
        nav.push(NavLink {
            href: "/account",
            label: "My account",
        });
        Self {
            user: actor.display_name.clone(),
            roles: actor
                .roles()
                .iter()
                .map(|r| r.label())
                .collect::<Vec<_>>()
                .join(", "),
            nav,
            logout: ctx.form(),
            live_campuses: live_campuses(ctx),
        }
    }
}

/// The campuses a person is on: campus-scoped roles and an SRO's assignments.
fn live_campuses(ctx: &Ctx) -> String {
    let mut ids: Vec<String> = ctx
        .actor
        .grants
        .iter()
        .filter_map(|g| match g.scope {
            triad_domain::auth::Scope::Campus { campus, .. } => Some(campus.to_string()),
            _ => None,
        })
        .chain(ctx.actor.assignments.iter().map(|a| a.campus.to_string()))
        .collect();
    ids.sort();
    ids.dedup();
    ids.join(" ")
}

impl Ctx {
    /// A fresh CSRF and idempotency token for a form on a page.
    pub fn form(&self) -> FormToken {
        FormToken::new(self.csrf_secret().unwrap_or_default())
    }
}

pub fn render<T: Template>(template: &T) -> Result<Html<String>, WebError> {
    template
        .render()
        .map(Html)
        .map_err(|e| WebError::Internal(format!("template: {e}")))
}

/// How instants read on a page: UTC, to the minute.
pub fn when(ms: i64) -> String {
    Timestamp::from_millis(ms)
        .to_datetime()
        .format("%Y-%m-%d %H:%M UTC")
        .to_string()
}
