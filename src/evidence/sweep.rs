//! The evidence sweep: blobs no row names (an upload that crashed or rolled back between its
//! blobs and its rows) are removed once older than the grace period; the files of cases closed
//! longer than the retention period are removed, their rows keeping the hash and details.
//! Safe with several instances on one store: removing a blob twice is removing it once, a blob
//! still named by a row that keeps its file is never removed, and a blob written again since it
//! was listed (an upload of the same bytes, its row not yet committed) is left for a later round.

use std::time::{Duration as Wait, SystemTime};

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::store::{Blobs, ORPHAN_LOOKBACK};
use crate::config::Settings;
use crate::entities::{case, evidence_file};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub orphans: u64,
    pub expired: u64,
}

/// Whether a row that still keeps its file names the blob `sha256`.
async fn kept(db: &impl ConnectionTrait, sha256: &str) -> Result<bool, super::Error> {
    Ok(evidence_file::Entity::find()
        .filter(evidence_file::Column::RemovedAt.is_null())
        .filter(
            Condition::any()
                .add(evidence_file::Column::Sha256.eq(sha256))
                .add(evidence_file::Column::StrippedSha256.eq(sha256))
                .add(evidence_file::Column::ThumbnailSha256.eq(sha256)),
        )
        .count(db)
        .await?
        > 0)
}

pub async fn sweep(
    db: &impl ConnectionTrait,
    blobs: &Blobs,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<Swept, super::Error> {
    let mut swept = Swept::default();
    // Retention: the files of cases closed before the cut-off.
    let cutoff = now - Duration::days(settings.evidence_retention_days);
    let closed_long_ago = Query::select()
        .column(case::Column::Id)
        .from(case::Entity)
        .and_where(case::Column::ClosedAt.lt(cutoff))
        .to_owned();
    let expired = evidence_file::Entity::find()
        .filter(evidence_file::Column::RemovedAt.is_null())
        .filter(evidence_file::Column::CaseId.in_subquery(closed_long_ago))
        .all(db)
        .await?;
    for f in expired {
        let marked = evidence_file::Entity::update_many()
            .col_expr(evidence_file::Column::RemovedAt, Expr::value(now))
            .filter(evidence_file::Column::Id.eq(&f.id))
            .filter(evidence_file::Column::RemovedAt.is_null())
            .exec(db)
            .await?;
        if marked.rows_affected == 0 {
            continue;
        }
        for sha in std::iter::once(&f.sha256)
            .chain(f.stripped_sha256.as_ref())
            .chain(f.thumbnail_sha256.as_ref())
        {
            if !kept(db, sha).await? {
                blobs.remove(sha).await?;
            }
        }
        swept.expired += 1;
    }
    // Orphans: blobs (and left-over temporary files) written in the last day, past the grace
    // period, that no row keeping its file names.
    let wall = SystemTime::now();
    let settled = wall - Wait::from_secs(settings.evidence_orphan_grace_seconds);
    for w in blobs
        .written_between(wall - ORPHAN_LOOKBACK, settled)
        .await?
    {
        if !w.is_partial() {
            if kept(db, &w.name).await? {
                continue;
            }
            // Asked again just before removing: an upload of the same bytes writes the blob anew
            // before its row, which is not committed yet.
            if blobs
                .written_at(&w.name)
                .await?
                .is_none_or(|t| t >= settled)
            {
                continue;
            }
        }
        blobs.remove_written(&w).await?;
        swept.orphans += 1;
    }
    Ok(swept)
}
