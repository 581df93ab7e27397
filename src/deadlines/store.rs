//! Deadlines as stored: opening them, moving them for pauses, extensions and newly loaded calendar
//! years, marking them met, and how they are shown.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, NotSet, QueryFilter, Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    Adjustments, Computed, DeadlineKind, Explanation, RuleBook, RuleSetId, compute_adjusted,
};
use crate::calendar::schedule::Calendar;
use crate::deadlines::DeadlineStatus;
use crate::entities::{case_pause, deadline};
use crate::env::Env;

/// A computed deadline as an open row.
pub fn row(case_id: &str, c: &Computed) -> deadline::ActiveModel {
    deadline::ActiveModel {
        id: NotSet,
        case_id: Set(case_id.to_owned()),
        kind: Set(c.explanation.kind),
        rule_set: Set(c.explanation.rule_set),
        starts_at: Set(c.explanation.starts_at),
        due_at: Set(c.due_at),
        due_date: Set(c.due_date),
        provisional: Set(c.provisional),
        status: Set(DeadlineStatus::Open),
        explanation: Set(serde_json::to_string(&c.explanation).unwrap_or_default()),
        met_at: Set(None),
        due_soon_notified_at: Set(None),
        overdue_notified_at: Set(None),
        extended: Set(false),
    }
}

/// Persists a computed deadline as open.
pub async fn insert(
    db: &impl ConnectionTrait,
    case_id: &str,
    c: &Computed,
) -> Result<deadline::Model, DbErr> {
    row(case_id, c).insert(db).await
}

/// Computes the deadline of `kind` from `start` under the case's rule set and opens it; `None`
/// when the rule set sets no such limit.
pub async fn open(
    db: &impl ConnectionTrait,
    env: &Env,
    case_id: &str,
    set: RuleSetId,
    kind: DeadlineKind,
    start: DateTime<Utc>,
) -> Result<Option<deadline::Model>, DbErr> {
    match super::compute(&env.calendar.current(), &env.rules, set, kind, start) {
        Some(c) => Ok(Some(insert(db, case_id, &c).await?)),
        None => Ok(None),
    }
}

/// A deadline as shown on tracking and staff views.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeadlineView {
    pub kind: crate::deadlines::DeadlineKind,
    pub due_at: DateTime<Utc>,
    /// The last day, Asia/Shanghai.
    pub due_date: NaiveDate,
    /// `open`, `paused` (a clock stop is running), `met`, `missed`, or `closed` (the case ended
    /// before the step was due, e.g. a withdrawal).
    pub status: crate::deadlines::DeadlineStatus,
    /// `due_soon` or `overdue` once the sweeper has flagged it.
    pub flag: Option<String>,
    /// True when the count reached into a year with no loaded schedule.
    pub provisional: bool,
    pub explanation: Option<Explanation>,
}

impl DeadlineView {
    /// A deadline just computed and not yet flagged or met.
    pub fn opened(c: &Computed) -> Self {
        DeadlineView {
            kind: c.explanation.kind,
            due_at: c.due_at,
            due_date: c.due_date,
            status: DeadlineStatus::Open,
            flag: None,
            provisional: c.provisional,
            explanation: Some(c.explanation.clone()),
        }
    }
}

impl From<&deadline::Model> for DeadlineView {
    fn from(d: &deadline::Model) -> Self {
        DeadlineView {
            kind: d.kind,
            due_at: d.due_at,
            due_date: d.due_date,
            status: d.status,
            flag: if d.overdue_notified_at.is_some() {
                Some("overdue".into())
            } else {
                d.due_soon_notified_at.map(|_| "due_soon".into())
            },
            provisional: d.provisional,
            explanation: serde_json::from_str(&d.explanation).ok(),
        }
    }
}

/// Recomputes every running deadline of a case from its rule set and start, with the case's
/// pauses and any approved extension: after a pause starts or ends, an extension, or a calendar
/// upload. A deadline is `paused` while a pause that affects it runs.
pub async fn recompute_case(
    db: &impl ConnectionTrait,
    cal: &Calendar,
    rules: &RuleBook,
    case_id: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let pauses = case_pause::Entity::find()
        .filter(case_pause::Column::CaseId.eq(case_id))
        .all(db)
        .await?;
    let running = deadline::Entity::find()
        .filter(deadline::Column::CaseId.eq(case_id))
        .filter(deadline::Column::Status.is_in(DeadlineStatus::RUNNING))
        .all(db)
        .await?;
    for d in running {
        recompute(db, cal, rules, d, &pauses, now).await?;
    }
    Ok(())
}

async fn recompute(
    db: &impl ConnectionTrait,
    cal: &Calendar,
    rules: &RuleBook,
    d: deadline::Model,
    pauses: &[case_pause::Model],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let (set, kind) = (d.rule_set, d.kind);
    let relevant: Vec<&case_pause::Model> = if kind.pausable() {
        pauses
            .iter()
            .filter(|p| p.started_at >= d.starts_at)
            .collect()
    } else {
        Vec::new()
    };
    let adjust = Adjustments {
        pauses: relevant
            .iter()
            .map(|p| (p.reason, p.started_at, p.ended_at))
            .collect(),
        extended: d.extended,
        now: Some(now),
    };
    let Some(c) = compute_adjusted(cal, rules, set, kind, d.starts_at, &adjust) else {
        return Ok(());
    };
    let paused = relevant.iter().any(|p| p.ended_at.is_none());
    let moved = c.due_at != d.due_at;
    let mut active: deadline::ActiveModel = d.into();
    active.due_at = Set(c.due_at);
    active.due_date = Set(c.due_date);
    active.provisional = Set(c.provisional);
    active.explanation = Set(serde_json::to_string(&c.explanation).unwrap_or_default());
    active.status = Set(if paused {
        DeadlineStatus::Paused
    } else {
        DeadlineStatus::Open
    });
    if moved {
        // A deadline pushed back may be due soon or overdue again later; let the sweeper see it afresh.
        active.due_soon_notified_at = Set(None);
        active.overdue_notified_at = Set(None);
    }
    active.update(db).await?;
    Ok(())
}

/// Marks a case's running deadline of this kind met (or missed when late).
pub async fn complete(
    db: &impl ConnectionTrait,
    case_id: &str,
    kind: DeadlineKind,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let found = deadline::Entity::find()
        .filter(deadline::Column::CaseId.eq(case_id))
        .filter(deadline::Column::Kind.eq(kind.as_str()))
        .filter(deadline::Column::Status.is_in(DeadlineStatus::RUNNING))
        .one(db)
        .await?;
    if let Some(d) = found {
        let late = now > d.due_at;
        let mut active: deadline::ActiveModel = d.into();
        active.status = Set(if late {
            DeadlineStatus::Missed
        } else {
            DeadlineStatus::Met
        });
        active.met_at = Set(Some(now));
        active.update(db).await?;
    }
    Ok(())
}

/// Closes the running deadlines of a case that ended before they were due (withdrawal, closure),
/// except a 诉转案 lead's verification clock, which runs until the lead is answered.
pub async fn close_running(db: &impl ConnectionTrait, case_id: &str) -> Result<(), DbErr> {
    deadline::Entity::update_many()
        .col_expr(
            deadline::Column::Status,
            Expr::value(DeadlineStatus::Closed),
        )
        .filter(deadline::Column::CaseId.eq(case_id))
        .filter(deadline::Column::Status.is_in(DeadlineStatus::RUNNING))
        .filter(deadline::Column::Kind.ne(DeadlineKind::ClueVerification))
        .exec(db)
        .await?;
    Ok(())
}

/// Recomputes the provisional deadlines after a calendar year is loaded.
pub async fn recompute_provisional(
    db: &impl ConnectionTrait,
    cal: &Calendar,
    rules: &RuleBook,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let provisional = deadline::Entity::find()
        .filter(deadline::Column::Provisional.eq(true))
        .filter(deadline::Column::Status.is_in(DeadlineStatus::RUNNING))
        .all(db)
        .await?;
    let mut cases: Vec<String> = provisional.into_iter().map(|d| d.case_id).collect();
    cases.sort();
    cases.dedup();
    for case_id in &cases {
        recompute_case(db, cal, rules, case_id, now).await?;
    }
    Ok(cases.len() as u64)
}
