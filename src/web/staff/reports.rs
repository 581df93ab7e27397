//! Reports (举报) in the workbench (issue 17, item 7): from the report's page its bureau's
//! enforcement officers and admins decide it (立案 / 不予立案, with reasons), merge it into a
//! related report about the same business, and record how a named reporter without an email was
//! told of the decision. The one extension of the verification deadline is the bureau's, offered
//! with the other extensions. Each form runs the step of `crate::reports` the API's handler runs.

use actix_session::Session;
use actix_web::{HttpRequest, web};

use super::act::{Answer, again, done};
use super::signed_in::SignedIn;
use super::text_step::{Radios, StepInput, StepPage, decision_fields, decision_of};
use crate::cases::access::{Act, act_on};
use crate::cases::{CaseKind, CaseStatus};
use crate::domain::dates::chinese_time;
use crate::entities::case;
use crate::http::ApiError;
use crate::reports::decide::ReportDecisionRequest;
use crate::reports::merge::{self, MergeRequest};
use crate::reports::notice::{self, NoticeRequest, notice_due};
use crate::reports::{self, Error};
use crate::state::AppState;
use crate::web::components::{Choice, FormErrors};

/// How a reporter may be told, as the form offers it: (value stored, words).
const NOTICE_METHODS: [(&str, &str); 4] = [
    ("phone", "电话"),
    ("sms", "短信"),
    ("letter", "信函"),
    ("in_person", "当面告知"),
];

fn verifying(c: &case::Model) -> bool {
    c.status == CaseStatus::PendingVerification
}

/// The report `id` for a step of its bureau's: 404 for a complaint, 409 unless `allowed`.
async fn report(
    state: &AppState,
    me: &SignedIn,
    id: &str,
    allowed: fn(&case::Model) -> bool,
) -> Result<case::Model, ApiError> {
    let c = act_on(&state.db, &me.staff, id, Act::ReportStep).await?;
    if c.kind != CaseKind::Report {
        return Err(Error::NotAReport(c.id).into());
    }
    if !allowed(&c) {
        return Err(ApiError::conflict(
            "invalid_transition",
            "the report's state does not allow this step",
        ));
    }
    Ok(c)
}

fn decision_page(req: &HttpRequest, me: &SignedIn, c: &case::Model, input: &StepInput) -> StepPage {
    let (choice, text) = decision_fields(
        input,
        [
            "核查发现涉嫌违法，依法立案调查",
            "违法事实不成立，或依法不予立案",
        ],
        "写明核查认定的事实和依据",
    );
    let told = if c.anonymous {
        "匿名举报无需告知举报人。"
    } else {
        "实名举报人应在决定后 5 个工作日内得到告知：留有电子邮箱的，系统立即发送邮件。"
    };
    StepPage {
        words: format!("核查后作出是否立案的决定，举报即办结。{told}"),
        action: format!("/staff/cases/{}/report/decision", c.id),
        choice: Some(choice),
        text: Some(text),
        button: "作出决定".into(),
        ..StepPage::new(req, me, c, "作出立案决定")
    }
}

/// `GET /staff/cases/{id}/report/decision`
pub async fn decision_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<StepPage, ApiError> {
    let c = report(&state, &me, &path, verifying).await?;
    Ok(decision_page(&req, &me, &c, &StepInput::default()))
}

/// `POST /staff/cases/{id}/report/decision`: the step of `POST /api/v1/reports/{id}/decision`.
pub async fn decide(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
    input: web::Form<StepInput>,
) -> Answer<StepPage> {
    let c = report(&state, &me, &path, verifying).await?;
    let mut errors = FormErrors::new();
    if let Some((decision, reason)) = decision_of(&input, &mut errors) {
        let request = ReportDecisionRequest { decision, reason };
        let txn = crate::db::begin_write(&state.db).await?;
        let now = state.clock.now();
        let after =
            reports::decide::decide(&txn, &state.env, &me.staff, &c.id, &request, now).await?;
        txn.commit().await?;
        let told = match (c.anonymous, after.reporter_notified_at) {
            (true, _) => "",
            (false, Some(_)) => "已通过电子邮件告知举报人。",
            (false, None) => "举报人没有留电子邮箱：请在 5 个工作日内告知举报人，并在此记录。",
        };
        let text = format!("已作出{}决定。{told}", decision.label());
        return done(&session, &c.id, &text);
    }
    again(decision_page(&req, &me, &c, &input).errors(errors))
}

fn notice_page(req: &HttpRequest, me: &SignedIn, c: &case::Model, input: &StepInput) -> StepPage {
    let methods = NOTICE_METHODS
        .iter()
        .map(|(value, words)| Choice::new(*value, *words))
        .collect();
    StepPage {
        words: "举报人没有留电子邮箱时，以其他方式告知处理结果后在此记录；应在决定后 5 个工作日内告知。".into(),
        action: format!("/staff/cases/{}/report/notice", c.id),
        choice: Some(Radios {
            legend: "告知方式".into(),
            options: Choice::mark(methods, &[input.choice.as_str()]),
        }),
        button: "记录已告知".into(),
        ..StepPage::new(req, me, c, "记录已告知举报人")
    }
}

/// `GET /staff/cases/{id}/report/notice`
pub async fn notice_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<StepPage, ApiError> {
    let c = report(&state, &me, &path, notice_due).await?;
    Ok(notice_page(&req, &me, &c, &StepInput::default()))
}

/// `POST /staff/cases/{id}/report/notice`: the step of
/// `POST /api/v1/reports/{id}/reporter-notice`.
pub async fn record_notice(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
    input: web::Form<StepInput>,
) -> Answer<StepPage> {
    let c = report(&state, &me, &path, notice_due).await?;
    let Some((method, words)) = NOTICE_METHODS.iter().find(|(v, _)| *v == input.choice) else {
        let mut errors = FormErrors::new();
        errors.add("choice", "请选择告知举报人的方式");
        return again(notice_page(&req, &me, &c, &input).errors(errors));
    };
    let request = NoticeRequest {
        method: (*method).to_owned(),
    };
    let txn = crate::db::begin_write(&state.db).await?;
    notice::record(&txn, &me.staff, &c.id, &request, state.clock.now()).await?;
    txn.commit().await?;
    done(&session, &c.id, &format!("已记录通过{words}告知举报人。"))
}

async fn merge_page(
    req: &HttpRequest,
    state: &AppState,
    me: &SignedIn,
    c: &case::Model,
    input: &StepInput,
) -> Result<StepPage, ApiError> {
    let others: Vec<Choice> = merge::candidates(&state.db, &me.staff, &c.id)
        .await?
        .into_iter()
        .map(|o| {
            let received = chinese_time(o.received_at);
            Choice::new(o.id, o.receipt_number)
                .hint(format!("{received} 登记，{}", o.status.label()))
        })
        .collect();
    let page = StepPage::new(req, me, c, "合并到相关举报");
    Ok(if others.is_empty() {
        StepPage {
            words: format!("本局没有关于{}的其他举报，无法合并。", c.respondent_name),
            ..page
        }
    } else {
        StepPage {
            words: format!(
                "关于{}的相关或重复举报合并到另一件一并处理，本件不再单独核查，举报人可以看到合并到哪一件。",
                c.respondent_name
            ),
            action: format!("/staff/cases/{}/report/merge", c.id),
            choice: Some(Radios {
                legend: "合并到".into(),
                options: Choice::mark(others, &[input.choice.as_str()]),
            }),
            button: "合并".into(),
            ..page
        }
    })
}

/// `GET /staff/cases/{id}/report/merge`
pub async fn merge_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<StepPage, ApiError> {
    let c = report(&state, &me, &path, verifying).await?;
    merge_page(&req, &state, &me, &c, &StepInput::default()).await
}

/// `POST /staff/cases/{id}/report/merge`: the step of `POST /api/v1/reports/{id}/merge`.
pub async fn merge(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
    input: web::Form<StepInput>,
) -> Answer<StepPage> {
    let c = report(&state, &me, &path, verifying).await?;
    let mut errors = FormErrors::new();
    if input.choice.is_empty() {
        errors.add("choice", "请选择合并到哪一件举报");
    } else {
        let request = MergeRequest {
            into: input.choice.clone(),
        };
        let txn = crate::db::begin_write(&state.db).await?;
        let now = state.clock.now();
        match merge::merge(&txn, &state.env, &me.staff, &c.id, &request, now).await {
            Ok(_) => {
                txn.commit().await?;
                return done(&session, &c.id, "已合并，本件随所选举报一并处理。");
            }
            // Not a report of the bureau (a stale or forged choice): said at the field.
            Err(Error::Invalid(_)) => errors.add("choice", "请从列出的举报中选择"),
            Err(e) => return Err(e.into()),
        }
    }
    again(
        merge_page(&req, &state, &me, &c, &input)
            .await?
            .errors(errors),
    )
}
