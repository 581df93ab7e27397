//! The registry of businesses (经营者): identity, addresses, platform role, and ODR enrolment with
//! its life cycle applied → enrolled → suspended / removed.

pub mod http;

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::entities::odr_enrolment;

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

/// Whether complaints against this business go to its ODR desk first.
pub async fn is_enrolled(db: &impl ConnectionTrait, business_id: &str) -> Result<bool, DbErr> {
    Ok(odr_enrolment::Entity::find_by_id(business_id.to_owned())
        .filter(odr_enrolment::Column::Status.eq(Enrolment::Enrolled.as_str()))
        .one(db)
        .await?
        .is_some())
}
