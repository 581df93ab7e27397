//! Clock stops: testing (检定/检验/检测/鉴定) and a pending recusal application. One at a time per
//! case; starting or ending one moves the case's running deadlines and writes the timeline and audit.

use super::PauseReason;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, NotSet, QueryFilter, Set,
};
use serde_json::json;

use super::store::recompute_case;
use crate::actor::Actor;
use crate::audit;
use crate::cases::journal::append_event;
use crate::entities::case_pause;
use crate::http::{ApiError, ApiResult};
use crate::state::AppState;

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
    state: &AppState,
    case_id: &str,
    reason: PauseReason,
    note: Option<String>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> ApiResult<case_pause::Model> {
    if running(db, case_id).await?.is_some() {
        return Err(ApiError::conflict(
            "pause_running",
            "the clocks of this case are already stopped",
        ));
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
    recompute_case(
        db,
        &state.env.calendar.current(),
        &state.env.rules,
        case_id,
        now,
    )
    .await?;
    let description = match reason {
        PauseReason::Testing => "检测鉴定期间，办理时限暂停计算",
        PauseReason::Recusal => "当事人申请回避，案件中止，时限暂停计算",
    };
    append_event(
        db,
        case_id,
        "clock_paused",
        actor,
        true,
        json!({"description": description, "reason": pause.reason}),
        now,
    )
    .await?;
    audit::record(
        db,
        actor,
        "case.pause",
        Some(case_id),
        json!({"pause_id": pause.id, "reason": pause.reason}),
        now,
    )
    .await?;
    Ok(pause)
}

/// Restarts a case's clocks; 409 when this pause already ended.
pub async fn end(
    db: &impl ConnectionTrait,
    state: &AppState,
    pause: case_pause::Model,
    actor: &Actor,
    now: DateTime<Utc>,
) -> ApiResult<case_pause::Model> {
    // Conditional, so of two concurrent decisions only one ends the pause.
    let ended = case_pause::Entity::update_many()
        .col_expr(case_pause::Column::EndedAt, Expr::value(now))
        .filter(case_pause::Column::Id.eq(pause.id))
        .filter(case_pause::Column::EndedAt.is_null())
        .exec(db)
        .await?;
    if ended.rows_affected != 1 {
        return Err(ApiError::conflict(
            "pause_ended",
            "this pause has already ended",
        ));
    }
    let case_id = pause.case_id.clone();
    let pause = case_pause::Model {
        ended_at: Some(now),
        ..pause
    };
    recompute_case(
        db,
        &state.env.calendar.current(),
        &state.env.rules,
        &case_id,
        now,
    )
    .await?;
    append_event(
        db,
        &case_id,
        "clock_resumed",
        actor,
        true,
        json!({"description": "时限恢复计算"}),
        now,
    )
    .await?;
    audit::record(
        db,
        actor,
        "case.resume",
        Some(&case_id),
        json!({"pause_id": pause.id}),
        now,
    )
    .await?;
    Ok(pause)
}
