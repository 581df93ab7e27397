//! What stops or stretches a case's clocks, from the case page: a party's recusal application
//! (the case is suspended) and the bureau's decision on it, a testing pause started and ended,
//! and the one extension a deadline's rule allows. The same steps as
//! `POST /api/v1/cases/{id}/recusals`, `…/recusals/decision`, `…/pauses`,
//! `…/pauses/{pause_id}/end` and `…/deadlines/{kind}/extend`.

use super::act::{Answer, Text, again, done, mediating};
use super::signed_in::SignedIn;
use super::text_step::{Radios, StepInput, StepPage, TextBox};
use crate::cases::access::{Act, act_on};
use crate::deadlines::pauses::{self, PauseRequest, PauseRequestReason};
use crate::deadlines::{self, DeadlineKind, PauseReason, extension};
use crate::entities::case;
use crate::http::ApiError;
use crate::mediation::mediators::{self, RecusalDecision, Side};
use crate::mediation::{self};
use crate::state::AppState;
use crate::web::components::{Choice, FormErrors};
use actix_session::Session;
use actix_web::{HttpRequest, web};

/// What the case's state must be for a step.
#[derive(Clone, Copy, PartialEq)]
enum Needs {
    /// Under mediation, its clocks running.
    Running,
    /// Its clocks stopped.
    Paused,
}

/// The case for `act`, 409 unless its state is what the step `needs`.
async fn case_for(
    state: &AppState,
    me: &SignedIn,
    id: &str,
    act: Act,
    needs: Needs,
) -> Result<case::Model, ApiError> {
    let c = act_on(&state.db, &me.staff, id, act).await?;
    let paused = pauses::running(&state.db, &c.id).await?.is_some();
    let ok = match needs {
        Needs::Running => mediating(&c) && !paused,
        Needs::Paused => paused,
    };
    if !ok {
        return Err(ApiError::conflict(
            "not_in_mediation",
            "the case's state does not allow this step",
        ));
    }
    Ok(c)
}

fn recusal_page(req: &HttpRequest, me: &SignedIn, c: &case::Model, input: &StepInput) -> StepPage {
    let sides = vec![
        Choice::new("complainant", Side::Complainant.label()),
        Choice::new("respondent", Side::Respondent.label()),
    ];
    StepPage {
        words: "记录后案件中止，办理时限暂停计算，直到市场监管局作出决定；双方会收到通知。".into(),
        action: format!("/staff/cases/{}/recusal", c.id),
        choice: Some(Radios {
            legend: "申请回避的一方".into(),
            options: Choice::mark(sides, &[input.choice.as_str()]),
        }),
        text: Some(TextBox {
            label: "申请理由".into(),
            value: input.text.clone(),
            hint: "例如调解员与一方有利害关系".into(),
            max: 2000,
        }),
        button: "记录回避申请".into(),
        ..StepPage::new(req, me, c, "记录回避申请")
    }
}

/// `GET /staff/cases/{id}/recusal`
pub async fn recusal_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<StepPage, ApiError> {
    let c = case_for(&state, &me, &path, Act::StationStep, Needs::Running).await?;
    Ok(recusal_page(&req, &me, &c, &StepInput::default()))
}

/// `POST /staff/cases/{id}/recusal`: the step of `POST /api/v1/cases/{id}/recusals`.
pub async fn apply_recusal(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
    input: web::Form<StepInput>,
) -> Answer<StepPage> {
    let c = case_for(&state, &me, &path, Act::StationStep, Needs::Running).await?;
    let mut errors = FormErrors::new();
    let applicant = match input.choice.as_str() {
        "complainant" => Some(Side::Complainant),
        "respondent" => Some(Side::Respondent),
        _ => {
            errors.add("choice", "请选择申请回避的一方");
            None
        }
    };
    let reason = input.text.trim();
    let text = Text {
        field: "text",
        what: "申请理由",
        min: 2,
        max: 2000,
        lines: true,
    };
    text.check(reason, "请写明申请回避的理由", &mut errors);
    if let (Some(applicant), true) = (applicant, errors.is_empty()) {
        let request = mediators::RecusalRequest {
            applicant,
            reason: reason.to_owned(),
        };
        let txn = crate::db::begin_write(&state.db).await?;
        let now = state.clock.now();
        mediators::apply_recusal(&txn, &state.env, &me.staff, &c.id, &request, now).await?;
        txn.commit().await?;
        return done(
            &session,
            &c.id,
            "已记录回避申请，案件中止，等待市场监管局决定。",
        );
    }
    again(recusal_page(&req, &me, &c, &input).errors(errors))
}

async fn decision_page(
    req: &HttpRequest,
    state: &AppState,
    me: &SignedIn,
    c: &case::Model,
    input: &StepInput,
) -> Result<StepPage, ApiError> {
    let decisions = vec![
        Choice::new("granted", "准许回避").hint("须另选本所的调解员"),
        Choice::new("rejected", "驳回申请").hint("原调解员继续调解"),
    ];
    let others = mediation::station_mediators(&state.db, c)
        .await?
        .into_iter()
        .filter(|m| Some(&m.id) != c.mediator_id.as_ref())
        .map(|m| Choice::new(m.id, m.display_name))
        .collect();
    Ok(StepPage {
        words: "决定后案件恢复办理，双方会收到决定。准许回避的，原调解员已安排的调解会取消。"
            .into(),
        action: format!("/staff/cases/{}/recusal/decision", c.id),
        choice: Some(Radios {
            legend: "决定".into(),
            options: Choice::mark(decisions, &[input.choice.as_str()]),
        }),
        second: Some(Radios {
            legend: "新的调解员（准许回避时）".into(),
            options: Choice::mark(others, &[input.second.as_str()]),
        }),
        button: "作出决定".into(),
        ..StepPage::new(req, me, c, "决定回避申请")
    })
}

/// `GET /staff/cases/{id}/recusal/decision`: for the bureau, while an application is pending.
pub async fn decision_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<StepPage, ApiError> {
    let c = case_for(&state, &me, &path, Act::BureauDecision, Needs::Paused).await?;
    decision_page(&req, &state, &me, &c, &StepInput::default()).await
}

/// `POST /staff/cases/{id}/recusal/decision`: the step of
/// `POST /api/v1/cases/{id}/recusals/decision`.
pub async fn decide_recusal(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
    input: web::Form<StepInput>,
) -> Answer<StepPage> {
    let c = case_for(&state, &me, &path, Act::BureauDecision, Needs::Paused).await?;
    let mut errors = FormErrors::new();
    let decision = match input.choice.as_str() {
        "granted" => Some(RecusalDecision::Granted),
        "rejected" => Some(RecusalDecision::Rejected),
        _ => {
            errors.add("choice", "请选择准许或驳回");
            None
        }
    };
    if decision == Some(RecusalDecision::Granted) && input.second.is_empty() {
        errors.add("second", "准许回避时请选择新的调解员");
    }
    if let (Some(decision), true) = (decision, errors.is_empty()) {
        let request = mediators::RecusalDecisionRequest {
            decision,
            new_mediator_id: (decision == RecusalDecision::Granted).then(|| input.second.clone()),
        };
        let txn = crate::db::begin_write(&state.db).await?;
        let now = state.clock.now();
        match mediators::decide_recusal(&txn, &state.env, &me.staff, &c.id, &request, now).await {
            Ok(c) => {
                txn.commit().await?;
                return done(&session, &c.id, "已作出回避申请决定，案件恢复办理。");
            }
            Err(mediation::Error::Invalid(_)) => {
                errors.add("second", "请选择列表中本所的另一位调解员");
            }
            Err(e) => return Err(e.into()),
        }
    }
    let page = decision_page(&req, &state, &me, &c, &input).await?;
    again(page.errors(errors))
}

fn pause_page(req: &HttpRequest, me: &SignedIn, c: &case::Model, note: String) -> StepPage {
    StepPage {
        words: "检定、检验、检测、鉴定期间不计入办理时限。结束后请回到案件页结束暂停。".into(),
        action: format!("/staff/cases/{}/pauses/new", c.id),
        text: Some(TextBox {
            label: "说明（选填）".into(),
            value: note,
            hint: "例如送检的机构和物品".into(),
            max: 1000,
        }),
        button: "开始暂停".into(),
        ..StepPage::new(req, me, c, "开始检验鉴定暂停")
    }
}

/// `GET /staff/cases/{id}/pauses/new`
pub async fn pause_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<StepPage, ApiError> {
    let c = case_for(&state, &me, &path, Act::Clock, Needs::Running).await?;
    Ok(pause_page(&req, &me, &c, String::new()))
}

/// `POST /staff/cases/{id}/pauses/new`: the step of `POST /api/v1/cases/{id}/pauses`.
pub async fn start_pause(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
    input: web::Form<StepInput>,
) -> Answer<StepPage> {
    let c = case_for(&state, &me, &path, Act::Clock, Needs::Running).await?;
    let note = input.text.trim();
    let mut errors = FormErrors::new();
    if note.chars().count() > 1000 {
        errors.add("text", "说明最多 1000 字");
    }
    if errors.is_empty() {
        let request = PauseRequest {
            reason: PauseRequestReason::Testing,
            note: (!note.is_empty()).then(|| note.to_owned()),
        };
        let txn = crate::db::begin_write(&state.db).await?;
        pauses::stop(
            &txn,
            &state.env,
            &me.staff,
            &c.id,
            &request,
            state.clock.now(),
        )
        .await?;
        txn.commit().await?;
        return done(&session, &c.id, "已开始检验鉴定暂停，办理时限暂停计算。");
    }
    again(pause_page(&req, &me, &c, input.text.clone()).errors(errors))
}

/// `GET /staff/cases/{id}/pauses/{pause_id}/end`: asks before the clocks run again.
pub async fn end_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<(String, i64)>,
) -> Result<StepPage, ApiError> {
    let (id, pause_id) = path.into_inner();
    let c = case_for(&state, &me, &id, Act::Clock, Needs::Paused).await?;
    let running = pauses::running(&state.db, &c.id).await?;
    if !running.is_some_and(|p| p.id == pause_id && p.reason == PauseReason::Testing) {
        return Err(ApiError::not_found("no such running pause on this case"));
    }
    Ok(StepPage {
        words: "结束后办理时限恢复计算，期限按暂停的时间顺延。".into(),
        action: format!("/staff/cases/{}/pauses/{pause_id}/end", c.id),
        button: "结束暂停".into(),
        ..StepPage::new(&req, &me, &c, "结束检验鉴定暂停")
    })
}

/// `POST /staff/cases/{id}/pauses/{pause_id}/end`: the step of
/// `POST /api/v1/cases/{id}/pauses/{pause_id}/end`.
pub async fn end_pause(
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<(String, i64)>,
) -> Answer<StepPage> {
    let (id, pause_id) = path.into_inner();
    let txn = crate::db::begin_write(&state.db).await?;
    pauses::restart(
        &txn,
        &state.env,
        &me.staff,
        &id,
        pause_id,
        state.clock.now(),
    )
    .await?;
    txn.commit().await?;
    done(&session, &id, "已结束暂停，办理时限恢复计算。")
}

fn extend_page(
    req: &HttpRequest,
    me: &SignedIn,
    c: &case::Model,
    kind: DeadlineKind,
    reason: String,
) -> StepPage {
    let heading = format!("延长{}", kind.label());
    StepPage {
        words: "这一期限依规定可以经批准延长一次。".into(),
        action: format!("/staff/cases/{}/deadlines/{}/extend", c.id, kind.as_str()),
        text: Some(TextBox {
            label: "延长的理由".into(),
            value: reason,
            hint: "记入审计记录".into(),
            max: 1000,
        }),
        button: "批准延长".into(),
        ..StepPage::new(req, me, c, &heading)
    }
}

fn kind_of(text: &str) -> Result<DeadlineKind, ApiError> {
    DeadlineKind::parse(text).ok_or_else(|| ApiError::not_found("no such deadline"))
}

/// `GET /staff/cases/{id}/deadlines/{kind}/extend`: for the bureau.
pub async fn extend_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<(String, String)>,
) -> Result<StepPage, ApiError> {
    let (id, kind) = path.into_inner();
    let kind = kind_of(&kind)?;
    let c = act_on(&state.db, &me.staff, &id, Act::BureauDecision).await?;
    Ok(extend_page(&req, &me, &c, kind, String::new()))
}

/// `POST /staff/cases/{id}/deadlines/{kind}/extend`: the step of
/// `POST /api/v1/cases/{id}/deadlines/{kind}/extend`.
pub async fn extend(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<(String, String)>,
    input: web::Form<StepInput>,
) -> Answer<StepPage> {
    let (id, kind_text) = path.into_inner();
    let kind = kind_of(&kind_text)?;
    let c = act_on(&state.db, &me.staff, &id, Act::BureauDecision).await?;
    let reason = input.text.trim();
    let mut errors = FormErrors::new();
    let text = Text {
        field: "text",
        what: "延长的理由",
        min: 2,
        max: 1000,
        lines: true,
    };
    text.check(reason, "请写明延长的理由", &mut errors);
    if errors.is_empty() {
        let request = extension::ExtendRequest {
            reason: reason.to_owned(),
        };
        let txn = crate::db::begin_write(&state.db).await?;
        let now = state.clock.now();
        match extension::extend(
            &txn,
            &state.env,
            &me.staff,
            &c.id,
            kind.as_str(),
            &request,
            now,
        )
        .await
        {
            Ok(_) => {
                txn.commit().await?;
                return done(&session, &c.id, "已延长期限。");
            }
            Err(deadlines::Error::AlreadyExtended) => {
                errors.add("text", "这一期限已经延长过一次，不能再延长");
            }
            Err(e) => return Err(e.into()),
        }
    }
    again(extend_page(&req, &me, &c, kind, input.text.clone()).errors(errors))
}
