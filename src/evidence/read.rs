//! Listing a case's evidence and choosing what a download serves: staff who see the case get
//! the originals; the business's desk gets a consumer's photo only as its copy without metadata;
//! the consumer gets the files they added. A photo's thumbnail (made from the copy's pixels) goes
//! to whoever may download the photo. Every download and every thumbnail served is audited.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;

use super::{Error, EvidenceView, MediaType, Uploader};
use crate::actor::{Actor, Role, Staff};
use crate::audit;
use crate::cases::access::load_visible;
use crate::entities::{case, evidence_file};

/// What a download sends: the blob, its type and the name to save it as.
pub struct Download {
    pub sha256: String,
    pub media_type: MediaType,
    pub file_name: String,
}

async fn rows(
    db: &impl ConnectionTrait,
    case_id: &str,
    only: Option<Uploader>,
) -> Result<Vec<evidence_file::Model>, sea_orm::DbErr> {
    let mut q = evidence_file::Entity::find().filter(evidence_file::Column::CaseId.eq(case_id));
    if let Some(u) = only {
        q = q.filter(evidence_file::Column::UploadedBy.eq(u));
    }
    q.order_by_asc(evidence_file::Column::UploadedAt)
        .order_by_asc(evidence_file::Column::Id)
        .all(db)
        .await
}

/// The evidence of case `case_id` for a reader the caller has already admitted (a 诉转案 lead's
/// enforcement staff).
pub async fn of_case(
    db: &impl ConnectionTrait,
    case_id: &str,
) -> Result<Vec<EvidenceView>, sea_orm::DbErr> {
    Ok(rows(db, case_id, None)
        .await?
        .into_iter()
        .map(EvidenceView::from)
        .collect())
}

/// The evidence of a case the staff member sees.
pub async fn list_for_staff(
    db: &impl ConnectionTrait,
    me: &Staff,
    case_id: &str,
) -> Result<Vec<EvidenceView>, Error> {
    let c = load_visible(db, me, case_id).await?;
    Ok(of_case(db, &c.id).await?)
}

/// The files the consumer added to their case.
pub async fn list_for_consumer(
    db: &impl ConnectionTrait,
    c: &case::Model,
) -> Result<Vec<EvidenceView>, Error> {
    Ok(rows(db, &c.id, Some(Uploader::Consumer))
        .await?
        .into_iter()
        .map(EvidenceView::from)
        .collect())
}

async fn one(
    db: &impl ConnectionTrait,
    case_id: &str,
    id: &str,
) -> Result<evidence_file::Model, Error> {
    let f = evidence_file::Entity::find_by_id(id.to_owned())
        .filter(evidence_file::Column::CaseId.eq(case_id))
        .one(db)
        .await?
        .ok_or_else(|| Error::NotFound(id.to_owned()))?;
    if f.removed_at.is_some() {
        return Err(Error::Removed);
    }
    Ok(f)
}

async fn served(
    db: &impl ConnectionTrait,
    actor: &Actor,
    f: evidence_file::Model,
    sha256: String,
    now: DateTime<Utc>,
) -> Result<Download, Error> {
    audit::record(
        db,
        actor,
        "evidence.download",
        Some(&f.case_id),
        json!({"evidence_id": f.id, "sha256": sha256, "original": sha256 == f.sha256}),
        now,
    )
    .await?;
    Ok(Download {
        sha256,
        media_type: f.media_type,
        file_name: f.file_name,
    })
}

/// The thumbnail of `f`, audited as a view of the photo.
async fn thumbnail(
    db: &impl ConnectionTrait,
    actor: &Actor,
    f: evidence_file::Model,
    now: DateTime<Utc>,
) -> Result<Download, Error> {
    let Some(sha256) = f.thumbnail_sha256.clone() else {
        return Err(Error::NoThumbnail(f.id));
    };
    audit::record(
        db,
        actor,
        "evidence.thumbnail",
        Some(&f.case_id),
        json!({"evidence_id": f.id, "sha256": sha256}),
        now,
    )
    .await?;
    let stem = f
        .file_name
        .rsplit_once('.')
        .map_or(f.file_name.as_str(), |(s, _)| s);
    Ok(Download {
        file_name: format!("{stem}-thumbnail.jpg"),
        sha256,
        media_type: MediaType::Jpeg,
    })
}

/// A file of a case the staff member sees: the original, but to a business's desk a consumer's
/// photo only without its metadata.
pub async fn download_for_staff(
    db: &impl ConnectionTrait,
    me: &Staff,
    case_id: &str,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Download, Error> {
    let c = load_visible(db, me, case_id).await?;
    let f = one(db, &c.id, id).await?;
    let sha256 = match (&f.stripped_sha256, withheld_from(me, &f)) {
        (Some(copy), true) => copy.clone(),
        (None, true) => return Err(Error::NoCopy),
        _ => f.sha256.clone(),
    };
    served(db, &Actor::from(me), f, sha256, now).await
}

/// Whether `me` is a business's desk and `f` a consumer's photo, whose original it never gets.
fn withheld_from(me: &Staff, f: &evidence_file::Model) -> bool {
    me.role == Role::EnterpriseAgent
        && f.uploaded_by == Uploader::Consumer
        && f.media_type.is_photo()
}

/// The thumbnail of a photo of a case the staff member sees. It is made from the copy without
/// metadata, so a desk gets it wherever it gets the copy.
pub async fn thumbnail_for_staff(
    db: &impl ConnectionTrait,
    me: &Staff,
    case_id: &str,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Download, Error> {
    let c = load_visible(db, me, case_id).await?;
    let f = one(db, &c.id, id).await?;
    if withheld_from(me, &f) && f.stripped_sha256.is_none() {
        return Err(Error::NoCopy);
    }
    thumbnail(db, &Actor::from(me), f, now).await
}

/// A file the consumer added to their case; the others' files are not theirs to read.
async fn consumers_file(
    db: &impl ConnectionTrait,
    c: &case::Model,
    id: &str,
) -> Result<evidence_file::Model, Error> {
    let f = one(db, &c.id, id).await?;
    if f.uploaded_by != Uploader::Consumer {
        return Err(Error::NotFound(id.to_owned()));
    }
    Ok(f)
}

/// The thumbnail of a photo the consumer added to their case.
pub async fn thumbnail_for_consumer(
    db: &impl ConnectionTrait,
    c: &case::Model,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Download, Error> {
    let f = consumers_file(db, c, id).await?;
    thumbnail(db, &Actor::Consumer, f, now).await
}

/// A file the consumer added to their case, as they sent it.
pub async fn download_for_consumer(
    db: &impl ConnectionTrait,
    c: &case::Model,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Download, Error> {
    let f = consumers_file(db, c, id).await?;
    let sha256 = f.sha256.clone();
    served(db, &Actor::Consumer, f, sha256, now).await
}
