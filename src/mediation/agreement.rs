//! The 调解书 after the agreement: both parties confirm it (the consumer with the receipt and
//! secret; the business by its desk account or a single-use code mailed to it), and the second
//! confirmation issues it in the same transaction: the next number of the bureau's series, the PDF,
//! its SHA-256 signed with the bureau's Ed25519 key, the case closed, and the PDF mailed to both
//! parties. Anyone holding the PDF can then verify it.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::Error;
use super::document::{self, CopyFor, Issued};
use super::mediators::Side;
use super::states::{AgreementStatus, ConfirmedVia};
use super::{notify, recipients, signing};
use crate::actor::{Actor, Staff};
use crate::audit;
use crate::cases::access::{Act, act_on};
use crate::cases::journal::Entry;
use crate::cases::lifecycle::{Closure, close};
use crate::cases::{self, CaseStatus, Outcome};
use crate::deadlines::{DeadlineKind, local_date};
use crate::domain::secrets::sha256_hex;
use crate::entities::{case, mediation_agreement, signing_key};
use crate::mail::Attachment;
use crate::routing::bureau_name;
use crate::state::AppState;

/// Who confirms.
pub enum Confirmer {
    Consumer,
    /// A desk account of the business (already checked to be bound to it).
    Desk(Actor),
    /// Whoever holds the single-use code mailed to the business.
    Code,
}

impl Confirmer {
    fn side(&self) -> Side {
        match self {
            Confirmer::Consumer => Side::Complainant,
            _ => Side::Respondent,
        }
    }

    fn actor(&self) -> Actor {
        match self {
            Confirmer::Consumer => Actor::Consumer,
            Confirmer::Desk(a) => a.clone(),
            Confirmer::Code => Actor::Business,
        }
    }
}

/// The business's desk confirms the case's agreement.
pub async fn desk_confirm(
    db: &impl ConnectionTrait,
    state: &AppState,
    me: &Staff,
    case_id: &str,
    now: DateTime<Utc>,
) -> Result<mediation_agreement::Model, Error> {
    let c = act_on(db, me, case_id, Act::DeskStep).await?;
    confirm_case(db, state, &c.id, Confirmer::Desk(Actor::from(me)), now).await
}

/// Confirms the case's agreement for the consumer or for the business's desk.
pub async fn confirm_case(
    db: &impl ConnectionTrait,
    state: &AppState,
    case_id: &str,
    who: Confirmer,
    now: DateTime<Utc>,
) -> Result<mediation_agreement::Model, Error> {
    let a = super::outcome::of_case(db, case_id).await?;
    confirm(db, state, &a.id, who, now).await
}

/// Confirms for the business with the single-use code mailed to it.
pub async fn confirm_by_code(
    db: &impl ConnectionTrait,
    state: &AppState,
    code: &str,
    now: DateTime<Utc>,
) -> Result<mediation_agreement::Model, Error> {
    let a = by_code(db, code, now).await?;
    confirm(db, state, &a.id, Confirmer::Code, now).await
}

/// The agreement a single-use code was mailed for; unknown, used and expired codes are refused.
async fn by_code(
    db: &impl ConnectionTrait,
    code: &str,
    now: DateTime<Utc>,
) -> Result<mediation_agreement::Model, Error> {
    let a = mediation_agreement::Entity::find()
        .filter(mediation_agreement::Column::LinkTokenHash.eq(sha256_hex(code.trim())))
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("this confirmation code is unknown or already used"))?;
    if a.link_expires_at.is_some_and(|t| t < now) {
        return Err(Error::CodeExpired);
    }
    Ok(a)
}

/// Records one party's confirmation; the second one issues the document.
async fn confirm(
    db: &impl ConnectionTrait,
    state: &AppState,
    agreement_id: &str,
    who: Confirmer,
    now: DateTime<Utc>,
) -> Result<mediation_agreement::Model, Error> {
    // The row lock makes two confirmations arriving together take turns, so exactly one of them
    // sees both and issues.
    let a = mediation_agreement::Entity::find_by_id(agreement_id.to_owned())
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("no such agreement"))?;
    if a.status != AgreementStatus::AwaitingConfirmation {
        return Err(Error::NotAwaitingConfirmation(a.status));
    }
    let c = case::Entity::find_by_id(a.case_id.clone())
        .one(db)
        .await?
        .ok_or_else(|| Error::internal("the agreement's case vanished"))?;
    if c.status.is_final() {
        return Err(Error::Closed(c.status));
    }
    super::ensure_not_suspended(db, &c).await?;
    let side = who.side();
    let already = match side {
        Side::Complainant => a.consumer_confirmed_at.is_some(),
        Side::Respondent => a.business_confirmed_at.is_some(),
    };
    if already {
        return Err(Error::AlreadyConfirmed(side_name(side)));
    }
    let mut active: mediation_agreement::ActiveModel = a.into();
    match side {
        Side::Complainant => active.consumer_confirmed_at = Set(Some(now)),
        Side::Respondent => {
            active.business_confirmed_at = Set(Some(now));
            active.business_confirmed_via = Set(Some(if matches!(who, Confirmer::Code) {
                ConfirmedVia::Code
            } else {
                ConfirmedVia::Desk
            }));
            // Single use: once the business has confirmed, the code is spent.
            active.link_token_hash = Set(None);
        }
    }
    let a = active.update(db).await?;
    let actor = who.actor();
    cases::journal::record(
        db,
        &actor,
        &c.id,
        Entry {
            event: "agreement_confirmed",
            public: true,
            detail: json!({"description": format!("{}已确认调解书", side.label()), "side": side}),
            action: "agreement.confirm",
            audit: json!({"agreement_id": a.id, "side": side}),
        },
        now,
    )
    .await?;
    if a.consumer_confirmed_at.is_some() && a.business_confirmed_at.is_some() {
        return issue(db, state, a, c, now).await;
    }
    Ok(a)
}

fn side_name(side: Side) -> &'static str {
    match side {
        Side::Complainant => "complainant",
        Side::Respondent => "respondent",
    }
}

/// Numbers, renders, hashes and signs the document, closes the case and mails the PDF. All in
/// the caller's transaction: a failure anywhere rolls the number back too.
async fn issue(
    db: &impl ConnectionTrait,
    state: &AppState,
    a: mediation_agreement::Model,
    c: case::Model,
    now: DateTime<Utc>,
) -> Result<mediation_agreement::Model, Error> {
    let key = signing::key_for(db, &state.env.settings, &c.bureau_code).await?;
    let issued_on = local_date(now);
    let year = issued_on.year();
    let seq = document::next_seq(db, &c.bureau_code, year).await?;
    let number = document::number(&document::prefix(db, &c.bureau_code).await?, year, seq);
    let doc = document::compose(
        db,
        &c,
        &a,
        Some(&Issued {
            number: &number,
            issued_at: now,
            key_id: &key.key_id,
        }),
        CopyFor::Complete,
    )
    .await?;
    let pdf = super::pdf::render(&doc.title, &doc.blocks, now).map_err(Error::internal)?;
    let sha256 = hex(&Sha256::digest(&pdf));
    let signature = key.sign(&signing::message(
        &number,
        &c.bureau_code,
        issued_on,
        &sha256,
    ));
    let mut active: mediation_agreement::ActiveModel = a.into();
    active.status = Set(AgreementStatus::Issued);
    active.document_number = Set(Some(number.clone()));
    active.bureau_code = Set(Some(c.bureau_code.clone()));
    active.document_year = Set(Some(year));
    active.document_seq = Set(Some(seq));
    active.issued_at = Set(Some(now));
    active.pdf = Set(Some(pdf.clone()));
    active.sha256 = Set(Some(sha256.clone()));
    active.key_id = Set(Some(key.key_id.clone()));
    active.signature = Set(Some(signature));
    let a = active.update(db).await?;
    let c = close(
        db,
        &state.env,
        &c,
        &[CaseStatus::Accepted, CaseStatus::InMediation],
        Closure {
            to: CaseStatus::Closed,
            outcome: Some(Outcome::MediatedAgreement),
            meets: Some(DeadlineKind::Mediation),
            reason: None,
            amount_recovered_fen: Some(a.amount_recovered_fen),
            amount_in_dispute_fen: a.amount_in_dispute_fen,
        },
        now,
    )
    .await?;
    cases::journal::record(
        db,
        &Actor::System,
        &c.id,
        Entry {
            event: "agreement_issued",
            public: true,
            detail: json!({"description": format!("调解书{number}已签发并送达双方，案件办结"), "number": number, "sha256": sha256}),
            action: "agreement.issue",
            audit: json!({"agreement_id": a.id, "number": number, "sha256": sha256, "key_id": key.key_id}),
        },
        now,
    )
    .await?;
    let to = recipients(db, &c).await?;
    let body = format!(
        "受理编号 {receipt}（被投诉人：{respondent}）的调解书{number}已经双方确认并签发，见附件（PDF）。案件办结。\n文件SHA-256：{sha256}\n核验：GET /api/v1/agreements/{encoded}/verify?sha256={sha256}，或将PDF文件 POST 至同一地址。",
        receipt = c.receipt_number,
        respondent = c.respondent_name,
        encoded = document::urlencode(&number),
    );
    let attachment = |pdf: &[u8]| {
        vec![Attachment::new(
            &format!("调解书-{number}.pdf"),
            "application/pdf",
            pdf,
        )]
    };
    let key = format!("agreement:{}:issued", a.id);
    if c.conceal_identity {
        // The business receives its copy, without the concealed complainant's identity.
        notify(
            db,
            &to.complainant,
            &format!("【调解书送达】{number}"),
            &body,
            &attachment(&pdf),
            &key,
            now,
        )
        .await?;
        let copy = business_copy(db, &c, &a).await?;
        notify(
            db,
            &to.respondent,
            &format!("【调解书送达】{number}（被投诉人副本）"),
            &format!(
                "受理编号 {}（被投诉人：{}）的调解书{number}已经双方确认并签发，附件为被投诉人副本（应投诉人要求隐去其身份信息）。案件办结。",
                c.receipt_number, c.respondent_name
            ),
            &attachment(&copy),
            &key,
            now,
        )
        .await?;
    } else {
        notify(
            db,
            &to.all(),
            &format!("【调解书送达】{number}"),
            &body,
            &attachment(&pdf),
            &key,
            now,
        )
        .await?;
    }
    Ok(a)
}

/// The issued 调解书 of a case as a party's staff or desk may read it (the desk gets the business's
/// copy, see [`business_copy`]); the download is audited like
/// a read of the case's personal data.
pub async fn issued_pdf(
    db: &impl ConnectionTrait,
    me: &crate::actor::Staff,
    case_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, Error> {
    let c = super::party_case(db, me, case_id).await?;
    let a = super::outcome::of_case(db, &c.id).await?;
    let pdf = if me.role == crate::actor::Role::EnterpriseAgent && c.conceal_identity {
        business_copy(db, &c, &a).await?
    } else {
        a.pdf
            .ok_or_else(|| Error::not_found("the 调解书 has not been issued"))?
    };
    audit::record(
        db,
        &Actor::from(me),
        "agreement.read_pdf",
        Some(&c.id),
        json!({}),
        now,
    )
    .await?;
    Ok(pdf)
}

/// The issued 调解书 of a case for its complainant, who proved their claim to it (receipt and
/// secret, or the page session holding that proof): the complete copy, its download audited as a
/// staff download is.
pub async fn consumer_pdf(
    db: &impl ConnectionTrait,
    c: &case::Model,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, Error> {
    let a = super::outcome::of_case(db, &c.id).await?;
    let pdf = a
        .pdf
        .ok_or_else(|| Error::not_found("the 调解书 has not been issued"))?;
    audit::record(
        db,
        &Actor::Consumer,
        "agreement.read_pdf",
        Some(&c.id),
        json!({}),
        now,
    )
    .await?;
    Ok(pdf)
}

/// The 调解书 as `me` may read it (station staff, the business's desk): the draft until it is
/// issued, then the issued text; the business's copy for a desk when the complainant concealed
/// their identity from it.
pub async fn document_for(
    db: &impl ConnectionTrait,
    me: &crate::actor::Staff,
    case_id: &str,
) -> Result<(case::Model, mediation_agreement::Model, document::Document), Error> {
    let c = super::party_case(db, me, case_id).await?;
    let a = super::outcome::of_case(db, &c.id).await?;
    if !a.needs_document {
        return Err(Error::not_found("this agreement has no 调解书"));
    }
    let issued = match (
        a.document_number.as_deref(),
        a.issued_at,
        a.key_id.as_deref(),
    ) {
        (Some(number), Some(issued_at), Some(key_id)) => Some(Issued {
            number,
            issued_at,
            key_id,
        }),
        _ => None,
    };
    let copy = if me.role == crate::actor::Role::EnterpriseAgent && c.conceal_identity {
        CopyFor::Business
    } else {
        CopyFor::Complete
    };
    let doc = document::compose(db, &c, &a, issued.as_ref(), copy).await?;
    Ok((c, a, doc))
}

/// The business's copy of an issued 调解书, rendered again from the record: the complete one when
/// the complainant did not conceal their identity from it.
pub async fn business_copy(
    db: &impl ConnectionTrait,
    c: &case::Model,
    a: &mediation_agreement::Model,
) -> Result<Vec<u8>, Error> {
    let (Some(number), Some(issued_at), Some(key_id)) = (
        a.document_number.as_deref(),
        a.issued_at,
        a.key_id.as_deref(),
    ) else {
        return Err(Error::not_found("the 调解书 has not been issued"));
    };
    let issued = Issued {
        number,
        issued_at,
        key_id,
    };
    let doc = document::compose(db, c, a, Some(&issued), CopyFor::Business).await?;
    super::pdf::render(&doc.title, &doc.blocks, issued_at).map_err(Error::internal)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The largest file taken as a 调解书 PDF, far above any issued one.
pub const MAX_PDF_BYTES: usize = 16 * 1024 * 1024;

/// Why a presented file could not be read to its end.
#[derive(Debug)]
pub enum Unread {
    /// Over `MAX_PDF_BYTES`: not a 调解书.
    TooLarge,
    /// The upload broke off.
    BrokeOff(String),
}

/// The SHA-256 of a presented file as it streams in, and its size, reading at most
/// `MAX_PDF_BYTES`.
pub async fn digest<B: AsRef<[u8]>, E: std::fmt::Display>(
    mut chunks: impl futures_util::Stream<Item = Result<B, E>> + Unpin,
) -> Result<(String, usize), Unread> {
    use futures_util::StreamExt;
    let mut hasher = Sha256::new();
    let mut size = 0;
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|e| Unread::BrokeOff(e.to_string()))?;
        let chunk = chunk.as_ref();
        size += chunk.len();
        if size > MAX_PDF_BYTES {
            return Err(Unread::TooLarge);
        }
        hasher.update(chunk);
    }
    Ok((hex(&hasher.finalize()), size))
}

/// The answer to "is this 调解书 genuine and unchanged?".
#[derive(Debug, Serialize, ToSchema)]
pub struct Verification {
    /// True only when the file matches the registered hash, the signature over it verifies, and
    /// the key is not revoked.
    pub valid: bool,
    /// Why not: `hash_mismatch` (the file is not the one issued, or was altered), `key_revoked`,
    /// or `signature_invalid` (the register entry itself does not verify).
    pub reason: Option<String>,
    pub message: String,
    pub number: String,
    pub bureau_code: String,
    pub bureau_name: String,
    /// The issue date, Asia/Shanghai.
    pub issued_on: NaiveDate,
    pub issued_at: DateTime<Utc>,
    pub key_id: String,
    /// The SHA-256 of the issued PDF.
    pub sha256: String,
    /// The SHA-256 of what was presented.
    pub presented_sha256: String,
}

/// Checks a 调解书 against the SHA-256 someone typed or pasted: the hash must be one (64
/// hexadecimal characters, either case) before the register is asked.
pub async fn verify_hash(
    db: &impl ConnectionTrait,
    number: &str,
    presented_sha256: &str,
) -> Result<Verification, Error> {
    let sha = presented_sha256.trim();
    if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::field("sha256", "must be 64 hexadecimal characters"));
    }
    verify(db, number, sha).await
}

pub async fn verify(
    db: &impl ConnectionTrait,
    number: &str,
    presented_sha256: &str,
) -> Result<Verification, Error> {
    let a = mediation_agreement::Entity::find()
        .filter(mediation_agreement::Column::DocumentNumber.eq(number))
        .one(db)
        .await?
        .ok_or_else(|| {
            Error::not_found(format!("no 调解书 was issued with the number {number}"))
        })?;
    let (Some(bureau_code), Some(issued_at), Some(sha256), Some(key_id), Some(signature)) =
        (a.bureau_code, a.issued_at, a.sha256, a.key_id, a.signature)
    else {
        return Err(Error::internal(
            "an issued agreement lacks its signature record",
        ));
    };
    let issued_on = local_date(issued_at);
    let key = signing_key::Entity::find_by_id(key_id.clone())
        .one(db)
        .await?;
    let signed = key.as_ref().is_some_and(|k| {
        signing::verify(
            &k.public_key,
            &signing::message(number, &bureau_code, issued_on, &sha256),
            &signature,
        )
    });
    let presented = presented_sha256.to_ascii_lowercase();
    let (reason, message) = if presented != sha256 {
        (
            Some("hash_mismatch"),
            "the file is not the document issued under this number, or it was altered".to_owned(),
        )
    } else if let Some(revoked) = key.as_ref().and_then(|k| k.revoked_at) {
        (
            Some("key_revoked"),
            format!(
                "the key {key_id} that signed this document was revoked on {}; it can no longer vouch for it",
                local_date(revoked)
            ),
        )
    } else if !signed {
        (
            Some("signature_invalid"),
            "the register's signature for this number does not verify".to_owned(),
        )
    } else {
        (
            None,
            "genuine and unchanged: issued under this number and signed by the bureau's key"
                .to_owned(),
        )
    };
    Ok(Verification {
        valid: reason.is_none(),
        reason: reason.map(str::to_owned),
        message,
        number: number.to_owned(),
        bureau_name: bureau_name(db, &bureau_code).await?,
        bureau_code,
        issued_on,
        issued_at,
        key_id,
        sha256,
        presented_sha256: presented,
    })
}
