//! The blob store: a local folder (`evidence_dir`), each blob named by the hex SHA-256 of its
//! bytes under a folder of its first two characters. A blob is written to a temporary name,
//! flushed and renamed, so a crash leaves either no blob or a whole one; it is written before the
//! row that names it, so a row never points at a missing blob, and a blob no row names (a crash
//! between the two, a rolled-back upload) is removed by [`Blobs::sweep`] after a grace period.

use std::io;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

/// How long a blob no row names is kept: longer than any upload transaction takes.
pub const ORPHAN_GRACE: Duration = Duration::from_secs(3600);

/// How far back the orphan sweep looks: orphans are made by uploads, so only blobs written in
/// the last day are checked, not the whole store on every round.
pub const ORPHAN_LOOKBACK: Duration = Duration::from_secs(25 * 3600);

pub struct Blobs {
    root: PathBuf,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Blobs {
    pub fn at(dir: &str) -> Blobs {
        Blobs {
            root: PathBuf::from(dir),
        }
    }

    fn path(&self, sha256: &str) -> Option<PathBuf> {
        let valid = sha256.len() == 64 && sha256.bytes().all(|c| c.is_ascii_hexdigit());
        valid.then(|| self.root.join(&sha256[..2]).join(sha256))
    }

    /// Stores `bytes` (once: the same bytes are the same blob) and returns their SHA-256.
    pub async fn put(&self, bytes: &[u8]) -> io::Result<String> {
        let sha = sha256_hex(bytes);
        let path = self.path(&sha).expect("a SHA-256 in hex");
        if tokio::fs::try_exists(&path).await? {
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
        Ok(sha)
    }

    /// The blob for reading, streamed by the caller.
    pub async fn open(&self, sha256: &str) -> io::Result<tokio::fs::File> {
        let path = self
            .path(sha256)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a blob name"))?;
        tokio::fs::File::open(path).await
    }

    pub async fn remove(&self, sha256: &str) -> io::Result<()> {
        let Some(path) = self.path(sha256) else {
            return Ok(());
        };
        match tokio::fs::remove_file(path).await {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// The blobs (and left-over temporary files) last written between `after` and `before`, by
    /// name.
    pub async fn written_between(
        &self,
        after: SystemTime,
        before: SystemTime,
    ) -> io::Result<Vec<(String, PathBuf)>> {
        let mut out = Vec::new();
        let Ok(mut top) = tokio::fs::read_dir(&self.root).await else {
            return Ok(out);
        };
        while let Some(dir) = top.next_entry().await? {
            if !dir.file_type().await?.is_dir() {
                continue;
            }
            let mut files = tokio::fs::read_dir(dir.path()).await?;
            while let Some(f) = files.next_entry().await? {
                let modified = f.metadata().await?.modified()?;
                if modified > after && modified < before {
                    out.push((f.file_name().to_string_lossy().into_owned(), f.path()));
                }
            }
        }
        Ok(out)
    }
}
