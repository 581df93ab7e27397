//! The desk is reminded two working days before its settlement limit runs out, earlier than the
//! general reminder lead, so that silence is a choice and not an oversight.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect};

use crate::deadlines::sweep::remind_due_soon;
use crate::deadlines::{DeadlineKind, DeadlineStatus, local_date, start_of_local_day};
use crate::entities::deadline;
use crate::env::Env;

/// Working days before the settlement limit at which the desk is reminded.
pub const DESK_REMINDER_WORKING_DAYS: u32 = 2;

/// Reminds the desks whose settlement limit ends within the next two working days (today's
/// included); returns how many were reminded. Safe with several instances: each reminder is
/// claimed once.
pub async fn remind_desks(
    db: &DatabaseConnection,
    env: &Env,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let Ok(last) = env
        .calendar
        .current()
        .add_working_days(local_date(now), DESK_REMINDER_WORKING_DAYS)
    else {
        // Without the coming year's calendar the general reminder still comes.
        return Ok(0);
    };
    let due = deadline::Entity::find()
        .filter(deadline::Column::Kind.eq(DeadlineKind::OdrSettlement.as_str()))
        .filter(deadline::Column::Status.eq(DeadlineStatus::Open))
        .filter(deadline::Column::DueSoonNotifiedAt.is_null())
        .filter(deadline::Column::OverdueNotifiedAt.is_null())
        .filter(deadline::Column::DueAt.gt(now))
        .filter(deadline::Column::DueAt.lte(start_of_local_day(last.succ_opt().unwrap_or(last))))
        .limit(500)
        .all(db)
        .await?;
    let mut reminded = 0;
    for d in due {
        reminded += usize::from(remind_due_soon(db, d, now).await?);
    }
    Ok(reminded)
}
