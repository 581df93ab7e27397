//! Shared HTTP pieces: the problem type, the JSON body extractor, authentication, request ids,
//! idempotency and the fallback handlers.

pub mod auth;
pub mod fallback;
pub mod files;
pub mod health;
pub mod idempotency;
pub mod json;
pub mod problem;
pub mod request_id;

pub use auth::{Role, Staff};
pub use json::ApiJson;
pub use problem::{ApiError, ApiResult, FieldError, Problem};
