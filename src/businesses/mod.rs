//! The registry of businesses (经营者): identity, addresses, platform role, and ODR enrolment with
//! its life cycle applied → enrolled → suspended / removed.

pub mod http;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Enrolment {
    Applied,
    Enrolled,
    Suspended,
    Removed,
}

impl Enrolment {
    pub fn as_str(self) -> &'static str {
        match self {
            Enrolment::Applied => "applied",
            Enrolment::Enrolled => "enrolled",
            Enrolment::Suspended => "suspended",
            Enrolment::Removed => "removed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Enrolment::Applied,
            Enrolment::Enrolled,
            Enrolment::Suspended,
            Enrolment::Removed,
        ]
        .into_iter()
        .find(|e| e.as_str() == s)
    }
}
