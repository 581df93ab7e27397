//! Mail through a transactional outbox: `enqueue` writes a message in the caller's transaction, and
//! `deliver_due` sends what is due over SMTP with lettre, retrying with exponential backoff and
//! parking a message as dead after the last attempt.

pub mod dead;
pub mod http;
pub mod status;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use lettre::message::{
    Attachment as MailAttachment, Mailbox, MultiPart, SinglePart, header::ContentType,
};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, NotSet, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

use crate::config::{Settings, SmtpEndpoint, SmtpSecurity};
use crate::entities::outbox;
use status::OutboxStatus;

/// Messages claimed per round.
pub const BATCH: u64 = 50;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub data_base64: String,
}

impl Attachment {
    pub fn new(filename: &str, content_type: &str, data: &[u8]) -> Self {
        Attachment {
            filename: filename.to_owned(),
            content_type: content_type.to_owned(),
            data_base64: STANDARD.encode(data),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
    pub attachments: Vec<Attachment>,
    /// A single-use secret that appears in the body: once the mail is sent the outbox keeps the
    /// body with the secret replaced by [`SECRET_SENT`], never the secret itself.
    pub secret: Option<String>,
}

/// What stands in a sent mail's stored body where its secret was.
pub const SECRET_SENT: &str = "（已发送，系统不再保存）";

/// A mail as a pending outbox row; `None` when it has no recipient.
pub fn outbox_row(
    mail: &Mail,
    dedupe_key: Option<&str>,
    now: DateTime<Utc>,
) -> Option<outbox::ActiveModel> {
    (!mail.to.is_empty()).then(|| outbox::ActiveModel {
        id: NotSet,
        dedupe_key: Set(dedupe_key.map(str::to_owned)),
        recipients: Set(serde_json::to_string(&mail.to).unwrap_or_default()),
        subject: Set(mail.subject.clone()),
        body: Set(mail.body.clone()),
        secret: Set(mail.secret.clone()),
        attachments: Set(serde_json::to_string(&mail.attachments).unwrap_or_default()),
        status: Set(OutboxStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        locked_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        claim_token: Set(None),
    })
}

/// Queues a mail in the caller's transaction. With a `dedupe_key` a second enqueue of the same
/// message is a no-op (returns false), so a retried step never mails twice.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    mail: &Mail,
    dedupe_key: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let Some(row) = outbox_row(mail, dedupe_key, now) else {
        return Ok(false);
    };
    // ON CONFLICT rather than catching the violation: on PostgreSQL a failed statement would
    // abort the caller's transaction.
    let inserted = outbox::Entity::insert(row)
        .on_conflict(
            OnConflict::column(outbox::Column::DedupeKey)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(inserted > 0)
}

/// Sends over SMTP.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    max_attempts: i32,
    claim: Duration,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    pub sent: usize,
    pub retried: usize,
    pub dead: usize,
}

impl Mailer {
    /// A mailer for `smtp_url` (see [`SmtpEndpoint::parse`]) trusting the system's roots.
    pub fn new(smtp_url: &str, from: &str, max_attempts: i32) -> Result<Mailer, String> {
        Mailer::with_ca_file(smtp_url, None, from, max_attempts)
    }

    /// As [`Mailer::new`], also trusting the CA certificates in the PEM file `ca_file`.
    pub fn with_ca_file(
        smtp_url: &str,
        ca_file: Option<&Path>,
        from: &str,
        max_attempts: i32,
    ) -> Result<Mailer, String> {
        let transport = smtp_transport(smtp_url, ca_file)?;
        let from = from.parse().map_err(|e| format!("mail_from: {e}"))?;
        Ok(Mailer {
            transport,
            from,
            max_attempts,
            claim: Duration::seconds(120),
        })
    }

    /// The configured mailer, `None` without `SMTP_URL`; an error names the bad setting.
    pub fn from_settings(settings: &Settings) -> Result<Option<Mailer>, String> {
        let Some(url) = &settings.smtp_url else {
            return Ok(None);
        };
        let mailer = Mailer::with_ca_file(
            url.expose(),
            settings.smtp_ca_file.as_deref(),
            &settings.mail_from,
            settings.mail_max_attempts,
        )?;
        Ok(Some(mailer.with_claim(Duration::seconds(
            settings.mail_claim_seconds.max(1),
        ))))
    }

    /// How long a claim lasts (default two minutes); it must outlast one round's sending.
    pub fn with_claim(mut self, claim: Duration) -> Mailer {
        self.claim = claim;
        self
    }

    /// Claims a batch of due messages in one statement, sends them at once, and marks them in one
    /// more. The claim writes this round's own token under a lease, so two instances never hold
    /// the same message at once; a message whose sender died is retried when the lease lapses, and
    /// then goes out again under the same Message-ID (at-least-once, deduplicable by the mailbox).
    pub async fn deliver_due(
        &self,
        db: &impl ConnectionTrait,
        now: DateTime<Utc>,
    ) -> Result<Delivery, DbErr> {
        let token = uuid::Uuid::new_v4().simple().to_string();
        let due: Vec<i64> = outbox::Entity::find()
            .select_only()
            .column(outbox::Column::Id)
            .filter(outbox::Column::Status.eq(OutboxStatus::Pending))
            .filter(outbox::Column::NextAttemptAt.lte(now))
            .filter(unclaimed(now))
            .order_by_asc(outbox::Column::Id)
            .limit(BATCH)
            .into_tuple()
            .all(db)
            .await?;
        if due.is_empty() {
            return Ok(Delivery::default());
        }
        // The conditions are checked again on each row as it is updated, so of two instances that
        // picked the same candidates only one claims each (PostgreSQL re-reads a row it waited
        // for; SQLite has one writer at a time).
        let claimed_at = std::time::Instant::now();
        let claimed = outbox::Entity::update_many()
            .col_expr(outbox::Column::LockedUntil, Expr::value(now + self.claim))
            .col_expr(outbox::Column::ClaimToken, Expr::value(token.as_str()))
            .col_expr(
                outbox::Column::Attempts,
                sea_orm::sea_query::ExprTrait::add(Expr::col(outbox::Column::Attempts), 1),
            )
            .filter(outbox::Column::Id.is_in(due))
            .filter(outbox::Column::Status.eq(OutboxStatus::Pending))
            .filter(unclaimed(now))
            .exec(db)
            .await?;
        let mut report = Delivery::default();
        if claimed.rows_affected == 0 {
            return Ok(report);
        }
        let batch = outbox::Entity::find()
            .filter(outbox::Column::ClaimToken.eq(token.as_str()))
            .filter(outbox::Column::Status.eq(OutboxStatus::Pending))
            .order_by_asc(outbox::Column::Id)
            .all(db)
            .await?;
        let results = futures_util::future::join_all(batch.iter().map(|msg| self.send(msg))).await;
        let sent: Vec<i64> = batch
            .iter()
            .zip(&results)
            .filter(|(_, r)| r.is_ok())
            .map(|(msg, _)| msg.id)
            .collect();
        report.sent = sent.len();
        // First what was sent, so that a failure below cannot have it sent again.
        self.mark_sent(db, sent, now, claimed_at).await?;
        for (msg, result) in batch.into_iter().zip(results) {
            let Err(e) = result else {
                continue;
            };
            let attempts = msg.attempts;
            tracing::warn!(outbox_id = msg.id, attempts, error = %e, "mail delivery failed");
            let mut failed = outbox::Entity::update_many()
                .col_expr(outbox::Column::LastError, Expr::value(e))
                .col_expr(
                    outbox::Column::LockedUntil,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .col_expr(
                    outbox::Column::ClaimToken,
                    Expr::value(Option::<String>::None),
                );
            if attempts >= self.max_attempts {
                failed = failed.col_expr(
                    outbox::Column::Status,
                    Expr::value(OutboxStatus::Dead.as_str()),
                );
                report.dead += 1;
            } else {
                failed = failed.col_expr(
                    outbox::Column::NextAttemptAt,
                    Expr::value(now + backoff(attempts)),
                );
                report.retried += 1;
            }
            failed
                .filter(outbox::Column::Id.eq(msg.id))
                .filter(outbox::Column::ClaimToken.eq(token.as_str()))
                .exec(db)
                .await?;
        }
        Ok(report)
    }

    /// Marks messages sent. While the database cannot be reached it tries again, for as long as
    /// the claim taken at `claimed_at` holds: once it lapses another round may send them again, so
    /// a mark that lands late still saves every recipient a second copy.
    async fn mark_sent(
        &self,
        db: &impl ConnectionTrait,
        sent: Vec<i64>,
        now: DateTime<Utc>,
        claimed_at: std::time::Instant,
    ) -> Result<(), DbErr> {
        if sent.is_empty() {
            return Ok(());
        }
        let lease = self.claim.to_std().unwrap_or_default();
        let mut pause = std::time::Duration::from_millis(100);
        loop {
            // Sent is sent, even if the lease lapsed meanwhile and another round took the message.
            let marked = outbox::Entity::update_many()
                .col_expr(
                    outbox::Column::Status,
                    Expr::value(OutboxStatus::Sent.as_str()),
                )
                .col_expr(outbox::Column::SentAt, Expr::value(now))
                .col_expr(
                    outbox::Column::Body,
                    Expr::cust(format!(
                        "COALESCE(REPLACE(body, secret, '{SECRET_SENT}'), body)"
                    )),
                )
                .col_expr(outbox::Column::Secret, Expr::value(Option::<String>::None))
                .col_expr(
                    outbox::Column::LastError,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(
                    outbox::Column::LockedUntil,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .col_expr(
                    outbox::Column::ClaimToken,
                    Expr::value(Option::<String>::None),
                )
                .filter(outbox::Column::Id.is_in(sent.iter().copied()))
                .filter(outbox::Column::Status.eq(OutboxStatus::Pending))
                .exec(db)
                .await;
            match marked {
                Ok(_) => return Ok(()),
                Err(e) if crate::db::is_unavailable(&e) && claimed_at.elapsed() + pause < lease => {
                    tracing::warn!(error = %e, messages = sent.len(), "sent mail not yet marked; trying again");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(std::time::Duration::from_secs(2));
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn send(&self, msg: &outbox::Model) -> Result<(), String> {
        let to: Vec<String> = serde_json::from_str(&msg.recipients).map_err(|e| e.to_string())?;
        let attachments: Vec<Attachment> =
            serde_json::from_str(&msg.attachments).map_err(|e| e.to_string())?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(msg.subject.clone())
            // A stable id lets a mailbox drop the copy of a message resent after a crash mid-send.
            .message_id(Some(format!("<outbox-{}@xiaobao>", msg.id)));
        for addr in &to {
            builder = builder.to(addr.parse().map_err(|e| format!("recipient {addr}: {e}"))?);
        }
        let text = SinglePart::plain(msg.body.clone());
        let email = if attachments.is_empty() {
            builder.singlepart(text)
        } else {
            let mut parts = MultiPart::mixed().singlepart(text);
            for a in attachments {
                let data = STANDARD.decode(&a.data_base64).map_err(|e| e.to_string())?;
                let content_type =
                    ContentType::parse(&a.content_type).map_err(|e| e.to_string())?;
                parts = parts.singlepart(MailAttachment::new(a.filename).body(data, content_type));
            }
            builder.multipart(parts)
        }
        .map_err(|e| e.to_string())?;
        self.transport
            .send(email)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// The transport an [`SmtpEndpoint`] describes. TLS is rustls with the system's roots, plus the
/// certificates of `ca_file` (PEM) when given; the server's name is checked against its certificate.
fn smtp_transport(
    url: &str,
    ca_file: Option<&Path>,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let endpoint = SmtpEndpoint::parse(url)?;
    let tls = || -> Result<TlsParameters, String> {
        let mut params = TlsParameters::builder(endpoint.host.clone());
        if let Some(path) = ca_file {
            let bad = |why: String| format!("XIAOBAO_SMTP_CA_FILE {}: {why}", path.display());
            let pem = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
            if !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
                return Err(bad("no PEM certificate in it".into()));
            }
            let cert = Certificate::from_pem(&pem).map_err(|e| bad(e.to_string()))?;
            params = params.add_root_certificate(cert);
        }
        params
            .build_rustls()
            .map_err(|e| format!("SMTP TLS settings: {e}"))
    };
    let security = match endpoint.security {
        SmtpSecurity::Plain => Tls::None,
        SmtpSecurity::StartTls => Tls::Required(tls()?),
        SmtpSecurity::Implicit => Tls::Wrapper(tls()?),
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&endpoint.host)
        .port(endpoint.port)
        .tls(security)
        .timeout(Some(std::time::Duration::from_secs(10)));
    if let Some((user, password)) = endpoint.credentials {
        builder = builder.credentials(Credentials::new(user, password.expose().to_owned()));
    }
    Ok(builder.build())
}

fn unclaimed(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(outbox::Column::LockedUntil.is_null())
        .add(outbox::Column::LockedUntil.lt(now))
}

/// 30 s, 1 min, 2 min, … capped at 1 hour.
pub fn backoff(attempts: i32) -> Duration {
    let exp = attempts.clamp(1, 8) - 1;
    Duration::seconds((30i64 << exp).min(3600))
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1).num_seconds(), 30);
        assert_eq!(backoff(2).num_seconds(), 60);
        assert_eq!(backoff(4).num_seconds(), 240);
        assert_eq!(backoff(20).num_seconds(), 3600);
    }
}
