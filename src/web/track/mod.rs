//! Following a case (`/track`): the receipt number and access secret are asked once and checked
//! by the same step as the API's tracking; the session then keeps only the case's id, so the
//! secret never sits in a cookie. The case page says where the case stands, who handles it, each
//! deadline in words and the public timeline, and offers the actions the case's state allows:
//! answering the business's ODR offers ([`odr`]), reading and confirming the 调解书 and
//! downloading it once issued ([`agreement`]), withdrawing while the case is open, and rating it
//! once closed ([`rating`]).

pub(crate) mod agreement;
mod common;
pub(crate) mod evidence;
mod odr;
mod rating;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{CustomizeResponder, Either, HttpRequest, Responder, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::components::{Choice, FormErrors, Step};
use super::page::Page;
use crate::cases::track::{self, Claim, Tracking};
use crate::cases::{CaseKind, CaseStatus};
use crate::deadlines::{DeadlineStatus, DeadlineView};
use crate::domain::dates::{chinese_date_with_weekday, chinese_time};
use crate::http::ApiError;
use crate::http::auth::client_address;
use crate::mediation::acceptance;
use crate::state::AppState;
use common::{Answer, CASE_KEY, no_store, remembered};

/// What a consumer may write when withdrawing, as the API allows.
const MAX_REASON_CHARS: usize = 1000;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/track", web::get().to(form))
        .route("/track", web::post().to(claim))
        .route("/track/case", web::get().to(case))
        .route("/track/forget", web::post().to(forget))
        .route("/track/withdraw", web::get().to(withdraw_form))
        .route("/track/withdraw", web::post().to(withdraw))
        .route("/track/odr/counter", web::get().to(odr::counter_form))
        .route("/track/odr/counter", web::post().to(odr::counter))
        .route(
            "/track/odr/offers/{id}/accept",
            web::get().to(odr::accept_form),
        )
        .route("/track/odr/offers/{id}/accept", web::post().to(odr::accept))
        .route(
            "/track/odr/offers/{id}/reject",
            web::get().to(odr::reject_form),
        )
        .route("/track/odr/offers/{id}/reject", web::post().to(odr::reject))
        .route("/track/odr/confirm", web::get().to(odr::confirm_form))
        .route("/track/odr/confirm", web::post().to(odr::confirm))
        .route("/track/odr/reopen", web::get().to(odr::reopen_form))
        .route("/track/odr/reopen", web::post().to(odr::reopen))
        .route("/track/agreement", web::get().to(agreement::show))
        .route(
            "/track/agreement/confirm",
            web::get().to(agreement::confirm_form),
        )
        .route(
            "/track/agreement/confirm",
            web::post().to(agreement::confirm),
        )
        .route("/track/agreement/pdf", web::get().to(agreement::pdf))
        .route("/track/rating", web::get().to(rating::form))
        .route("/track/rating", web::post().to(rating::rate))
        .route("/track/evidence", web::get().to(evidence::page))
        .route("/track/evidence", web::post().to(evidence::upload))
        .route("/track/evidence/{id}", web::get().to(evidence::download));
}

#[derive(Template, WebTemplate)]
#[template(path = "track/start.html")]
pub struct TrackForm {
    page: Page,
    receipt: String,
}

#[derive(Deserialize)]
pub struct TrackInput {
    #[serde(default)]
    receipt: String,
    #[serde(default)]
    secret: String,
}

/// `GET /track`
pub async fn form(req: HttpRequest) -> TrackForm {
    TrackForm {
        page: Page::new(&req, "查询办理进度").with_back("/"),
        receipt: String::new(),
    }
}

/// `POST /track`: a matching pair is remembered and the case shown; anything else comes back
/// with the receipt number kept and the secret to be typed again.
pub async fn claim(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    input: web::Form<TrackInput>,
) -> Answer<TrackForm> {
    let input = input.into_inner();
    let receipt = input.receipt.trim().to_owned();
    let mut errors = FormErrors::new();
    if receipt.is_empty() {
        errors.add("receipt", "请输入登记号");
    }
    if input.secret.trim().is_empty() {
        errors.add("secret", "请输入查询码");
    }
    if errors.is_empty() {
        let address = client_address(&req, state.env.settings.trust_forwarded_for);
        let claim = Claim {
            receipt: &receipt,
            secret: Some(&input.secret),
            address: &address,
        };
        match track::consumer_case(&state.db, &state.env.settings, claim, state.clock.now()).await {
            Ok(c) => {
                // A new session id for a new privilege, so a planted cookie gains nothing.
                session.renew();
                session
                    .insert(CASE_KEY, &c.id)
                    .map_err(|e| ApiError::internal(e.to_string()))?;
                return Ok(Either::Left(web::Redirect::to("/track/case").see_other()));
            }
            Err(track::Error::NoMatch) => {
                errors.add("receipt", "登记号或查询码不正确");
            }
            // Too many wrong secrets from here: the 429 page says how long to wait.
            Err(e) => return Err(e.into()),
        }
    }
    let page = TrackForm {
        page: Page::new(&req, "查询办理进度")
            .with_back("/")
            .with_errors(errors),
        receipt,
    };
    Ok(Either::Right(
        page.customize()
            .with_status(StatusCode::UNPROCESSABLE_ENTITY),
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "track/case.html")]
pub struct CasePage {
    page: Page,
    t: Tracking,
    /// 投诉 or 举报
    kind_words: &'static str,
    steps: Vec<Step>,
    deadlines: Vec<DeadlineLine>,
    timeline: Vec<(String, String)>,
    can_withdraw: bool,
    odr: Option<odr::OdrSection>,
    agreement: Option<agreement::AgreementSection>,
    /// The rating form's answers, while rating is open.
    rating_choices: Vec<Choice>,
    /// When rating closes, in words.
    rating_until: Option<String>,
}

/// One deadline said in words: `受理期限：2026年12月2日（星期三）前` and where it stands.
pub struct DeadlineLine {
    pub what: String,
    pub state: &'static str,
}

/// `GET /track/case`
pub async fn case(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
) -> Result<Either<web::Redirect, CustomizeResponder<CasePage>>, ApiError> {
    let Some(c) = remembered(&state, &session).await? else {
        return Ok(Either::Left(web::Redirect::to("/track").see_other()));
    };
    let odr = odr::section(&state, &c).await?;
    let agreement = agreement::section(&state, &c).await?;
    let t = track::tracking(&state.db, &state.env.settings, c, state.clock.now()).await?;
    let page = CasePage {
        odr,
        agreement,
        page: Page::new(&req, format!("{}的办理进度", t.receipt_number)),
        kind_words: match t.kind {
            CaseKind::Complaint => "投诉",
            CaseKind::Report => "举报",
        },
        steps: steps(&t),
        deadlines: t.deadlines.iter().map(deadline_line).collect(),
        timeline: t
            .timeline
            .iter()
            .map(|e| {
                let what = if e.description.is_empty() {
                    e.event.clone()
                } else {
                    e.description.clone()
                };
                (chinese_time(e.at), what)
            })
            .collect(),
        can_withdraw: t.kind == CaseKind::Complaint && !t.status.is_final(),
        rating_choices: rating::choices(""),
        rating_until: t.rating.closes_at.map(chinese_time),
        t,
    };
    Ok(Either::Right(no_store(page)))
}

/// `POST /track/forget`: the session lets go of the case; the receipt and secret are needed again.
pub async fn forget(session: Session) -> web::Redirect {
    session.remove(CASE_KEY);
    web::Redirect::to("/track").see_other()
}

#[derive(Template, WebTemplate)]
#[template(path = "track/withdraw.html")]
pub struct WithdrawPage {
    page: Page,
    receipt_number: String,
    reason: String,
}

#[derive(Deserialize)]
pub struct WithdrawInput {
    #[serde(default)]
    reason: String,
}

/// `GET /track/withdraw`: what withdrawing means, and a last chance to keep the complaint.
pub async fn withdraw_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
) -> Answer<WithdrawPage> {
    let Some(c) = remembered(&state, &session).await? else {
        return Ok(Either::Left(web::Redirect::to("/track").see_other()));
    };
    Ok(Either::Right(no_store(withdraw_page(
        &req,
        c.receipt_number,
        String::new(),
        FormErrors::new(),
    ))))
}

/// `POST /track/withdraw`: the consumer's withdrawal, the same step as the API's.
pub async fn withdraw(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    input: web::Form<WithdrawInput>,
) -> Answer<WithdrawPage> {
    let Some(c) = remembered(&state, &session).await? else {
        return Ok(Either::Left(web::Redirect::to("/track").see_other()));
    };
    let reason = input.into_inner().reason;
    if reason.chars().count() > MAX_REASON_CHARS {
        let mut errors = FormErrors::new();
        errors.add(
            "reason",
            format!("撤回原因最多 {MAX_REASON_CHARS} 字，请删减后再提交"),
        );
        let page = withdraw_page(&req, c.receipt_number, reason, errors);
        return Ok(Either::Right(
            no_store(page).with_status(StatusCode::UNPROCESSABLE_ENTITY),
        ));
    }
    let reason = Some(reason.trim().to_owned()).filter(|r| !r.is_empty());
    let txn = crate::db::begin_write(&state.db).await?;
    acceptance::withdraw(&txn, &state.env, c, reason, state.clock.now()).await?;
    txn.commit().await?;
    Ok(Either::Left(web::Redirect::to("/track/case").see_other()))
}

fn withdraw_page(
    req: &HttpRequest,
    receipt_number: String,
    reason: String,
    errors: FormErrors,
) -> WithdrawPage {
    WithdrawPage {
        page: Page::new(req, "撤回投诉")
            .with_back("/track/case")
            .with_errors(errors),
        receipt_number,
        reason,
    }
}

/// 登记 → 受理 → 调解 → 办结 for a complaint with the regulator, 登记 → 企业和解 → 办结 on the ODR
/// path, 登记 → 核查 → 办结 for a report.
fn steps(t: &Tracking) -> Vec<Step> {
    use CaseStatus::*;
    let (labels, current): (&[&str], usize) = match (t.kind, t.status) {
        (CaseKind::Report, s) if s.is_final() => (&["登记", "核查", "办结"], 3),
        (CaseKind::Report, _) => (&["登记", "核查", "办结"], 1),
        (_, WithBusiness) => (&["登记", "企业和解", "办结"], 1),
        (_, PendingAcceptance) => (&["登记", "受理", "调解", "办结"], 1),
        (_, Accepted) => (&["登记", "受理", "调解", "办结"], 2),
        (_, InMediation) => (&["登记", "受理", "调解", "办结"], 2),
        (_, _) => (&["登记", "受理", "调解", "办结"], 4),
    };
    Step::sequence(labels, current)
}

fn deadline_line(d: &DeadlineView) -> DeadlineLine {
    let mut what = format!(
        "{}：{}前",
        d.kind.label(),
        chinese_date_with_weekday(d.due_date)
    );
    if d.provisional {
        what.push_str("（按周一至周五估算，以国务院公布的放假安排为准）");
    }
    let state = match d.status {
        DeadlineStatus::Open if d.flag.as_deref() == Some("overdue") => "已超过期限，仍在办理",
        DeadlineStatus::Open => "正在计时",
        DeadlineStatus::Paused => "暂停计时（检验、鉴定等期间不计入）",
        DeadlineStatus::Met => "已按期完成",
        DeadlineStatus::Missed => "已完成，但超过了期限",
        DeadlineStatus::Closed => "案件已结束，不再计时",
    };
    DeadlineLine { what, state }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deadlines::DeadlineKind;
    use chrono::NaiveDate;

    #[test]
    fn a_deadline_is_said_with_its_date_weekday_and_state() {
        let d = DeadlineView {
            kind: DeadlineKind::Acceptance,
            due_at: "2026-12-02T16:00:00Z".parse().unwrap(),
            due_date: NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
            status: DeadlineStatus::Met,
            flag: None,
            provisional: false,
            explanation: None,
        };
        let line = deadline_line(&d);
        assert_eq!(line.what, "受理期限：2026年12月2日（星期三）前");
        assert_eq!(line.state, "已按期完成");
        assert_eq!(
            chinese_time("2026-11-23T01:30:00Z".parse().unwrap()),
            "2026年11月23日 09:30"
        );
    }
}
