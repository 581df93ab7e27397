//! What can go wrong with a step on a case's clocks.

use sea_orm::DbErr;

use super::DeadlineKind;
use crate::cases::access;
use crate::domain::faults::{Invalid, failure};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the clocks of this case are already stopped")]
    PauseRunning,
    #[error("this pause has already ended")]
    PauseEnded,
    #[error("no such pause on this case")]
    NoPause,
    #[error(
        "a recusal suspension ends with the decision: POST /api/v1/cases/{{id}}/recusals/decision"
    )]
    RecusalUndecided,
    #[error("no deadline kind {0}")]
    NoKind(String),
    #[error("this case has no running deadline of that kind")]
    NotRunning(DeadlineKind),
    #[error("this limit cannot be extended")]
    ExtensionNotAllowed,
    #[error("this deadline was already extended once")]
    AlreadyExtended,
    #[error("{0} missing")]
    Missing(&'static str),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Access(#[from] access::Error),
    #[error(transparent)]
    Db(#[from] DbErr),
}

failure!(Error {
    Error::NoPause => NotFound, "not_found";
    Error::NoKind(_) => NotFound, "not_found";
    Error::NotRunning(_) => NotFound, "not_found";
    Error::PauseRunning => Conflict, "pause_running";
    Error::PauseEnded => Conflict, "pause_ended";
    Error::RecusalUndecided => Conflict, "recusal_undecided";
    Error::ExtensionNotAllowed => Conflict, "extension_not_allowed";
    Error::AlreadyExtended => Conflict, "already_extended";
    Error::Missing(_) => Internal, "internal_error";
} passes [Invalid, Access, Db]);
