//! Consumer tracking with a receipt number and access secret: status, handler, deadlines and the
//! public timeline, nothing internal. Wrong secrets are counted per client address, so that
//! secrets cannot be guessed at speed from one place.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, NotSet, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::config::Settings;
use crate::deadlines::DeadlineView;
use crate::domain::faults::{Class, Failure};
use crate::domain::secrets::{constant_time_eq, sha256_hex};
use crate::entities::{case, case_event, deadline, station, track_failure};
use crate::intake::receipt::normalize_receipt;
use crate::ratings::{self, RatingStatus};
use crate::routing::bureau_name;

pub const SECRET_HEADER: &str = "x-access-secret";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("send the access secret from your receipt in X-Access-Secret")]
    NoSecret,
    #[error("no case matches this receipt number and access secret")]
    NoMatch,
    #[error("too many wrong access secrets from this address; wait and try again")]
    Throttled(u32),
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl Failure for Error {
    fn class(&self) -> Class {
        match self {
            Error::NoSecret => Class::Unauthenticated,
            Error::NoMatch => Class::NotFound,
            Error::Throttled(seconds) => Class::TooMany(*seconds),
            Error::Db(e) => Class::of_db(e),
        }
    }
    fn code(&self) -> &'static str {
        match self {
            Error::NoSecret => "unauthorized",
            Error::NoMatch => "not_found",
            Error::Throttled(_) => "too_many_tracking_attempts",
            Error::Db(e) => crate::db::error_code(e),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Handler {
    pub bureau_code: String,
    pub bureau_name: String,
    pub station_id: Option<String>,
    pub station_name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub event: String,
    pub description: String,
}

#[derive(Serialize, ToSchema)]
pub struct Tracking {
    pub receipt_number: String,
    /// `complaint` or `report`.
    pub kind: crate::cases::CaseKind,
    pub status: crate::cases::CaseStatus,
    pub status_label: String,
    pub received_at: DateTime<Utc>,
    pub rule_set: crate::deadlines::RuleSetId,
    pub handler: Handler,
    pub deadlines: Vec<DeadlineView>,
    pub timeline: Vec<TimelineEntry>,
    pub linked_receipt_number: Option<String>,
    /// The station where the complaint was registered in person: the consumer's contact (首接)
    /// even when another station handles the case.
    pub contact_station: Option<StationRef>,
    /// Whether the consumer may rate the case now (after closure, within the window, once), and
    /// the rating given.
    pub rating: RatingStatus,
}

#[derive(Serialize, ToSchema)]
pub struct StationRef {
    pub id: String,
    pub name: String,
}

/// A consumer's claim to a case: the receipt number, the secret sent with it, and the client
/// address it came from.
pub struct Claim<'a> {
    pub receipt: &'a str,
    pub secret: Option<&'a str>,
    pub address: &'a str,
}

/// Loads the case a consumer may act on: the receipt number and its secret must match.
/// An unknown receipt and a wrong secret get the same answer, so receipts cannot be probed; both
/// count toward the address's limit, checked before the secret is looked at.
pub async fn consumer_case(
    db: &impl ConnectionTrait,
    settings: &Settings,
    claim: Claim<'_>,
    now: DateTime<Utc>,
) -> Result<case::Model, Error> {
    let secret = claim
        .secret
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or(Error::NoSecret)?;
    let window = Duration::minutes(settings.login_failure_window_minutes);
    let since = now - window;
    let failures = track_failure::Entity::find()
        .filter(track_failure::Column::Address.eq(claim.address))
        .filter(track_failure::Column::FailedAt.gte(since))
        .count(db)
        .await?;
    if failures >= u64::from(settings.track_max_failures_per_address) {
        return Err(Error::Throttled(
            u32::try_from(window.num_seconds().max(1)).unwrap_or(u32::MAX),
        ));
    }
    let found = case::Entity::find()
        .filter(case::Column::ReceiptNumber.eq(normalize_receipt(claim.receipt)))
        .one(db)
        .await?;
    match found {
        Some(c)
            if constant_time_eq(
                c.access_secret_hash.as_bytes(),
                sha256_hex(secret).as_bytes(),
            ) =>
        {
            Ok(c)
        }
        _ => {
            track_failure::ActiveModel {
                id: NotSet,
                address: Set(claim.address.to_owned()),
                failed_at: Set(now),
            }
            .insert(db)
            .await?;
            track_failure::Entity::delete_many()
                .filter(track_failure::Column::FailedAt.lt(since))
                .exec(db)
                .await?;
            Err(Error::NoMatch)
        }
    }
}

/// The case a consumer proved their claim to earlier (the pages keep its id in the signed session
/// cookie, never the secret). A case that is gone is answered like a wrong claim.
pub async fn remembered(db: &impl ConnectionTrait, case_id: &str) -> Result<case::Model, Error> {
    case::Entity::find_by_id(case_id.to_owned())
        .one(db)
        .await?
        .ok_or(Error::NoMatch)
}

/// What the consumer sees of their case at `now`.
pub async fn tracking(
    db: &impl ConnectionTrait,
    settings: &Settings,
    c: case::Model,
    now: DateTime<Utc>,
) -> Result<Tracking, DbErr> {
    let rating = ratings::status(db, &c, settings.rating_window_days, now).await?;
    let deadlines = deadline::Entity::find()
        .filter(deadline::Column::CaseId.eq(&c.id))
        .order_by_asc(deadline::Column::DueAt)
        .all(db)
        .await?;
    let events = case_event::Entity::find()
        .filter(case_event::Column::CaseId.eq(&c.id))
        .filter(case_event::Column::Public.eq(true))
        .order_by_asc(case_event::Column::Id)
        .all(db)
        .await?;
    let station_name = crate::routing::station_name(db, c.station_id.as_deref()).await?;
    let contact_station = match &c.received_by_station_id {
        Some(id) => station::Entity::find_by_id(id.clone())
            .one(db)
            .await?
            .map(|s| StationRef {
                id: s.id,
                name: s.name,
            }),
        None => None,
    };
    let linked_receipt_number = match &c.linked_case_id {
        Some(id) => case::Entity::find_by_id(id.clone())
            .one(db)
            .await?
            .map(|l| l.receipt_number),
        None => None,
    };
    let status_label = c.status.label().to_owned();
    Ok(Tracking {
        handler: Handler {
            bureau_name: bureau_name(db, &c.bureau_code).await?,
            bureau_code: c.bureau_code,
            station_id: c.station_id,
            station_name,
        },
        receipt_number: c.receipt_number,
        kind: c.kind,
        status: c.status,
        status_label,
        received_at: c.received_at,
        rule_set: c.rule_set,
        deadlines: deadlines.iter().map(DeadlineView::from).collect(),
        timeline: events
            .into_iter()
            .map(|e| {
                let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap_or_default();
                TimelineEntry {
                    at: e.at,
                    description: detail["description"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    event: e.kind,
                }
            })
            .collect(),
        linked_receipt_number,
        contact_station,
        rating,
    })
}
