//! Clock stops: testing (检定/检验/检测/鉴定) and a pending recusal application. One at a time per
//! case; starting or ending one moves the case's running deadlines and writes the timeline and audit.
//! Staff stop the clocks for testing with [`stop`] and restart them with [`restart`]; a recusal
//! application stops them through `mediation::mediators` and its decision restarts them.

use super::PauseReason;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, NotSet, QueryFilter, Set,
};
use serde_json::json;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::Error;
use super::store::recompute_case;
use crate::actor::{Actor, Staff};
use crate::cases::access::{Act, act_on, roles_for};
use crate::cases::journal::{self, Entry};
use crate::entities::case_pause;
use crate::env::Env;

/// Why staff stop a case's clocks. A recusal suspends them too, but only through its application
/// (`POST /cases/{id}/recusals`), so it is not a reason this operation takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
pub enum PauseRequestReason {
    /// 检定、检验、检测、鉴定: time spent does not count.
    #[serde(rename = "testing")]
    Testing,
}

impl From<PauseRequestReason> for PauseReason {
    fn from(reason: PauseRequestReason) -> Self {
        match reason {
            PauseRequestReason::Testing => PauseReason::Testing,
        }
    }
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct PauseRequest {
    pub reason: PauseRequestReason,
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PauseView {
    pub id: i64,
    pub reason: PauseReason,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

impl From<case_pause::Model> for PauseView {
    fn from(p: case_pause::Model) -> Self {
        PauseView {
            id: p.id,
            reason: p.reason,
            started_at: p.started_at,
            ended_at: p.ended_at,
        }
    }
}

/// Handling staff stop a case's clocks for testing (a recusal is filed as a recusal application).
pub async fn stop(
    db: &impl ConnectionTrait,
    env: &Env,
    me: &Staff,
    case_id: &str,
    input: &PauseRequest,
    now: DateTime<Utc>,
) -> Result<PauseView, Error> {
    me.require(roles_for(Act::Clock))?;
    let c = act_on(db, me, case_id, Act::Clock).await?;
    let pause = start(
        db,
        env,
        &c.id,
        input.reason.into(),
        input.note.clone(),
        &Actor::from(me),
        now,
    )
    .await?;
    Ok(PauseView::from(pause))
}

/// Handling staff restart a case's clocks; a recusal suspension ends only with its decision.
pub async fn restart(
    db: &impl ConnectionTrait,
    env: &Env,
    me: &Staff,
    case_id: &str,
    pause_id: i64,
    now: DateTime<Utc>,
) -> Result<PauseView, Error> {
    let c = act_on(db, me, case_id, Act::Clock).await?;
    let pause = case_pause::Entity::find_by_id(pause_id)
        .filter(case_pause::Column::CaseId.eq(&c.id))
        .one(db)
        .await?
        .ok_or(Error::NoPause)?;
    if pause.reason == PauseReason::Recusal {
        return Err(Error::RecusalUndecided);
    }
    Ok(PauseView::from(
        end(db, env, pause, &Actor::from(me), now).await?,
    ))
}

/// The pause running on a case, if any.
pub async fn running(
    db: &impl ConnectionTrait,
    case_id: &str,
) -> Result<Option<case_pause::Model>, DbErr> {
    case_pause::Entity::find()
        .filter(case_pause::Column::CaseId.eq(case_id))
        .filter(case_pause::Column::EndedAt.is_null())
        .one(db)
        .await
}

/// Stops a case's clocks; 409 when they are already stopped.
pub async fn start(
    db: &impl ConnectionTrait,
    env: &Env,
    case_id: &str,
    reason: PauseReason,
    note: Option<String>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<case_pause::Model, Error> {
    if running(db, case_id).await?.is_some() {
        return Err(Error::PauseRunning);
    }
    let pause = case_pause::ActiveModel {
        id: NotSet,
        case_id: Set(case_id.to_owned()),
        reason: Set(reason),
        note: Set(note),
        started_at: Set(now),
        ended_at: Set(None),
        started_by: Set(actor.user_id()),
    }
    .insert(db)
    .await?;
    recompute_case(db, &env.calendar.current(), &env.rules, case_id, now).await?;
    let description = match reason {
        PauseReason::Testing => "检测鉴定期间，办理时限暂停计算",
        PauseReason::Recusal => "当事人申请回避，案件中止，时限暂停计算",
    };
    journal::record(
        db,
        actor,
        case_id,
        Entry {
            event: "clock_paused",
            public: true,
            detail: json!({"description": description, "reason": pause.reason}),
            action: "case.pause",
            audit: json!({"pause_id": pause.id, "reason": pause.reason}),
        },
        now,
    )
    .await?;
    Ok(pause)
}

/// Restarts a case's clocks; 409 when this pause already ended.
pub async fn end(
    db: &impl ConnectionTrait,
    env: &Env,
    pause: case_pause::Model,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<case_pause::Model, Error> {
    // Conditional, so of two concurrent decisions only one ends the pause.
    let ended = case_pause::Entity::update_many()
        .col_expr(case_pause::Column::EndedAt, Expr::value(now))
        .filter(case_pause::Column::Id.eq(pause.id))
        .filter(case_pause::Column::EndedAt.is_null())
        .exec(db)
        .await?;
    if ended.rows_affected != 1 {
        return Err(Error::PauseEnded);
    }
    let case_id = pause.case_id.clone();
    let pause = case_pause::Model {
        ended_at: Some(now),
        ..pause
    };
    recompute_case(db, &env.calendar.current(), &env.rules, &case_id, now).await?;
    journal::record(
        db,
        actor,
        &case_id,
        Entry {
            event: "clock_resumed",
            public: true,
            detail: json!({"description": "时限恢复计算"}),
            action: "case.resume",
            audit: json!({"pause_id": pause.id}),
        },
        now,
    )
    .await?;
    Ok(pause)
}
