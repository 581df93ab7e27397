//! What the workbench's step forms share: loading the case for a station step (404 outside the
//! scope, 403 for a role or station that may not act, 409 when its state does not allow the
//! step), the answers (303 to the case with a notice, or the form again with 422), the checks of
//! typed text in Chinese, and which steps the case page offers.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{CustomizeResponder, Either, Responder, web};
use chrono::{DateTime, Utc};

use super::signed_in::{SignedIn, notice};
use crate::actor::Role;
use crate::cases::access::{Act, act_on, admits};
use crate::cases::{CaseKind, CaseStatus, Outcome};
use crate::deadlines::{DeadlineKind, PauseReason};
use crate::domain::faults::Faults;
use crate::domain::text::is_single_line;
use crate::entities::case;
use crate::http::ApiError;
use crate::reports::notice::notice_due;
use crate::routing::transfer::offer::stays_here;
use crate::state::AppState;
use crate::web::components::FormErrors;

/// A step form's answer: back to the case, or the form again.
pub(crate) type Answer<P> = Result<Either<web::Redirect, CustomizeResponder<P>>, ApiError>;

/// The step is done: the notice for the case page, and 303 there.
pub(crate) fn done<P>(session: &Session, case_id: &str, text: &str) -> Answer<P> {
    done_at(session, &format!("/staff/cases/{case_id}"), text)
}

/// The step is done: the notice for the page at `href`, and 303 there.
pub(crate) fn done_at<P>(session: &Session, href: &str, text: &str) -> Answer<P> {
    notice(session, text);
    Ok(Either::Left(web::Redirect::to(href.to_owned()).see_other()))
}

/// The form again, with its errors and every value kept: 422.
pub(crate) fn again<P: Responder>(page: P) -> Answer<P> {
    Ok(Either::Right(
        page.customize()
            .with_status(StatusCode::UNPROCESSABLE_ENTITY),
    ))
}

/// Mediation is under way: accepted, or with a session scheduled.
pub(crate) fn mediating(c: &case::Model) -> bool {
    c.kind == CaseKind::Complaint
        && matches!(c.status, CaseStatus::Accepted | CaseStatus::InMediation)
}

/// The case, for a station step `me` may take on it (404 outside the scope, 403 for a role or
/// station that may not), and 409 unless `allowed` says its state permits the step. The step
/// itself checks all of this again.
pub(crate) async fn station_case(
    state: &AppState,
    me: &SignedIn,
    id: &str,
    allowed: fn(&case::Model) -> bool,
) -> Result<case::Model, ApiError> {
    let c = act_on(&state.db, &me.staff, id, Act::StationStep).await?;
    if !allowed(&c) {
        return Err(ApiError::conflict(
            "not_in_mediation",
            "the case's state does not allow this step",
        ));
    }
    Ok(c)
}

/// Text typed into a field: required, between `min` and `max` characters, on one line unless
/// `lines`. `what` names the field in the messages.
pub(crate) struct Text<'a> {
    pub field: &'a str,
    pub what: &'a str,
    pub min: usize,
    pub max: usize,
    pub lines: bool,
}

impl Text<'_> {
    /// Checks `value` (already trimmed); `empty` is the message when nothing was typed.
    pub(crate) fn check(&self, value: &str, empty: &str, errors: &mut FormErrors) {
        let n = value.chars().count();
        if n == 0 {
            errors.add(self.field, empty);
        } else if n < self.min {
            errors.add(self.field, format!("{}至少 {} 个字", self.what, self.min));
        } else if n > self.max {
            errors.add(self.field, format!("{}最多 {} 字", self.what, self.max));
        } else if !self.lines && !is_single_line(value) {
            errors.add(self.field, format!("{}只能写一行", self.what));
        }
    }
}

/// Whatever the request's own rules still find (the API's `validator` rules) after the page's
/// checks, put at the field in general words: the step must never get what the API would refuse.
pub(crate) fn rules(request: &impl validator::Validate, errors: &mut FormErrors) {
    for f in Faults::of(request).0 {
        let field = f.field.split(['.', '[']).next().unwrap_or("").to_owned();
        errors.add(&field, "填写的内容格式不正确，请检查");
    }
}

/// A step the case page offers: what it is called and where its form is.
pub struct Offer {
    pub label: String,
    pub href: String,
}

/// What the case page knows beyond the case row.
pub(crate) struct Facts {
    /// The pause stopping the case's clocks: why, and its id.
    pub pause: Option<(PauseReason, i64)>,
    /// The termination notice still runs: the parties must be told another way.
    pub notice_open: bool,
    /// Running deadlines whose rule allows the one extension.
    pub extendable: Vec<DeadlineKind>,
    /// The closed case's return visit is still to be made.
    pub visit_due: bool,
    /// The receiving bureau of the case's transfer still open.
    pub transfer_to: Option<String>,
    /// The case is linked to an incident.
    pub in_incident: bool,
    /// A 诉转案 lead was opened from the complaint.
    pub has_lead: bool,
}

impl Facts {
    /// A recusal application is pending: the case is suspended.
    pub(crate) fn suspended(&self) -> bool {
        matches!(self.pause, Some((PauseReason::Recusal, _)))
    }
}

/// The steps on a case that its state and the caller's role allow, as links to their forms.
/// Shown only where `admits` says yes; each step checks again on the server.
pub(crate) fn offers(me: &SignedIn, c: &case::Model, facts: &Facts) -> Vec<Offer> {
    let mut out = Vec::new();
    let may = |act| admits(&me.staff, c, act);
    let mut to = |label: &str, step: &str| {
        out.push(Offer {
            label: label.to_owned(),
            href: format!("/staff/cases/{}/{step}", c.id),
        });
    };
    let complaint = c.kind == CaseKind::Complaint;
    let station = complaint && may(Act::StationStep);
    let suspended = facts.suspended();
    if station && c.outcome == Some(Outcome::Terminated) && facts.notice_open {
        to("记录已告知双方终止调解", "termination/told");
    }
    if station && c.status.is_final() && facts.visit_due {
        to("记录回访", "return-visit");
    }
    if station && !c.status.is_final() {
        if !suspended {
            to("指派调解员", "mediator");
        }
        to("设置被投诉方联系人", "respondent-contact");
    }
    if station && mediating(c) && !suspended {
        if c.accept_delegated_mediation {
            to("委托消费者协会调解", "delegation");
        }
        if c.mediator_id.is_some() {
            to("安排调解会", "sessions/new");
        }
        to("记录调解协议", "agreement");
        to("终止调解", "termination");
        if c.mediator_id.is_some() && facts.pause.is_none() {
            to("记录回避申请", "recusal");
        }
    }
    if station && !facts.has_lead {
        to("转为诉转案线索", "lead");
    }
    if c.kind == CaseKind::Report && may(Act::ReportStep) {
        if c.status == CaseStatus::PendingVerification {
            to("作出立案决定", "report/decision");
            to("合并到相关举报", "report/merge");
        }
        if notice_due(c) {
            to("记录已告知举报人", "report/notice");
        }
    }
    if suspended && complaint && may(Act::BureauDecision) {
        to("决定回避申请", "recusal/decision");
    }
    if mediating(c) && may(Act::Clock) {
        match facts.pause {
            None => to("开始检验鉴定暂停", "pauses/new"),
            Some((PauseReason::Testing, id)) => to("结束检验鉴定暂停", &format!("pauses/{id}/end")),
            Some(_) => {}
        }
    }
    let open = !c.status.is_final();
    if open && may(Act::Transfer) && facts.transfer_to.is_none() && !stays_here(c) {
        to("移送其他市场监管局", "transfer");
    }
    if open && complaint && may(Act::BureauDecision) && !facts.in_incident {
        to("关联同一事件的其他投诉", "incident");
    }
    if open && may(Act::BureauDecision) {
        for kind in &facts.extendable {
            to(
                &format!("延长{}", kind.label()),
                &format!("deadlines/{}/extend", kind.as_str()),
            );
        }
    }
    let receiving = me.staff.role == Role::BureauAdmin
        && facts.transfer_to.is_some()
        && me.staff.bureau_code == facts.transfer_to;
    if open && receiving {
        out.push(Offer {
            label: "接收或退回移送的案件".to_owned(),
            href: "/staff/transfers".to_owned(),
        });
    }
    out
}

/// A session on the case page: when, how, where it stands, and the link to record it once it
/// has begun.
pub struct SessionRow {
    pub when: String,
    pub mode: &'static str,
    pub status: &'static str,
    /// The others taking part besides the parties, in words; empty for none.
    pub others: String,
    pub record: Option<String>,
}

impl SessionRow {
    pub(crate) fn of(
        c: &case::Model,
        s: &crate::entities::mediation_session::Model,
        now: DateTime<Utc>,
    ) -> SessionRow {
        use crate::mediation::states::{SessionMode, SessionStatus};
        SessionRow {
            when: span(s.starts_at, s.ends_at),
            mode: match s.mode {
                SessionMode::Online => "线上视频调解",
                SessionMode::InPerson => "现场调解",
            },
            status: match s.status {
                SessionStatus::Scheduled => "已安排",
                SessionStatus::Held => "已召开",
                SessionStatus::Cancelled => "已取消",
            },
            others: super::words::others_words(
                &serde_json::from_str::<Vec<crate::mediation::sessions::Participant>>(
                    &s.participants,
                )
                .unwrap_or_default(),
            ),
            record: (s.status == SessionStatus::Scheduled && s.starts_at <= now)
                .then(|| format!("/staff/cases/{}/sessions/{}/record", c.id, s.id)),
        }
    }
}

/// `2026年11月25日 09:30—11:30`, Beijing time.
pub(crate) fn span(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let end = to.with_timezone(&chrono_tz::Asia::Shanghai);
    format!(
        "{}—{}",
        crate::domain::dates::chinese_time(from),
        end.format("%H:%M")
    )
}

/// The agreement on the case page: where it stands and, for a 调解书, each party's confirmation.
pub(crate) fn agreement_rows(
    a: &crate::entities::mediation_agreement::Model,
) -> Vec<crate::web::components::SummaryRow> {
    use crate::mediation::states::AgreementStatus;
    use crate::web::components::SummaryRow;
    let row = |k: &str, v: String| SummaryRow::new(k, v, "");
    let status = match a.status {
        AgreementStatus::Recorded => "已记录，无需制作调解书",
        AgreementStatus::AwaitingConfirmation => "调解书待双方确认",
        AgreementStatus::Issued => "调解书已签发",
    };
    let mut rows = vec![
        row("状态", status.to_owned()),
        row(
            "挽回经济损失",
            format!("{} 元", crate::mediation::yuan(a.amount_recovered_fen)),
        ),
    ];
    if a.needs_document {
        let confirmed = |at: Option<DateTime<Utc>>| {
            at.map_or_else(
                || "尚未确认".to_owned(),
                |t| format!("{} 确认", crate::domain::dates::chinese_time(t)),
            )
        };
        rows.push(row("投诉人", confirmed(a.consumer_confirmed_at)));
        rows.push(row("被投诉方", confirmed(a.business_confirmed_at)));
    }
    if let Some(number) = &a.document_number {
        rows.push(row("调解书编号", number.clone()));
    }
    rows
}
