//! Cases after intake: their status and life cycle, who may see and act on them, the timeline
//! and audit entries every step writes, staff views and consumer tracking.

pub mod access;
pub mod detail;
pub mod http;
pub mod journal;
pub mod lifecycle;
pub mod list;
pub mod status;
pub mod track;
pub mod trail;
pub mod views;

pub use status::{CaseKind, CaseStatus, Outcome, PartyRole};
