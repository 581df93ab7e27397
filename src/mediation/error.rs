//! What can go wrong with a step of mediation, said once: each case with its class and code.

use sea_orm::DbErr;

use super::states::{AgreementStatus, SessionStatus};
use crate::cases::{CaseStatus, access, lifecycle};
use crate::deadlines;
use crate::domain::faults::{Invalid, failure};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("only complaints are accepted or refused; reports are verified")]
    NotAComplaint,
    #[error("the case is {0}")]
    Closed(CaseStatus),
    #[error("a recusal application is pending; the case is suspended until it is decided")]
    Suspended,
    /// The step is for accepted cases only; `.1` names the step.
    #[error("the case is {0}; {1}")]
    NotInMediation(CaseStatus, &'static str),
    #[error("{0}")]
    NoMediator(&'static str),
    #[error("no recusal application is pending")]
    NoRecusalPending,
    #[error("the consumer did not accept delegated mediation at intake")]
    DelegationNotAccepted,
    #[error("the mediator already has a session from {0} to {1} (Asia/Shanghai)")]
    DoubleBooked(String, String),
    #[error("a session is recorded once it has begun")]
    SessionNotStarted,
    #[error("the session is {0}")]
    SessionNotScheduled(SessionStatus),
    #[error("this case already has an agreement")]
    AgreementExists,
    #[error("the agreement is {0}")]
    NotAwaitingConfirmation(AgreementStatus),
    #[error("the {0} has already confirmed")]
    AlreadyConfirmed(&'static str),
    #[error("this confirmation code has expired; ask the station for a new one")]
    CodeExpired,
    #[error("only a terminated case has a termination notice")]
    NotTerminated,
    #[error("the parties have already been told of the termination")]
    AlreadyTold,
    #[error("the case names no complainant")]
    NoComplainant,
    #[error("{0}")]
    SigningUnavailable(String),
    #[error("the key {0} is already revoked")]
    AlreadyRevoked(String),
    #[error("{0}")]
    NotFound(String),
    /// A fault of the service, not of the request (a row the step relies on is gone, a
    /// document that does not render).
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Access(#[from] access::Error),
    #[error(transparent)]
    Lifecycle(#[from] lifecycle::Error),
    #[error(transparent)]
    Clock(#[from] deadlines::Error),
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl Error {
    pub fn field(field: &str, message: impl Into<String>) -> Error {
        Error::Invalid(Invalid::field(field, message))
    }

    pub fn not_found(detail: impl Into<String>) -> Error {
        Error::NotFound(detail.into())
    }

    pub fn internal(detail: impl std::fmt::Display) -> Error {
        Error::Internal(detail.to_string())
    }
}

failure!(Error {
    Error::NotAComplaint => Conflict, "not_a_complaint";
    Error::Closed(_) => Conflict, "case_closed";
    Error::Suspended => Conflict, "case_suspended";
    Error::NotInMediation(..) => Conflict, "not_in_mediation";
    Error::NoMediator(_) => Conflict, "no_mediator_assigned";
    Error::NoRecusalPending => Conflict, "no_recusal_pending";
    Error::DelegationNotAccepted => Conflict, "delegation_not_accepted";
    Error::DoubleBooked(..) => Conflict, "mediator_double_booked";
    Error::SessionNotStarted => Conflict, "session_not_started";
    Error::SessionNotScheduled(_) => Conflict, "session_not_scheduled";
    Error::AgreementExists => Conflict, "agreement_exists";
    Error::NotAwaitingConfirmation(_) => Conflict, "not_awaiting_confirmation";
    Error::AlreadyConfirmed(_) => Conflict, "already_confirmed";
    Error::CodeExpired => Gone, "code_expired";
    Error::NotTerminated => Conflict, "not_terminated";
    Error::AlreadyTold => Conflict, "already_told";
    Error::NoComplainant => Conflict, "no_complainant";
    Error::SigningUnavailable(_) => Unavailable(60), "signing_unavailable";
    Error::AlreadyRevoked(_) => Conflict, "already_revoked";
    Error::NotFound(_) => NotFound, "not_found";
    Error::Internal(_) => Internal, "internal_error";
} passes [Invalid, Access, Lifecycle, Clock, Db]);
