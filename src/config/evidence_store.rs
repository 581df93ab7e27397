//! Where evidence blobs are kept: the local folder `evidence_dir` (the default, for one instance)
//! or a bucket of an S3-compatible object store (for several instances sharing one store).

use std::fmt;

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum EvidenceStore {
    /// The folder `evidence_dir`.
    #[default]
    Folder,
    S3(S3Store),
}

/// A bucket of Amazon S3 or of an S3-compatible server (MinIO, Ceph, a cloud's OSS). Its
/// credentials come from the standard `AWS_*` variables, never from the file, and never print.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct S3Store {
    pub bucket: String,
    /// The server's URL for an S3-compatible server (path-style requests); unset for Amazon S3.
    pub endpoint: Option<String>,
    pub region: String,
    /// Keys are `{prefix}/{first two hex}/{sha256}`; empty for the bucket's root.
    pub prefix: String,
    /// Allow an `http://` endpoint (a server on the same host or network).
    pub allow_http: bool,
    #[serde(skip)]
    pub access_key_id: Option<String>,
    #[serde(skip)]
    pub secret_access_key: Option<String>,
    #[serde(skip)]
    pub session_token: Option<String>,
}

impl fmt::Debug for S3Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |v: &Option<String>| v.as_ref().map(|_| "[redacted]");
        f.debug_struct("S3Store")
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("prefix", &self.prefix)
            .field("allow_http", &self.allow_http)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &redacted(&self.secret_access_key))
            .field("session_token", &redacted(&self.session_token))
            .finish()
    }
}

impl EvidenceStore {
    /// `store` as read so far (from the file) with `XIAOBAO_EVIDENCE_STORE` (`folder` or `s3`),
    /// `XIAOBAO_S3_BUCKET`, `…_ENDPOINT`, `…_REGION`, `…_PREFIX`, `…_ALLOW_HTTP` and
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` over it.
    pub fn from_env(
        store: EvidenceStore,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<EvidenceStore, String> {
        let mut store = match env("XIAOBAO_EVIDENCE_STORE").as_deref() {
            None => store,
            Some("folder") => EvidenceStore::Folder,
            Some("s3") => match store {
                EvidenceStore::S3(s) => EvidenceStore::S3(s),
                EvidenceStore::Folder => EvidenceStore::S3(S3Store::default()),
            },
            Some(other) => {
                return Err(format!(
                    "XIAOBAO_EVIDENCE_STORE must be folder or s3, got {other:?}"
                ));
            }
        };
        let EvidenceStore::S3(s) = &mut store else {
            return Ok(store);
        };
        let text = |var: &str, to: &mut String| {
            if let Some(v) = env(var) {
                *to = v;
            }
        };
        text("XIAOBAO_S3_BUCKET", &mut s.bucket);
        text("XIAOBAO_S3_REGION", &mut s.region);
        text("XIAOBAO_S3_PREFIX", &mut s.prefix);
        let optional = |var: &str, to: &mut Option<String>| {
            if let Some(v) = env(var) {
                *to = (!v.is_empty()).then_some(v);
            }
        };
        optional("XIAOBAO_S3_ENDPOINT", &mut s.endpoint);
        optional("AWS_ACCESS_KEY_ID", &mut s.access_key_id);
        optional("AWS_SECRET_ACCESS_KEY", &mut s.secret_access_key);
        optional("AWS_SESSION_TOKEN", &mut s.session_token);
        if let Some(v) = env("XIAOBAO_S3_ALLOW_HTTP") {
            s.allow_http = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if s.region.is_empty() {
            s.region = "us-east-1".into();
        }
        s.prefix = s.prefix.trim_matches('/').to_owned();
        if s.bucket.is_empty() {
            return Err("XIAOBAO_EVIDENCE_STORE=s3 needs XIAOBAO_S3_BUCKET".into());
        }
        if let Some(url) = &s.endpoint {
            let http = url.starts_with("http://");
            if !(http || url.starts_with("https://")) {
                return Err(format!(
                    "XIAOBAO_S3_ENDPOINT must start with https:// or http://, got {url:?}"
                ));
            }
            if http && !s.allow_http {
                return Err(format!(
                    "XIAOBAO_S3_ENDPOINT {url:?} is plain http; set XIAOBAO_S3_ALLOW_HTTP=true to allow it"
                ));
            }
        }
        if s.access_key_id.is_some() != s.secret_access_key.is_some() {
            return Err("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together".into());
        }
        Ok(store)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(vars: &[(&str, &str)]) -> Result<EvidenceStore, String> {
        let env: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        EvidenceStore::from_env(EvidenceStore::Folder, |k| env.get(k).cloned())
    }

    #[test]
    fn the_folder_is_the_default_and_s3_takes_its_bucket_and_credentials_without_printing_them() {
        assert_eq!(read(&[]).unwrap(), EvidenceStore::Folder);
        let s3 = read(&[
            ("XIAOBAO_EVIDENCE_STORE", "s3"),
            ("XIAOBAO_S3_BUCKET", "evidence"),
            ("XIAOBAO_S3_ENDPOINT", "http://127.0.0.1:9000"),
            ("XIAOBAO_S3_ALLOW_HTTP", "true"),
            ("XIAOBAO_S3_PREFIX", "/xiaobao/"),
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "hunter2"),
        ])
        .unwrap();
        let EvidenceStore::S3(s) = &s3 else {
            panic!("{s3:?}")
        };
        assert_eq!(
            (s.bucket.as_str(), s.region.as_str(), s.prefix.as_str()),
            ("evidence", "us-east-1", "xiaobao")
        );
        assert_eq!(s.secret_access_key.as_deref(), Some("hunter2"));
        assert!(!format!("{s3:?}").contains("hunter2"));
    }

    #[test]
    fn an_s3_store_without_a_bucket_or_over_plain_http_unasked_is_refused() {
        let no_bucket = read(&[("XIAOBAO_EVIDENCE_STORE", "s3")]).unwrap_err();
        assert!(no_bucket.contains("XIAOBAO_S3_BUCKET"), "{no_bucket}");
        let http = read(&[
            ("XIAOBAO_EVIDENCE_STORE", "s3"),
            ("XIAOBAO_S3_BUCKET", "b"),
            ("XIAOBAO_S3_ENDPOINT", "http://minio:9000"),
        ])
        .unwrap_err();
        assert!(http.contains("XIAOBAO_S3_ALLOW_HTTP"), "{http}");
        let half = read(&[
            ("XIAOBAO_EVIDENCE_STORE", "s3"),
            ("XIAOBAO_S3_BUCKET", "b"),
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        ])
        .unwrap_err();
        assert!(half.contains("go together"), "{half}");
        let kind = read(&[("XIAOBAO_EVIDENCE_STORE", "gcs")]).unwrap_err();
        assert!(kind.contains("folder or s3"), "{kind}");
    }
}
