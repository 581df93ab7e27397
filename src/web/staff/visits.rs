//! Recording a closed case's return visit (回访) from the case page: the day the consumer was
//! reached, how, what the consumer said and the satisfaction the consumer told. The same step as
//! `POST /api/v1/cases/{id}/return-visit`.

use actix_session::Session;
use actix_web::{HttpRequest, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::act::{Answer, Text, again, done, station_case};
use super::signed_in::{Desk, SignedIn};
use crate::deadlines::local_date;
use crate::domain::dates::{chinese_date, chinese_time};
use crate::entities::case;
use crate::http::ApiError;
use crate::ratings::Satisfaction;
use crate::ratings::satisfaction::VisitChannel;
use crate::ratings::visit::ReturnVisitView;
use crate::ratings::visit::{self, MAX_RESULT_CHARS, ReturnVisitRequest};
use crate::state::AppState;
use crate::web::components::{Choice, DateParts, FormErrors, SummaryRow};
use crate::web::page::Page;

/// A return visit is made once the case has closed.
fn closed(c: &case::Model) -> bool {
    c.status.is_final()
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/return_visit.html")]
pub struct VisitPage {
    page: Page,
    desk: Desk,
    id: String,
    receipt_number: String,
    visited_on: DateParts,
    channels: Vec<Choice>,
    result: String,
    answers: Vec<Choice>,
}

#[derive(Deserialize, Default)]
pub struct VisitInput {
    #[serde(default)]
    visited_on_year: String,
    #[serde(default)]
    visited_on_month: String,
    #[serde(default)]
    visited_on_day: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    result: String,
    #[serde(default)]
    satisfaction: String,
}

impl VisitInput {
    fn date(&self) -> DateParts {
        DateParts {
            year: self.visited_on_year.clone(),
            month: self.visited_on_month.clone(),
            day: self.visited_on_day.clone(),
        }
    }
}

fn visit_page(
    req: &HttpRequest,
    me: &SignedIn,
    c: &case::Model,
    input: VisitInput,
    errors: FormErrors,
) -> VisitPage {
    let channels = [
        VisitChannel::Phone,
        VisitChannel::Sms,
        VisitChannel::InPerson,
        VisitChannel::Online,
    ]
    .map(|ch| Choice::new(ch.as_str(), ch.label()))
    .to_vec();
    let answers = [
        Satisfaction::Satisfied,
        Satisfaction::BasicallySatisfied,
        Satisfaction::Dissatisfied,
    ]
    .map(|s| Choice::new(s.as_str(), s.label()))
    .into_iter()
    .chain([Choice::new("none", "未表态").hint("消费者没有回答或不愿评价")])
    .collect();
    VisitPage {
        page: Page::new(req, format!("记录回访 {}", c.receipt_number))
            .with_back(format!("/staff/cases/{}", c.id))
            .with_errors(errors),
        desk: Desk::of(me),
        id: c.id.clone(),
        receipt_number: c.receipt_number.clone(),
        visited_on: input.date(),
        channels: Choice::mark(channels, &[input.channel.as_str()]),
        result: input.result,
        answers: Choice::mark(answers, &[input.satisfaction.as_str()]),
    }
}

/// `GET /staff/cases/{id}/return-visit`
pub async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<VisitPage, ApiError> {
    let c = station_case(&state, &me, &path, closed).await?;
    // Most visits are recorded the day they are made: today is filled in.
    let today = DateParts::of(local_date(state.clock.now()));
    let input = VisitInput {
        visited_on_year: today.year,
        visited_on_month: today.month,
        visited_on_day: today.day,
        ..VisitInput::default()
    };
    Ok(visit_page(&req, &me, &c, input, FormErrors::new()))
}

/// `POST /staff/cases/{id}/return-visit`: the step of `POST /api/v1/cases/{id}/return-visit`.
pub async fn record(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
    input: web::Form<VisitInput>,
) -> Answer<VisitPage> {
    let c = station_case(&state, &me, &path, closed).await?;
    let input = input.into_inner();
    let now = state.clock.now();
    let mut errors = FormErrors::new();
    let date = input.date();
    let visited_on = match date.parse() {
        None if date.year.trim().is_empty() => {
            errors.add("visited_on", "请输入回访日期");
            None
        }
        None => {
            errors.add("visited_on", "回访日期必须是真实的日期");
            None
        }
        Some(d) if d > local_date(now) => {
            errors.add("visited_on", "回访日期不能晚于今天");
            None
        }
        Some(d) if c.closed_at.is_some_and(|at| d < local_date(at)) => {
            errors.add("visited_on", "回访日期不能早于办结日期");
            None
        }
        Some(d) => Some(d),
    };
    let channel = VisitChannel::parse(&input.channel);
    if channel.is_none() {
        errors.add("channel", "请选择回访的方式");
    }
    let result = input.result.trim();
    Text {
        field: "result",
        what: "回访情况",
        min: 1,
        max: MAX_RESULT_CHARS,
        lines: true,
    }
    .check(result, "请写明回访情况", &mut errors);
    let satisfaction = match input.satisfaction.as_str() {
        "none" => Some(None),
        s => Satisfaction::parse(s).map(Some),
    };
    if satisfaction.is_none() {
        errors.add("satisfaction", "请选择消费者的满意程度，或选择“未表态”");
    }
    if let (Some(visited_on), Some(channel), Some(satisfaction), true) =
        (visited_on, channel, satisfaction, errors.is_empty())
    {
        let request = ReturnVisitRequest {
            visited_on,
            channel,
            result: result.to_owned(),
            satisfaction,
        };
        let txn = crate::db::begin_write(&state.db).await?;
        visit::record(&txn, &me.staff, &c.id, &request, now).await?;
        txn.commit().await?;
        return done(&session, &c.id, "已记录回访。");
    }
    again(visit_page(&req, &me, &c, input, errors))
}

/// The return visit on the case page: when it is due, or what was recorded.
pub(crate) fn rows(v: &ReturnVisitView) -> Vec<SummaryRow> {
    let row = |k: &str, v: String| SummaryRow::new(k, v, "");
    let mut out = Vec::new();
    if !v.recorded {
        out.push(row(
            "状态",
            match v.due_date {
                Some(due) => format!("待回访，请在{}前完成", chinese_date(due)),
                None => "待回访".to_owned(),
            },
        ));
        return out;
    }
    out.push(row(
        "回访",
        format!(
            "{}，{}回访",
            v.visited_on.map(chinese_date).unwrap_or_default(),
            v.channel.map_or("", VisitChannel::label)
        ),
    ));
    out.push(row(
        "消费者的满意程度",
        v.satisfaction_label
            .clone()
            .unwrap_or_else(|| "未表态".to_owned()),
    ));
    out.push(row("回访情况", v.result.clone().unwrap_or_default()));
    if let Some(at) = v.recorded_at {
        out.push(row("记录时间", chinese_time(at)));
    }
    out
}
