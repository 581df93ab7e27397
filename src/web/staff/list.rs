//! The work list (`/staff`): the caller's cases as `cases::list` gives them (the same scope as the
//! API's list), next deadline first, with filters and a search as a GET form and pages of 50.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{CustomizeResponder, HttpRequest, Responder, web};
use askama::Template;
use askama_web::WebTemplate;
use chrono::{Duration, NaiveDate};
use serde::Deserialize;

use super::signed_in::{Desk, SignedIn, take_notice};
use super::words::{self, DeadlineWords};
use crate::actor::Role;
use crate::cases::CaseStatus;
use crate::cases::list::{self, DeadlineState, Filter, Order};
use crate::deadlines::{DeadlineView, start_of_local_day};
use crate::domain::vocabulary::Category;
use crate::http::ApiError;
use crate::routing::registry::stations_of;
use crate::state::AppState;
use crate::web::components::{Choice, FormErrors};
use crate::web::page::Page;

const PAGE_SIZE: u64 = 50;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    station: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: Option<u64>,
}

pub struct Row {
    pub id: String,
    pub receipt_number: String,
    pub respondent: String,
    pub category: &'static str,
    pub status: &'static str,
    pub handler: String,
    pub next: Option<DeadlineWords>,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/list.html")]
pub struct ListPage {
    page: Page,
    desk: Desk,
    notice: Option<String>,
    q: ListQuery,
    statuses: Vec<Choice>,
    deadlines: Vec<Choice>,
    categories: Vec<Choice>,
    /// Empty when the caller works for one station or business only.
    stations: Vec<Choice>,
    rows: Vec<Row>,
    page_number: u64,
    previous: Option<String>,
    next: Option<String>,
    filtered: bool,
}

fn options(
    all_label: &str,
    items: impl IntoIterator<Item = (String, String)>,
    current: &str,
) -> Vec<Choice> {
    let mut out = vec![Choice::new("", all_label)];
    out.extend(items.into_iter().map(|(v, l)| Choice::new(v, l)));
    Choice::mark(out, &[current])
}

fn deadline_state(s: &str) -> Option<DeadlineState> {
    match s {
        "overdue" => Some(DeadlineState::Overdue),
        "due_soon" => Some(DeadlineState::DueSoon),
        "on_track" => Some(DeadlineState::OnTrack),
        "none" => Some(DeadlineState::NoDeadline),
        _ => None,
    }
}

/// `GET /staff`
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    q: web::Query<ListQuery>,
) -> Result<CustomizeResponder<ListPage>, ApiError> {
    let q = q.into_inner();
    let mut errors = FormErrors::new();
    let mut filter = Filter::default();
    if !q.status.is_empty() {
        match CaseStatus::parse(&q.status) {
            Some(s) => filter.status = Some(s),
            None => errors.add("status", "请选择列表中的办理状态"),
        }
    }
    if !q.deadline.is_empty() {
        match deadline_state(&q.deadline) {
            Some(d) => filter.deadline = Some(d),
            None => errors.add("deadline", "请选择列表中的期限情况"),
        }
    }
    if !q.category.is_empty() {
        match Category::parse(&q.category) {
            Some(c) => filter.category = Some(c),
            None => errors.add("category", "请选择列表中的类别"),
        }
    }
    let date = |field: &str, value: &str, errors: &mut FormErrors| {
        if value.trim().is_empty() {
            return None;
        }
        let parsed = NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok();
        if parsed.is_none() {
            errors.add(field, "请按 2026-11-01 的格式输入日期");
        }
        parsed
    };
    let from = date("from", &q.from, &mut errors);
    let to = date("to", &q.to, &mut errors);
    if let (Some(a), Some(b)) = (from, to)
        && b < a
    {
        errors.add("to", "结束日期不能早于开始日期");
    }
    filter.received_from = from.map(start_of_local_day);
    filter.received_before = to.and_then(|d| d.succ_opt()).map(start_of_local_day);
    let search = q.q.trim();
    if search.chars().count() > 100 {
        errors.add("q", "搜索内容最多 100 个字");
    } else if !search.is_empty() {
        filter.search = Some(search.to_owned());
    }
    let bureau_wide = matches!(me.staff.role, Role::BureauAdmin | Role::EnforcementOfficer);
    let stations = match (&me.staff.bureau_code, bureau_wide) {
        (Some(code), true) => stations_of(&state.db, code).await?,
        _ => Vec::new(),
    };
    if !q.station.is_empty() {
        if stations.iter().any(|s| s.id == q.station) {
            filter.station_id = Some(q.station.clone());
        } else {
            errors.add("station", "请选择列表中的承办单位");
        }
    }
    let page_number = q.page.unwrap_or(1).clamp(1, list::MAX_OFFSET / PAGE_SIZE);
    let now = state.clock.now();
    let lead = Duration::hours(state.env.settings.reminder_lead_hours);
    let (rows, more) = if errors.is_empty() {
        let listing = list::cases(
            &state.db,
            &me.staff,
            &filter,
            Order::NextDeadline,
            PAGE_SIZE,
            (page_number - 1) * PAGE_SIZE,
            now,
            lead,
        )
        .await?;
        let cal = state.env.calendar.current();
        let rows = listing
            .rows
            .into_iter()
            .map(|l| Row {
                next: l
                    .next_deadline
                    .as_ref()
                    .map(|d| words::deadline(&DeadlineView::from(d), &cal, now, lead)),
                handler: match (l.station_name, l.mediator_name) {
                    (Some(s), Some(m)) => format!("{s} · {m}"),
                    (Some(s), None) => s,
                    (None, _) => "（尚未分派）".to_owned(),
                },
                id: l.case.id,
                receipt_number: l.case.receipt_number,
                respondent: l.case.respondent_name,
                category: l.case.category.label(),
                status: l.case.status.label(),
            })
            .collect();
        (rows, listing.more)
    } else {
        (Vec::new(), false)
    };
    let link = |n: u64| {
        let mut pairs = Vec::new();
        for (k, v) in [
            ("status", &q.status),
            ("deadline", &q.deadline),
            ("category", &q.category),
            ("station", &q.station),
            ("from", &q.from),
            ("to", &q.to),
            ("q", &q.q),
        ] {
            if !v.is_empty() {
                pairs.push(format!("{k}={}", encode(v)));
            }
        }
        pairs.push(format!("page={n}"));
        format!("/staff?{}", pairs.join("&"))
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let filtered = filter.status.is_some()
        || filter.deadline.is_some()
        || filter.category.is_some()
        || filter.station_id.is_some()
        || filter.received_from.is_some()
        || filter.received_before.is_some()
        || filter.search.is_some();
    let page = ListPage {
        page: Page::new(&req, "我的案件").with_errors(errors),
        desk: Desk::of(&me),
        notice: take_notice(&session),
        statuses: options(
            "全部状态",
            CaseStatus::ALL
                .iter()
                .map(|s| (s.as_str().to_owned(), s.label().to_owned())),
            &q.status,
        ),
        deadlines: options(
            "全部",
            [
                ("overdue", "已超期"),
                ("due_soon", "即将到期"),
                ("on_track", "正常计时"),
                ("none", "没有计时的期限"),
            ]
            .map(|(v, l)| (v.to_owned(), l.to_owned())),
            &q.deadline,
        ),
        categories: options(
            "全部类别",
            Category::ALL
                .iter()
                .map(|c| (c.as_str().to_owned(), c.label().to_owned())),
            &q.category,
        ),
        stations: if stations.is_empty() {
            Vec::new()
        } else {
            options(
                "全部承办单位",
                stations.into_iter().map(|s| (s.id, s.name)),
                &q.station,
            )
        },
        rows,
        page_number,
        previous: (page_number > 1).then(|| link(page_number - 1)),
        next: more.then(|| link(page_number + 1)),
        filtered,
        q,
    };
    Ok(page.customize().with_status(status))
}

/// A query value percent-encoded: every byte but ASCII letters, digits and `-._~`.
fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
