//! The negotiation as both sides see it: where it stands, its deadline and every offer.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;

use super::Error;
use crate::deadlines::{DeadlineKind, DeadlineView};
use crate::entities::{case, deadline, odr_offer};

#[derive(Serialize, ToSchema)]
pub struct OfferView {
    pub id: i64,
    /// `business` or `consumer`.
    pub party: crate::odr::OfferParty,
    pub kind: crate::odr::OfferKind,
    pub amount_fen: i64,
    pub perform_by: NaiveDate,
    pub message: String,
    /// `open`, `accepted`, `rejected` or `superseded`.
    pub status: crate::odr::OfferStatus,
    pub created_at: DateTime<Utc>,
    pub performed_at: Option<DateTime<Utc>>,
}

impl From<&odr_offer::Model> for OfferView {
    fn from(o: &odr_offer::Model) -> Self {
        OfferView {
            id: o.id,
            party: o.party,
            kind: o.kind,
            amount_fen: o.amount_fen,
            perform_by: o.perform_by,
            message: o.message.clone(),
            status: o.status,
            created_at: o.created_at,
            performed_at: o.performed_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Negotiation {
    pub case_status: crate::cases::CaseStatus,
    /// `negotiating`, `offered`, `countered`, `agreed`, `performed`, `settled` or `escalated`.
    pub state: Option<crate::odr::OdrState>,
    pub settlement_deadline: Option<DeadlineView>,
    pub offers: Vec<OfferView>,
}

/// The negotiation of a case, as it stands in `db` (after a step, within its transaction).
pub async fn of_case(db: &impl ConnectionTrait, case_id: &str) -> Result<Negotiation, Error> {
    let c = case::Entity::find_by_id(case_id.to_owned())
        .one(db)
        .await?
        .ok_or(Error::Missing("case"))?;
    let offers = odr_offer::Entity::find()
        .filter(odr_offer::Column::CaseId.eq(case_id))
        .order_by_asc(odr_offer::Column::Id)
        .all(db)
        .await?;
    let settlement = deadline::Entity::find()
        .filter(deadline::Column::CaseId.eq(case_id))
        .filter(deadline::Column::Kind.eq(DeadlineKind::OdrSettlement))
        .one(db)
        .await?;
    Ok(Negotiation {
        case_status: c.status,
        state: c.odr_state,
        settlement_deadline: settlement.as_ref().map(DeadlineView::from),
        offers: offers.iter().map(OfferView::from).collect(),
    })
}
