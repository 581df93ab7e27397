//! 回访: when a case closes with one of the configured endings (by default an agreement, a
//! termination or an enterprise settlement; a proposal), a return visit is opened for the
//! handling station with its own deadline (`return_visit`, reminded and flagged overdue by the
//! deadline sweep like any other); a mediator of the station or a bureau admin records it once:
//! the day, the channel, what the consumer said and the satisfaction the consumer told.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, NotSet, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::Error;
use super::satisfaction::{Satisfaction, VisitChannel};
use crate::actor::{Actor, Staff};
use crate::cases::access::{Act, act_on, load_visible, may_act, roles_for};
use crate::cases::journal::{self, Entry};
use crate::config::Settings;
use crate::deadlines::{self, DeadlineKind, DeadlineStatus, local_date};
use crate::domain::faults::Invalid;
use crate::entities::{case, deadline, return_visit};
use crate::env::Env;

/// The longest record of what the consumer said, in characters.
pub const MAX_RESULT_CHARS: usize = 1000;

/// Whether the closed case `c` gets a return visit: it ended one of the configured ways, and it
/// falls in the configured share of them — chosen by a hash of its id, so every instance and
/// every retry chooses alike.
pub fn selected(settings: &Settings, c: &case::Model) -> bool {
    let Some(outcome) = c.outcome else {
        return false;
    };
    if !settings.return_visit_outcomes.contains(&outcome) {
        return false;
    }
    let digest = Sha256::digest(c.id.as_bytes());
    let bucket = u16::from_be_bytes([digest[0], digest[1]]) % 100;
    bucket < u16::from(settings.return_visit_share_percent)
}

/// Opens the return visit of the case `c`, just closed, when it is selected: the task and its
/// deadline from the closure. A case closed again after a reopening keeps the visit it had,
/// with a fresh deadline while the visit is still to be made.
pub async fn open(
    db: &impl ConnectionTrait,
    env: &Env,
    c: &case::Model,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if !selected(&env.settings, c) {
        return Ok(());
    }
    let row = return_visit::ActiveModel {
        id: NotSet,
        case_id: Set(c.id.clone()),
        opened_at: Set(now),
        visited_on: Set(None),
        channel: Set(None),
        result: Set(None),
        satisfaction: Set(None),
        recorded_by: Set(None),
        recorded_at: Set(None),
    };
    return_visit::Entity::insert(row)
        .on_conflict(
            OnConflict::column(return_visit::Column::CaseId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    let visit = of_case(db, &c.id).await?;
    if visit.is_some_and(|v| v.recorded_at.is_none()) {
        deadlines::open(db, env, &c.id, c.rule_set, DeadlineKind::ReturnVisit, now).await?;
    }
    Ok(())
}

async fn of_case(
    db: &impl ConnectionTrait,
    case_id: &str,
) -> Result<Option<return_visit::Model>, DbErr> {
    return_visit::Entity::find()
        .filter(return_visit::Column::CaseId.eq(case_id))
        .one(db)
        .await
}

/// What staff record of a return visit.
#[derive(Debug, Deserialize, validator::Validate, ToSchema)]
pub struct ReturnVisitRequest {
    /// The day the consumer was reached (Asia/Shanghai): not before the case closed, not in the
    /// future.
    pub visited_on: NaiveDate,
    pub channel: VisitChannel,
    /// What the consumer said: 1 to 1,000 characters.
    #[validate(length(min = 1, max = 1000))]
    pub result: String,
    /// The satisfaction the consumer told, when asked and answered; counted in the 满意率 when the
    /// consumer did not rate the case themselves.
    pub satisfaction: Option<Satisfaction>,
}

/// Where a return visit stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReturnVisitView {
    pub opened_at: DateTime<Utc>,
    /// The visit's deadline while it is to be made, or as it was met or missed.
    pub due_at: Option<DateTime<Utc>>,
    /// The last day, Asia/Shanghai.
    pub due_date: Option<NaiveDate>,
    /// `open` or `paused` while the visit is to be made; `met` or `missed` once recorded; `closed`
    /// when the case was reopened before the visit.
    pub deadline_status: Option<DeadlineStatus>,
    pub recorded: bool,
    pub visited_on: Option<NaiveDate>,
    pub channel: Option<VisitChannel>,
    pub result: Option<String>,
    pub satisfaction: Option<Satisfaction>,
    /// 满意, 基本满意 or 不满意.
    pub satisfaction_label: Option<String>,
    pub recorded_at: Option<DateTime<Utc>>,
}

async fn view(db: &impl ConnectionTrait, v: return_visit::Model) -> Result<ReturnVisitView, DbErr> {
    use sea_orm::QueryOrder;
    let d = deadline::Entity::find()
        .filter(deadline::Column::CaseId.eq(&v.case_id))
        .filter(deadline::Column::Kind.eq(DeadlineKind::ReturnVisit))
        .order_by_desc(deadline::Column::Id)
        .one(db)
        .await?;
    Ok(ReturnVisitView {
        opened_at: v.opened_at,
        due_at: d.as_ref().map(|d| d.due_at),
        due_date: d.as_ref().map(|d| d.due_date),
        deadline_status: d.as_ref().map(|d| d.status),
        recorded: v.recorded_at.is_some(),
        visited_on: v.visited_on,
        channel: v.channel,
        result: v.result,
        satisfaction: v.satisfaction,
        satisfaction_label: v.satisfaction.map(|s| s.label().to_owned()),
        recorded_at: v.recorded_at,
    })
}

/// The return visit of case `case_id`, for staff who may read the consumer's satisfaction; none
/// when the case has no visit.
pub async fn read(
    db: &impl ConnectionTrait,
    me: &Staff,
    case_id: &str,
) -> Result<Option<ReturnVisitView>, Error> {
    me.require(roles_for(Act::ReadSatisfaction))?;
    let c = load_visible(db, me, case_id).await?;
    may_act(me, &c, Act::ReadSatisfaction)?;
    match of_case(db, &c.id).await? {
        Some(v) => Ok(Some(view(db, v).await?)),
        None => Ok(None),
    }
}

/// Records the return visit of case `case_id`: a station step (a mediator of the handling station
/// or a bureau admin), once; the visit's deadline is met (or missed), and the timeline and the
/// audit trail say who recorded it.
pub async fn record(
    db: &impl ConnectionTrait,
    me: &Staff,
    case_id: &str,
    r: &ReturnVisitRequest,
    now: DateTime<Utc>,
) -> Result<ReturnVisitView, Error> {
    let c = act_on(db, me, case_id, Act::StationStep).await?;
    let visit = of_case(db, &c.id).await?.ok_or(Error::NoReturnVisit)?;
    if visit.recorded_at.is_some() {
        return Err(Error::VisitRecorded);
    }
    let result = r.result.trim();
    let mut invalid = Vec::new();
    if result.is_empty() || result.chars().count() > MAX_RESULT_CHARS {
        invalid.push(("result", format!("1 to {MAX_RESULT_CHARS} characters")));
    }
    let closed_on = local_date(c.closed_at.unwrap_or(visit.opened_at));
    if r.visited_on > local_date(now) {
        invalid.push(("visited_on", "must not be in the future".to_owned()));
    } else if r.visited_on < closed_on {
        invalid.push((
            "visited_on",
            format!("must not be before the case closed ({closed_on})"),
        ));
    }
    if let Some((field, message)) = invalid.into_iter().next() {
        return Err(Invalid::field(field, message).into());
    }
    let updated = return_visit::Entity::update_many()
        .col_expr(return_visit::Column::VisitedOn, Expr::value(r.visited_on))
        .col_expr(return_visit::Column::Channel, Expr::value(r.channel))
        .col_expr(return_visit::Column::Result, Expr::value(result))
        .col_expr(
            return_visit::Column::Satisfaction,
            Expr::value(r.satisfaction),
        )
        .col_expr(return_visit::Column::RecordedBy, Expr::value(&me.user_id))
        .col_expr(return_visit::Column::RecordedAt, Expr::value(now))
        .filter(return_visit::Column::Id.eq(visit.id))
        .filter(return_visit::Column::RecordedAt.is_null())
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Err(Error::VisitRecorded);
    }
    deadlines::store::complete(db, &c.id, DeadlineKind::ReturnVisit, now).await?;
    journal::record(
        db,
        &Actor::Staff(me.clone()),
        &c.id,
        Entry {
            event: "return_visit_recorded",
            public: false,
            detail: json!({
                "description": format!(
                    "{}回访：{}",
                    r.channel.label(),
                    r.satisfaction.map_or("未表态", Satisfaction::label)
                ),
                "visited_on": r.visited_on,
                "channel": r.channel,
                "satisfaction": r.satisfaction,
            }),
            action: "case.return_visit",
            audit: json!({"visited_on": r.visited_on, "channel": r.channel, "satisfaction": r.satisfaction}),
        },
        now,
    )
    .await?;
    let visit = of_case(db, &c.id).await?.ok_or(Error::NoReturnVisit)?;
    Ok(view(db, visit).await?)
}
