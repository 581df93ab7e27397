//! Deciding a report after verification: 立案 (open) or 不予立案 (decline), with reasons. A named
//! reporter must then be told within 5 working days: at once by mail when an address is known.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use validator::Validate;

use super::{Error, ReportState, load, notice, state_of};
use crate::actor::{Actor, Staff};
use crate::cases::CaseStatus;
use crate::cases::journal::{self, Entry};
use crate::cases::lifecycle::{self, Closure};
use crate::deadlines::{self, DeadlineKind};
use crate::env::Env;
use crate::leads::Decision;

#[derive(Deserialize, Validate, ToSchema)]
pub struct ReportDecisionRequest {
    pub decision: Decision,
    #[validate(length(min = 2, max = 2000))]
    #[schema(min_length = 2, max_length = 2000)]
    pub reason: String,
}

pub async fn decide(
    db: &impl ConnectionTrait,
    env: &Env,
    me: &Staff,
    id: &str,
    input: &ReportDecisionRequest,
    now: DateTime<Utc>,
) -> Result<ReportState, Error> {
    let c = load(db, me, id).await?;
    let to = match input.decision {
        Decision::Opened => CaseStatus::CaseOpened,
        Decision::Declined => CaseStatus::CaseDeclined,
    };
    let label = input.decision.label();
    let c = lifecycle::close(
        db,
        env,
        &c,
        &[CaseStatus::PendingVerification],
        Closure {
            to,
            outcome: None,
            meets: Some(DeadlineKind::ReportVerification),
            reason: Some(input.reason.clone()),
            amount_recovered_fen: c.amount_recovered_fen,
            amount_in_dispute_fen: c.amount_in_dispute_fen,
        },
        now,
    )
    .await?;
    journal::record(
        db,
        &Actor::from(me),
        &c.id,
        Entry {
            event: "report_decided",
            public: true,
            detail: json!({"description": format!("举报已作出处理决定：{label}"), "decision": input.decision}),
            action: "report.decide",
            audit: json!({"decision": input.decision, "reason": input.reason}),
        },
        now,
    )
    .await?;
    if !c.anonymous {
        deadlines::open(
            db,
            env,
            &c.id,
            c.rule_set,
            DeadlineKind::ReporterNotice,
            now,
        )
        .await?;
        notice::by_mail(db, &c, label, now).await?;
    }
    state_of(db, &c.id).await
}
