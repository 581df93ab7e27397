//! Settings from the environment, optionally layered over a TOML file.

use std::fmt;
use std::path::PathBuf;

use serde::Deserialize;

use crate::cases::Outcome;

mod evidence_store;
pub use evidence_store::{EvidenceStore, S3Store};

/// A value that must never reach logs or error messages.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub host: String,
    pub port: u16,
    /// SQLite file by default; `postgres://…` for PostgreSQL. Wrapped because it may carry a password.
    pub database_url: Secret,
    pub database_max_connections: u32,
    /// How long a request waits for a database connection before it is answered 503.
    pub database_acquire_timeout_seconds: u64,
    /// Where mail goes (see [`SmtpEndpoint`]): `smtp://host[:port]` to a local relay in clear,
    /// `smtp://user:pass@host:587?tls=required` for STARTTLS, `smtps://user:pass@host:465` for
    /// implicit TLS. Without it mail stays queued in the outbox.
    pub smtp_url: Option<Secret>,
    /// A PEM file of further CA certificates trusted for the SMTP server, beside the system's roots.
    pub smtp_ca_file: Option<PathBuf>,
    pub mail_from: String,
    /// Lifetime of a login token.
    pub token_ttl_hours: i64,
    /// Window in which a complaint by the same complainant against the same respondent is a probable duplicate.
    pub duplicate_window_days: i64,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// `json` for one JSON object per line, `text` for people.
    pub log_format: String,
    /// Run background workers (outbox sender, deadline sweeps) in this process.
    pub workers: bool,
    /// How long before a deadline its handlers are reminded.
    pub reminder_lead_hours: i64,
    /// Delivery attempts before a mail is parked as dead.
    pub mail_max_attempts: i32,
    /// How long a sender's claim on a batch of mail lasts before another instance may retry it.
    pub mail_claim_seconds: i64,
    /// Pause between two rounds of the deadline, ODR, transfer and lead sweeps.
    pub sweep_interval_seconds: u64,
    /// Categories that go to the on-duty urgent queue when received outside working time.
    pub urgent_categories: Vec<String>,
    /// Office hours on working days, Asia/Shanghai, `HH:MM`.
    pub office_opens: String,
    pub office_closes: String,
    /// An enrolled business with at least this many concluded ODR cases in a period…
    pub odr_min_cases: u64,
    /// …and a settlement rate or on-time rate below these is a candidate for suspension.
    pub odr_min_settlement_rate: f64,
    pub odr_min_on_time_rate: f64,
    /// This many complaints against one business within the window raise a mass-complaint alert.
    pub mass_complaint_threshold: u64,
    pub mass_complaint_window_days: i64,
    /// One complainant against this many different businesses within the window is flagged for review.
    pub serial_complainant_threshold: u64,
    pub serial_complainant_window_days: i64,
    /// Keys that sign issued 调解书: `KEY_ID:BUREAU:SEED` (BUREAU a county code or `*`, SEED 32
    /// bytes in base64); see `xiaobao signing-key`.
    pub signing_keys: Vec<Secret>,
    /// Failed logins allowed per account, and per client address, within the window; then 429.
    pub login_max_failures_per_account: u32,
    pub login_max_failures_per_address: u32,
    pub login_failure_window_minutes: i64,
    /// Failed tracking look-ups (wrong access secret) allowed per client address within the login
    /// window; then 429. The consumer's right secret from another address still works.
    pub track_max_failures_per_address: u32,
    /// How long an `Idempotency-Key` is remembered: a retry within it gets the first answer (the
    /// intake's access secret included); after it the key is forgotten.
    pub idempotency_window_hours: i64,
    /// Take the client address from `Forwarded`/`X-Forwarded-For` (only behind a proxy that sets it).
    pub trust_forwarded_for: bool,
    /// Signs the pages' session cookie: base64 of at least 64 bytes. Unset, a key is made at
    /// start, so sessions end with the process and do not span replicas.
    pub session_key: Option<Secret>,
    /// Where people reach the service, e.g. `https://12315.example.cn`: forms must come from this
    /// origin, and `https://` turns on `Secure` cookies and HSTS.
    pub public_url: Option<String>,
    /// Which endings of a case open a return visit (回访) by the handling station, and the share
    /// of those cases (in percent, chosen by a hash of the case id) that get one. Every agreement,
    /// termination and enterprise settlement is a proposal.
    pub return_visit_outcomes: Vec<Outcome>,
    pub return_visit_share_percent: u8,
    /// How long after a case closes its consumer may rate it (满意 / 基本满意 / 不满意), once.
    pub rating_window_days: i64,
    /// The folder evidence files are kept in (content-addressed blobs), created when missing.
    pub evidence_dir: String,
    /// The folder above, or an S3-compatible bucket for several instances.
    pub evidence_store: EvidenceStore,
    /// How long a blob no row names is kept before the sweep removes it: longer than any upload
    /// takes from its blobs to its commit.
    pub evidence_orphan_grace_seconds: u64,
    /// Limits on evidence: bytes a file, files a case, bytes a case.
    pub evidence_max_file_bytes: u64,
    pub evidence_max_files: u64,
    pub evidence_max_case_bytes: u64,
    /// The most pixels (width × height, as the file declares them) a photo may have to be
    /// decoded; a larger one is refused before any pixel is decompressed.
    pub evidence_max_pixels: u64,
    /// How long after a case closes its evidence files are kept (the hashes and metadata stay);
    /// three years is a proposal.
    pub evidence_retention_days: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            host: "0.0.0.0".into(),
            port: 8080,
            database_url: Secret::new("sqlite://xiaobao.db?mode=rwc"),
            database_max_connections: 16,
            database_acquire_timeout_seconds: 5,
            smtp_url: None,
            smtp_ca_file: None,
            mail_from: "xiaobao <noreply@xiaobao.local>".into(),
            token_ttl_hours: 12,
            duplicate_window_days: 30,
            max_body_bytes: 256 * 1024,
            log_format: "text".into(),
            workers: true,
            reminder_lead_hours: 24,
            mail_max_attempts: 8,
            mail_claim_seconds: 120,
            sweep_interval_seconds: 30,
            urgent_categories: [
                "food",
                "drug",
                "medical_device",
                "special_equipment",
                "tourism_price",
            ]
            .map(String::from)
            .to_vec(),
            office_opens: "08:30".into(),
            office_closes: "17:30".into(),
            odr_min_cases: 3,
            odr_min_settlement_rate: 0.5,
            odr_min_on_time_rate: 0.8,
            mass_complaint_threshold: 5,
            mass_complaint_window_days: 7,
            serial_complainant_threshold: 5,
            serial_complainant_window_days: 30,
            signing_keys: Vec::new(),
            login_max_failures_per_account: 5,
            login_max_failures_per_address: 30,
            login_failure_window_minutes: 15,
            track_max_failures_per_address: 20,
            idempotency_window_hours: 24,
            trust_forwarded_for: false,
            session_key: None,
            public_url: None,
            return_visit_outcomes: vec![
                Outcome::MediatedAgreement,
                Outcome::Terminated,
                Outcome::SettledByEnterprise,
            ],
            return_visit_share_percent: 100,
            rating_window_days: 30,
            evidence_dir: "xiaobao-evidence".into(),
            evidence_store: EvidenceStore::Folder,
            evidence_orphan_grace_seconds: 3600,
            evidence_max_file_bytes: 10 * 1024 * 1024,
            evidence_max_files: 20,
            evidence_max_case_bytes: 50 * 1024 * 1024,
            evidence_max_pixels: 50_000_000,
            evidence_retention_days: 3 * 365,
        }
    }
}

#[derive(Debug)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "configuration error: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}

impl Settings {
    /// Reads `XIAOBAO_CONFIG` (or `./xiaobao.toml` when present), then lets environment variables win:
    /// the contract's `PORT`, `DATABASE_URL`, `SMTP_URL` and `XIAOBAO_<FIELD>` for every other field.
    pub fn load() -> Result<Self, ConfigError> {
        Self::load_from(|key| std::env::var(key).ok())
    }

    pub fn load_from(env: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let file = env("XIAOBAO_CONFIG").map(PathBuf::from).or_else(|| {
            let default = PathBuf::from("xiaobao.toml");
            default.exists().then_some(default)
        });
        let mut settings = match file {
            Some(path) => {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| ConfigError(format!("cannot read {}: {e}", path.display())))?;
                toml::from_str(&text)
                    .map_err(|e| ConfigError(format!("{}: {e}", path.display())))?
            }
            None => Settings::default(),
        };
        let var = |plain: &str, field: &str| {
            env(plain).or_else(|| env(&format!("XIAOBAO_{}", field.to_ascii_uppercase())))
        };
        if let Some(v) = var("HOST", "host") {
            settings.host = v;
        }
        if let Some(v) = var("PORT", "port") {
            settings.port = parse_num("PORT", &v)?;
        }
        if let Some(v) = var("DATABASE_URL", "database_url") {
            settings.database_url = Secret::new(v);
        }
        if let Some(v) = var("SMTP_URL", "smtp_url") {
            settings.smtp_url = (!v.is_empty()).then(|| Secret::new(v));
        }
        let prefixed = |field: &str| env(&format!("XIAOBAO_{}", field.to_ascii_uppercase()));
        if let Some(v) = prefixed("smtp_ca_file") {
            settings.smtp_ca_file = (!v.is_empty()).then(|| PathBuf::from(v));
        }
        if let Some(v) = prefixed("database_max_connections") {
            settings.database_max_connections = parse_num("XIAOBAO_DATABASE_MAX_CONNECTIONS", &v)?;
        }
        if let Some(v) = prefixed("mail_from") {
            settings.mail_from = v;
        }
        if let Some(v) = prefixed("token_ttl_hours") {
            settings.token_ttl_hours = parse_num("XIAOBAO_TOKEN_TTL_HOURS", &v)?;
        }
        if let Some(v) = prefixed("duplicate_window_days") {
            settings.duplicate_window_days = parse_num("XIAOBAO_DUPLICATE_WINDOW_DAYS", &v)?;
        }
        if let Some(v) = prefixed("max_body_bytes") {
            settings.max_body_bytes = parse_num("XIAOBAO_MAX_BODY_BYTES", &v)?;
        }
        if let Some(v) = prefixed("log_format") {
            settings.log_format = v;
        }
        if let Some(v) = prefixed("workers") {
            settings.workers = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(v) = prefixed("reminder_lead_hours") {
            settings.reminder_lead_hours = parse_num("XIAOBAO_REMINDER_LEAD_HOURS", &v)?;
        }
        if let Some(v) = prefixed("mail_max_attempts") {
            settings.mail_max_attempts = parse_num("XIAOBAO_MAIL_MAX_ATTEMPTS", &v)?;
        }
        if let Some(v) = prefixed("database_acquire_timeout_seconds") {
            settings.database_acquire_timeout_seconds =
                parse_num("XIAOBAO_DATABASE_ACQUIRE_TIMEOUT_SECONDS", &v)?;
        }
        if let Some(v) = prefixed("mail_claim_seconds") {
            settings.mail_claim_seconds = parse_num("XIAOBAO_MAIL_CLAIM_SECONDS", &v)?;
        }
        if let Some(v) = prefixed("sweep_interval_seconds") {
            settings.sweep_interval_seconds = parse_num("XIAOBAO_SWEEP_INTERVAL_SECONDS", &v)?;
        }
        if let Some(v) = prefixed("urgent_categories") {
            settings.urgent_categories = v
                .split(',')
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty())
                .collect();
        }
        if let Some(v) = prefixed("office_opens") {
            settings.office_opens = v;
        }
        if let Some(v) = prefixed("office_closes") {
            settings.office_closes = v;
        }
        if let Some(v) = prefixed("odr_min_cases") {
            settings.odr_min_cases = parse_num("XIAOBAO_ODR_MIN_CASES", &v)?;
        }
        if let Some(v) = prefixed("odr_min_settlement_rate") {
            settings.odr_min_settlement_rate = parse_num("XIAOBAO_ODR_MIN_SETTLEMENT_RATE", &v)?;
        }
        if let Some(v) = prefixed("odr_min_on_time_rate") {
            settings.odr_min_on_time_rate = parse_num("XIAOBAO_ODR_MIN_ON_TIME_RATE", &v)?;
        }
        if let Some(v) = prefixed("mass_complaint_threshold") {
            settings.mass_complaint_threshold = parse_num("XIAOBAO_MASS_COMPLAINT_THRESHOLD", &v)?;
        }
        if let Some(v) = prefixed("mass_complaint_window_days") {
            settings.mass_complaint_window_days =
                parse_num("XIAOBAO_MASS_COMPLAINT_WINDOW_DAYS", &v)?;
        }
        if let Some(v) = prefixed("serial_complainant_threshold") {
            settings.serial_complainant_threshold =
                parse_num("XIAOBAO_SERIAL_COMPLAINANT_THRESHOLD", &v)?;
        }
        if let Some(v) = prefixed("serial_complainant_window_days") {
            settings.serial_complainant_window_days =
                parse_num("XIAOBAO_SERIAL_COMPLAINANT_WINDOW_DAYS", &v)?;
        }
        if let Some(v) = prefixed("signing_keys") {
            settings.signing_keys = v
                .split(',')
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(Secret::new)
                .collect();
        }
        if let Some(v) = prefixed("login_max_failures_per_account") {
            settings.login_max_failures_per_account =
                parse_num("XIAOBAO_LOGIN_MAX_FAILURES_PER_ACCOUNT", &v)?;
        }
        if let Some(v) = prefixed("login_max_failures_per_address") {
            settings.login_max_failures_per_address =
                parse_num("XIAOBAO_LOGIN_MAX_FAILURES_PER_ADDRESS", &v)?;
        }
        if let Some(v) = prefixed("login_failure_window_minutes") {
            settings.login_failure_window_minutes =
                parse_num("XIAOBAO_LOGIN_FAILURE_WINDOW_MINUTES", &v)?;
        }
        if let Some(v) = prefixed("track_max_failures_per_address") {
            settings.track_max_failures_per_address =
                parse_num("XIAOBAO_TRACK_MAX_FAILURES_PER_ADDRESS", &v)?;
        }
        if let Some(v) = prefixed("idempotency_window_hours") {
            settings.idempotency_window_hours = parse_num("XIAOBAO_IDEMPOTENCY_WINDOW_HOURS", &v)?;
        }
        if let Some(v) = prefixed("trust_forwarded_for") {
            settings.trust_forwarded_for = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(v) = prefixed("session_key") {
            settings.session_key = (!v.is_empty()).then(|| Secret::new(v));
        }
        if let Some(v) = prefixed("public_url") {
            settings.public_url = (!v.is_empty()).then_some(v);
        }
        if let Some(v) = prefixed("return_visit_outcomes") {
            settings.return_visit_outcomes = v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    Outcome::parse(s).ok_or_else(|| {
                        ConfigError(format!(
                            "XIAOBAO_RETURN_VISIT_OUTCOMES: {s:?} is not an outcome of a case"
                        ))
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        if let Some(v) = prefixed("return_visit_share_percent") {
            settings.return_visit_share_percent =
                parse_num("XIAOBAO_RETURN_VISIT_SHARE_PERCENT", &v)?;
            if settings.return_visit_share_percent > 100 {
                return Err(ConfigError(
                    "XIAOBAO_RETURN_VISIT_SHARE_PERCENT: at most 100".to_owned(),
                ));
            }
        }
        if let Some(v) = prefixed("rating_window_days") {
            settings.rating_window_days = parse_num("XIAOBAO_RATING_WINDOW_DAYS", &v)?;
        }
        if let Some(v) = prefixed("evidence_dir") {
            settings.evidence_dir = v;
        }
        settings.evidence_store =
            EvidenceStore::from_env(settings.evidence_store, &env).map_err(ConfigError)?;
        if let Some(v) = prefixed("evidence_orphan_grace_seconds") {
            settings.evidence_orphan_grace_seconds =
                parse_num("XIAOBAO_EVIDENCE_ORPHAN_GRACE_SECONDS", &v)?;
        }
        if let Some(v) = prefixed("evidence_max_file_bytes") {
            settings.evidence_max_file_bytes = parse_num("XIAOBAO_EVIDENCE_MAX_FILE_BYTES", &v)?;
        }
        if let Some(v) = prefixed("evidence_max_files") {
            settings.evidence_max_files = parse_num("XIAOBAO_EVIDENCE_MAX_FILES", &v)?;
        }
        if let Some(v) = prefixed("evidence_max_case_bytes") {
            settings.evidence_max_case_bytes = parse_num("XIAOBAO_EVIDENCE_MAX_CASE_BYTES", &v)?;
        }
        if let Some(v) = prefixed("evidence_max_pixels") {
            settings.evidence_max_pixels = parse_num("XIAOBAO_EVIDENCE_MAX_PIXELS", &v)?;
        }
        if let Some(v) = prefixed("evidence_retention_days") {
            settings.evidence_retention_days = parse_num("XIAOBAO_EVIDENCE_RETENTION_DAYS", &v)?;
        }
        if settings.session_key.is_some()
            && settings.session_key_bytes().is_none_or(|k| k.len() < 64)
        {
            return Err(ConfigError(
                "XIAOBAO_SESSION_KEY must be base64 of at least 64 bytes".into(),
            ));
        }
        if let Some(url) = &settings.public_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err(ConfigError(format!(
                "XIAOBAO_PUBLIC_URL must start with https:// or http://, got {url:?}"
            )));
        }
        if let Some(url) = &settings.smtp_url {
            SmtpEndpoint::parse(url.expose()).map_err(ConfigError)?;
        }
        for (name, value) in [
            ("office_opens", &settings.office_opens),
            ("office_closes", &settings.office_closes),
        ] {
            if chrono::NaiveTime::parse_from_str(value, "%H:%M").is_err() {
                return Err(ConfigError(format!("{name} must be HH:MM, got {value:?}")));
            }
        }
        Ok(settings)
    }

    /// The decoded session key, when one is configured and is valid base64.
    pub fn session_key_bytes(&self) -> Option<Vec<u8>> {
        use base64::Engine;
        let key = self.session_key.as_ref()?;
        base64::engine::general_purpose::STANDARD
            .decode(key.expose().trim())
            .ok()
    }

    /// Served over TLS (by a proxy in front, as a rule): cookies are `Secure` and HSTS is sent.
    pub fn served_over_tls(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }

    pub fn is_postgres(&self) -> bool {
        self.database_url.expose().starts_with("postgres")
    }
}

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// `smtp://` without `tls=…`: clear text, for a relay on the same host or network.
    Plain,
    /// `smtp://…?tls=required`: STARTTLS, and no mail at all if the server does not offer it.
    StartTls,
    /// `smtps://`: TLS from the first byte.
    Implicit,
}

/// A parsed `SMTP_URL`. Its `Debug` never shows the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpEndpoint {
    pub security: SmtpSecurity,
    pub host: String,
    pub port: u16,
    /// Percent-decoded user name and password, when the URL carries them.
    pub credentials: Option<(String, Secret)>,
}

impl SmtpEndpoint {
    /// Parses `smtp[s]://[user[:password]@]host[:port][/][?tls=required]`. An error names
    /// `SMTP_URL` and shows the URL with its password masked.
    pub fn parse(url: &str) -> Result<SmtpEndpoint, String> {
        let bad = |why: &str| format!("SMTP_URL {:?} is invalid: {why}", redact_url(url));
        let (security, rest) = if let Some(rest) = url.strip_prefix("smtps://") {
            (SmtpSecurity::Implicit, rest)
        } else if let Some(rest) = url.strip_prefix("smtp://") {
            (SmtpSecurity::Plain, rest)
        } else {
            return Err(bad("it must start with smtp:// or smtps://"));
        };
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let mut security = security;
        for pair in query.into_iter().flat_map(|q| q.split('&')) {
            match (pair, security) {
                ("tls=required", SmtpSecurity::Plain | SmtpSecurity::StartTls) => {
                    security = SmtpSecurity::StartTls
                }
                ("tls=required", SmtpSecurity::Implicit) => {
                    return Err(bad("smtps:// is TLS already; tls=required is for smtp://"));
                }
                _ => return Err(bad("the only query parameter understood is tls=required")),
            }
        }
        let (user_pass, host_port) = match rest.rsplit_once('@') {
            Some((up, hp)) => (Some(up), hp),
            None => (None, rest),
        };
        let credentials = match user_pass {
            Some(up) => {
                let (user, pass) = up.split_once(':').unwrap_or((up, ""));
                let user = percent_decode(user).ok_or_else(|| bad("bad percent-encoding"))?;
                let pass = percent_decode(pass).ok_or_else(|| bad("bad percent-encoding"))?;
                if user.is_empty() {
                    return Err(bad("the user name is empty"));
                }
                Some((user, Secret::new(pass)))
            }
            None => None,
        };
        let default_port = match security {
            SmtpSecurity::Plain => 25,
            SmtpSecurity::StartTls => 587,
            SmtpSecurity::Implicit => 465,
        };
        let (host, port) = if let Some(v6) = host_port.strip_prefix('[') {
            let (h, after) = v6
                .split_once(']')
                .ok_or_else(|| bad("unclosed [ in the host"))?;
            match after.strip_prefix(':') {
                Some(p) => (h, p),
                None if after.is_empty() => (h, ""),
                None => return Err(bad("junk after the host")),
            }
        } else {
            host_port.rsplit_once(':').unwrap_or((host_port, ""))
        };
        let port = if port.is_empty() {
            default_port
        } else {
            match port.parse::<u16>() {
                Ok(p) if p > 0 => p,
                _ => return Err(bad("the port must be a number from 1 to 65535")),
            }
        };
        if host.is_empty() || host.contains(['/', '@', ' ', '#']) {
            return Err(bad("the host is missing or malformed"));
        }
        Ok(SmtpEndpoint {
            security,
            host: host.to_owned(),
            port,
            credentials,
        })
    }
}

/// The URL with the password replaced by `***`, for messages. Everything between the first `:`
/// after the scheme and the last `@` is masked, so a password with unencoded `/`, `?` or `@`
/// never shows either.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.rsplit_once('@') {
        Some((user_pass, host)) => {
            let user = user_pass.split_once(':').map_or(user_pass, |(u, _)| u);
            format!("{scheme}://{user}:***@{host}")
        }
        None => url.to_owned(),
    }
}

fn percent_decode(s: &str) -> Option<String> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

fn parse_num<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, ConfigError> {
    value
        .trim()
        .parse()
        .map_err(|_| ConfigError(format!("{name} must be a number, got {value:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn environment_overrides_defaults_and_secrets_do_not_print() {
        let env: HashMap<&str, &str> = HashMap::from([
            ("PORT", "9090"),
            ("DATABASE_URL", "postgres://u:hunter2@db/x"),
            ("XIAOBAO_DUPLICATE_WINDOW_DAYS", "7"),
        ]);
        let s = Settings::load_from(|k| env.get(k).map(|v| v.to_string())).unwrap();
        assert_eq!(s.port, 9090);
        assert_eq!(s.duplicate_window_days, 7);
        assert!(s.is_postgres());
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn return_visits_are_configured_by_ending_and_share() {
        let s = Settings::load_from(|k| {
            (k == "XIAOBAO_RETURN_VISIT_OUTCOMES").then(|| "terminated, refused".into())
        })
        .unwrap();
        assert_eq!(
            s.return_visit_outcomes,
            vec![Outcome::Terminated, Outcome::Refused]
        );
        let none =
            Settings::load_from(|k| (k == "XIAOBAO_RETURN_VISIT_OUTCOMES").then(String::new));
        assert!(none.unwrap().return_visit_outcomes.is_empty());
        let bad =
            Settings::load_from(|k| (k == "XIAOBAO_RETURN_VISIT_OUTCOMES").then(|| "won".into()));
        assert!(bad.unwrap_err().to_string().contains("\"won\""));
        let over = Settings::load_from(|k| {
            (k == "XIAOBAO_RETURN_VISIT_SHARE_PERCENT").then(|| "101".into())
        });
        assert!(over.unwrap_err().to_string().contains("at most 100"));
    }

    #[test]
    fn a_short_session_key_is_refused_and_https_means_tls() {
        let short =
            Settings::load_from(|k| (k == "XIAOBAO_SESSION_KEY").then(|| "c2hvcnQ=".into()));
        assert!(short.unwrap_err().to_string().contains("64 bytes"));
        let s = Settings::load_from(|k| {
            (k == "XIAOBAO_PUBLIC_URL").then(|| "https://12315.example.cn".into())
        })
        .unwrap();
        assert!(s.served_over_tls());
        assert!(!Settings::default().served_over_tls());
    }

    #[test]
    fn smtp_urls_name_their_security_and_decode_credentials() {
        let e =
            SmtpEndpoint::parse("smtps://mail%40bureau.cn:p%40ss%3Aw0rd@smtp.example.cn").unwrap();
        assert_eq!(e.security, SmtpSecurity::Implicit);
        assert_eq!((e.host.as_str(), e.port), ("smtp.example.cn", 465));
        let (user, pass) = e.credentials.clone().unwrap();
        assert_eq!(
            (user.as_str(), pass.expose()),
            ("mail@bureau.cn", "p@ss:w0rd")
        );
        assert!(!format!("{e:?}").contains("p@ss"));

        let e = SmtpEndpoint::parse("smtp://u:p@relay.example.cn?tls=required").unwrap();
        assert_eq!((e.security, e.port), (SmtpSecurity::StartTls, 587));
        let e = SmtpEndpoint::parse("smtp://u:p@relay.example.cn:2525/?tls=required").unwrap();
        assert_eq!((e.security, e.port), (SmtpSecurity::StartTls, 2525));
        let e = SmtpEndpoint::parse("smtp://127.0.0.1:1025").unwrap();
        assert_eq!(e.security, SmtpSecurity::Plain);
        assert_eq!(
            (e.host.as_str(), e.port, e.credentials),
            ("127.0.0.1", 1025, None)
        );
        let e = SmtpEndpoint::parse("smtp://[::1]:2525").unwrap();
        assert_eq!((e.host.as_str(), e.port), ("::1", 2525));
    }

    #[test]
    fn a_bad_smtp_url_stops_startup_naming_it_without_the_password() {
        for url in [
            "http://u:hunter2@mail.example.cn",
            "smtp://u:hunter2@mail.example.cn:99999",
            "smtp://u:hunter2@mail.example.cn?tls=maybe",
            "smtps://u:hunter2@mail.example.cn?tls=required",
            "smtp://u:hunter2@",
            "smtp://u:hunter2%ff@mail.example.cn",
            "smtp://u:hunter2/?x@mail.example.cn:0",
        ] {
            let err = Settings::load_from(|k| (k == "SMTP_URL").then(|| url.to_string()))
                .unwrap_err()
                .to_string();
            assert!(err.contains("SMTP_URL"), "{err}");
            assert!(!err.contains("hunter2"), "{err}");
            assert!(err.contains("u:***@"), "{err}");
        }
        let s = Settings::load_from(|k| match k {
            "SMTP_URL" => Some("smtps://u:hunter2@mail.example.cn".into()),
            "XIAOBAO_SMTP_CA_FILE" => Some("/etc/xiaobao/ca.pem".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(
            s.smtp_ca_file.as_deref(),
            Some(std::path::Path::new("/etc/xiaobao/ca.pem"))
        );
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn a_bad_number_is_a_clear_error() {
        let err = Settings::load_from(|k| (k == "PORT").then(|| "eighty".to_string())).unwrap_err();
        assert!(err.to_string().contains("PORT"));
    }
}
