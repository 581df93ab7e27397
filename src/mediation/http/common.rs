//! What the mediation endpoints share: the shape of a case after a step, the agreement as
//! shown, and idempotency keys bound to the path.

use actix_web::web;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::deadlines::{DeadlineView, local_date};
use crate::entities::{case, mediation_agreement};
use crate::mediation::document::{Particulars, Term};

/// Where a case stands after a step.
#[derive(Serialize, ToSchema)]
pub struct CaseState {
    pub id: String,
    pub receipt_number: String,
    pub status: crate::cases::CaseStatus,
    pub mediator_id: Option<String>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub delegate_organisation: Option<String>,
    pub delegate_mediator: Option<String>,
    /// `mediated_agreement`, `terminated`, `refused`, `withdrawn`, … once closed.
    pub outcome: Option<crate::cases::Outcome>,
    /// The refusal or termination ground.
    pub outcome_reason: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub amount_recovered_fen: Option<i64>,
    pub amount_in_dispute_fen: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct StepResult {
    pub case: CaseState,
    /// The deadline the step opened: the mediation window on acceptance, the termination notice
    /// on termination.
    pub deadline: Option<DeadlineView>,
}

pub(super) fn step(c: case::Model, deadline: Option<DeadlineView>) -> web::Json<StepResult> {
    web::Json(StepResult {
        case: CaseState {
            id: c.id,
            receipt_number: c.receipt_number,
            status: c.status,
            mediator_id: c.mediator_id,
            accepted_at: c.accepted_at,
            delegate_organisation: c.delegate_organisation,
            delegate_mediator: c.delegate_mediator,
            outcome: c.outcome,
            outcome_reason: c.outcome_reason,
            closed_at: c.closed_at,
            amount_recovered_fen: c.amount_recovered_fen,
            amount_in_dispute_fen: c.amount_in_dispute_fen,
        },
        deadline,
    })
}

#[derive(Serialize, ToSchema)]
pub struct IssuedDocument {
    /// e.g. `嘉市监善调〔2026〕第0012号`
    pub number: String,
    pub issued_at: DateTime<Utc>,
    pub issued_on: NaiveDate,
    /// Hex SHA-256 of the PDF.
    pub sha256: String,
    pub key_id: String,
    /// Ed25519 (base64) by the key `key_id` (public half at `GET /signing-keys`) over the UTF-8
    /// bytes of the signed record: `xiaobao-mediation-agreement-v1`, `number`, the bureau's county
    /// code, `issued_on` (YYYY-MM-DD) and `sha256`, each followed by a line feed, e.g.
    /// `xiaobao-mediation-agreement-v1\n嘉市监善调〔2026〕第0012号\n330421\n2026-11-30\n9f86…\n`.
    pub signature: String,
}

#[derive(Serialize, ToSchema)]
pub struct AgreementView {
    pub id: String,
    pub case_id: String,
    /// `recorded` (closed without a 调解书), `awaiting_confirmation` or `issued`.
    pub status: crate::mediation::states::AgreementStatus,
    pub needs_document: bool,
    pub in_person: bool,
    pub on_the_spot: bool,
    pub document_waived: bool,
    pub terms: Vec<Term>,
    pub amount_recovered_fen: i64,
    pub amount_in_dispute_fen: Option<i64>,
    pub particulars: Particulars,
    pub consumer_confirmed_at: Option<DateTime<Utc>>,
    pub business_confirmed_at: Option<DateTime<Utc>>,
    /// `desk` or `code`.
    pub business_confirmed_via: Option<crate::mediation::states::ConfirmedVia>,
    pub document: Option<IssuedDocument>,
}

impl From<mediation_agreement::Model> for AgreementView {
    fn from(a: mediation_agreement::Model) -> Self {
        let document = match (
            &a.document_number,
            a.issued_at,
            &a.sha256,
            &a.key_id,
            &a.signature,
        ) {
            (Some(number), Some(issued_at), Some(sha256), Some(key_id), Some(signature)) => {
                Some(IssuedDocument {
                    number: number.clone(),
                    issued_at,
                    issued_on: local_date(issued_at),
                    sha256: sha256.clone(),
                    key_id: key_id.clone(),
                    signature: signature.clone(),
                })
            }
            _ => None,
        };
        AgreementView {
            id: a.id,
            case_id: a.case_id,
            status: a.status,
            needs_document: a.needs_document,
            in_person: a.in_person,
            on_the_spot: a.on_the_spot,
            document_waived: a.document_waived,
            terms: serde_json::from_str(&a.terms).unwrap_or_default(),
            amount_recovered_fen: a.amount_recovered_fen,
            amount_in_dispute_fen: a.amount_in_dispute_fen,
            particulars: serde_json::from_str(&a.particulars).unwrap_or_default(),
            consumer_confirmed_at: a.consumer_confirmed_at,
            business_confirmed_at: a.business_confirmed_at,
            business_confirmed_via: a.business_confirmed_via,
            document,
        }
    }
}
