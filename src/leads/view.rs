//! A lead as enforcement staff see it, with the complainant's identity only on the lead itself.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;

use super::{Decision, Error, LeadKind, LeadStatus};
use crate::cases::Outcome;
use crate::cases::views::{PartyView, full_view};
use crate::deadlines::{DeadlineKind, DeadlineView};
use crate::entities::{case, deadline, lead, party};
use crate::evidence::EvidenceView;

#[derive(Serialize, ToSchema)]
pub struct LeadView {
    pub id: i64,
    pub kind: LeadKind,
    /// `sent`, `accepted`, `decided` or `closed`.
    pub status: LeadStatus,
    pub source_case_id: String,
    pub source_receipt_number: String,
    pub received_at: DateTime<Utc>,
    pub bureau_code: String,
    pub respondent_name: String,
    pub respondent_uscc: Option<String>,
    pub respondent_address: String,
    pub act: String,
    pub act_on: Option<NaiveDate>,
    pub place: Option<String>,
    pub goods_or_service: Option<String>,
    pub amount_fen: Option<i64>,
    pub evidence: Vec<String>,
    /// The complaint's evidence files (download each with `GET /cases/{id}/evidence/{evidence_id}`
    /// of the source case).
    pub evidence_files: Vec<EvidenceView>,
    pub suggested_basis: Option<String>,
    pub mediation_outcome: Option<Outcome>,
    pub handling_station_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    /// `opened` (立案) or `declined` (不予立案).
    pub decision: Option<Decision>,
    pub decision_reason: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub result: Option<String>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub verification_deadline: Option<DeadlineView>,
    /// The complainant's identity: confidential, shown only to enforcement staff on the lead itself.
    pub complainants: Option<Vec<PartyView>>,
}

/// Who the view is for: the lead itself carries the complainant's identity, lists do not.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    Shown,
    Withheld,
}

pub async fn view(
    db: &impl ConnectionTrait,
    l: lead::Model,
    identity: Identity,
) -> Result<LeadView, Error> {
    let c = case::Entity::find_by_id(l.case_id.clone())
        .one(db)
        .await?
        .ok_or(Error::Missing("the lead's complaint"))?;
    let d = deadline::Entity::find()
        .filter(deadline::Column::CaseId.eq(c.id.as_str()))
        .filter(deadline::Column::Kind.eq(DeadlineKind::ClueVerification))
        .one(db)
        .await?;
    let complainants = match identity {
        Identity::Withheld => None,
        Identity::Shown => Some(
            party::Entity::find()
                .filter(party::Column::CaseId.eq(c.id.as_str()))
                .order_by_asc(party::Column::Position)
                .all(db)
                .await?
                .into_iter()
                .map(full_view)
                .collect(),
        ),
    };
    let source_case_id = c.id.clone();
    Ok(LeadView {
        id: l.id,
        kind: l.kind,
        status: l.status,
        source_case_id,
        source_receipt_number: c.receipt_number,
        received_at: c.received_at,
        bureau_code: l.bureau_code,
        respondent_name: c.respondent_name,
        respondent_uscc: c.respondent_uscc,
        respondent_address: c.respondent_address,
        act: l.act,
        act_on: l.act_on,
        place: l.place,
        goods_or_service: l.goods_or_service,
        amount_fen: l.amount_fen,
        evidence: serde_json::from_str(&l.evidence).unwrap_or_default(),
        evidence_files: crate::evidence::read::of_case(db, &c.id).await?,
        suggested_basis: l.suggested_basis,
        mediation_outcome: c.outcome.or(l.mediation_outcome),
        handling_station_id: l.handling_station_id,
        created_at: l.created_at,
        accepted_at: l.accepted_at,
        decision: l.decision,
        decision_reason: l.decision_reason,
        decided_at: l.decided_at,
        result: l.result,
        escalated_at: l.escalated_at,
        verification_deadline: d.as_ref().map(DeadlineView::from),
        complainants,
    })
}
