//! The web layer's one error type. What users see is written for them: the field at fault,
//! what to do next. Internals go to the log, never to the page or the API answer.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use triad_domain::{FieldError, Invalid};
use triad_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("sign in to continue")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("there is nothing here")]
    NotFound,
    #[error("some fields need attention")]
    Invalid(Invalid),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("your role requires a second factor: set one up on your account page first")]
    SecondFactorRequired,
    #[error("the request is larger than Triad accepts")]
    PayloadTooLarge,
    #[error("send this as a form (application/x-www-form-urlencoded) or as JSON to the API")]
    UnsupportedMediaType,
    /// The server is at its limit for this kind of work (password checks): nothing was done;
    /// the answer says when to try again.
    #[error("{0}")]
    Busy(String),
    #[error("something went wrong on our side")]
    Internal(String),
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::Unauthenticated => StatusCode::UNAUTHORIZED,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            WebError::SecondFactorRequired => StatusCode::FORBIDDEN,
            WebError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            WebError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        triad_app::AppError::from(e).into()
    }
}

/// What the application layer says, as the web answers it.
impl From<triad_app::AppError> for WebError {
    fn from(e: triad_app::AppError) -> Self {
        use triad_app::AppError;
        match e {
            AppError::NotFound => WebError::NotFound,
            AppError::Forbidden(m) => WebError::Forbidden(m),
            AppError::Invalid(i) => WebError::Invalid(i),
            AppError::Unreadable(m) => WebError::BadRequest(m),
            AppError::Conflict(m) => WebError::Conflict(m),
            AppError::Unavailable(m) => WebError::Busy(m),
            AppError::Internal(m) => WebError::Internal(m),
        }
    }
}

impl From<Invalid> for WebError {
    fn from(i: Invalid) -> Self {
        WebError::Invalid(i)
    }
}

/// What an error response carries until the error layer renders it as a page or as JSON.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: String,
    pub message: String,
    /// On bad input: each field at fault (`field`) and what is wrong with it (`message`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub fields: Vec<FieldError>,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let WebError::Internal(detail) = &self {
            tracing::error!(%detail, "request failed");
        }
        let fields = match &self {
            WebError::Invalid(i) => i.errors.clone(),
            _ => Vec::new(),
        };
        let body = ErrorBody {
            error: status
                .canonical_reason()
                .unwrap_or("error")
                .to_lowercase()
                .replace(' ', "_"),
            message: self.to_string(),
            fields,
        };
        let mut response = status.into_response();
        if matches!(self, WebError::PayloadTooLarge) {
            // The rest of the body was not read: the connection cannot carry another request.
            response.headers_mut().insert(
                axum::http::header::CONNECTION,
                axum::http::HeaderValue::from_static("close"),
            );
        }
        if matches!(self, WebError::Busy(_)) {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("2"),
            );
        }
        if matches!(self, WebError::SecondFactorRequired) {
            response.extensions_mut().insert(EnrolFirst);
        }
        response.extensions_mut().insert(body);
        response
    }
}

/// Marks a response that should send a person to set up their second factor.
#[derive(Debug, Clone, Copy)]
pub struct EnrolFirst;

pub type WebResult<T> = Result<T, WebError>;
