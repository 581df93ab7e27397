//! The blob store, one interface over two kinds chosen by `evidence_store`: a local folder
//! (`evidence_dir`, the default) or an S3-compatible bucket. Each blob is named by the hex SHA-256
//! of its bytes, under a folder (a key prefix) of its first two characters. A blob is whole or
//! absent: in the folder it is written to a temporary name, flushed and renamed; on S3 one PUT is
//! atomic. It is written before the row that names it, so a row never points at a missing blob,
//! and a blob no row names (a crash between the two, a rolled-back upload) is removed by the
//! sweep after a grace period.

use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use actix_web::web::Bytes;
use futures_util::stream::{BoxStream, StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as Key;
use object_store::{ClientOptions, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::config::{EvidenceStore, S3Store, Settings};

/// How far back the orphan sweep looks: orphans are made by uploads, so only blobs written in
/// the last day are checked, not every blob on every round.
pub const ORPHAN_LOOKBACK: Duration = Duration::from_secs(25 * 3600);

#[derive(Clone)]
pub enum Blobs {
    Folder(PathBuf),
    S3 {
        bucket: Arc<AmazonS3>,
        prefix: String,
    },
}

/// A blob being read: its length and its bytes as they arrive.
pub struct Blob {
    pub len: u64,
    pub bytes: BoxStream<'static, io::Result<Bytes>>,
}

/// An entry of the store found by [`Blobs::written_between`]: a blob (named by its hash) or, in
/// the folder, a temporary file a crash left behind.
pub struct Written {
    pub name: String,
    at: Place,
}

enum Place {
    File(PathBuf),
    Object(Key),
}

impl Written {
    /// A temporary file, never a blob: removed without asking whether a row names it.
    pub fn is_partial(&self) -> bool {
        self.name.starts_with('.')
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Sets the file's modification time to now; false when there is no such file.
async fn touch(path: &std::path::Path) -> io::Result<bool> {
    match tokio::fs::File::options().write(true).open(path).await {
        Ok(file) => {
            file.into_std().await.set_modified(SystemTime::now())?;
            Ok(true)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

fn is_blob_name(sha256: &str) -> bool {
    sha256.len() == 64 && sha256.bytes().all(|c| c.is_ascii_hexdigit())
}

fn not_a_blob() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "not a blob name")
}

/// The S3 client: path-style requests (what S3-compatible servers expect), rustls over ring,
/// and retries bounded so that a request waiting on a failing store ends within half a minute.
fn s3_bucket(s: &S3Store) -> io::Result<AmazonS3> {
    // reqwest is built without a bundled TLS provider; ring is the one the service already has.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut b = AmazonS3Builder::new()
        .with_bucket_name(&s.bucket)
        .with_region(&s.region)
        .with_virtual_hosted_style_request(false)
        // Before `allow_http`, which is one of the client options.
        .with_client_options(
            ClientOptions::new()
                .with_connect_timeout(Duration::from_secs(5))
                .with_timeout(Duration::from_secs(60)),
        )
        .with_allow_http(s.allow_http)
        .with_retry(RetryConfig {
            max_retries: 3,
            retry_timeout: Duration::from_secs(30),
            ..RetryConfig::default()
        });
    if let Some(url) = &s.endpoint {
        b = b.with_endpoint(url);
    }
    if let (Some(id), Some(key)) = (&s.access_key_id, &s.secret_access_key) {
        b = b.with_access_key_id(id).with_secret_access_key(key);
    }
    if let Some(token) = &s.session_token {
        b = b.with_token(token);
    }
    b.build().map_err(io::Error::from)
}

/// A folder's blob stream, read 64 KiB at a time.
fn chunks(file: tokio::fs::File) -> BoxStream<'static, io::Result<Bytes>> {
    futures_util::stream::unfold(file, |mut f| async move {
        let mut buf = vec![0u8; 64 * 1024];
        match f.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(Bytes::from(buf)), f))
            }
            Err(e) => Some((Err(e), f)),
        }
    })
    .boxed()
}

impl Blobs {
    /// The store the settings name; an S3 client is built once here (no request is made).
    pub fn from_settings(settings: &Settings) -> io::Result<Blobs> {
        Ok(match &settings.evidence_store {
            EvidenceStore::Folder => Blobs::Folder(PathBuf::from(&settings.evidence_dir)),
            EvidenceStore::S3(s) => Blobs::S3 {
                bucket: Arc::new(s3_bucket(s)?),
                prefix: s.prefix.clone(),
            },
        })
    }

    fn path(root: &std::path::Path, sha256: &str) -> PathBuf {
        root.join(&sha256[..2]).join(sha256)
    }

    fn key(prefix: &str, sha256: &str) -> Key {
        match prefix {
            "" => Key::from(format!("{}/{sha256}", &sha256[..2])),
            p => Key::from(format!("{p}/{}/{sha256}", &sha256[..2])),
        }
    }

    /// Stores `bytes` (once: the same bytes are the same blob) and returns their SHA-256. A blob
    /// that is there already is written again (S3) or touched (the folder), so that its age
    /// counts from this upload and the orphan sweep leaves it to the row about to name it.
    pub async fn put(&self, bytes: &[u8]) -> io::Result<String> {
        let sha = sha256_hex(bytes);
        match self {
            Blobs::S3 { bucket, prefix } => {
                let payload = PutPayload::from(Bytes::copy_from_slice(bytes));
                bucket.put(&Self::key(prefix, &sha), payload).await?;
            }
            Blobs::Folder(root) => {
                let path = Self::path(root, &sha);
                if touch(&path).await? {
                    return Ok(sha);
                }
                let dir = path.parent().expect("a blob's folder");
                tokio::fs::create_dir_all(dir).await?;
                let tmp = dir.join(format!(".{sha}.{}", uuid::Uuid::new_v4().simple()));
                let mut file = tokio::fs::File::create(&tmp).await?;
                file.write_all(bytes).await?;
                file.sync_all().await?;
                drop(file);
                tokio::fs::rename(&tmp, &path).await?;
            }
        }
        Ok(sha)
    }

    /// Makes the blob's age count from now, as a `put` of its bytes would, so that the orphan
    /// sweep leaves it to a row about to name it (the files of a draft filed long after their
    /// upload); false when it is not there.
    pub async fn refresh(&self, sha256: &str) -> io::Result<bool> {
        if !is_blob_name(sha256) {
            return Err(not_a_blob());
        }
        match self {
            Blobs::S3 { bucket, prefix } => {
                let key = Self::key(prefix, sha256);
                let bytes = match bucket.get(&key).await {
                    Ok(got) => got.bytes().await?,
                    Err(object_store::Error::NotFound { .. }) => return Ok(false),
                    Err(e) => return Err(e.into()),
                };
                bucket.put(&key, PutPayload::from(bytes)).await?;
                Ok(true)
            }
            Blobs::Folder(root) => touch(&Self::path(root, sha256)).await,
        }
    }

    /// The blob for reading, streamed by the caller (never held whole in memory).
    pub async fn open(&self, sha256: &str) -> io::Result<Blob> {
        if !is_blob_name(sha256) {
            return Err(not_a_blob());
        }
        match self {
            Blobs::S3 { bucket, prefix } => {
                let got = bucket.get(&Self::key(prefix, sha256)).await?;
                Ok(Blob {
                    len: got.meta.size,
                    bytes: got.into_stream().map_err(io::Error::from).boxed(),
                })
            }
            Blobs::Folder(root) => {
                let file = tokio::fs::File::open(Self::path(root, sha256)).await?;
                Ok(Blob {
                    len: file.metadata().await?.len(),
                    bytes: chunks(file),
                })
            }
        }
    }

    /// When the blob was last written, or `None` when it is not there.
    pub async fn written_at(&self, sha256: &str) -> io::Result<Option<SystemTime>> {
        if !is_blob_name(sha256) {
            return Err(not_a_blob());
        }
        let found = match self {
            Blobs::S3 { bucket, prefix } => bucket
                .head(&Self::key(prefix, sha256))
                .await
                .map(|m| SystemTime::from(m.last_modified))
                .map_err(io::Error::from),
            Blobs::Folder(root) => tokio::fs::metadata(Self::path(root, sha256))
                .await
                .and_then(|m| m.modified()),
        };
        match found {
            Ok(t) => Ok(Some(t)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Removes the blob; removing one that is not there is no error (another instance's sweep
    /// may have been first).
    pub async fn remove(&self, sha256: &str) -> io::Result<()> {
        if !is_blob_name(sha256) {
            return Ok(());
        }
        let at = match self {
            Blobs::S3 { prefix, .. } => Place::Object(Self::key(prefix, sha256)),
            Blobs::Folder(root) => Place::File(Self::path(root, sha256)),
        };
        self.remove_at(&at).await
    }

    /// Removes an entry found by [`Blobs::written_between`].
    pub async fn remove_written(&self, w: &Written) -> io::Result<()> {
        self.remove_at(&w.at).await
    }

    async fn remove_at(&self, at: &Place) -> io::Result<()> {
        let done = match (self, at) {
            (Blobs::S3 { bucket, .. }, Place::Object(key)) => {
                bucket.delete(key).await.map_err(io::Error::from)
            }
            (_, Place::File(path)) => tokio::fs::remove_file(path).await,
            (Blobs::Folder(_), Place::Object(_)) => Err(not_a_blob()),
        };
        match done {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// The blobs (and, in the folder, left-over temporary files) last written between `after`
    /// and `before`. On S3 this lists the bucket's keys under the prefix: S3 cannot filter by
    /// date, so the listing grows with the store (1,000 keys a request).
    pub async fn written_between(
        &self,
        after: SystemTime,
        before: SystemTime,
    ) -> io::Result<Vec<Written>> {
        let within = |t: SystemTime| t > after && t < before;
        let mut out = Vec::new();
        match self {
            Blobs::S3 { bucket, prefix } => {
                let under = (!prefix.is_empty()).then(|| Key::from(prefix.as_str()));
                let mut listed = bucket.list(under.as_ref());
                while let Some(meta) = listed.next().await {
                    let meta = meta?;
                    let name = meta.location.filename().unwrap_or_default().to_owned();
                    if is_blob_name(&name) && within(meta.last_modified.into()) {
                        out.push(Written {
                            name,
                            at: Place::Object(meta.location),
                        });
                    }
                }
            }
            Blobs::Folder(root) => {
                let Ok(mut top) = tokio::fs::read_dir(root).await else {
                    return Ok(out);
                };
                while let Some(dir) = top.next_entry().await? {
                    if !dir.file_type().await?.is_dir() {
                        continue;
                    }
                    let mut files = tokio::fs::read_dir(dir.path()).await?;
                    while let Some(f) = files.next_entry().await? {
                        if within(f.metadata().await?.modified()?) {
                            out.push(Written {
                                name: f.file_name().to_string_lossy().into_owned(),
                                at: Place::File(f.path()),
                            });
                        }
                    }
                }
            }
        }
        Ok(out)
    }
}
