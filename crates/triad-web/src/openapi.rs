//! The OpenAPI document, generated from the handlers' annotations.

use crate::routes::Routes;
use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::OpenApi;

pub fn routes() -> Routes {
    Routes::default().get("/api/openapi.json", document)
}

/// The whole API description.
pub fn spec() -> utoipa::openapi::OpenApi {
    let mut doc = crate::org::ApiDoc::openapi();
    doc.merge(crate::audit::AuditApiDoc::openapi());
    doc.merge(crate::auth::AccountsApiDoc::openapi());
    doc.merge(crate::activity::ActivityApiDoc::openapi());
    doc.merge(crate::meetings::MeetingsApiDoc::openapi());
    doc.merge(crate::incidents::IncidentsApiDoc::openapi());
    doc.merge(crate::evidence::EvidenceApiDoc::openapi());
    doc.merge(crate::visitors::VisitorsApiDoc::openapi());
    doc.merge(crate::notifications::NotificationsApiDoc::openapi());
    doc.merge(crate::operations::OperationsApiDoc::openapi());
    doc.merge(crate::surveys::SurveysApiDoc::openapi());
    doc.merge(crate::org::PickerApiDoc::openapi());
    doc.info.title = "Triad API".into();
    doc.info.version = env!("CARGO_PKG_VERSION").into();
    doc.info.description = Some(
        "Everything the Triad pages do. Authenticate with a personal access token \
         (Authorization: Bearer …, made on the My account page). Every write carries an \
         Idempotency-Key header; a retry with the same key is answered with the first answer \
         and records nothing twice. Errors are JSON with a message and, on bad input, the \
         fields at fault."
            .into(),
    );
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "token",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
    );
    doc
}

async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(spec())
}
