//! The business's ODR desk at work: the negotiation on the case page with its settlement clock,
//! and the desk's steps — make an offer (or a new one after a counter-offer), accept the
//! consumer's counter-offer, decline with a reason, record that the settlement was performed —
//! and the business's own ODR figures for a period, with a chart. Each form runs the step of
//! `crate::odr` that the desk's API endpoints run (`POST /api/v1/odr/cases/{id}/offers`,
//! `…/offers/{offer_id}/accept`, `…/decline`, `…/performance`, and
//! `GET /api/v1/odr/businesses/{id}/performance`); the step refuses what the negotiation's state
//! does not allow.

use actix_session::Session;
use actix_web::{HttpRequest, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::act::{Answer, again, done};
use super::signed_in::{Desk, SignedIn};
use super::text_step::TextPage;
use crate::cases::access::{Act, act_on};
use crate::deadlines::local_date;
use crate::domain::dates::chinese_date;
use crate::entities::case;
use crate::http::ApiError;
use crate::mediation::yuan;
use crate::odr::negotiation::{self, Negotiation};
use crate::odr::performance::{self, Period};
use crate::odr::performed::PerformedRequest;
use crate::odr::{OdrState, OfferParty, OfferStatus, answer, decline, offer, performed};
use crate::state::AppState;
use crate::web::components::{BarChart, DateParts, FormErrors, SummaryRow};
use crate::web::odr_terms::{MAX_TEXT_CHARS, OfferLine, TermsInput, check_reason, line, terms};
use crate::web::page::Page;

/// The negotiation on the case page, as the desk sees it, with the steps its state allows.
pub struct DeskOdr {
    /// Where the negotiation stands, in a sentence.
    pub state_words: &'static str,
    /// `企业和解期限 2026年12月7日（还剩 …）` while the clock runs.
    pub deadline: Option<String>,
    pub offers: Vec<OfferLine>,
    /// The consumer's counter-offer awaiting the desk's answer: its id and terms.
    pub counter: Option<(i64, String)>,
    pub can_offer: bool,
    pub can_decline: bool,
    pub can_perform: bool,
}

/// The section of the case page for the business's desk, on a complaint that went to it first.
pub(crate) async fn section(
    state: &AppState,
    c: &case::Model,
) -> Result<Option<DeskOdr>, ApiError> {
    let Some(s) = c.odr_state else {
        return Ok(None);
    };
    let n = negotiation::of_case(&state.db, &c.id).await?;
    let counter = n
        .offers
        .iter()
        .find(|o| o.party == OfferParty::Consumer && o.status == OfferStatus::Open)
        .filter(|_| s == OdrState::Countered)
        .map(|o| (o.id, terms(o)));
    Ok(Some(DeskOdr {
        state_words: match s {
            OdrState::Negotiating => "请在期限内答复消费者：提出和解方案，或说明不予和解的理由。",
            OdrState::Offered => "已提出和解方案，正在等待消费者答复。",
            OdrState::Countered => "消费者提出了自己的方案，请接受，或提出新的方案。",
            OdrState::Agreed => "双方已达成和解。履行后请在这里记录。",
            OdrState::Performed => "已记录履行，正在等待消费者确认。",
            OdrState::Settled => "消费者已确认履行，投诉已和解办结。",
            OdrState::Escalated => "和解未成，投诉已转交市场监督管理部门处理。",
        },
        deadline: clock_words(&n),
        offers: n
            .offers
            .iter()
            .map(|o| line(o, "本企业的方案", "消费者的方案"))
            .collect(),
        counter,
        can_offer: matches!(s, OdrState::Negotiating | OdrState::Countered),
        can_decline: matches!(
            s,
            OdrState::Negotiating | OdrState::Offered | OdrState::Countered
        ),
        can_perform: s == OdrState::Agreed,
    }))
}

fn clock_words(n: &Negotiation) -> Option<String> {
    let d = n.settlement_deadline.as_ref()?;
    crate::deadlines::DeadlineStatus::RUNNING
        .contains(&d.status)
        .then(|| {
            format!(
                "企业和解期限：{}（北京时间 24 时前）",
                chinese_date(d.due_date)
            )
        })
}

/// The complaint, for a step of its business's desk (404 outside its business, 403 for another
/// role); the step itself checks the negotiation's state.
async fn desk_case(state: &AppState, me: &SignedIn, id: &str) -> Result<case::Model, ApiError> {
    Ok(act_on(&state.db, &me.staff, id, Act::DeskStep).await?)
}

fn page_for(req: &HttpRequest, c: &case::Model, title: &str, errors: FormErrors) -> Page {
    Page::new(req, format!("{title} {}", c.receipt_number))
        .with_back(format!("/staff/cases/{}", c.id))
        .with_errors(errors)
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/odr_offer.html")]
pub struct OfferPage {
    page: Page,
    desk: Desk,
    id: String,
    receipt_number: String,
    /// The consumer's counter-offer this one answers.
    countering: Option<String>,
    kinds: Vec<crate::web::components::Choice>,
    amount: String,
    perform_by: DateParts,
    message: String,
}

async fn offer_page(
    req: &HttpRequest,
    state: &AppState,
    me: &SignedIn,
    c: &case::Model,
    input: TermsInput,
    errors: FormErrors,
) -> Result<OfferPage, ApiError> {
    let countering = section(state, c)
        .await?
        .and_then(|s| s.counter)
        .map(|(_, t)| t);
    Ok(OfferPage {
        page: page_for(req, c, "提出和解方案", errors),
        desk: Desk::of(me),
        id: c.id.clone(),
        receipt_number: c.receipt_number.clone(),
        countering,
        kinds: input.kinds(),
        perform_by: input.perform_by(),
        amount: input.amount,
        message: input.message,
    })
}

/// `GET /staff/cases/{id}/odr/offer`
pub async fn offer_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<OfferPage, ApiError> {
    let c = desk_case(&state, &me, &path).await?;
    offer_page(
        &req,
        &state,
        &me,
        &c,
        TermsInput::default(),
        FormErrors::new(),
    )
    .await
}

/// `POST /staff/cases/{id}/odr/offer`: the step of `POST /api/v1/odr/cases/{id}/offers`.
pub async fn make_offer(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
    input: web::Form<TermsInput>,
) -> Answer<OfferPage> {
    let c = desk_case(&state, &me, &path).await?;
    let input = input.into_inner();
    let now = state.clock.now();
    match input.request(local_date(now)) {
        Ok(request) => {
            let txn = crate::db::begin_write(&state.db).await?;
            offer::make(&txn, &me.staff, &c.id, &request, now).await?;
            txn.commit().await?;
            done(&session, &c.id, "已提出和解方案，消费者会收到通知。")
        }
        Err(errors) => again(offer_page(&req, &state, &me, &c, input, errors).await?),
    }
}

/// `POST /staff/cases/{id}/odr/offers/{offer_id}/accept`: the step of
/// `POST /api/v1/odr/cases/{id}/offers/{offer_id}/accept`.
pub async fn accept_counter(
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<(String, i64)>,
) -> Answer<OfferPage> {
    let (id, offer_id) = path.into_inner();
    let txn = crate::db::begin_write(&state.db).await?;
    answer::accept_counter(&txn, &me.staff, &id, offer_id, state.clock.now()).await?;
    txn.commit().await?;
    done(
        &session,
        &id,
        "已接受消费者的方案，双方达成和解。请按约定履行。",
    )
}

#[derive(Deserialize, Default)]
pub struct ReasonInput {
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize, Default)]
pub struct NoteInput {
    #[serde(default)]
    note: String,
}

fn decline_page(
    req: &HttpRequest,
    me: &SignedIn,
    c: &case::Model,
    value: String,
    errors: FormErrors,
) -> TextPage {
    TextPage {
        page: page_for(req, c, "不予和解", errors),
        desk: Desk::of(me),
        back: format!("/staff/cases/{}", c.id),
        action: format!("/staff/cases/{}/odr/decline", c.id),
        heading: "不予和解",
        lead: "不予和解后，投诉连同和解记录转交市场监督管理部门处理，不能撤回。消费者会看到您写的理由。",
        field: "reason",
        label: "不予和解的理由",
        hint: "例如：商品已超过退换期限，且无质量问题",
        button: "不予和解，转交监管部门",
        button_kind: "warning",
        value,
    }
}

/// `GET /staff/cases/{id}/odr/decline`
pub async fn decline_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<TextPage, ApiError> {
    let c = desk_case(&state, &me, &path).await?;
    Ok(decline_page(
        &req,
        &me,
        &c,
        String::new(),
        FormErrors::new(),
    ))
}

/// `POST /staff/cases/{id}/odr/decline`: the step of `POST /api/v1/odr/cases/{id}/decline`.
pub async fn decline(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
    input: web::Form<ReasonInput>,
) -> Answer<TextPage> {
    let c = desk_case(&state, &me, &path).await?;
    let reason = input.into_inner().reason;
    let mut errors = FormErrors::new();
    check_reason(&reason, &mut errors);
    if !errors.is_empty() {
        return again(decline_page(&req, &me, &c, reason, errors));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    decline::decline(
        &txn,
        &state.env,
        &me.staff,
        &c.id,
        reason.trim(),
        state.clock.now(),
    )
    .await?;
    txn.commit().await?;
    done(&session, &c.id, "已不予和解，投诉已转交市场监督管理部门。")
}

fn performed_page(
    req: &HttpRequest,
    me: &SignedIn,
    c: &case::Model,
    value: String,
    errors: FormErrors,
) -> TextPage {
    TextPage {
        page: page_for(req, c, "记录已履行", errors),
        desk: Desk::of(me),
        back: format!("/staff/cases/{}", c.id),
        action: format!("/staff/cases/{}/odr/performance", c.id),
        heading: "记录已履行和解协议",
        lead: "记录后，系统请消费者确认。消费者确认后投诉和解办结。",
        field: "note",
        label: "履行情况",
        hint: "例如：已于 12 月 1 日原路退款 128 元",
        button: "记录已履行",
        button_kind: "primary",
        value,
    }
}

/// `GET /staff/cases/{id}/odr/performance`
pub async fn performed_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<TextPage, ApiError> {
    let c = desk_case(&state, &me, &path).await?;
    Ok(performed_page(
        &req,
        &me,
        &c,
        String::new(),
        FormErrors::new(),
    ))
}

/// `POST /staff/cases/{id}/odr/performance`: the step of
/// `POST /api/v1/odr/cases/{id}/performance`.
pub async fn record_performed(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
    input: web::Form<NoteInput>,
) -> Answer<TextPage> {
    let c = desk_case(&state, &me, &path).await?;
    let note = input.into_inner().note;
    let n = note.trim().chars().count();
    let mut errors = FormErrors::new();
    if n == 0 {
        errors.add("note", "请写明履行情况");
    } else if n > MAX_TEXT_CHARS {
        errors.add("note", format!("履行情况最多 {MAX_TEXT_CHARS} 字，请删减"));
    }
    if !errors.is_empty() {
        return again(performed_page(&req, &me, &c, note, errors));
    }
    let request = PerformedRequest {
        note: note.trim().to_owned(),
    };
    let txn = crate::db::begin_write(&state.db).await?;
    performed::record(&txn, &me.staff, &c.id, &request, state.clock.now()).await?;
    txn.commit().await?;
    done(&session, &c.id, "已记录履行，等待消费者确认。")
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/odr_figures.html")]
pub struct FiguresPage {
    page: Page,
    desk: Desk,
    from: DateParts,
    to: DateParts,
    /// The period in words, once it is valid.
    period: Option<String>,
    rows: Vec<SummaryRow>,
    chart: Option<BarChart>,
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(
        || "—（没有可计算的案件）".to_owned(),
        |r| format!("{:.1}%", r * 100.0),
    )
}

/// `GET /staff/odr`: the desk's own business's ODR figures for a period (this year by default).
pub async fn figures(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    query: web::Query<super::period::PeriodInput>,
) -> Result<actix_web::CustomizeResponder<FiguresPage>, ApiError> {
    use actix_web::Responder;
    me.staff.require(&[crate::actor::Role::EnterpriseAgent])?;
    let business = me.staff.business_id.clone().unwrap_or_default();
    let mut errors = FormErrors::new();
    let period = query.period(local_date(state.clock.now()), &mut errors);
    let mut page = FiguresPage {
        page: Page::new(&req, "企业和解数据"),
        desk: Desk::of(&me),
        period: period.words(),
        from: period.from,
        to: period.to,
        rows: Vec::new(),
        chart: None,
    };
    if let Some((from, to)) = period.dates {
        let p =
            performance::of_business(&state.db, &me.staff, &business, &Period { from, to }).await?;
        let row = |k: &str, v: String| SummaryRow::new(k, v, "");
        page.rows = vec![
            row("收到的投诉", format!("{} 件", p.received)),
            row("和解成功", format!("{} 件", p.settled)),
            row("转交监管部门", format!("{} 件", p.escalated)),
            row("和解成功率", percent(p.settlement_rate)),
            row("按期答复率", percent(p.on_time_rate)),
            row(
                "首次答复用时（中位数）",
                p.median_first_response_hours
                    .map_or_else(|| "—".to_owned(), |h| format!("{h:.1} 小时")),
            ),
            row(
                "为消费者挽回",
                format!("{} 元", yuan(p.money_recovered_fen)),
            ),
        ];
        page.chart = Some(BarChart {
            title: "投诉的处理结果".into(),
            unit: "件".into(),
            bars: vec![
                ("收到".into(), p.received),
                ("和解成功".into(), p.settled),
                ("转交监管部门".into(), p.escalated),
                ("尚在处理".into(), p.received.saturating_sub(p.concluded)),
            ],
        });
    }
    let failed = !errors.is_empty();
    page.page = page.page.with_errors(errors);
    let status = if failed {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        actix_web::http::StatusCode::OK
    };
    Ok(page.customize().with_status(status))
}
