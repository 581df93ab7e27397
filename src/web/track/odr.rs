//! Settling with the business (ODR) from the case page: the negotiation as it stands, and the
//! consumer's answers — accept the business's offer (after a confirmation page), reject it with a
//! reason, counter with an amount in 元 (stored as fen), confirm that the agreed settlement was
//! performed (after a confirmation page), or reopen one the business did not perform by its date.
//! Each calls the same step of `crate::odr` as the consumer's API endpoint; the step itself
//! refuses what the negotiation's state does not allow (a 409 page).

use actix_session::Session;
use actix_web::{HttpRequest, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::common::{Answer, refused, remembered, to_case, to_track, web_page};
use crate::deadlines::local_date;
use crate::entities::case;
use crate::http::ApiError;
use crate::odr::negotiation::{self, Negotiation, OfferView};
use crate::odr::{OdrState, OfferParty, OfferStatus, answer, offer, performed};
use crate::state::AppState;
use crate::web::components::{Choice, DateParts, FormErrors};
use crate::web::odr_terms::{OfferLine, TermsInput, check_reason, line, terms};
use crate::web::page::Page;

/// The negotiation on the case page, with the answers its state allows.
pub struct OdrSection {
    /// Where the negotiation stands, in a sentence.
    pub state_words: &'static str,
    pub offers: Vec<OfferLine>,
    /// The business's offer awaiting the consumer's answer.
    pub open_offer: Option<i64>,
    pub can_counter: bool,
    pub can_confirm: bool,
    pub can_reopen: bool,
}

/// The agreed offer, when there is one.
fn agreed<'a>(c: &case::Model, n: &'a Negotiation) -> Option<&'a OfferView> {
    n.offers
        .iter()
        .find(|o| Some(o.id) == c.odr_agreed_offer_id)
}

/// The section of the case page, for a case that went to the business first.
pub async fn section(state: &AppState, c: &case::Model) -> Result<Option<OdrSection>, ApiError> {
    let Some(s) = c.odr_state else {
        return Ok(None);
    };
    let n = negotiation::of_case(&state.db, &c.id).await?;
    let today = local_date(state.clock.now());
    let open_offer = n
        .offers
        .iter()
        .find(|o| o.party == OfferParty::Business && o.status == OfferStatus::Open)
        .map(|o| o.id)
        .filter(|_| s == OdrState::Offered);
    let overdue = agreed(c, &n).is_some_and(|o| today > o.perform_by);
    Ok(Some(OdrSection {
        state_words: match s {
            OdrState::Negotiating => {
                "经营者正在处理您的投诉，还没有提出和解方案。您也可以先提出您的方案。"
            }
            OdrState::Offered => "经营者提出了和解方案，请您答复。",
            OdrState::Countered => "您提出了方案，正在等待经营者答复。",
            OdrState::Agreed => "双方已达成和解，正在等待经营者履行。",
            OdrState::Performed => "经营者称已履行和解协议，请您确认。",
            OdrState::Settled => "您已确认经营者履行了和解协议，投诉已办结。",
            OdrState::Escalated => "和解未成，投诉已转交市场监督管理部门处理。",
        },
        offers: n
            .offers
            .iter()
            .map(|o| line(o, "经营者的方案", "您的方案"))
            .collect(),
        open_offer,
        can_counter: matches!(s, OdrState::Negotiating | OdrState::Offered),
        can_confirm: s == OdrState::Performed,
        can_reopen: matches!(s, OdrState::Agreed | OdrState::Performed) && overdue,
    }))
}

/// The business's open offer `id` of the case, if it is one.
async fn open_offer(
    state: &AppState,
    c: &case::Model,
    id: i64,
) -> Result<Option<OfferView>, ApiError> {
    Ok(negotiation::of_case(&state.db, &c.id)
        .await?
        .offers
        .into_iter()
        .find(|o| o.id == id && o.party == OfferParty::Business && o.status == OfferStatus::Open))
}

#[derive(Template, WebTemplate)]
#[template(path = "track/odr_accept.html")]
pub struct AcceptPage {
    page: Page,
    receipt_number: String,
    id: i64,
    terms: String,
    message: String,
}

/// `GET /track/odr/offers/{id}/accept`: the offer's terms and what accepting means.
pub async fn accept_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<i64>,
) -> Answer<AcceptPage> {
    let Some(c) = remembered(&state, &session).await? else {
        return Ok(to_track());
    };
    let Some(o) = open_offer(&state, &c, *path).await? else {
        return Ok(to_case());
    };
    Ok(web_page(AcceptPage {
        page: Page::new(&req, "接受经营者的和解方案").with_back("/track/case"),
        receipt_number: c.receipt_number,
        id: o.id,
        terms: terms(&o),
        message: o.message,
    }))
}

/// `POST /track/odr/offers/{id}/accept`
pub async fn accept(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<i64>,
) -> Answer<AcceptPage> {
    let Some(c) = remembered(&state, &session).await? else {
        return Ok(to_track());
    };
    let txn = crate::db::begin_write(&state.db).await?;
    answer::accept(&txn, &c, *path, state.clock.now()).await?;
    txn.commit().await?;
    Ok(to_case())
}

#[derive(Deserialize)]
pub struct ReasonInput {
    #[serde(default)]
    reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "track/odr_reason.html")]
pub struct ReasonPage {
    page: Page,
    /// What the page is for, above the form.
    lead: String,
    action: String,
    label: &'static str,
    hint: &'static str,
    button: &'static str,
    reason: String,
}

fn reject_page(req: &HttpRequest, o: &OfferView, reason: String, errors: FormErrors) -> ReasonPage {
    ReasonPage {
        page: Page::new(req, "拒绝经营者的和解方案")
            .with_back("/track/case")
            .with_errors(errors),
        lead: format!(
            "经营者的方案：{}。拒绝后，和解结束，投诉连同和解记录转交市场监督管理部门处理。",
            terms(o)
        ),
        action: format!("/track/odr/offers/{}/reject", o.id),
        label: "拒绝的原因",
        hint: "市场监督管理部门会看到您写的原因",
        button: "拒绝方案",
        reason,
    }
}

/// `GET /track/odr/offers/{id}/reject`
pub async fn reject_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<i64>,
) -> Answer<ReasonPage> {
    let Some(c) = remembered(&state, &session).await? else {
        return Ok(to_track());
    };
    let Some(o) = open_offer(&state, &c, *path).await? else {
        return Ok(to_case());
    };
    Ok(web_page(reject_page(
        &req,
        &o,
        String::new(),
        FormErrors::new(),
    )))
}

/// `POST /track/odr/offers/{id}/reject`
pub async fn reject(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<i64>,
    input: web::Form<ReasonInput>,
) -> Answer<ReasonPage> {
    let Some(c) = remembered(&state, &session).await? else {
        return Ok(to_track());
    };
    let reason = input.into_inner().reason;
    let mut errors = FormErrors::new();
    check_reason(&reason, &mut errors);
    if !errors.is_empty() {
        // An offer no longer open is the step's to refuse, below.
        if let Some(o) = open_offer(&state, &c, *path).await? {
            return Ok(refused(reject_page(&req, &o, reason, errors)));
        }
    }
    let txn = crate::db::begin_write(&state.db).await?;
    answer::reject(
        &txn,
        &state.env,
        &c,
        *path,
        reason.trim(),
        state.clock.now(),
    )
    .await?;
    txn.commit().await?;
    Ok(to_case())
}

#[derive(Template, WebTemplate)]
#[template(path = "track/odr_counter.html")]
pub struct CounterPage {
    page: Page,
    /// The business's offer being countered, if any.
    countering: Option<String>,
    kinds: Vec<Choice>,
    amount: String,
    perform_by: DateParts,
    message: String,
}

async fn counter_page(
    req: &HttpRequest,
    state: &AppState,
    c: &case::Model,
    input: TermsInput,
    errors: FormErrors,
) -> Result<CounterPage, ApiError> {
    let n = negotiation::of_case(&state.db, &c.id).await?;
    let countering = n
        .offers
        .iter()
        .find(|o| o.party == OfferParty::Business && o.status == OfferStatus::Open)
        .map(terms);
    Ok(CounterPage {
        page: Page::new(req, "提出您的和解方案")
            .with_back("/track/case")
            .with_errors(errors),
        countering,
        kinds: input.kinds(),
        perform_by: input.perform_by(),
        amount: input.amount,
        message: input.message,
    })
}

/// `GET /track/odr/counter`
pub async fn counter_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
) -> Answer<CounterPage> {
    let Some(c) = remembered(&state, &session).await? else {
        return Ok(to_track());
    };
    Ok(web_page(
        counter_page(&req, &state, &c, TermsInput::default(), FormErrors::new()).await?,
    ))
}

/// `POST /track/odr/counter`
pub async fn counter(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    input: web::Form<TermsInput>,
) -> Answer<CounterPage> {
    let Some(c) = remembered(&state, &session).await? else {
        return Ok(to_track());
    };
    let input = input.into_inner();
    let now = state.clock.now();
    let request = match input.request(local_date(now)) {
        Ok(r) => r,
        Err(errors) => {
            return Ok(refused(
                counter_page(&req, &state, &c, input, errors).await?,
            ));
        }
    };
    let txn = crate::db::begin_write(&state.db).await?;
    offer::counter(&txn, &c, &request, now).await?;
    txn.commit().await?;
    Ok(to_case())
}

#[derive(Template, WebTemplate)]
#[template(path = "track/odr_confirm.html")]
pub struct ConfirmPage {
    page: Page,
    receipt_number: String,
    terms: String,
}

/// `GET /track/odr/confirm`: what confirming means, before the case closes.
pub async fn confirm_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
) -> Answer<ConfirmPage> {
    let Some(c) = remembered(&state, &session).await? else {
        return Ok(to_track());
    };
    if c.odr_state != Some(OdrState::Performed) {
        return Ok(to_case());
    }
    let n = negotiation::of_case(&state.db, &c.id).await?;
    let terms = agreed(&c, &n).map(terms).unwrap_or_default();
    Ok(web_page(ConfirmPage {
        page: Page::new(&req, "确认经营者已履行和解协议").with_back("/track/case"),
        receipt_number: c.receipt_number,
        terms,
    }))
}

/// `POST /track/odr/confirm`
pub async fn confirm(state: web::Data<AppState>, session: Session) -> Answer<ConfirmPage> {
    let Some(c) = remembered(&state, &session).await? else {
        return Ok(to_track());
    };
    let txn = crate::db::begin_write(&state.db).await?;
    performed::confirm(&txn, &state.env, &c, state.clock.now()).await?;
    txn.commit().await?;
    Ok(to_case())
}

fn reopen_page(req: &HttpRequest, reason: String, errors: FormErrors) -> ReasonPage {
    ReasonPage {
        page: Page::new(req, "经营者没有按期履行")
            .with_back("/track/case")
            .with_errors(errors),
        lead: "经营者没有在约定的日期前履行和解协议的，您可以申请由市场监督管理部门处理。和解结束，投诉连同和解记录一并转交。".to_owned(),
        action: "/track/odr/reopen".to_owned(),
        label: "没有履行的情况",
        hint: "例如：约定 11 月 30 日前退款，至今没有收到",
        button: "申请转交市场监督管理部门",
        reason,
    }
}

/// `GET /track/odr/reopen`
pub async fn reopen_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
) -> Answer<ReasonPage> {
    if remembered(&state, &session).await?.is_none() {
        return Ok(to_track());
    }
    Ok(web_page(reopen_page(
        &req,
        String::new(),
        FormErrors::new(),
    )))
}

/// `POST /track/odr/reopen`
pub async fn reopen(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    input: web::Form<ReasonInput>,
) -> Answer<ReasonPage> {
    let Some(c) = remembered(&state, &session).await? else {
        return Ok(to_track());
    };
    let reason = input.into_inner().reason;
    let mut errors = FormErrors::new();
    check_reason(&reason, &mut errors);
    if !errors.is_empty() {
        return Ok(refused(reopen_page(&req, reason, errors)));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    performed::reopen(&txn, &state.env, &c, reason.trim(), state.clock.now()).await?;
    txn.commit().await?;
    Ok(to_case())
}
