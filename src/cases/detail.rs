//! One case as staff and desks read it: the summary, the parties as the caller may see them
//! (masked for a desk, a reporter hidden from all but the staff handling reports), deadlines,
//! the timeline, transfers and links. The API's case view and the workbench's case page both
//! read it here; a read of personal data is audited.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::access::{self, REPORT_HANDLERS, STAFF, load_visible};
use super::status::CaseKind;
use super::views::{CaseSummary, PartyView, desk_view, full_view};
use crate::actor::{Actor, Role, Staff};
use crate::audit;
use crate::deadlines::DeadlineView;
use crate::entities::{case, case_event, deadline, party};
use crate::routing::transfer::{self, TransferView};
use crate::routing::{incident, zone::ReturnPromise};

#[derive(Serialize, ToSchema)]
pub struct EventView {
    pub at: DateTime<Utc>,
    pub kind: String,
    pub actor_kind: String,
    pub public: bool,
    pub detail: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub summary: CaseSummary,
    pub rule_set: crate::deadlines::RuleSetId,
    pub routing_rule: crate::routing::RoutingRule,
    pub linked_case_id: Option<String>,
    pub duplicate_of_id: Option<String>,
    pub respondent_uscc: Option<String>,
    pub respondent_address: String,
    pub respondent_division_code: Option<String>,
    pub business_id: Option<String>,
    pub occurred_on: Option<chrono::NaiveDate>,
    pub dispute_division_code: String,
    pub goods_or_service: String,
    pub amount_fen: Option<i64>,
    pub facts: String,
    pub demands: Vec<String>,
    pub evidence: Vec<String>,
    pub choose_odr: bool,
    pub consent_to_publish: bool,
    pub conceal_identity_from_business: bool,
    pub anonymous: bool,
    pub parties: Vec<PartyView>,
    pub deadlines: Vec<DeadlineView>,
    pub timeline: Vec<EventView>,
    /// Transfers (移送) of the case between bureaus, oldest first.
    pub transfers: Vec<TransferView>,
    /// The incident linking this case with complaints filed in other cities.
    pub incident_id: Option<String>,
    /// The pilot-area cross-store return promise the complaint cites, for the mediator.
    pub return_promise: Option<ReturnPromise>,
}

/// The case as read, and the stored row for what a caller decides next (e.g. `access::admits`).
pub struct CaseRead {
    pub case: case::Model,
    pub detail: CaseDetail,
    /// Who handles the case, by name.
    pub bureau_name: String,
    pub station_name: Option<String>,
    pub mediator_name: Option<String>,
}

/// Reads case `id` for `me`: outside the caller's scope is 404 like an unknown id.
pub async fn detail(
    db: &impl ConnectionTrait,
    me: &Staff,
    id: &str,
    now: DateTime<Utc>,
) -> Result<CaseRead, access::Error> {
    me.require(STAFF)?;
    let c = load_visible(db, me, id).await?;
    let parties = party::Entity::find()
        .filter(party::Column::CaseId.eq(&c.id))
        .order_by_asc(party::Column::Position)
        .all(db)
        .await?;
    let deadlines = deadline::Entity::find()
        .filter(deadline::Column::CaseId.eq(&c.id))
        .order_by_asc(deadline::Column::DueAt)
        .all(db)
        .await?;
    let events = case_event::Entity::find()
        .filter(case_event::Column::CaseId.eq(&c.id))
        .order_by_asc(case_event::Column::Id)
        .all(db)
        .await?;
    let desk = me.role == Role::EnterpriseAgent;
    // A reporter's identity stays with the staff handling reports (Order 20 Art 33).
    let hide_reporter = c.kind == CaseKind::Report
        && !REPORT_HANDLERS.contains(&me.role)
        && me.role != Role::SystemAdmin;
    let parties: Vec<PartyView> = parties
        .into_iter()
        .map(|p| {
            if hide_reporter {
                desk_view(p, true)
            } else if desk {
                desk_view(p, c.conceal_identity)
            } else {
                full_view(p)
            }
        })
        .collect();
    if !desk && !hide_reporter && !parties.is_empty() {
        audit::record(
            db,
            &Actor::from(me),
            "case.read_personal_data",
            Some(&c.id),
            json!({}),
            now,
        )
        .await?;
    }
    let list = |s: &str| serde_json::from_str::<Vec<String>>(s).unwrap_or_default();
    let transfers = if desk {
        Vec::new()
    } else {
        transfer::of_case(db, &c.id).await?
    };
    let detail = CaseDetail {
        transfers,
        incident_id: incident::of_case(db, &c.id).await?,
        return_promise: c
            .return_promise
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok()),
        rule_set: c.rule_set,
        routing_rule: c.routing_rule,
        // A desk never learns that the consumer also reported the business.
        linked_case_id: c.linked_case_id.clone().filter(|_| !desk),
        duplicate_of_id: c.duplicate_of_id.clone(),
        respondent_uscc: c.respondent_uscc.clone(),
        respondent_address: c.respondent_address.clone(),
        respondent_division_code: c.respondent_division_code.clone(),
        business_id: c.business_id.clone(),
        occurred_on: c.occurred_on,
        dispute_division_code: c.dispute_division_code.clone(),
        goods_or_service: c.goods_or_service.clone(),
        amount_fen: c.amount_fen,
        facts: c.facts.clone(),
        demands: list(&c.demands),
        evidence: list(&c.evidence),
        choose_odr: c.choose_odr,
        consent_to_publish: c.consent_to_publish,
        conceal_identity_from_business: c.conceal_identity,
        anonymous: c.anonymous,
        parties,
        deadlines: deadlines
            .iter()
            .filter(|d| !access::hidden_deadlines(me).contains(&d.kind))
            .map(DeadlineView::from)
            .collect(),
        timeline: events
            .into_iter()
            .filter(|e| !desk || e.public)
            .map(|e| EventView {
                at: e.at,
                detail: serde_json::from_str(&e.detail).unwrap_or_default(),
                kind: e.kind,
                actor_kind: e.actor_kind,
                public: e.public,
            })
            .collect(),
        summary: CaseSummary::from(c.clone()),
    };
    let station_name = crate::routing::station_name(db, c.station_id.as_deref()).await?;
    let mediator_name = match &c.mediator_id {
        Some(id) => crate::accounts::display_name(db, id).await?,
        None => None,
    };
    Ok(CaseRead {
        bureau_name: crate::routing::registry::bureau_name(db, &c.bureau_code).await?,
        station_name,
        mediator_name,
        case: c,
        detail,
    })
}
