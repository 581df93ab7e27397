//! 满意度评价: after a case closes (any ending), its consumer may rate how it was handled, once,
//! within the rating window (`rating_window_days`, 30 days by default): 满意 / 基本满意 /
//! 不满意, with an optional comment. The rating is on the case's timeline and in the audit trail,
//! and the statistics count it toward the 满意率. Closed cases also get a return visit (回访) by
//! the handling station: see `visit`.

pub mod http;
pub mod invite;
pub mod rate;
pub mod satisfaction;
pub mod visit;

pub use satisfaction::Satisfaction;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde::Serialize;
use utoipa::ToSchema;

use crate::cases::access;
use crate::domain::faults::{Invalid, failure};
use crate::entities::{case, case_rating};

/// The longest comment a consumer may leave with a rating, in characters.
pub const MAX_COMMENT_CHARS: usize = 500;

/// What can go wrong with a rating.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the case is not closed yet; it can be rated once it is")]
    NotClosed,
    #[error("this case has already been rated")]
    AlreadyRated,
    #[error("the rating window of this case ended at {0}")]
    WindowClosed(DateTime<Utc>),
    #[error("this case has no return visit")]
    NoReturnVisit,
    #[error("the return visit of this case has been recorded already")]
    VisitRecorded,
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Access(#[from] access::Error),
    #[error(transparent)]
    Db(#[from] DbErr),
}

failure!(Error {
    Error::NotClosed => Conflict, "case_not_closed";
    Error::AlreadyRated => Conflict, "already_rated";
    Error::WindowClosed(_) => Conflict, "rating_window_closed";
    Error::NoReturnVisit => NotFound, "no_return_visit";
    Error::VisitRecorded => Conflict, "return_visit_recorded";
} passes [Invalid, Access, Db]);

/// A rating as the consumer gave it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingView {
    pub rating: Satisfaction,
    /// 满意, 基本满意 or 不满意.
    pub rating_label: String,
    pub comment: Option<String>,
    pub rated_at: DateTime<Utc>,
}

impl From<&case_rating::Model> for RatingView {
    fn from(r: &case_rating::Model) -> Self {
        RatingView {
            rating: r.rating,
            rating_label: r.rating.label().to_owned(),
            comment: r.comment.clone(),
            rated_at: r.rated_at,
        }
    }
}

/// Where rating a case stands: given, open until `closes_at`, or neither (the case is open, or
/// the window has passed).
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingStatus {
    /// The consumer may rate the case now.
    pub open: bool,
    /// The end of the rating window, once the case is closed.
    pub closes_at: Option<DateTime<Utc>>,
    /// The rating given, if any.
    pub given: Option<RatingView>,
}

/// The end of a closed case's rating window; none while the case is open.
pub fn window_end(c: &case::Model, window_days: i64) -> Option<DateTime<Utc>> {
    if !c.status.is_final() {
        return None;
    }
    c.closed_at
        .or(Some(c.updated_at))
        .map(|at| at + Duration::days(window_days))
}

/// Where rating the case stands at `now`.
pub async fn status(
    db: &impl ConnectionTrait,
    c: &case::Model,
    window_days: i64,
    now: DateTime<Utc>,
) -> Result<RatingStatus, DbErr> {
    let given = case_rating::Entity::find()
        .filter(case_rating::Column::CaseId.eq(c.id.as_str()))
        .one(db)
        .await?;
    let closes_at = window_end(c, window_days);
    Ok(RatingStatus {
        open: given.is_none() && closes_at.is_some_and(|end| now < end),
        closes_at,
        given: given.as_ref().map(RatingView::from),
    })
}
