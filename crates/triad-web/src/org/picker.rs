//! The people a field of a campus's record may name (an action item's owner, a follow-up's
//! assignee, a meeting's attendees): a picker asks this list, and the field accepts exactly
//! the people it offers ([`Ctx::people_who_may`] and [`Ctx::named`] apply the same rule).

use crate::campus;
use crate::context::Ctx;
use crate::error::{ErrorBody, WebResult};
use crate::routes::Routes;
use axum::extract::{Path, Query};
use axum::Json;
use serde::{Deserialize, Serialize};
use triad_domain::policy::{Action, RecordClass, Resource};
use triad_domain::Invalid;

pub fn routes() -> Routes {
    Routes::default().get("/api/v1/campuses/{id}/people", people)
}

/// The most people one answer offers: a picker narrows by typing, it does not scroll.
const MOST: usize = 25;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PickerQuery {
    /// Part of the name or user name (any case); empty for the first people by name.
    #[serde(default)]
    pub q: String,
    /// Which records the person is picked for: `shared` (meetings, action items, incidents;
    /// the default) or `school` (school-side follow-ups).
    #[serde(default)]
    pub records: String,
}

/// A person a picker offers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Pickable {
    pub id: String,
    /// What people call them: the picker shows this.
    pub name: String,
    /// What a field takes.
    pub username: String,
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(people), components(schemas(Pickable)))]
pub struct PickerApiDoc;

/// The people who may be named on a campus's records of one kind, by name (at most 25):
/// those of its district and of the agencies partnered with it who may open such a record.
/// Asked by someone who may open them; anyone else is answered 404.
#[utoipa::path(get, path = "/api/v1/campuses/{id}/people", tag = "organisation", params(("id" = String, Path), PickerQuery),
    responses((status = 200, body = [Pickable]), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn people(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<PickerQuery>,
) -> WebResult<Json<Vec<Pickable>>> {
    let class = match q.records.trim() {
        "" | "shared" => RecordClass::Shared,
        "school" => RecordClass::School,
        _ => return Err(Invalid::one("records", "choose shared or school").into()),
    };
    if q.q.chars().count() > 100 {
        return Err(Invalid::one("q", "at most 100 characters").into());
    }
    let campus = campus::campus_for(&ctx, &id, class, Action::View, "campus_people").await?;
    let record = Resource::new(class, campus::tenant(&campus, None));
    let found = ctx
        .people_who_may(campus.district(), record, Action::View, &q.q, MOST)
        .await?;
    Ok(Json(
        found
            .into_iter()
            .map(|n| Pickable {
                id: n.user.id,
                name: n.user.display_name,
                username: n.user.username,
            })
            .collect(),
    ))
}
