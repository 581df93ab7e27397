//! One error type for every failure, rendered as `application/problem+json` (RFC 9457).

use std::fmt;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

pub use crate::domain::faults::FieldError;
use crate::domain::faults::{Class, Failure};

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable identifier, snake_case.
    pub code: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    detail: String,
    errors: Vec<FieldError>,
    allow: Option<String>,
    /// Seconds for `Retry-After`.
    retry_after: Option<u32>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            errors: Vec::new(),
            allow: None,
            retry_after: None,
            source: None,
        }
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        let detail = format!("the request has invalid fields: {}", fields.join(", "));
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            detail,
        )
        .with_errors(errors)
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::new(field, message)])
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", detail)
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }

    pub fn unprocessable(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
    }

    pub fn method_not_allowed(allow: String) -> Self {
        let mut e = Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("this path accepts only {allow}"),
        );
        e.allow = Some(allow);
        e
    }

    pub fn too_many_requests(
        code: &'static str,
        detail: impl Into<String>,
        retry_after_seconds: u32,
    ) -> Self {
        let mut e = Self::new(StatusCode::TOO_MANY_REQUESTS, code, detail);
        e.retry_after = Some(retry_after_seconds);
        e
    }

    pub fn internal(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        let mut e = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "an internal error occurred; it has been logged",
        );
        e.source = Some(source.into());
        e
    }

    pub fn unavailable(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            "the service is temporarily unavailable; retry shortly",
        );
        e.retry_after = Some(5);
        e.source = Some(source.into());
        e
    }

    /// The database is down, restarting or out of connections; the client retries after a pause.
    pub fn database_unavailable(
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
            "the database is temporarily unavailable; retry shortly with the same Idempotency-Key",
        );
        e.retry_after = Some(5);
        e.source = Some(source.into());
        e
    }

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors = errors;
        self
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    pub fn problem(&self) -> Problem {
        Problem {
            type_: format!("/problems/{}", self.code),
            title: self
                .status
                .canonical_reason()
                .unwrap_or("Error")
                .to_string(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code.to_string(),
            errors: self.errors.clone(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if self.status.is_server_error() {
            let mut chain = String::new();
            let mut cause: Option<&(dyn std::error::Error + 'static)> =
                self.source.as_deref().map(|e| e as _);
            while let Some(e) = cause {
                chain.push_str(": ");
                chain.push_str(&e.to_string());
                cause = e.source();
            }
            tracing::error!(code = self.code, cause = %chain, "request failed");
        }
        let mut builder = HttpResponse::build(self.status);
        builder.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        if let Some(allow) = &self.allow {
            builder.insert_header((header::ALLOW, allow.as_str()));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            builder.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        if let Some(seconds) = self.retry_after {
            builder.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        builder.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<sea_orm::TransactionError<ApiError>> for ApiError {
    fn from(e: sea_orm::TransactionError<ApiError>) -> Self {
        match e {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(api) => api,
        }
    }
}

/// Every domain error becomes a problem by its class. Internal failures and outages keep their
/// cause for the log and show the client nothing of it.
impl<E: Failure> From<E> for ApiError {
    fn from(e: E) -> Self {
        let (status, retry_after) = match e.class() {
            Class::Internal => return ApiError::internal(e),
            Class::Unavailable(_) if e.code() == "database_unavailable" => {
                return ApiError::database_unavailable(e);
            }
            Class::Invalid | Class::Unprocessable => (StatusCode::UNPROCESSABLE_ENTITY, None),
            Class::Unauthenticated => (StatusCode::UNAUTHORIZED, None),
            Class::Forbidden => (StatusCode::FORBIDDEN, None),
            Class::NotFound => (StatusCode::NOT_FOUND, None),
            Class::Conflict => (StatusCode::CONFLICT, None),
            Class::Gone => (StatusCode::GONE, None),
            Class::TooMany(s) => (StatusCode::TOO_MANY_REQUESTS, Some(s)),
            Class::Unavailable(s) => (StatusCode::SERVICE_UNAVAILABLE, Some(s)),
        };
        let mut out =
            ApiError::new(status, e.code(), e.to_string()).with_errors(e.fields().to_vec());
        out.retry_after = retry_after;
        if status == StatusCode::SERVICE_UNAVAILABLE {
            out.source = Some(Box::new(e));
        }
        out
    }
}
