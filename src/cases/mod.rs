//! Cases after intake: their status, timeline, staff views and consumer tracking.

pub mod http;
pub mod track;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, NotSet, Set};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::Actor;
use crate::entities::case_event;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    /// 投诉
    Complaint,
    /// 举报
    Report,
}

impl CaseKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseKind::Complaint => "complaint",
            CaseKind::Report => "report",
        }
    }
}

/// Where a case stands, as the consumer and staff see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// A complaint waiting for the regulator's accept-or-refuse decision.
    PendingAcceptance,
    /// With the business's ODR desk for settlement.
    WithBusiness,
    /// A report being verified toward a 立案 decision.
    PendingVerification,
}

impl CaseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::PendingAcceptance => "pending_acceptance",
            CaseStatus::WithBusiness => "with_business",
            CaseStatus::PendingVerification => "pending_verification",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            CaseStatus::PendingAcceptance,
            CaseStatus::WithBusiness,
            CaseStatus::PendingVerification,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }

    /// The consumer-facing label.
    pub fn label(self) -> &'static str {
        match self {
            CaseStatus::PendingAcceptance => "待受理",
            CaseStatus::WithBusiness => "企业和解中",
            CaseStatus::PendingVerification => "核查中",
        }
    }
}

/// Appends to a case's timeline. Public entries are what the consumer sees on tracking.
pub async fn append_event(
    db: &impl ConnectionTrait,
    case_id: &str,
    kind: &str,
    actor: &Actor,
    public: bool,
    detail: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    case_event::ActiveModel {
        id: NotSet,
        case_id: Set(case_id.to_owned()),
        at: Set(now),
        kind: Set(kind.to_owned()),
        actor_kind: Set(actor.kind().to_owned()),
        actor_id: Set(actor.user_id()),
        public: Set(public),
        detail: Set(detail.to_string()),
    }
    .insert(db)
    .await?;
    Ok(())
}
