//! Adding files to a case's evidence: with the complaint or report itself at intake, or later by
//! its consumer (through tracking) or by staff and the desk acting on it. Every file is checked
//! before anything is stored (its type by content, its size, the case's limits, a photo decoded
//! under the pixel limit into its thumbnail and its copy without metadata, on a blocking thread);
//! then the blobs are written ([`store`]), then the rows, the timeline event and the audit entry
//! in the caller's transaction ([`rows`] and [`entry`], which the intake writes with the case).

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::files::recognise;
use super::images::{Derived, derive};
use super::{Error, EvidenceView, MediaType, Uploader};
use crate::actor::{Actor, Role, Staff};
use crate::cases::access::{Act, act_on};
use crate::cases::journal::{self, Entry};
use crate::config::Settings;
use crate::domain::faults::{Faults, Invalid};
use crate::entities::{audit_log, case, case_event, evidence_file};
use crate::env::Env;

/// Turns at decoding photos, one per core (see [`store`]).
static DECODING: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
    tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
});

/// A file as received: the name it was sent with and its bytes.
pub struct Incoming {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A file checked and written to the store, not yet evidence of any case: what its row records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    pub name: String,
    pub media_type: MediaType,
    pub size: i64,
    pub sha256: String,
    pub stripped_sha256: Option<String>,
    pub thumbnail_sha256: Option<String>,
}

impl Stored {
    /// Every blob of the file, the original first.
    pub fn blobs(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.sha256.as_str())
            .chain(self.stripped_sha256.as_deref())
            .chain(self.thumbnail_sha256.as_deref())
    }
}

/// What a case (or a draft) holds already, counted against the limits.
#[derive(Clone, Copy, Debug, Default)]
pub struct Held {
    pub files: u64,
    pub bytes: u64,
}

impl Held {
    /// What the case holds (at most `evidence_max_files` rows; summed here, as PostgreSQL's SUM
    /// of a bigint is a numeric).
    pub async fn by_case(db: &impl ConnectionTrait, case_id: &str) -> Result<Held, Error> {
        let sizes: Vec<i64> = evidence_file::Entity::find()
            .select_only()
            .column(evidence_file::Column::Size)
            .filter(evidence_file::Column::CaseId.eq(case_id))
            .into_tuple()
            .all(db)
            .await?;
        Ok(Held::of(sizes))
    }

    pub fn of(sizes: impl IntoIterator<Item = i64>) -> Held {
        sizes.into_iter().fold(Held::default(), |h, size| Held {
            files: h.files + 1,
            bytes: h.bytes + size.max(0) as u64,
        })
    }
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
    if c.status.is_final() {
        return Err(Error::Closed(c.status));
    }
    let held = Held::by_case(db, &c.id).await?;
    let stored = store(env, files, held).await?;
    let added = rows(&c.id, actor, uploader, stored, now);
    for row in &added {
        evidence_file::Entity::insert(evidence_file::ActiveModel::from(row.clone()))
            .exec_without_returning(db)
            .await?;
    }
    journal::record(db, actor, &c.id, entry(&added, uploader, "补充证据"), now).await?;
    if crash_before_commit() {
        // The test hook: as if the process died here, its blobs written, its rows not committed.
        std::process::abort();
    }
    Ok(added.into_iter().map(EvidenceView::from).collect())
}

/// Checks the files against the limits, beside what is `held` already, decodes the photos and
/// writes every blob: the blobs first, as a row is never written for a blob that is not there.
/// A file refused is a fault at `files[i]`, and then nothing is stored.
pub async fn store(env: &Env, files: Vec<Incoming>, held: Held) -> Result<Vec<Stored>, Error> {
    let ready = check(&env.settings, files, held).await?;
    let blobs = &env.blobs;
    let mut stored = Vec::with_capacity(ready.len());
    for (name, media_type, bytes, derived) in ready {
        let sha256 = blobs.put(&bytes).await?;
        let (stripped_sha256, thumbnail_sha256) = match derived {
            Some(Derived { copy, thumbnail }) => (
                Some(blobs.put(&copy).await?),
                Some(blobs.put(&thumbnail).await?),
            ),
            None => (None, None),
        };
        stored.push(Stored {
            name,
            media_type,
            size: bytes.len() as i64,
            sha256,
            stripped_sha256,
            thumbnail_sha256,
        });
    }
    Ok(stored)
}

type Ready = (String, MediaType, Vec<u8>, Option<Derived>);

async fn check(settings: &Settings, files: Vec<Incoming>, held: Held) -> Result<Vec<Ready>, Error> {
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
    let adding: u64 = checked.iter().map(|(_, _, b)| b.len() as u64).sum();
    if held.files + checked.len() as u64 > settings.evidence_max_files {
        return Err(Invalid::field(
            "files",
            format!(
                "a case holds at most {} files; it has {}",
                settings.evidence_max_files, held.files
            ),
        )
        .into());
    }
    if held.bytes + adding > settings.evidence_max_case_bytes {
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
    // is stored, so a refused one leaves nothing behind. One upload decodes at a time per core:
    // a decoded picture takes up to four bytes a pixel, so memory stays bounded by the cores
    // however many upload at once, and the others wait their turn.
    let max_pixels = settings.evidence_max_pixels;
    let _turn = DECODING
        .acquire()
        .await
        .map_err(|e| Error::Store(std::io::Error::other(e)))?;
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
    Ok(ready)
}

/// The rows of files stored for case `case_id`, uploaded by `actor` now.
pub fn rows(
    case_id: &str,
    actor: &Actor,
    uploader: Uploader,
    stored: Vec<Stored>,
    now: DateTime<Utc>,
) -> Vec<evidence_file::Model> {
    stored
        .into_iter()
        .map(|s| evidence_file::Model {
            id: uuid::Uuid::now_v7().to_string(),
            case_id: case_id.to_owned(),
            file_name: s.name,
            media_type: s.media_type,
            size: s.size,
            sha256: s.sha256,
            stripped_sha256: s.stripped_sha256,
            thumbnail_sha256: s.thumbnail_sha256,
            uploaded_by: uploader,
            uploader_id: match actor {
                Actor::Staff(s) => Some(s.user_id.clone()),
                _ => None,
            },
            uploaded_at: now,
            removed_at: None,
        })
        .collect()
}

/// What files filed with a new case add to its writes: their rows, their timeline event and
/// their audit entry.
pub struct FiledWith {
    pub rows: Vec<evidence_file::ActiveModel>,
    pub event: case_event::ActiveModel,
    pub audit: audit_log::ActiveModel,
}

/// The records of the files `stored` filed by `actor` with the new case `case_id`, or `None`
/// without files. A walk-in's files are uploaded by the station's staff.
pub fn filed_with(
    case_id: &str,
    actor: &Actor,
    stored: &[Stored],
    what: &str,
    now: DateTime<Utc>,
) -> Option<FiledWith> {
    if stored.is_empty() {
        return None;
    }
    let uploader = match actor {
        Actor::Staff(_) => Uploader::Staff,
        _ => Uploader::Consumer,
    };
    let added = rows(case_id, actor, uploader, stored.to_vec(), now);
    let e = entry(&added, uploader, what);
    Some(FiledWith {
        event: journal::event(case_id, e.event, actor, e.public, e.detail, now),
        audit: crate::audit::entry(actor, e.action, Some(case_id), e.audit, now),
        rows: added.into_iter().map(Into::into).collect(),
    })
}

/// The timeline event and audit entry of files added, `what` saying how (补充证据, 随投诉提交证据).
pub fn entry(added: &[evidence_file::Model], uploader: Uploader, what: &str) -> Entry<'static> {
    let names: Vec<&str> = added.iter().map(|f| f.file_name.as_str()).collect();
    Entry {
        event: "evidence_added",
        public: true,
        detail: json!({
            "description": format!("{what} {} 份：{}", added.len(), names.join("、")),
            "evidence_ids": added.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
        }),
        action: "evidence.add",
        audit: json!({
            "files": added.iter().map(|f| json!({
                "id": f.id, "sha256": f.sha256, "size": f.size, "media_type": f.media_type,
            })).collect::<Vec<_>>(),
            "uploaded_by": uploader,
        }),
    }
}

/// A test hook, read once from the environment: `XIAOBAO_FAULT=evidence_before_commit` makes the
/// process abort at the end of every upload, after its blobs and rows are written and before
/// the transaction commits, so the crash tests can kill it exactly between the two.
fn crash_before_commit() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var("XIAOBAO_FAULT").is_ok_and(|v| v == "evidence_before_commit"))
}
