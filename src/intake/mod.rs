//! Intake (登记) of complaints and reports: checks, routing, duplicate detection, the receipt, and
//! the first deadlines, all written in one transaction.

mod error;
pub mod http;
pub mod lookups;
pub mod receipt;
pub mod request;

pub use error::Error;

use std::collections::HashSet;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, IntoActiveModel, NotSet, Set};
use serde_json::json;

use crate::actor::Actor;
use crate::audit;
use crate::cases::{self, CaseKind, CaseStatus, PartyRole};
use crate::db::Writes;
use crate::deadlines::{self, DeadlineKind, DeadlineView, RuleSetId};
use crate::domain::faults::{Faults, Invalid};
use crate::domain::vocabulary::{Category, Channel, Demand};
use crate::entities::{case, party, station};
use crate::evidence::add::Stored;
use crate::routing::{self, Routing, RoutingInput, zone};
use crate::state::AppState;
use lookups::{look_up, probable_duplicate};
use request::{ComplaintRequest, Person, ReportRequest, Respondent};

/// A joint complaint beyond this size is a mass complaint handled another way.
const MAX_CO_COMPLAINANTS: usize = 200;

/// Everything one new case record needs, normalized.
struct NewCase {
    kind: CaseKind,
    channel: Channel,
    category: Category,
    respondent: Respondent,
    occurred_on: Option<NaiveDate>,
    dispute_division: String,
    dispute_place: Option<String>,
    goods_or_service: String,
    amount_fen: Option<i64>,
    facts: String,
    demands: Vec<Demand>,
    evidence: Vec<String>,
    /// Files sent with it, in the store already.
    files: Vec<Stored>,
    choose_odr: bool,
    consent_to_publish: bool,
    conceal_identity: bool,
    accept_delegated_mediation: bool,
    /// (role, person) in order; empty for an anonymous report.
    parties: Vec<(PartyRole, Person)>,
}

/// A complaint registered in person at a station (首接): the station stays the consumer's contact
/// and, when several bureaus are competent, its bureau received the complaint first.
pub struct WalkIn {
    pub station: station::Model,
    pub staff: Actor,
}

/// What one intake's receipt shows.
pub struct Filed {
    pub case: case::Model,
    pub routing: Routing,
    pub deadlines: Vec<DeadlineView>,
    pub linked: Option<case::Model>,
    pub duplicate_of: Option<case::Model>,
}

/// The files sent with a submission, checked and in the store already, or the faults that
/// refused them, reported with the submission's own.
pub type Attached = Result<Vec<Stored>, Invalid>;

fn take_files(files: Attached, faults: &mut Faults) -> Vec<Stored> {
    files.unwrap_or_else(|refused| {
        faults.0.extend(refused.0);
        Vec::new()
    })
}

/// Checks a complaint and prepares its records: everything is read first, and nothing is written
/// until the caller writes the returned [`Writes`].
pub async fn file_complaint(
    db: &impl ConnectionTrait,
    state: &AppState,
    req: &ComplaintRequest,
    files: Attached,
    walk_in: Option<&WalkIn>,
    secret_hash: &str,
    now: DateTime<Utc>,
) -> Result<(Filed, Writes), Error> {
    let rule_set = state.env.rules.rule_set_for(now);
    let mut faults = Faults::of(req);
    let files = take_files(files, &mut faults);
    let mut parties = Vec::new();
    for (i, p) in std::iter::once(&req.complainant)
        .chain(&req.co_complainants)
        .enumerate()
    {
        let field = if i == 0 {
            "complainant".to_owned()
        } else {
            format!("co_complainants[{}]", i - 1)
        };
        if let Some(person) = request::person(p, &field, rule_set, true, &mut faults) {
            let role = if person.representative && !req.co_complainants.is_empty() {
                PartyRole::Representative
            } else {
                PartyRole::Complainant
            };
            parties.push((role, person));
        }
    }
    if req.co_complainants.len() > MAX_CO_COMPLAINANTS {
        faults.add(
            "co_complainants",
            format!("at most {MAX_CO_COMPLAINANTS} co-complainants"),
        );
    }
    if !req.co_complainants.is_empty() {
        let reps = std::iter::once(&req.complainant)
            .chain(&req.co_complainants)
            .filter(|p| p.representative)
            .count();
        if reps == 0 || reps > 2 {
            faults.add(
                "co_complainants",
                "a joint complaint names one or two representatives (representative: true)",
            );
        }
        let mut seen = HashSet::new();
        for (i, (_, p)) in parties.iter().enumerate() {
            if !seen.insert(p.identity_key()) {
                faults.add(
                    format!("co_complainants[{}]", i.saturating_sub(1)),
                    "this person is already a complainant",
                );
            }
        }
    }
    let respondent = request::respondent(&req.respondent, &mut faults);
    let dispute_division = request::place(
        &req.dispute.division_code,
        &req.dispute.address,
        "dispute",
        &mut faults,
    );
    request::occurred_on(
        req.dispute.occurred_on,
        "dispute.occurred_on",
        now,
        &mut faults,
    );
    faults.finish()?;
    let (Some(respondent), Some(dispute_division)) = (respondent, dispute_division) else {
        return Err(Error::Internal("normalization failed without a fault"));
    };
    let complaint = NewCase {
        kind: CaseKind::Complaint,
        channel: req.channel,
        category: req.category,
        respondent,
        occurred_on: Some(req.dispute.occurred_on),
        dispute_division,
        dispute_place: req.dispute.address.clone(),
        goods_or_service: req.dispute.goods_or_service.trim().to_owned(),
        amount_fen: req.dispute.amount_fen,
        facts: req.dispute.facts.trim().to_owned(),
        demands: req.demands.clone(),
        evidence: Vec::new(),
        files,
        choose_odr: req.choose_odr,
        consent_to_publish: req.consent_to_publish,
        conceal_identity: req.conceal_identity_from_business,
        accept_delegated_mediation: req.accept_delegated_mediation,
        parties,
    };
    let cx = Context {
        db,
        state,
        rule_set,
        walk_in,
        secret_hash,
        now,
    };
    let mut writes = Writes::default();
    let ids = Ids {
        case: new_id(),
        linked: req.also_report.as_ref().map(|_| new_id()),
    };
    let mut filed = create(&cx, &complaint, &ids, &mut writes).await?;
    if let (Some(also), Some(report_id)) = (&req.also_report, ids.linked.clone()) {
        // One submission that both complains and reports is two records, linked both ways (Order 20 Art 7).
        let report = NewCase {
            kind: CaseKind::Report,
            evidence: also.evidence.clone(),
            files: Vec::new(),
            facts: also.violation.trim().to_owned(),
            demands: Vec::new(),
            choose_odr: false,
            accept_delegated_mediation: false,
            parties: complaint
                .parties
                .iter()
                .take(1)
                .map(|(_, p)| (PartyRole::Reporter, p.clone()))
                .collect(),
            ..complaint
        };
        let ids = Ids {
            case: report_id,
            linked: Some(ids.case),
        };
        let linked = create(&cx, &report, &ids, &mut writes).await?;
        filed.linked = Some(linked.case);
    }
    Ok((filed, writes))
}

/// Checks a report and prepares its records, like [`file_complaint`].
pub async fn file_report(
    db: &impl ConnectionTrait,
    state: &AppState,
    req: &ReportRequest,
    files: Attached,
    secret_hash: &str,
    now: DateTime<Utc>,
) -> Result<(Filed, Writes), Error> {
    let rule_set = state.env.rules.rule_set_for(now);
    let mut faults = Faults::of(req);
    let files = take_files(files, &mut faults);
    let reporter = req
        .reporter
        .as_ref()
        .and_then(|p| request::person(p, "reporter", rule_set, false, &mut faults));
    let respondent = request::respondent(&req.respondent, &mut faults);
    let place = match (&req.clue.division_code, &req.clue.place) {
        (None, None) => respondent
            .as_ref()
            .and_then(|r| r.division_code.clone())
            .or_else(|| {
                faults.add(
                    "clue.division_code",
                    "required when the respondent's address does not name a place",
                );
                None
            }),
        (code, text) => request::place(code, text, "clue", &mut faults),
    };
    if let Some(d) = req.clue.occurred_on {
        request::occurred_on(d, "clue.occurred_on", now, &mut faults);
    }
    faults.finish()?;
    let (Some(respondent), Some(place)) = (respondent, place) else {
        return Err(Error::Internal("normalization failed without a fault"));
    };
    let report = NewCase {
        kind: CaseKind::Report,
        channel: req.channel,
        category: req.category,
        respondent,
        occurred_on: req.clue.occurred_on,
        dispute_division: place,
        dispute_place: req.clue.place.clone(),
        goods_or_service: req.clue.goods_or_service.clone().unwrap_or_default(),
        amount_fen: None,
        facts: req.clue.what.trim().to_owned(),
        demands: Vec::new(),
        evidence: req.evidence.clone(),
        files,
        choose_odr: false,
        consent_to_publish: false,
        conceal_identity: true,
        accept_delegated_mediation: false,
        parties: reporter
            .into_iter()
            .map(|p| (PartyRole::Reporter, p))
            .collect(),
    };
    let cx = Context {
        db,
        state,
        rule_set,
        walk_in: None,
        secret_hash,
        now,
    };
    let mut writes = Writes::default();
    let ids = Ids {
        case: new_id(),
        linked: None,
    };
    let filed = create(&cx, &report, &ids, &mut writes).await?;
    Ok((filed, writes))
}

/// What the records of one submission share.
struct Context<'a, C> {
    db: &'a C,
    state: &'a AppState,
    rule_set: RuleSetId,
    walk_in: Option<&'a WalkIn>,
    secret_hash: &'a str,
    now: DateTime<Utc>,
}

/// The ids of a new record and of the record it is filed with, both chosen before anything is
/// written so that each row can name the other.
struct Ids {
    case: String,
    linked: Option<String>,
}

fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Reads what one record needs (routing, the business, earlier cases) and adds the record, its
/// parties, deadlines, timeline, mail and audit entry to `writes`.
async fn create(
    cx: &Context<'_, impl ConnectionTrait>,
    new: &NewCase,
    ids: &Ids,
    writes: &mut Writes,
) -> Result<Filed, Error> {
    let &Context {
        db,
        state,
        rule_set,
        walk_in,
        secret_hash,
        now,
    } = cx;
    let routing = routing::route(
        db,
        &RoutingInput {
            rule_set,
            respondent_division: new.respondent.division_code.as_deref(),
            platform: new.respondent.platform.as_ref().map(|(_, d)| d.as_deref()),
            published_address_reachable: new.respondent.published_address_reachable,
            dispute_division: &new.dispute_division,
            received_by_bureau: walk_in.map(|w| w.station.bureau_code.as_str()),
        },
    )
    .await?;
    let return_promise = match new.kind {
        CaseKind::Complaint => {
            zone::return_promise(
                db,
                &new.respondent.name,
                new.respondent.uscc.as_ref().map(|u| u.as_str()),
                &new.demands,
                &new.dispute_division,
            )
            .await?
        }
        CaseKind::Report => None,
    };
    let complainant_key = new
        .parties
        .first()
        .map(|(_, p)| crate::domain::secrets::sha256_hex(&p.identity_key()));
    let respondent_key = new.respondent.key();
    let since = now - Duration::days(state.env.settings.duplicate_window_days);
    let found = look_up(
        db,
        &state.env.settings,
        now,
        new.kind,
        new.respondent.uscc.as_ref().map(|u| u.as_str()),
        &routing.bureau_code,
        &respondent_key,
        complainant_key.as_deref(),
        since,
    )
    .await?;
    // An enrolled business gets the complaint first when the consumer chose ODR.
    let odr = new.kind == CaseKind::Complaint && new.choose_odr && found.enrolled;
    let duplicate_of = match &complainant_key {
        Some(ck) if found.duplicate_candidates => {
            probable_duplicate(db, new.kind, ck, &respondent_key, &new.facts, since).await?
        }
        _ => None,
    };
    // Order 121: a repeated report by the same reporter is not handled again.
    let repeated_report =
        new.kind == CaseKind::Report && rule_set == RuleSetId::Order121 && duplicate_of.is_some();
    let status = match new.kind {
        CaseKind::Complaint if odr => CaseStatus::WithBusiness,
        CaseKind::Complaint => CaseStatus::PendingAcceptance,
        CaseKind::Report if repeated_report => CaseStatus::Merged,
        CaseKind::Report => CaseStatus::PendingVerification,
    };
    let id = ids.case.clone();
    let row = case::Model {
        id: id.clone(),
        kind: new.kind,
        receipt_number: receipt::receipt_number(new.kind, now),
        access_secret_hash: secret_hash.to_owned(),
        status,
        channel: new.channel,
        category: new.category,
        rule_set,
        received_at: now,
        linked_case_id: ids.linked.clone(),
        duplicate_of_id: duplicate_of.as_ref().map(|d| d.id.clone()),
        complainant_key,
        respondent_key,
        respondent_name: new.respondent.name.clone(),
        respondent_uscc: new.respondent.uscc.as_ref().map(|u| u.as_str().to_owned()),
        respondent_address: new.respondent.address.clone(),
        respondent_division_code: new.respondent.division_code.clone(),
        respondent_platform: new
            .respondent
            .platform
            .as_ref()
            .map(|(name, code)| json!({"name": name, "division_code": code}).to_string()),
        business_id: found.business_id,
        occurred_on: new.occurred_on,
        dispute_division_code: new.dispute_division.clone(),
        dispute_place: new.dispute_place.clone(),
        goods_or_service: new.goods_or_service.clone(),
        amount_fen: new.amount_fen,
        facts: new.facts.clone(),
        demands: json!(new.demands.iter().map(|d| d.as_str()).collect::<Vec<_>>()).to_string(),
        evidence: json!(new.evidence).to_string(),
        choose_odr: new.choose_odr,
        consent_to_publish: new.consent_to_publish,
        conceal_identity: new.conceal_identity,
        anonymous: new.parties.is_empty(),
        bureau_code: routing.bureau_code.clone(),
        station_id: routing.station_id.clone(),
        routing_rule: routing.rule,
        received_by_station_id: walk_in.map(|w| w.station.id.clone()),
        return_promise: return_promise.as_ref().map(|p| json!(p).to_string()),
        created_at: now,
        updated_at: now,
        accepted_at: None,
        mediator_id: None,
        outcome: None,
        outcome_reason: None,
        closed_at: repeated_report.then_some(now),
        amount_recovered_fen: None,
        odr_state: odr.then_some(crate::odr::OdrState::Negotiating),
        odr_agreed_offer_id: None,
        odr_first_response_at: None,
        odr_escalated_at: None,
        reporter_notified_at: None,
        accept_delegated_mediation: new.accept_delegated_mediation,
        delegate_organisation: None,
        delegate_mediator: None,
        amount_in_dispute_fen: None,
    };
    writes.insert(row.clone().into_active_model());
    writes.insert_many(new.parties.iter().enumerate().map(|(position, (role, p))| {
        party::ActiveModel {
            id: NotSet,
            case_id: Set(id.clone()),
            role: Set(*role),
            position: Set(position as i32),
            name: Set(p.name.as_str().to_owned()),
            phone: Set(Some(p.phone.as_str().to_owned())),
            email: Set(p.email.clone()),
            address: Set(p.address.clone()),
            id_type: Set(p.id_type.map(|t| t.as_str().to_owned())),
            id_number: Set(p.id_number.clone()),
        }
    }));
    // ODR time does not count toward the regulator's limits: acceptance starts at escalation.
    let first_deadline = match new.kind {
        CaseKind::Complaint if odr => DeadlineKind::OdrSettlement,
        CaseKind::Complaint => DeadlineKind::Acceptance,
        CaseKind::Report => DeadlineKind::ReportVerification,
    };
    let calendar = state.env.calendar.current();
    let first = deadlines::compute(&calendar, &state.env.rules, rule_set, first_deadline, now)
        .filter(|_| !repeated_report);
    let system = Actor::System;
    let (what, label, with) = match new.kind {
        CaseKind::Complaint => ("complaint", "投诉已登记", "随投诉提交证据"),
        CaseKind::Report => ("report", "举报已登记", "随举报提交证据"),
    };
    let (receiver, description) = match walk_in {
        Some(w) => (
            &w.staff,
            format!("{label}（{}现场登记，首接负责联系）", w.station.name),
        ),
        None => (&Actor::Consumer, label.to_owned()),
    };
    let handler = match &routing.station_name {
        Some(s) => format!("{}{}", routing.bureau_name, s),
        None => routing.bureau_name.clone(),
    };
    let mut events = vec![
        cases::journal::event(
            &id,
            "received",
            receiver,
            true,
            json!({"description": description, "channel": new.channel.as_str(), "received_by_station_id": row.received_by_station_id}),
            now,
        ),
        cases::journal::event(
            &id,
            "routed",
            &system,
            true,
            json!({"description": format!("已分送至{handler}"), "bureau_code": routing.bureau_code, "station_id": routing.station_id, "rule": routing.rule}),
            now,
        ),
    ];
    let evidence = crate::evidence::add::filed_with(&id, receiver, &new.files, with, now);
    if let Some(e) = &evidence {
        writes.insert_many(e.rows.clone());
        events.push(e.event.clone());
    }
    if let Some(d) = &first {
        writes.insert(deadlines::row(&id, d));
        if odr {
            crate::odr::notify_desk(db, &row, d.due_date, now, &mut events, writes).await?;
        }
    }
    if let Some(p) = &return_promise {
        events.push(cases::journal::event(
            &id,
            "return_promise_cited",
            &system,
            true,
            json!({"description": format!("{}承诺示范区内异地异店无理由退换货", p.brand_name), "brand_id": p.brand_id}),
            now,
        ));
    }
    if let Some(d) = &duplicate_of {
        events.push(cases::journal::event(
            &id,
            "flagged_probable_duplicate",
            &system,
            false,
            json!({"duplicate_of": d.id, "receipt_number": d.receipt_number}),
            now,
        ));
        if repeated_report {
            events.push(cases::journal::event(
                &id,
                "report_merged",
                &system,
                true,
                json!({"description": format!("重复举报，不再重复处理，已并入 {}", d.receipt_number)}),
                now,
            ));
        }
    }
    let urgent = crate::urgent::maybe_enqueue(db, state, &row, now, &mut events, writes).await?;
    if let Some(due) = &found.alerts {
        crate::oversight::raise_alerts(
            db,
            &state.env.settings,
            &row,
            due,
            now,
            &mut events,
            writes,
        )
        .await?;
    }
    // One statement, so the entries keep this order on the timeline.
    writes.insert_many(events);
    writes.insert(audit::entry(
        receiver,
        &format!("{what}.file"),
        Some(&id),
        json!({"receipt_number": row.receipt_number}),
        now,
    ));
    if let Some(e) = evidence {
        writes.insert(e.audit);
    }
    Ok(Filed {
        case: row,
        routing,
        deadlines: first
            .iter()
            .chain(&urgent)
            .map(DeadlineView::opened)
            .collect(),
        linked: None,
        duplicate_of,
    })
}
