//! How a case and its people are shown to staff and desks: summaries without personal data,
//! and parties in full for handling staff or masked for a business's desk.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::status::{CaseKind, CaseStatus, PartyRole};
use crate::domain::identifiers::{PersonName, ResidentId, mask_address};
use crate::domain::vocabulary::{Category, Channel};
use crate::entities::{case, party};

#[derive(Serialize, ToSchema)]
pub struct CaseSummary {
    pub id: String,
    pub kind: CaseKind,
    pub receipt_number: String,
    pub status: CaseStatus,
    pub category: Category,
    pub channel: Channel,
    pub received_at: DateTime<Utc>,
    pub respondent_name: String,
    pub bureau_code: String,
    pub station_id: Option<String>,
    /// The station that registered the case in person and stays the consumer's contact (首接).
    pub received_by_station_id: Option<String>,
    pub probable_duplicate: bool,
}

impl From<case::Model> for CaseSummary {
    fn from(c: case::Model) -> Self {
        CaseSummary {
            probable_duplicate: c.duplicate_of_id.is_some(),
            id: c.id,
            kind: c.kind,
            receipt_number: c.receipt_number,
            status: c.status,
            category: c.category,
            channel: c.channel,
            received_at: c.received_at,
            respondent_name: c.respondent_name,
            bureau_code: c.bureau_code,
            station_id: c.station_id,
            received_by_station_id: c.received_by_station_id,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PartyView {
    /// `complainant`, `representative` or `reporter`.
    pub role: PartyRole,
    pub name: String,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub email: Option<String>,
    pub id_type: Option<String>,
    pub id_number: Option<String>,
}

pub fn full_view(p: party::Model) -> PartyView {
    PartyView {
        role: p.role,
        name: p.name,
        phone: p.phone,
        address: p.address,
        email: p.email,
        id_type: p.id_type,
        id_number: p.id_number,
    }
}

/// What a business's desk sees of a complainant: contact details unless the consumer concealed
/// their identity, and never a full ID number.
pub fn desk_view(p: party::Model, concealed: bool) -> PartyView {
    if concealed {
        return PartyView {
            role: p.role,
            name: PersonName::parse(&p.name)
                .map(|n| n.masked())
                .unwrap_or_else(|_| "*".into()),
            phone: None,
            address: None,
            email: None,
            id_type: None,
            id_number: None,
        };
    }
    PartyView {
        role: p.role,
        name: p.name,
        phone: p.phone,
        address: p.address,
        email: p.email,
        id_number: p.id_number.as_deref().map(|n| {
            ResidentId::parse(n)
                .map(|id| id.masked())
                .unwrap_or_else(|_| mask_address(n))
        }),
        id_type: p.id_type,
    }
}
