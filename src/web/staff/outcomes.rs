//! How mediation ends, from the case page: termination on a ground of the case's rule set, the
//! record that the parties were told another way, the agreement reached (several terms in 元,
//! each by a date), and the issued 调解书's download. The same steps as
//! `POST /api/v1/cases/{id}/termination`, `…/termination/told`, `…/agreement` and
//! `GET …/agreement/pdf`.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::act::{self, Answer, Text, again, done, mediating, station_case};
use super::signed_in::{Desk, SignedIn};
use crate::cases::Outcome;
use crate::deadlines::{DeadlineStatus, local_date};
use crate::entities::case;
use crate::http::ApiError;
use crate::intake::request::MAX_AMOUNT_FEN;
use crate::mediation::document::{Particulars, Term};
use crate::mediation::outcome::{
    self, AgreementRequest, NoticeChannel, TerminationRequest, ToldRequest,
};
use crate::mediation::{self, agreement};
use crate::state::AppState;
use crate::web::complaint::questions::yuan_to_fen;
use crate::web::components::{Choice, DateParts, FormErrors};
use crate::web::journey::{Form, value};
use crate::web::page::Page;

fn page_for(req: &HttpRequest, c: &case::Model, title: &str, errors: FormErrors) -> Page {
    Page::new(req, format!("{title} {}", c.receipt_number))
        .with_back(format!("/staff/cases/{}", c.id))
        .with_errors(errors)
}

/// An amount typed in 元: empty is none; else up to two decimals and at most the largest accepted.
fn amount(text: &str, field: &str, errors: &mut FormErrors) -> Option<i64> {
    if text.trim().is_empty() {
        return None;
    }
    match yuan_to_fen(text) {
        Some(fen) if fen <= MAX_AMOUNT_FEN => Some(fen),
        Some(_) => {
            errors.add(field, "金额不能超过 1 亿元");
            None
        }
        None => {
            errors.add(field, "请输入金额（元），最多两位小数，如 128.50");
            None
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/terminate.html")]
pub struct TerminatePage {
    page: Page,
    desk: Desk,
    id: String,
    receipt_number: String,
    grounds: Vec<Choice>,
    input: TerminateInput,
}

#[derive(Deserialize, Default)]
pub struct TerminateInput {
    #[serde(default)]
    ground: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    recovered: String,
}

fn terminate_page(
    req: &HttpRequest,
    me: &SignedIn,
    c: &case::Model,
    input: TerminateInput,
    errors: FormErrors,
) -> TerminatePage {
    let grounds = mediation::grounds(c.rule_set)
        .termination
        .iter()
        .map(|g| {
            let choice = Choice::new(g.code.clone(), g.label.clone());
            if g.needs_text {
                choice.hint("须在下面写明具体理由")
            } else {
                choice
            }
        })
        .collect();
    TerminatePage {
        page: page_for(req, c, "终止调解", errors),
        desk: Desk::of(me),
        id: c.id.clone(),
        receipt_number: c.receipt_number.clone(),
        grounds: Choice::mark(grounds, &[input.ground.as_str()]),
        input,
    }
}

/// `GET /staff/cases/{id}/termination`: the termination grounds of the case's rule set.
pub async fn terminate_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<TerminatePage, ApiError> {
    let c = station_case(&state, &me, &path, mediating).await?;
    let input = TerminateInput::default();
    Ok(terminate_page(&req, &me, &c, input, FormErrors::new()))
}

/// `POST /staff/cases/{id}/termination`: the step of `POST /api/v1/cases/{id}/termination`.
pub async fn terminate(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
    input: web::Form<TerminateInput>,
) -> Answer<TerminatePage> {
    let c = station_case(&state, &me, &path, mediating).await?;
    let input = input.into_inner();
    let mut errors = FormErrors::new();
    let ground = mediation::grounds(c.rule_set)
        .termination
        .iter()
        .find(|g| g.code == input.ground);
    let text = input.text.trim();
    match ground {
        None if input.ground.is_empty() => errors.add("ground", "请选择终止调解的理由"),
        None => errors.add("ground", "请选择列表中的理由"),
        Some(g) if g.needs_text && text.is_empty() => {
            errors.add("text", "这一理由须写明具体情况，双方会看到")
        }
        Some(_) => {}
    }
    if text.chars().count() > 2000 {
        errors.add("text", "具体理由最多 2000 字");
    }
    let recovered = amount(&input.recovered, "recovered", &mut errors);
    let request = TerminationRequest {
        ground: input.ground.clone(),
        text: (!text.is_empty()).then(|| text.to_owned()),
        amount_recovered_fen: recovered,
        amount_in_dispute_fen: None,
    };
    if errors.is_empty() {
        let txn = crate::db::begin_write(&state.db).await?;
        let now = state.clock.now();
        match outcome::terminate(&txn, &state.env, &me.staff, &c.id, &request, now).await {
            Ok((c, notice)) => {
                txn.commit().await?;
                let open = notice.is_some_and(|n| DeadlineStatus::RUNNING.contains(&n.status));
                let text = if open {
                    "已终止调解，案件办结。有一方没有电子邮箱，请在 7 个工作日内以其他方式告知，并在本页记录。"
                } else {
                    "已终止调解，案件办结，双方已收到告知。"
                };
                return done(&session, &c.id, text);
            }
            Err(mediation::Error::Invalid(invalid)) => {
                for f in &invalid.0 {
                    match f.field.as_str() {
                        "ground" => errors.add("ground", "请选择列表中的理由"),
                        "amount_recovered_fen" => errors.add("recovered", "请输入正确的金额"),
                        _ => errors.add("text", "请写明终止调解的具体理由"),
                    }
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    again(terminate_page(&req, &me, &c, input, errors))
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/told.html")]
pub struct ToldPage {
    page: Page,
    desk: Desk,
    id: String,
    receipt_number: String,
    channels: Vec<Choice>,
    note: String,
}

#[derive(Deserialize, Default)]
pub struct ToldInput {
    #[serde(default)]
    channel: String,
    #[serde(default)]
    note: String,
}

fn terminated(c: &case::Model) -> bool {
    c.outcome == Some(Outcome::Terminated)
}

fn told_page(
    req: &HttpRequest,
    me: &SignedIn,
    c: &case::Model,
    input: ToldInput,
    errors: FormErrors,
) -> ToldPage {
    let channels = vec![
        Choice::new("phone", "电话"),
        Choice::new("sms", "短信"),
        Choice::new("post", "邮寄"),
        Choice::new("in_person", "当面告知"),
    ];
    ToldPage {
        page: page_for(req, c, "记录告知终止调解", errors),
        desk: Desk::of(me),
        id: c.id.clone(),
        receipt_number: c.receipt_number.clone(),
        channels: Choice::mark(channels, &[input.channel.as_str()]),
        note: input.note,
    }
}

/// `GET /staff/cases/{id}/termination/told`
pub async fn told_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<ToldPage, ApiError> {
    let c = station_case(&state, &me, &path, terminated).await?;
    Ok(told_page(
        &req,
        &me,
        &c,
        ToldInput::default(),
        FormErrors::new(),
    ))
}

/// `POST /staff/cases/{id}/termination/told`: the step of
/// `POST /api/v1/cases/{id}/termination/told`.
pub async fn told(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
    input: web::Form<ToldInput>,
) -> Answer<ToldPage> {
    let c = station_case(&state, &me, &path, terminated).await?;
    let input = input.into_inner();
    let mut errors = FormErrors::new();
    let channel = match input.channel.as_str() {
        "phone" => Some(NoticeChannel::Phone),
        "sms" => Some(NoticeChannel::Sms),
        "post" => Some(NoticeChannel::Post),
        "in_person" => Some(NoticeChannel::InPerson),
        _ => {
            errors.add("channel", "请选择告知的方式");
            None
        }
    };
    let note = input.note.trim();
    if note.chars().count() > 1000 {
        errors.add("note", "说明最多 1000 字");
    }
    if let (Some(channel), true) = (channel, errors.is_empty()) {
        let request = ToldRequest {
            channel,
            note: (!note.is_empty()).then(|| note.to_owned()),
        };
        let txn = crate::db::begin_write(&state.db).await?;
        outcome::termination_told(&txn, &me.staff, &c.id, &request, state.clock.now()).await?;
        txn.commit().await?;
        return done(&session, &c.id, "已记录告知双方终止调解。");
    }
    again(told_page(&req, &me, &c, input, errors))
}

/// One term of the agreement as typed.
pub struct TermRow {
    pub n: usize,
    pub what: String,
    pub amount: String,
    pub due: DateParts,
}

impl TermRow {
    pub fn field(&self, name: &str) -> String {
        format!("{name}_{}", self.n)
    }

    /// Nothing typed in this row: it is left out.
    fn is_blank(&self) -> bool {
        [
            &self.what,
            &self.amount,
            &self.due.year,
            &self.due.month,
            &self.due.day,
        ]
        .iter()
        .all(|s| s.trim().is_empty())
    }
}

/// At most as many terms as the API takes.
const MAX_TERMS: usize = 20;
const FIRST_ROWS: usize = 2;

#[derive(Template, WebTemplate)]
#[template(path = "staff/agreement.html")]
pub struct AgreementPage {
    page: Page,
    desk: Desk,
    id: String,
    receipt_number: String,
    terms: Vec<TermRow>,
    rows: usize,
    flags: Vec<Choice>,
    recovered: String,
    respondent_agent: String,
}

fn agreement_page(
    req: &HttpRequest,
    me: &SignedIn,
    c: &case::Model,
    form: Option<&Form>,
    rows: usize,
    errors: FormErrors,
) -> AgreementPage {
    let get = |name: &str| form.map(|f| value(f, name)).unwrap_or_default();
    let terms = (1..=rows)
        .map(|n| TermRow {
            n,
            what: get(&format!("what_{n}")),
            amount: get(&format!("amount_{n}")),
            due: DateParts {
                year: get(&format!("due_{n}_year")),
                month: get(&format!("due_{n}_month")),
                day: get(&format!("due_{n}_day")),
            },
        })
        .collect();
    let ticked: Vec<String> = form
        .map(|f| {
            f.iter()
                .filter(|(k, _)| k == "flags")
                .map(|(_, v)| v.clone())
                .collect()
        })
        .unwrap_or_default();
    let ticked: Vec<&str> = ticked.iter().map(String::as_str).collect();
    let flags = vec![
        Choice::new("in_person", "现场调解达成")
            .hint("现场调解达成的协议须制作调解书，除非下面两项之一"),
        Choice::new("on_the_spot", "当场履行完毕"),
        Choice::new("document_waived", "双方同意不制作调解书"),
    ];
    AgreementPage {
        page: page_for(req, c, "记录调解协议", errors),
        desk: Desk::of(me),
        id: c.id.clone(),
        receipt_number: c.receipt_number.clone(),
        terms,
        rows,
        flags: Choice::mark(flags, &ticked),
        recovered: get("recovered"),
        respondent_agent: get("respondent_agent"),
    }
}

/// `GET /staff/cases/{id}/agreement`
pub async fn agreement_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<AgreementPage, ApiError> {
    let c = station_case(&state, &me, &path, mediating).await?;
    Ok(agreement_page(
        &req,
        &me,
        &c,
        None,
        FIRST_ROWS,
        FormErrors::new(),
    ))
}

/// The typed terms checked in words; the ones filled in, when all are right.
fn terms_of(page: &AgreementPage, today: chrono::NaiveDate, errors: &mut FormErrors) -> Vec<Term> {
    let mut out = Vec::new();
    for t in page.terms.iter().filter(|t| !t.is_blank()) {
        let what = t.what.trim();
        Text {
            field: &t.field("what"),
            what: "协议内容",
            min: 2,
            max: 500,
            lines: true,
        }
        .check(what, &format!("请写明第 {} 项由谁做什么", t.n), errors);
        let fen = if t.amount.trim().is_empty() {
            Some(0)
        } else {
            amount(&t.amount, &t.field("amount"), errors)
        };
        let due_field = t.field("due");
        let due = t.due.parse();
        match due {
            None if t.due.year.trim().is_empty() => {
                errors.add(&due_field, format!("请输入第 {} 项的履行期限", t.n))
            }
            None => errors.add(&due_field, "履行期限必须是真实的日期"),
            Some(d) if d < today => errors.add(&due_field, "履行期限不能早于今天"),
            Some(_) => {}
        }
        if let (Some(amount_fen), Some(due_on)) = (fen, due) {
            out.push(Term {
                what: what.to_owned(),
                amount_fen,
                due_on,
            });
        }
    }
    out
}

/// `POST /staff/cases/{id}/agreement`: the step of `POST /api/v1/cases/{id}/agreement`. The
/// 再加一项 button comes back with one more row and nothing checked.
pub async fn record_agreement(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
    form: Form,
) -> Answer<AgreementPage> {
    let c = station_case(&state, &me, &path, mediating).await?;
    let rows = value(&form, "rows")
        .parse::<usize>()
        .unwrap_or(FIRST_ROWS)
        .clamp(1, MAX_TERMS);
    if value(&form, "more") == "1" {
        let rows = (rows + 1).min(MAX_TERMS);
        let page = agreement_page(&req, &me, &c, Some(&form), rows, FormErrors::new());
        return Ok(actix_web::Either::Right(actix_web::Responder::customize(
            page,
        )));
    }
    let mut errors = FormErrors::new();
    let now = state.clock.now();
    let shown = agreement_page(&req, &me, &c, Some(&form), rows, FormErrors::new());
    let terms = terms_of(&shown, local_date(now), &mut errors);
    if shown.terms.iter().all(TermRow::is_blank) {
        errors.add("what_1", "请至少写明一项协议内容");
    }
    let recovered = amount(&shown.recovered, "recovered", &mut errors);
    if terms.iter().map(|t| t.amount_fen).sum::<i64>() > MAX_AMOUNT_FEN {
        errors.add("amount_1", "各项金额合计不能超过 1 亿元");
    }
    let agent = shown.respondent_agent.trim();
    if agent.chars().count() > 100 || !crate::domain::text::is_single_line(agent) {
        errors.add("respondent_agent", "被投诉方代理人最多 100 字，只能写一行");
    }
    let ticked = |v: &str| shown.flags.iter().any(|f| f.value == v && f.checked);
    let request = AgreementRequest {
        terms,
        amount_recovered_fen: recovered,
        amount_in_dispute_fen: None,
        in_person: ticked("in_person"),
        on_the_spot: ticked("on_the_spot"),
        document_waived: ticked("document_waived"),
        particulars: Particulars {
            respondent_agent: (!agent.is_empty()).then(|| agent.to_owned()),
            ..Particulars::default()
        },
    };
    if errors.is_empty() {
        act::rules(&request, &mut errors);
    }
    let filled: Vec<usize> = shown
        .terms
        .iter()
        .filter(|t| !t.is_blank())
        .map(|t| t.n)
        .collect();
    if errors.is_empty() {
        let txn = crate::db::begin_write(&state.db).await?;
        match outcome::record_agreement(&txn, &state.env, &me.staff, &c.id, request, now).await {
            Ok(a) => {
                txn.commit().await?;
                let text = if a.needs_document {
                    "已记录调解协议。调解书草稿已发给双方确认，双方确认后即签发。"
                } else {
                    "已记录调解协议，案件办结，双方会收到协议内容。"
                };
                return done(&session, &c.id, text);
            }
            Err(mediation::Error::Invalid(invalid)) => {
                for f in &invalid.0 {
                    // `terms[0].due_on` → the first row filled in.
                    let n = f
                        .field
                        .strip_prefix("terms[")
                        .and_then(|r| r.split(']').next())
                        .and_then(|i| i.parse::<usize>().ok())
                        .and_then(|i| filled.get(i).copied())
                        .unwrap_or(1);
                    errors.add(&format!("what_{n}"), format!("第 {n} 项不符合要求，请检查"));
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    let page = agreement_page(&req, &me, &c, Some(&form), rows, errors);
    again(page)
}

/// `GET /staff/cases/{id}/agreement/pdf`: the issued 调解书, its download audited.
pub async fn pdf(
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let bytes = agreement::issued_pdf(&state.db, &me.staff, &path, state.clock.now()).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"tiaojieshu.pdf\"",
        ))
        .body(bytes))
}
