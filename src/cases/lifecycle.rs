//! The life of a case: every status change goes through `transition`, and every ending — an
//! agreement, a termination, a refusal, a withdrawal, an enterprise settlement, a report's
//! decision or merger — through the one `close`.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

use super::status::{CaseStatus, Outcome};
use crate::deadlines::{DeadlineKind, store};
use crate::domain::faults::failure;
use crate::entities::{case, case_pause, mediation_session};
use crate::env::Env;
use crate::mediation::states::SessionStatus;
use crate::ratings;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the case is {from}; it cannot become {to}")]
    Transition { from: CaseStatus, to: CaseStatus },
    #[error("the case changed meanwhile; reload it")]
    Concurrent,
    #[error(transparent)]
    Db(#[from] DbErr),
}

failure!(Error {
    Error::Transition { .. } => Conflict, "invalid_transition";
    Error::Concurrent => Conflict, "concurrent_change";
} passes [Db]);

/// Moves a case from one of `from` to `to`. The update is conditional on the status read, so of
/// two concurrent steps on one case exactly one wins; the other gets 409.
pub async fn transition(
    db: &impl ConnectionTrait,
    c: &case::Model,
    from: &[CaseStatus],
    to: CaseStatus,
    now: DateTime<Utc>,
) -> Result<case::Model, Error> {
    if !from.contains(&c.status) {
        return Err(Error::Transition { from: c.status, to });
    }
    let updated = case::Entity::update_many()
        .col_expr(case::Column::Status, Expr::value(to.as_str()))
        .col_expr(case::Column::UpdatedAt, Expr::value(now))
        .filter(case::Column::Id.eq(c.id.as_str()))
        .filter(case::Column::Status.eq(c.status.as_str()))
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Err(Error::Concurrent);
    }
    case::Entity::find_by_id(c.id.clone())
        .one(db)
        .await?
        .ok_or(Error::Concurrent)
}

/// How a case ends.
pub struct Closure {
    pub to: CaseStatus,
    /// How a complaint ended; a report's decision or merger has none.
    pub outcome: Option<Outcome>,
    /// The deadline the ending meets (the mediation limit for an agreement or a termination, the
    /// verification limit for a report's decision); the other running clocks are closed.
    pub meets: Option<DeadlineKind>,
    pub reason: Option<String>,
    pub amount_recovered_fen: Option<i64>,
    pub amount_in_dispute_fen: Option<i64>,
}

/// Ends a case (办结, refusal, withdrawal, settlement, a report's decision): the conditional
/// status change, the outcome and amounts, the mediation deadline met, the case's other running
/// clocks closed, a running clock stop ended and scheduled sessions cancelled. A 诉转案 lead's
/// verification clock runs on: the lead ends with its own answer, not with the complaint.
/// The consumers who gave a mail address are invited to rate the case, and a return visit is
/// opened when the ending calls for one; the caller writes the timeline, audit and its own mail.
pub async fn close(
    db: &impl ConnectionTrait,
    env: &Env,
    c: &case::Model,
    from: &[CaseStatus],
    closure: Closure,
    now: DateTime<Utc>,
) -> Result<case::Model, Error> {
    let c = transition(db, c, from, closure.to, now).await?;
    let mut active: case::ActiveModel = c.into();
    active.outcome = Set(closure.outcome);
    active.outcome_reason = Set(closure.reason);
    active.closed_at = Set(Some(now));
    active.amount_recovered_fen = Set(closure.amount_recovered_fen);
    active.amount_in_dispute_fen = Set(closure.amount_in_dispute_fen);
    let c = active.update(db).await?;
    if let Some(kind) = closure.meets {
        store::complete(db, &c.id, kind, now).await?;
    }
    store::close_running(db, &c.id).await?;
    case_pause::Entity::update_many()
        .col_expr(case_pause::Column::EndedAt, Expr::value(now))
        .filter(case_pause::Column::CaseId.eq(&c.id))
        .filter(case_pause::Column::EndedAt.is_null())
        .exec(db)
        .await?;
    mediation_session::Entity::update_many()
        .col_expr(
            mediation_session::Column::Status,
            Expr::value(SessionStatus::Cancelled),
        )
        .filter(mediation_session::Column::CaseId.eq(&c.id))
        .filter(mediation_session::Column::Status.eq(SessionStatus::Scheduled))
        .exec(db)
        .await?;
    ratings::invite::invite(db, &c, now).await?;
    ratings::visit::open(db, env, &c, now).await?;
    Ok(c)
}
