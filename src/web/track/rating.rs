//! Rating a closed case from the case page (满意 / 基本满意 / 不满意, with an optional comment):
//! the case page carries the form while rating is open and shows the rating once given; a form
//! sent without a choice, or with too long a comment, comes back on its own page with its errors.
//! The same step of `crate::ratings` as the consumer's API endpoint decides; it refuses a second
//! rating, an open case and a late one (a 409 page).

use actix_session::Session;
use actix_web::{HttpRequest, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::common::{Answer, refused, remembered, to_case, to_track, web_page};
use crate::ratings::rate::{self, RatingRequest};
use crate::ratings::{self, MAX_COMMENT_CHARS, Satisfaction};
use crate::state::AppState;
use crate::web::components::{Choice, FormErrors};
use crate::web::page::Page;

/// The three answers as radios, `current` checked.
pub fn choices(current: &str) -> Vec<Choice> {
    Choice::mark(
        Satisfaction::ALL
            .iter()
            .map(|s| Choice::new(s.as_str(), s.label()))
            .collect(),
        &[current],
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "track/rating.html")]
pub struct RatingPage {
    page: Page,
    receipt_number: String,
    choices: Vec<Choice>,
    comment: String,
}

#[derive(Deserialize)]
pub struct RatingInput {
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

fn rating_page(
    req: &HttpRequest,
    receipt_number: String,
    input: RatingInput,
    errors: FormErrors,
) -> RatingPage {
    RatingPage {
        page: Page::new(req, "评价办理情况")
            .with_back("/track/case")
            .with_errors(errors),
        receipt_number,
        choices: choices(&input.rating),
        comment: input.comment,
    }
}

/// `GET /track/rating`: the form on its own page, while rating is open.
pub async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
) -> Answer<RatingPage> {
    let Some(c) = remembered(&state, &session).await? else {
        return Ok(to_track());
    };
    let window = state.env.settings.rating_window_days;
    if !ratings::status(&state.db, &c, window, state.clock.now())
        .await?
        .open
    {
        return Ok(to_case());
    }
    let input = RatingInput {
        rating: String::new(),
        comment: String::new(),
    };
    Ok(web_page(rating_page(
        &req,
        c.receipt_number,
        input,
        FormErrors::new(),
    )))
}

/// `POST /track/rating`
pub async fn rate(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    input: web::Form<RatingInput>,
) -> Answer<RatingPage> {
    let Some(c) = remembered(&state, &session).await? else {
        return Ok(to_track());
    };
    let input = input.into_inner();
    let mut errors = FormErrors::new();
    let rating = Satisfaction::parse(&input.rating);
    if rating.is_none() {
        errors.add("rating", "请选择您对办理情况是否满意");
    }
    if input.comment.trim().chars().count() > MAX_COMMENT_CHARS {
        errors.add(
            "comment",
            format!("意见和建议最多 {MAX_COMMENT_CHARS} 字，请删减后再提交"),
        );
    }
    let Some(rating) = rating.filter(|_| errors.is_empty()) else {
        return Ok(refused(rating_page(&req, c.receipt_number, input, errors)));
    };
    let request = RatingRequest {
        rating,
        comment: Some(input.comment),
    };
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    rate::rate(
        &txn,
        state.env.settings.rating_window_days,
        &c,
        &request,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(to_case())
}
