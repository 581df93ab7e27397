//! The consumer rates a closed case: once, within the window, with an optional comment.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, NotSet, Set};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{Error, MAX_COMMENT_CHARS, RatingView, Satisfaction, window_end};
use crate::actor::Actor;
use crate::cases::journal::{self, Entry};
use crate::domain::faults::Invalid;
use crate::entities::{case, case_rating};

#[derive(Debug, Deserialize, validator::Validate, ToSchema)]
pub struct RatingRequest {
    pub rating: Satisfaction,
    /// Optional, at most 500 characters.
    #[validate(length(max = 500))]
    pub comment: Option<String>,
}

/// Records the consumer's rating of the closed case `c`: refused while the case is open, after
/// the window, and when the case has been rated already (also when two ratings race: the
/// table's unique case id decides).
pub async fn rate(
    db: &impl ConnectionTrait,
    window_days: i64,
    c: &case::Model,
    r: &RatingRequest,
    now: DateTime<Utc>,
) -> Result<RatingView, Error> {
    let comment = r
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    if comment
        .as_deref()
        .is_some_and(|s| s.chars().count() > MAX_COMMENT_CHARS)
    {
        return Err(Invalid::field(
            "comment",
            format!("must have at most {MAX_COMMENT_CHARS} characters"),
        )
        .into());
    }
    let end = window_end(c, window_days).ok_or(Error::NotClosed)?;
    if now >= end {
        return Err(Error::WindowClosed(end));
    }
    let row = case_rating::ActiveModel {
        id: NotSet,
        case_id: Set(c.id.clone()),
        rating: Set(r.rating),
        comment: Set(comment.clone()),
        rated_at: Set(now),
    };
    let inserted = case_rating::Entity::insert(row)
        .on_conflict(
            OnConflict::column(case_rating::Column::CaseId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    if inserted == 0 {
        return Err(Error::AlreadyRated);
    }
    journal::record(
        db,
        &Actor::Consumer,
        &c.id,
        Entry {
            event: "rated",
            public: true,
            detail: json!({
                "description": format!("您对办理情况作出了评价：{}", r.rating.label()),
                "rating": r.rating,
            }),
            action: "case.rate",
            audit: json!({"rating": r.rating, "with_comment": comment.is_some()}),
        },
        now,
    )
    .await?;
    Ok(RatingView {
        rating: r.rating,
        rating_label: r.rating.label().to_owned(),
        comment,
        rated_at: now,
    })
}
