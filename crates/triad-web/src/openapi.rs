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
    doc.merge(crate::roster::RosterApiDoc::openapi());
    doc.merge(crate::auth::AccountsApiDoc::openapi());
    doc.merge(crate::activity::ActivityApiDoc::openapi());
    doc.merge(crate::meetings::MeetingsApiDoc::openapi());
    doc.merge(crate::mou::MouApiDoc::openapi());
    doc.merge(crate::assessment::AssessmentApiDoc::openapi());
    doc.merge(crate::crdc::CrdcApiDoc::openapi());
    doc.merge(crate::funding::FundingApiDoc::openapi());
    doc.merge(crate::community::CommunityApiDoc::openapi());
    doc.merge(crate::training::TrainingApiDoc::openapi());
    doc.merge(crate::start_of_year::StartOfYearApiDoc::openapi());
    doc.merge(crate::personnel::PersonnelApiDoc::openapi());
    doc.merge(crate::selection::SelectionApiDoc::openapi());
    doc.merge(crate::role_guide::RoleGuideApiDoc::openapi());
    doc.merge(crate::incidents::IncidentsApiDoc::openapi());
    doc.merge(crate::incident_file::IncidentFileApiDoc::openapi());
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

async fn document() -> Json<serde_json::Value> {
    Json(document_json())
}

/// The API description as served: [`spec`], completed with what every operation shares
/// (the answers any request may get, the idempotency key of writes) and with operation ids
/// made unique.
pub fn document_json() -> serde_json::Value {
    let mut doc = serde_json::to_value(spec()).unwrap_or_default();
    complete(&mut doc);
    doc
}

const WRITES: [&str; 4] = ["post", "put", "patch", "delete"];

/// The answers a request may get whatever it asks: (status, what it means, whether only
/// writes get it).
const SHARED_ANSWERS: &[(&str, &str, bool)] = &[
    (
        "400",
        "the request could not be read (a malformed body or header)",
        false,
    ),
    (
        "401",
        "no valid token (or it has expired, been revoked, or its account disabled)",
        false,
    ),
    (
        "403",
        "the token's role does not allow this, or the token may only read",
        false,
    ),
    ("404", "nothing here, or nothing this token may see", false),
    (
        "409",
        "already recorded, or the idempotency key was used for another request",
        true,
    ),
    ("413", "the body is larger than Triad accepts", true),
    (
        "415",
        "send JSON (or a multipart form where files are sent)",
        true,
    ),
    (
        "422",
        "some fields need attention: each is named with what is wrong",
        false,
    ),
    (
        "503",
        "not saved (the database could not keep it just now) or busy: try again after Retry-After",
        false,
    ),
];

fn complete(doc: &mut serde_json::Value) {
    use serde_json::{json, Value};
    let error = json!({"$ref": "#/components/schemas/ErrorBody"});
    let mut ids: std::collections::HashMap<String, usize> = Default::default();
    if let Some(paths) = doc["paths"].as_object() {
        for item in paths.values() {
            for op in item.as_object().into_iter().flat_map(|o| o.values()) {
                if let Some(id) = op["operationId"].as_str() {
                    *ids.entry(id.to_string()).or_default() += 1;
                }
            }
        }
    }
    doc["components"]["schemas"]["Replayed"] = json!({
        "type": "object",
        "description": "The answer to a write sent again with its Idempotency-Key (the \
                        `Idempotent-Replayed: true` header says so): it was recorded before; \
                        read the record by its id. What the first answer showed once (a \
                        secret) is not kept.",
        "required": ["replayed", "message"],
        "properties": {
            "replayed": {"type": "boolean"},
            "message": {"type": "string"},
            "id": {"type": "string"}
        }
    });
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            let write = WRITES.contains(&method.as_str());
            // An id used twice names the operation by its tag too.
            if let Some(id) = op["operationId"].as_str().map(str::to_string) {
                if ids.get(&id).copied().unwrap_or(0) > 1 {
                    let tag = op["tags"][0].as_str().unwrap_or("api").replace(' ', "_");
                    op["operationId"] = Value::String(format!("{tag}_{id}"));
                }
            }
            if method == "get" && path.ends_with("/lesson-plan") {
                describe_lesson_plan_download(op);
            }
            let responses = op["responses"].as_object_mut();
            if let Some(responses) = responses {
                for (status, meaning, writes_only) in SHARED_ANSWERS {
                    if *writes_only && !write {
                        continue;
                    }
                    responses.entry(status.to_string()).or_insert_with(|| {
                        json!({"description": meaning,
                               "content": {"application/json": {"schema": error.clone()}}})
                    });
                }
                if write {
                    responses.entry("202".to_string()).or_insert_with(|| {
                        json!({"description": "still being recorded: the same request with the \
                                same Idempotency-Key, sent again, answers how it ended"})
                    });
                }
            }
            if write {
                declare_idempotency_key(op);
                may_be_replayed(op);
                describe_upload(path, op);
            }
        }
    }
}

/// A write sent again with its key is answered with the first answer's status and, instead
/// of the first body, what a replay keeps (`Replayed`): each success of a write is either.
fn may_be_replayed(op: &mut serde_json::Value) {
    use serde_json::json;
    let Some(responses) = op["responses"].as_object_mut() else {
        return;
    };
    for (status, response) in responses.iter_mut() {
        if !status.starts_with('2') {
            continue;
        }
        // Looked up without indexing: indexing a JSON value for writing inserts what is missing.
        let Some(schema) = response
            .get_mut("content")
            .and_then(|c| c.get_mut("application/json"))
            .and_then(|j| j.get_mut("schema"))
        else {
            continue;
        };
        let first = schema.take();
        *schema = json!({"anyOf": [first, {"$ref": "#/components/schemas/Replayed"}]});
    }
}

/// A form with files as its parts: the file part as binary (evidence takes one or more
/// `photo` parts; every other upload one `file`), the text fields as the handler's annotation
/// names them.
fn describe_upload(path: &str, op: &mut serde_json::Value) {
    use serde_json::json;
    let Some(body) = op
        .get_mut("requestBody")
        .and_then(|b| b.get_mut("content"))
        .and_then(|c| c.get_mut("multipart/form-data"))
    else {
        return;
    };
    let file = json!({"type": "string", "contentMediaType": "application/octet-stream"});
    let (files, many) = if path.ends_with("/evidence") {
        ("photo", true)
    } else {
        ("file", false)
    };
    let part = if many {
        json!({"type": "array", "items": file, "minItems": 1})
    } else {
        file
    };
    let mut properties = serde_json::Map::new();
    properties.insert(files.to_string(), part);
    // The form's text fields, when the annotation named a schema for them.
    if let Some(fields) = body["schema"]["properties"].as_object() {
        for (name, schema) in fields {
            properties.insert(name.clone(), schema.clone());
        }
    }
    let reference = body["schema"]["$ref"].clone();
    body["schema"] = json!({
        "type": "object",
        "properties": properties,
        "required": [files],
        "additionalProperties": {"type": "string"}
    });
    // Fields named by a schema of their own are kept by reference.
    if !reference.is_null() {
        body["schema"]["allOf"] = json!([{"$ref": reference}]);
    }
}

/// A lesson-plan file is served as the kind it was checked to be on upload: each kind's media
/// type is a documented answer.
fn describe_lesson_plan_download(op: &mut serde_json::Value) {
    let binary = serde_json::json!({"schema": {"type": "string", "contentMediaType": "application/octet-stream"}});
    let content: serde_json::Map<String, serde_json::Value> =
        triad_domain::activity::lesson_plan_media_types()
            .map(|media_type| (media_type.to_string(), binary.clone()))
            .collect();
    op["responses"]["200"]["content"] = serde_json::Value::Object(content);
}

/// Every write takes an `Idempotency-Key` header: declared once here with its limits.
fn declare_idempotency_key(op: &mut serde_json::Value) {
    use serde_json::{json, Value};
    let header = json!({
        "name": "Idempotency-Key",
        "in": "header",
        "required": true,
        "description": "1 to 200 characters, new for each write: a retry with the same key \
                        is answered with the first answer and records nothing twice",
        "schema": {"type": "string", "minLength": 1, "maxLength": 200}
    });
    if !op["parameters"].is_array() {
        op["parameters"] = Value::Array(Vec::new());
    }
    if let Some(parameters) = op["parameters"].as_array_mut() {
        parameters.retain(|p| {
            !(p["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case("idempotency-key"))
                && p["in"] == "header")
        });
        parameters.push(header);
    }
}
