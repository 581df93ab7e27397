//! The start page `/`: what one can do here, what to have at hand, and the time limits in plain
//! words, read from the rule set in force today.

use actix_web::{HttpRequest, web};
use askama::Template;
use askama_web::WebTemplate;

use super::page::Page;
use crate::deadlines::{DeadlineKind, Limit, Unit};
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "start.html")]
pub struct StartPage {
    page: Page,
    /// e.g. `7 个工作日`
    acceptance: String,
    odr: String,
}

pub async fn page(req: HttpRequest, state: web::Data<AppState>) -> StartPage {
    let set = state.env.rules.rule_set_for(state.clock.now());
    let words = |kind| {
        state
            .env
            .rules
            .limit(set, kind)
            .map(in_words)
            .unwrap_or_default()
    };
    StartPage {
        page: Page::new(&req, "消费投诉举报"),
        acceptance: words(DeadlineKind::Acceptance),
        odr: words(DeadlineKind::OdrSettlement),
    }
}

/// `7 个工作日`, `60 日`, `2 小时`.
pub fn in_words(limit: &Limit) -> String {
    let unit = match limit.unit {
        Unit::WorkingDays => "个工作日",
        Unit::CalendarDays => "日",
        Unit::Hours => "小时",
    };
    format!("{} {unit}", limit.amount)
}
