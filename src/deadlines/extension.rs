//! The one-time extension of a deadline on a bureau admin's approval: only limits that allow it
//! (report and 诉转案 clue verification: 15 more working days), once.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use validator::Validate;

use super::store::recompute_case;
use super::{DeadlineKind, DeadlineStatus, DeadlineView, Error};
use crate::actor::{Actor, Staff};
use crate::cases::access::{Act, act_on};
use crate::cases::journal::{self, Entry};
use crate::entities::deadline;
use crate::env::Env;

#[derive(Deserialize, Validate, ToSchema)]
pub struct ExtendRequest {
    #[validate(length(min = 2, max = 1000))]
    #[schema(min_length = 2, max_length = 1000)]
    pub reason: String,
}

/// Extends the running deadline `kind` (its text, as in the path) of the case once.
pub async fn extend(
    db: &impl ConnectionTrait,
    env: &Env,
    me: &Staff,
    case_id: &str,
    kind: &str,
    input: &ExtendRequest,
    now: DateTime<Utc>,
) -> Result<DeadlineView, Error> {
    let c = act_on(db, me, case_id, Act::BureauDecision).await?;
    let kind = DeadlineKind::parse(kind).ok_or_else(|| Error::NoKind(kind.to_owned()))?;
    let d = deadline::Entity::find()
        .filter(deadline::Column::CaseId.eq(&c.id))
        .filter(deadline::Column::Kind.eq(kind))
        .filter(deadline::Column::Status.is_in(DeadlineStatus::RUNNING))
        .one(db)
        .await?
        .ok_or(Error::NotRunning(kind))?;
    if env
        .rules
        .limit(d.rule_set, kind)
        .and_then(|l| l.extension)
        .is_none()
    {
        return Err(Error::ExtensionNotAllowed);
    }
    let won = deadline::Entity::update_many()
        .col_expr(deadline::Column::Extended, Expr::value(true))
        .filter(deadline::Column::Id.eq(d.id))
        .filter(deadline::Column::Extended.eq(false))
        .exec(db)
        .await?
        .rows_affected
        == 1;
    if !won {
        return Err(Error::AlreadyExtended);
    }
    recompute_case(db, &env.calendar.current(), &env.rules, &c.id, now).await?;
    journal::record(
        db,
        &Actor::from(me),
        &c.id,
        Entry {
            event: "deadline_extended",
            public: true,
            detail: json!({"description": "经批准延长核查期限", "deadline": kind}),
            action: "deadline.extend",
            audit: json!({"kind": kind, "reason": input.reason}),
        },
        now,
    )
    .await?;
    let d = deadline::Entity::find_by_id(d.id)
        .one(db)
        .await?
        .ok_or(Error::Missing("the deadline"))?;
    Ok(DeadlineView::from(&d))
}
