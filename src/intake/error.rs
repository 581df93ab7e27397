//! What can go wrong at intake.

use crate::domain::faults::{Invalid, failure};
use crate::routing;

/// What can go wrong at intake: the request's faults, all at once, or the database.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// A fault of the service, not of the request.
    #[error("{0}")]
    Internal(&'static str),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

failure!(Error {
    Error::Internal(_) => Internal, "internal_error";
} passes [Invalid, Db]);

impl From<routing::RouteError> for Error {
    fn from(e: routing::RouteError) -> Self {
        match e {
            routing::RouteError::Invalid(e) => Error::Invalid(e),
            routing::RouteError::Db(e) => Error::Db(e),
        }
    }
}
