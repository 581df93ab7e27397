//! The non-working-day urgent queue: complaints and reports in urgent categories (food, drugs,
//! special equipment, holiday pricing, …) received on a non-working day or outside office hours go
//! to the competent bureau's on-duty team, who claim, contact, hand over and resolve them.
//! Statutory working-day clocks are untouched: they start on the next working day as always.

pub mod http;
pub mod queue;
pub mod roster;
pub mod status;
pub mod steps;

pub use status::UrgentStatus;

use chrono::{DateTime, NaiveTime, Utc};
use chrono_tz::Asia::Shanghai;
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, NotSet, QueryFilter, Set};
use serde_json::json;

use crate::actor::Actor;
use crate::cases::journal::event;
use crate::cases::{CaseKind, access};
use crate::config::Settings;
use crate::db::Writes;
use crate::deadlines::{self, Computed, DeadlineKind};
use crate::domain::faults::{Invalid, failure};
use crate::entities::{case, case_event, duty_roster, urgent_item, user};
use crate::mail::{self, Mail};
use crate::state::AppState;

/// What can go wrong with a step of the urgent queue or the duty roster.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no urgent item {0}")]
    NoItem(i64),
    #[error("someone else has claimed this item")]
    AlreadyClaimed,
    #[error("only the staff member holding this item can do that")]
    NotClaimant,
    #[error("the item is {0}")]
    WrongState(UrgentStatus),
    #[error("the item changed meanwhile; reload it")]
    Concurrent,
    #[error("no duty {0} on this bureau's roster")]
    NoDuty(i64),
    #[error("this duty is over; the roster keeps it as a record")]
    DutyOver,
    #[error("{0} missing")]
    Missing(&'static str),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Access(#[from] access::Error),
    #[error(transparent)]
    Db(#[from] DbErr),
}

failure!(Error {
    Error::NoItem(_) => NotFound, "not_found";
    Error::AlreadyClaimed => Conflict, "already_claimed";
    Error::NotClaimant => Conflict, "not_claimant";
    Error::WrongState(_) => Conflict, "wrong_state";
    Error::Concurrent => Conflict, "concurrent_change";
    Error::NoDuty(_) => NotFound, "not_found";
    Error::DutyOver => Conflict, "duty_over";
    Error::Missing(_) => Internal, "internal_error";
} passes [Invalid, Access, Db]);

/// Whether an instant falls outside working time: a non-working day, or outside office hours.
pub fn outside_working_time(state: &AppState, at: DateTime<Utc>) -> bool {
    let local = at.with_timezone(&Shanghai);
    let working_day = state
        .env
        .calendar
        .current()
        .is_working_day(local.date_naive())
        // A year with no schedule: weekends are the best estimate, and an urgent case errs toward the queue.
        .unwrap_or_else(|_| {
            chrono::Datelike::weekday(&local.date_naive()).num_days_from_monday() < 5
        });
    !working_day || !within_office_hours(&state.env.settings, local.time())
}

fn within_office_hours(settings: &Settings, t: NaiveTime) -> bool {
    let parse = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").unwrap_or(NaiveTime::MIN);
    t >= parse(&settings.office_opens) && t < parse(&settings.office_closes)
}

/// At intake: when the case is urgent, adds its queue item, first-contact deadline and the mail
/// to whoever is on duty to `writes`, and its entry to `timeline`; returns the deadline.
pub async fn maybe_enqueue(
    db: &impl ConnectionTrait,
    state: &AppState,
    c: &case::Model,
    now: DateTime<Utc>,
    timeline: &mut Vec<case_event::ActiveModel>,
    writes: &mut Writes,
) -> Result<Option<Computed>, DbErr> {
    if !state
        .env
        .settings
        .urgent_categories
        .iter()
        .any(|u| u == c.category.as_str())
        || !outside_working_time(state, c.received_at)
    {
        return Ok(None);
    }
    let set = c.rule_set;
    let Some(first_contact) = deadlines::compute(
        &state.env.calendar.current(),
        &state.env.rules,
        set,
        DeadlineKind::UrgentFirstContact,
        c.received_at,
    ) else {
        return Ok(None);
    };
    let on_duty = on_duty_emails(db, &c.bureau_code, now).await?;
    writes.insert(deadlines::row(&c.id, &first_contact));
    writes.insert(urgent_item::ActiveModel {
        id: NotSet,
        case_id: Set(c.id.clone()),
        bureau_code: Set(c.bureau_code.clone()),
        category: Set(c.category),
        received_at: Set(c.received_at),
        status: Set(UrgentStatus::Open),
        claimed_by: Set(None),
        claimed_at: Set(None),
        first_contact_due_at: Set(first_contact.due_at),
        first_contact_at: Set(None),
        first_contact_on_time: Set(None),
        first_contact_note: Set(None),
        resolved_at: Set(None),
        resolution: Set(None),
    });
    timeline.push(event(
        &c.id,
        "urgent_queued",
        &Actor::System,
        true,
        json!({"description": "非工作时间紧急事项，已转值班人员处置", "first_contact_due_at": first_contact.due_at}),
        now,
    ));
    let mail = Mail {
        to: on_duty,
        subject: format!("【值班紧急】{} {}", c.receipt_number, c.category),
        body: format!(
            "非工作时间收到紧急{}：{}\n被投诉/举报人：{}\n请在 {} 前首次联系。",
            if c.kind == CaseKind::Report {
                "举报"
            } else {
                "投诉"
            },
            c.receipt_number,
            c.respondent_name,
            first_contact
                .due_at
                .with_timezone(&Shanghai)
                .format("%Y-%m-%d %H:%M"),
        ),
        attachments: Vec::new(),
        secret: None,
    };
    writes.insert_many(mail::outbox_row(
        &mail,
        Some(&format!("urgent:{}:queued", c.id)),
        now,
    ));
    Ok(Some(first_contact))
}

/// Users of the bureau on duty at `at`.
pub async fn on_duty_user_ids(
    db: &impl ConnectionTrait,
    bureau_code: &str,
    at: DateTime<Utc>,
) -> Result<Vec<String>, sea_orm::DbErr> {
    Ok(duty_roster::Entity::find()
        .filter(duty_roster::Column::BureauCode.eq(bureau_code))
        .filter(duty_roster::Column::StartsAt.lte(at))
        .filter(duty_roster::Column::EndsAt.gt(at))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.user_id)
        .collect())
}

async fn on_duty_emails(
    db: &impl ConnectionTrait,
    bureau_code: &str,
    at: DateTime<Utc>,
) -> Result<Vec<String>, sea_orm::DbErr> {
    let on_duty = Query::select()
        .column(duty_roster::Column::UserId)
        .from(duty_roster::Entity)
        .and_where(duty_roster::Column::BureauCode.eq(bureau_code))
        .and_where(duty_roster::Column::StartsAt.lte(at))
        .and_where(duty_roster::Column::EndsAt.gt(at))
        .to_owned();
    Ok(user::Entity::find()
        .filter(user::Column::Id.in_subquery(on_duty))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|u| u.email)
        .collect())
}
