//! Cases after intake: their status, timeline, staff views and consumer tracking.

pub mod http;
pub mod track;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, NotSet, QueryFilter, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::Actor;
use crate::entities::{case, case_event};
use crate::http::{ApiError, ApiResult};

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
    /// With the business's ODR desk for settlement (not counted in the regulator's limits).
    WithBusiness,
    /// A complaint waiting for the regulator's accept-or-refuse decision.
    PendingAcceptance,
    /// Accepted; mediation not yet under way.
    Accepted,
    /// Mediation under way.
    InMediation,
    /// Finished; see the outcome.
    Closed,
    /// Not accepted, with a statutory reason.
    Refused,
    /// Withdrawn by the consumer.
    Withdrawn,
    /// A report being verified toward a 立案 decision.
    PendingVerification,
    /// A report that led to an enforcement case (立案).
    CaseOpened,
    /// A report that did not (不予立案).
    CaseDeclined,
    /// A repeated or related report merged into another (Order 121).
    Merged,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 11] = [
        CaseStatus::WithBusiness,
        CaseStatus::PendingAcceptance,
        CaseStatus::Accepted,
        CaseStatus::InMediation,
        CaseStatus::Closed,
        CaseStatus::Refused,
        CaseStatus::Withdrawn,
        CaseStatus::PendingVerification,
        CaseStatus::CaseOpened,
        CaseStatus::CaseDeclined,
        CaseStatus::Merged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::WithBusiness => "with_business",
            CaseStatus::PendingAcceptance => "pending_acceptance",
            CaseStatus::Accepted => "accepted",
            CaseStatus::InMediation => "in_mediation",
            CaseStatus::Closed => "closed",
            CaseStatus::Refused => "refused",
            CaseStatus::Withdrawn => "withdrawn",
            CaseStatus::PendingVerification => "pending_verification",
            CaseStatus::CaseOpened => "case_opened",
            CaseStatus::CaseDeclined => "case_declined",
            CaseStatus::Merged => "merged",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The consumer-facing label.
    pub fn label(self) -> &'static str {
        match self {
            CaseStatus::WithBusiness => "企业和解中",
            CaseStatus::PendingAcceptance => "待受理",
            CaseStatus::Accepted => "已受理",
            CaseStatus::InMediation => "调解中",
            CaseStatus::Closed => "已办结",
            CaseStatus::Refused => "不予受理",
            CaseStatus::Withdrawn => "已撤回",
            CaseStatus::PendingVerification => "核查中",
            CaseStatus::CaseOpened => "已立案",
            CaseStatus::CaseDeclined => "不予立案",
            CaseStatus::Merged => "已合并处理",
        }
    }

    /// No further step changes the case.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            CaseStatus::Closed
                | CaseStatus::Refused
                | CaseStatus::Withdrawn
                | CaseStatus::CaseOpened
                | CaseStatus::CaseDeclined
                | CaseStatus::Merged
        )
    }
}

/// How a case ended (办结).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    SettledByEnterprise,
    MediatedAgreement,
    Terminated,
    Refused,
    Withdrawn,
    Transferred,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::SettledByEnterprise => "settled_by_enterprise",
            Outcome::MediatedAgreement => "mediated_agreement",
            Outcome::Terminated => "terminated",
            Outcome::Refused => "refused",
            Outcome::Withdrawn => "withdrawn",
            Outcome::Transferred => "transferred",
        }
    }
}

/// Moves a case from one of `from` to `to`. The update is conditional on the status read, so of
/// two concurrent steps on one case exactly one wins; the other gets 409.
pub async fn transition(
    db: &impl ConnectionTrait,
    c: &case::Model,
    from: &[CaseStatus],
    to: CaseStatus,
    now: DateTime<Utc>,
) -> ApiResult<case::Model> {
    let current = CaseStatus::parse(&c.status);
    if !current.is_some_and(|s| from.contains(&s)) {
        return Err(ApiError::conflict(
            "invalid_transition",
            format!("the case is {}; it cannot become {}", c.status, to.as_str()),
        ));
    }
    let updated = case::Entity::update_many()
        .col_expr(case::Column::Status, Expr::value(to.as_str()))
        .col_expr(case::Column::UpdatedAt, Expr::value(now))
        .filter(case::Column::Id.eq(c.id.as_str()))
        .filter(case::Column::Status.eq(c.status.as_str()))
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Err(ApiError::conflict(
            "concurrent_change",
            "the case changed meanwhile; reload it",
        ));
    }
    case::Entity::find_by_id(c.id.clone())
        .one(db)
        .await?
        .ok_or_else(|| ApiError::internal("case vanished"))
}

/// One timeline entry, not yet written; `append_event` writes one, `insert_many` several at once.
pub fn event(
    case_id: &str,
    kind: &str,
    actor: &Actor,
    public: bool,
    detail: serde_json::Value,
    now: DateTime<Utc>,
) -> case_event::ActiveModel {
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
    event(case_id, kind, actor, public, detail, now)
        .insert(db)
        .await?;
    Ok(())
}
