//! Telling a named reporter of the decision: by mail when an address is known, otherwise staff
//! record how they told the reporter (phone, letter, …) before the 5-working-day limit.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use validator::Validate;

use super::{Error, ReportState, load, state_of};
use crate::actor::{Actor, Staff};
use crate::audit;
use crate::cases::{CaseStatus, PartyRole, journal};
use crate::deadlines::{DeadlineKind, store};
use crate::domain::text::single_line;
use crate::entities::{case, party};
use crate::mail::{self, Mail};

#[derive(Deserialize, Validate, ToSchema)]
pub struct NoticeRequest {
    /// How the reporter was told: e.g. `phone`, `letter`, `sms`.
    #[validate(length(min = 2, max = 20), custom(function = "single_line"))]
    #[schema(min_length = 2, max_length = 20)]
    pub method: String,
}

/// Records that the reporter was told of the decision by `input.method`.
pub async fn record(
    db: &impl ConnectionTrait,
    me: &Staff,
    id: &str,
    input: &NoticeRequest,
    now: DateTime<Utc>,
) -> Result<ReportState, Error> {
    let c = load(db, me, id).await?;
    if !notice_due(&c) {
        return Err(Error::NoNoticeDue);
    }
    mark_notified(db, &c, &input.method, now).await?;
    audit::record(
        db,
        &Actor::from(me),
        "report.notice",
        Some(&c.id),
        json!({"method": input.method}),
        now,
    )
    .await?;
    state_of(db, &c.id).await
}

/// Whether the report's reporter is still to be told of its decision: named, decided, not yet
/// told.
pub fn notice_due(c: &case::Model) -> bool {
    !c.anonymous
        && c.reporter_notified_at.is_none()
        && matches!(c.status, CaseStatus::CaseOpened | CaseStatus::CaseDeclined)
}

/// Mails the decision to a named reporter whose address is known, and marks the notice given;
/// without an address the reporter-notice deadline stays open for staff to record.
pub(super) async fn by_mail(
    db: &impl ConnectionTrait,
    c: &case::Model,
    decision: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let email = party::Entity::find()
        .filter(party::Column::CaseId.eq(c.id.as_str()))
        .filter(party::Column::Role.eq(PartyRole::Reporter))
        .one(db)
        .await?
        .and_then(|reporter| reporter.email);
    let Some(email) = email else {
        return Ok(());
    };
    let mail = Mail {
        to: vec![email],
        subject: format!("【举报处理结果】{}", c.receipt_number),
        body: format!(
            "您的举报 {} 已作出处理决定：{decision}。感谢您对市场监管工作的支持。",
            c.receipt_number
        ),
        attachments: Vec::new(),
        secret: None,
    };
    mail::enqueue(db, &mail, Some(&format!("report:{}:notice", c.id)), now).await?;
    mark_notified(db, c, "mail", now).await
}

async fn mark_notified(
    db: &impl ConnectionTrait,
    c: &case::Model,
    method: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    case::Entity::update_many()
        .col_expr(case::Column::ReporterNotifiedAt, Expr::value(now))
        .filter(case::Column::Id.eq(c.id.as_str()))
        .exec(db)
        .await?;
    store::complete(db, &c.id, DeadlineKind::ReporterNotice, now).await?;
    journal::append_event(
        db,
        &c.id,
        "reporter_notified",
        &Actor::System,
        true,
        json!({"description": "已告知举报人处理结果", "method": method}),
        now,
    )
    .await?;
    Ok(())
}
