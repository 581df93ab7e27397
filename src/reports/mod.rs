//! Reports (举报): verification toward the 立案 decision within 15 working days (once extendable),
//! telling a named reporter within 5 working days of the decision, and merging related or repeated
//! reports (Order 121). The reporter's identity never leaves the handling staff.
//!
//! One file per step: [`decide`], [`notice`] (telling the reporter), [`merge`].

pub mod decide;
pub mod http;
pub mod merge;
pub mod notice;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde::Serialize;
use utoipa::ToSchema;

use crate::actor::Staff;
use crate::cases::access::{self, Act, act_on};
use crate::cases::{CaseKind, CaseStatus, lifecycle};
use crate::deadlines::DeadlineView;
use crate::domain::faults::{Invalid, failure};
use crate::entities::{case, deadline};

/// What can go wrong with a step on a report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0} is not a report")]
    NotAReport(String),
    #[error("no reporter notice is due on this report")]
    NoNoticeDue,
    #[error("the report vanished meanwhile")]
    Vanished,
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Access(#[from] access::Error),
    #[error(transparent)]
    Lifecycle(#[from] lifecycle::Error),
    #[error(transparent)]
    Db(#[from] DbErr),
}

failure!(Error {
    Error::NotAReport(_) => NotFound, "not_found";
    Error::NoNoticeDue => Conflict, "no_notice_due";
    Error::Vanished => Internal, "internal_error";
} passes [Invalid, Access, Lifecycle, Db]);

/// A report after a step: where it stands and its clocks.
#[derive(Serialize, ToSchema)]
pub struct ReportState {
    pub id: String,
    pub status: CaseStatus,
    pub decided_at: Option<DateTime<Utc>>,
    pub reporter_notified_at: Option<DateTime<Utc>>,
    pub deadlines: Vec<DeadlineView>,
}

async fn state_of(db: &impl ConnectionTrait, id: &str) -> Result<ReportState, Error> {
    let c = case::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or(Error::Vanished)?;
    let deadlines = deadline::Entity::find()
        .filter(deadline::Column::CaseId.eq(id))
        .all(db)
        .await?;
    Ok(ReportState {
        id: c.id,
        status: c.status,
        decided_at: c.closed_at,
        reporter_notified_at: c.reporter_notified_at,
        deadlines: deadlines.iter().map(DeadlineView::from).collect(),
    })
}

/// Loads the report `id` for a step by `me`: the bureau's enforcement officers and admins.
async fn load(db: &impl ConnectionTrait, me: &Staff, id: &str) -> Result<case::Model, Error> {
    let c = act_on(db, me, id, Act::ReportStep).await?;
    if c.kind != CaseKind::Report {
        return Err(Error::NotAReport(id.to_owned()));
    }
    Ok(c)
}
