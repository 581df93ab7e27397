//! The bureau's urgent queue, oldest first, and claiming an item: exactly one claimant wins.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{Error, UrgentStatus, on_duty_user_ids};
use crate::actor::{Actor, Staff};
use crate::cases::access::works_urgent_queue;
use crate::cases::journal::{self, Entry};
use crate::domain::vocabulary::Category;
use crate::entities::{case, urgent_item};

#[derive(Serialize, ToSchema)]
pub struct UrgentView {
    pub id: i64,
    pub case_id: String,
    pub receipt_number: String,
    pub category: Category,
    pub respondent_name: String,
    pub received_at: DateTime<Utc>,
    /// `open`, `claimed`, `contacted` or `resolved`.
    pub status: UrgentStatus,
    pub claimed_by: Option<String>,
    pub first_contact_due_at: DateTime<Utc>,
    pub first_contact_at: Option<DateTime<Utc>>,
    /// Whether first contact met its target (2 hours by default).
    pub first_contact_on_time: Option<bool>,
    pub resolution: Option<String>,
}

pub(super) fn view(item: urgent_item::Model, c: &case::Model) -> UrgentView {
    UrgentView {
        id: item.id,
        case_id: item.case_id,
        receipt_number: c.receipt_number.clone(),
        category: item.category,
        respondent_name: c.respondent_name.clone(),
        received_at: item.received_at,
        status: item.status,
        claimed_by: item.claimed_by,
        first_contact_due_at: item.first_contact_due_at,
        first_contact_at: item.first_contact_at,
        first_contact_on_time: item.first_contact_on_time,
        resolution: item.resolution,
    }
}

async fn may_work(
    db: &impl ConnectionTrait,
    me: &Staff,
    bureau_code: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let on_duty = on_duty_user_ids(db, bureau_code, now).await?;
    Ok(works_urgent_queue(me, bureau_code, &on_duty)?)
}

/// The caller's bureau's queue, oldest first; resolved items too when `all`.
pub async fn list(
    db: &impl ConnectionTrait,
    me: &Staff,
    all: bool,
    now: DateTime<Utc>,
) -> Result<Vec<UrgentView>, Error> {
    let bureau = me.bureau_code.clone().unwrap_or_default();
    may_work(db, me, &bureau, now).await?;
    let mut find =
        urgent_item::Entity::find().filter(urgent_item::Column::BureauCode.eq(bureau.as_str()));
    if !all {
        find = find.filter(urgent_item::Column::Status.ne(UrgentStatus::Resolved));
    }
    let items = find
        .find_also_related(case::Entity)
        .order_by_asc(urgent_item::Column::ReceivedAt)
        .all(db)
        .await?;
    Ok(items
        .into_iter()
        .filter_map(|(item, c)| c.map(|c| view(item, &c)))
        .collect())
}

/// Loads an item of a queue the caller works.
pub async fn load(
    db: &impl ConnectionTrait,
    me: &Staff,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(urgent_item::Model, case::Model), Error> {
    let (item, c) = urgent_item::Entity::find_by_id(id)
        .find_also_related(case::Entity)
        .one(db)
        .await?
        .ok_or(Error::NoItem(id))?;
    may_work(db, me, &item.bureau_code, now).await?;
    Ok((item, c.ok_or(Error::Missing("the item's case"))?))
}

/// Claims an open item; of concurrent claimants exactly one wins, the others get
/// [`Error::AlreadyClaimed`].
pub async fn claim(
    db: &impl ConnectionTrait,
    me: &Staff,
    id: i64,
    now: DateTime<Utc>,
) -> Result<UrgentView, Error> {
    let (item, c) = load(db, me, id, now).await?;
    let won = urgent_item::Entity::update_many()
        .col_expr(
            urgent_item::Column::Status,
            Expr::value(UrgentStatus::Claimed),
        )
        .col_expr(
            urgent_item::Column::ClaimedBy,
            Expr::value(me.user_id.clone()),
        )
        .col_expr(urgent_item::Column::ClaimedAt, Expr::value(now))
        .filter(urgent_item::Column::Id.eq(item.id))
        .filter(urgent_item::Column::Status.eq(UrgentStatus::Open))
        .exec(db)
        .await?
        .rows_affected
        == 1;
    if !won {
        return Err(Error::AlreadyClaimed);
    }
    journal::record(
        db,
        &Actor::from(me),
        &c.id,
        Entry {
            event: "urgent_claimed",
            public: false,
            detail: json!({"item": item.id}),
            action: "urgent.claim",
            audit: json!({"item": item.id}),
        },
        now,
    )
    .await?;
    let item = urgent_item::Entity::find_by_id(item.id)
        .one(db)
        .await?
        .ok_or(Error::Missing("the item"))?;
    Ok(view(item, &c))
}
