//! Filing the draft: the answers become the API's [`ComplaintRequest`] and go through the API's
//! own intake ([`crate::intake::file_complaint`]), so that every rule of `POST /complaints`
//! (checks, routing, duplicates, ODR, deadlines) is the one applied. The draft is marked filed in
//! the same transaction, which makes a second click or a reload of the submit file nothing.

use chrono::{DateTime, Utc};

use super::draft::{Answers, ME};
use super::questions::{date_parts, yuan_to_fen};
use crate::deadlines::DeadlineKind;
use crate::domain::vocabulary::{Category, Channel, Demand, IdType};
use crate::http::{ApiError, ApiResult};
use crate::intake::Attached;
use crate::intake::request::{
    ComplaintRequest, DisputeInput, PersonInput, PlatformInput, RespondentInput,
};
use crate::state::AppState;
use crate::web::journey::file_draft;

/// Text typed, `None` when left empty.
fn optional(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// The API's request for the answers, which the pages have checked; a draft with an answer
/// missing (which the pages' checks prevent) is an internal error.
pub fn request(a: &Answers) -> ApiResult<ComplaintRequest> {
    let missing = |what: &str| ApiError::internal(format!("the checked draft has no {what}"));
    Ok(ComplaintRequest {
        channel: Channel::Web,
        category: Category::parse(&a.category).ok_or_else(|| missing("category"))?,
        complainant: PersonInput {
            name: a.name.trim().to_owned(),
            phone: a.phone.trim().to_owned(),
            address: optional(&a.address),
            id_type: IdType::parse(&a.id_type),
            id_number: optional(&a.id_number),
            email: optional(&a.email),
            representative: !a.others.is_empty() && a.representatives.iter().any(|r| r == ME),
        },
        co_complainants: a
            .others
            .iter()
            .map(|o| PersonInput {
                name: o.name.trim().to_owned(),
                phone: o.phone.trim().to_owned(),
                address: optional(&o.address),
                id_type: IdType::parse(&o.id_type),
                id_number: optional(&o.id_number),
                email: None,
                representative: a.representatives.contains(&o.phone),
            })
            .collect(),
        respondent: RespondentInput {
            name: a.business_name.trim().to_owned(),
            uscc: optional(&a.business_uscc).or_else(|| optional(&a.registry_uscc)),
            address: a.business_address.trim().to_owned(),
            division_code: None,
            platform: (a.on_platform == "yes").then(|| PlatformInput {
                name: a.platform_name.trim().to_owned(),
                uscc: None,
                division_code: None,
            }),
            published_address_reachable: true,
        },
        dispute: DisputeInput {
            occurred_on: date_parts(a).parse().ok_or_else(|| missing("date"))?,
            division_code: optional(&a.place_code),
            address: optional(&a.place),
            goods_or_service: a.goods_or_service.trim().to_owned(),
            amount_fen: optional(&a.amount).and_then(|t| yuan_to_fen(&t)),
            facts: a.facts.trim().to_owned(),
        },
        demands: a.demands.iter().filter_map(|d| Demand::parse(d)).collect(),
        demand_detail: None,
        choose_odr: a.odr_available && a.odr_first == "yes",
        consent_to_publish: a.consent == "yes",
        conceal_identity_from_business: a.conceal == "yes",
        accept_delegated_mediation: a.delegated == "yes",
        also_report: None,
    })
}

/// Files the complaint of draft `draft_id` and marks the draft filed, in one transaction.
pub async fn file(
    state: &AppState,
    draft_id: &str,
    request: &ComplaintRequest,
    files: Attached,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    file_draft(
        state,
        draft_id,
        DeadlineKind::Acceptance,
        "{}",
        async |txn, secret_hash| {
            crate::intake::file_complaint(txn, state, request, files, None, secret_hash, now).await
        },
    )
    .await
}
