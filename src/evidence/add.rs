//! Adding files to a case's evidence: by its consumer (through tracking) or by staff and the
//! desk acting on it. Every file is checked before anything is stored (its type by content, its
//! size, the case's limits, a photo decoded under the pixel limit into its thumbnail and its
//! copy without metadata, on a blocking thread); then the blobs are written, then the rows, the
//! timeline event and the audit entry in the caller's transaction.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use serde_json::json;

use super::files::recognise;
use super::images::{Derived, derive};
use super::{Error, EvidenceView, Uploader};
use crate::actor::{Actor, Role, Staff};
use crate::cases::access::{Act, act_on};
use crate::cases::journal::{self, Entry};
use crate::domain::faults::{Faults, Invalid};
use crate::entities::{case, evidence_file};
use crate::env::Env;

/// A file as received: the name it was sent with and its bytes.
pub struct Incoming {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The longest file name kept, in characters.
const MAX_NAME_CHARS: usize = 200;

/// The consumer adds files to their case.
pub async fn by_consumer(
    db: &impl ConnectionTrait,
    env: &Env,
    c: &case::Model,
    files: Vec<Incoming>,
    now: DateTime<Utc>,
) -> Result<Vec<EvidenceView>, Error> {
    add(db, env, &Actor::Consumer, Uploader::Consumer, c, files, now).await
}

/// Staff acting on the case, or the business's desk, add files to it.
pub async fn by_staff(
    db: &impl ConnectionTrait,
    env: &Env,
    me: &Staff,
    case_id: &str,
    files: Vec<Incoming>,
    now: DateTime<Utc>,
) -> Result<Vec<EvidenceView>, Error> {
    let c = act_on(db, me, case_id, Act::Evidence).await?;
    let uploader = match me.role {
        Role::EnterpriseAgent => Uploader::Business,
        _ => Uploader::Staff,
    };
    add(db, env, &Actor::from(me), uploader, &c, files, now).await
}

/// A file name as kept: its last path part, without control characters, at most 200 characters.
fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let kept: String = base
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect();
    match kept.trim() {
        "" => "未命名文件".to_owned(),
        k => k.to_owned(),
    }
}

async fn add(
    db: &impl ConnectionTrait,
    env: &Env,
    actor: &Actor,
    uploader: Uploader,
    c: &case::Model,
    files: Vec<Incoming>,
    now: DateTime<Utc>,
) -> Result<Vec<EvidenceView>, Error> {
    let settings = &env.settings;
    if c.status.is_final() {
        return Err(Error::Closed(c.status));
    }
    let mut faults = Faults(Vec::new());
    if files.is_empty() {
        faults.add("files", "send at least one file in the form field `files`");
    }
    let mut checked = Vec::with_capacity(files.len());
    for (i, f) in files.into_iter().enumerate() {
        let name = clean_name(&f.name);
        let field = format!("files[{i}]");
        if f.bytes.len() as u64 > settings.evidence_max_file_bytes {
            faults.add(
                field,
                format!(
                    "{name}: larger than {} bytes a file",
                    settings.evidence_max_file_bytes
                ),
            );
            continue;
        }
        match recognise(&f.bytes) {
            Some(kind) => checked.push((name, kind, f.bytes)),
            None => faults.add(
                field,
                format!("{name}: not a JPEG, PNG, WebP, HEIC or PDF file"),
            ),
        }
    }
    faults.finish()?;
    // What the case holds already, so that the limits count it (at most `evidence_max_files`
    // rows; summed here, as PostgreSQL's SUM of a bigint is a numeric).
    let sizes: Vec<i64> = evidence_file::Entity::find()
        .select_only()
        .column(evidence_file::Column::Size)
        .filter(evidence_file::Column::CaseId.eq(&c.id))
        .into_tuple()
        .all(db)
        .await?;
    let (count, bytes) = (sizes.len(), sizes.iter().sum::<i64>());
    let adding: u64 = checked.iter().map(|(_, _, b)| b.len() as u64).sum();
    if count as u64 + checked.len() as u64 > settings.evidence_max_files {
        return Err(Invalid::field(
            "files",
            format!(
                "a case holds at most {} files; it has {count}",
                settings.evidence_max_files
            ),
        )
        .into());
    }
    if bytes as u64 + adding > settings.evidence_max_case_bytes {
        return Err(Invalid::field(
            "files",
            format!(
                "a case holds at most {} bytes of files",
                settings.evidence_max_case_bytes
            ),
        )
        .into());
    }
    // Decoding is CPU work, kept off the async workers; every photo is decoded before anything
    // is stored, so a refused one leaves nothing behind.
    let max_pixels = settings.evidence_max_pixels;
    let derived = tokio::task::spawn_blocking(move || {
        checked
            .into_iter()
            .map(|(name, kind, bytes)| {
                let d = derive(kind, &bytes, max_pixels);
                (name, kind, bytes, d)
            })
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|e| Error::Store(std::io::Error::other(e)))?;
    // Every file passed the checks above, so `i` is its place in the upload.
    let mut faults = Faults(Vec::new());
    let mut ready = Vec::with_capacity(derived.len());
    for (i, (name, kind, bytes, d)) in derived.into_iter().enumerate() {
        match d {
            Ok(d) => ready.push((name, kind, bytes, d)),
            Err(refusal) => faults.add(format!("files[{i}]"), format!("{name}: {refusal}")),
        }
    }
    faults.finish()?;
    let blobs = &env.blobs;
    let mut added = Vec::with_capacity(ready.len());
    for (name, kind, bytes, derived) in ready {
        // The blobs first: a row is never written for a blob that is not there.
        let sha256 = blobs.put(&bytes).await?;
        let (stripped_sha256, thumbnail_sha256) = match derived {
            Some(Derived { copy, thumbnail }) => (
                Some(blobs.put(&copy).await?),
                Some(blobs.put(&thumbnail).await?),
            ),
            None => (None, None),
        };
        let row = evidence_file::ActiveModel {
            id: Set(uuid::Uuid::now_v7().to_string()),
            case_id: Set(c.id.clone()),
            file_name: Set(name),
            media_type: Set(kind),
            size: Set(bytes.len() as i64),
            sha256: Set(sha256),
            stripped_sha256: Set(stripped_sha256),
            thumbnail_sha256: Set(thumbnail_sha256),
            uploaded_by: Set(uploader),
            uploader_id: Set(match actor {
                Actor::Staff(s) => Some(s.user_id.clone()),
                _ => None,
            }),
            uploaded_at: Set(now),
            removed_at: Set(None),
        };
        let row = evidence_file::Entity::insert(row)
            .exec_with_returning(db)
            .await?;
        added.push(row);
    }
    let names: Vec<&str> = added.iter().map(|f| f.file_name.as_str()).collect();
    journal::record(
        db,
        actor,
        &c.id,
        Entry {
            event: "evidence_added",
            public: true,
            detail: json!({
                "description": format!("补充证据 {} 份：{}", added.len(), names.join("、")),
                "evidence_ids": added.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
            }),
            action: "evidence.add",
            audit: json!({
                "files": added.iter().map(|f| json!({
                    "id": f.id, "sha256": f.sha256, "size": f.size, "media_type": f.media_type,
                })).collect::<Vec<_>>(),
                "uploaded_by": uploader,
            }),
        },
        now,
    )
    .await?;
    if crash_before_commit() {
        // The test hook: as if the process died here, its blobs written, its rows not committed.
        std::process::abort();
    }
    Ok(added.into_iter().map(EvidenceView::from).collect())
}

/// A test hook, read once from the environment: `XIAOBAO_FAULT=evidence_before_commit` makes the
/// process abort at the end of every upload, after its blobs and rows are written and before
/// the transaction commits, so the crash tests can kill it exactly between the two.
fn crash_before_commit() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var("XIAOBAO_FAULT").is_ok_and(|v| v == "evidence_before_commit"))
}
