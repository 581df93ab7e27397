use actix_web::{get, put, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::schedule::{DayInfo, MissingYear, ScheduleDoc};
use super::upload::{self, LoadedYear};
use crate::http::{ApiError, ApiResult, FieldError, Problem, Staff};
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(day)
        .service(add_working_days)
        .service(list_years)
        .service(upload_year);
}

/// The maximum `days` accepted by add-working-days.
const MAX_DAYS: u32 = 400;

fn missing_year(e: MissingYear) -> ApiError {
    ApiError::unprocessable("calendar_year_missing", e.to_string()).with_errors(vec![
        FieldError::new(
            "date",
            format!("no working-day schedule is loaded for year {}", e.0),
        ),
    ])
}

fn parse_date(field: &str, value: &str) -> ApiResult<NaiveDate> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| ApiError::field(field, "must be a date as YYYY-MM-DD"))
}

/// Whether a date is a working day on China's official calendar.
///
/// Anyone may call this.
#[utoipa::path(
    tag = "calendar",
    params(("date" = chrono::NaiveDate, Path, description = "YYYY-MM-DD", example = "2026-10-10")),
    responses(
        (status = 200, body = DayInfo),
        (status = 422, description = "bad date, or a year with no loaded schedule", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/calendar/days/{date}")]
async fn day(state: web::Data<AppState>, path: web::Path<String>) -> ApiResult<web::Json<DayInfo>> {
    let date = parse_date("date", &path)?;
    let info = state
        .env
        .calendar
        .current()
        .day(date)
        .map_err(missing_year)?;
    Ok(web::Json(info))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AddQuery {
    /// Start date, YYYY-MM-DD; it is not counted.
    #[param(value_type = chrono::NaiveDate, required = true)]
    from: Option<String>,
    /// Working days to add, 0 to 400.
    #[param(value_type = u32, required = true, minimum = 0, maximum = 400)]
    days: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AddResult {
    pub from: NaiveDate,
    pub days: u32,
    /// The `days`-th working day after `from`.
    pub date: NaiveDate,
}

/// The Nth working day after a date (the date itself not counted).
///
/// Anyone may call this.
#[utoipa::path(
    tag = "calendar",
    params(AddQuery),
    responses(
        (status = 200, body = AddResult),
    )
)]
#[get("/calendar/add-working-days")]
async fn add_working_days(
    state: web::Data<AppState>,
    query: web::Query<AddQuery>,
) -> ApiResult<web::Json<AddResult>> {
    let mut errors = Vec::new();
    let from = match &query.from {
        Some(v) => parse_date("from", v)
            .map_err(|_| errors.push(FieldError::new("from", "must be a date as YYYY-MM-DD")))
            .ok(),
        None => {
            errors.push(FieldError::new("from", "required"));
            None
        }
    };
    let days = match query.days.as_deref().map(str::parse::<u32>) {
        Some(Ok(n)) if n <= MAX_DAYS => Some(n),
        Some(_) => {
            errors.push(FieldError::new(
                "days",
                format!("must be an integer from 0 to {MAX_DAYS}"),
            ));
            None
        }
        None => {
            errors.push(FieldError::new("days", "required"));
            None
        }
    };
    let (Some(from), Some(days)) = (from, days) else {
        return Err(ApiError::validation(errors));
    };
    let date = state
        .env
        .calendar
        .current()
        .add_working_days(from, days)
        .map_err(missing_year)?;
    Ok(web::Json(AddResult { from, days, date }))
}

/// The years with a loaded official schedule.
///
/// Anyone may call this.
#[utoipa::path(tag = "calendar", responses((status = 200, body = Vec<LoadedYear>)))]
#[get("/calendar/years")]
async fn list_years(state: web::Data<AppState>) -> web::Json<Vec<LoadedYear>> {
    web::Json(upload::loaded_years(&state.env.calendar.current()))
}

/// Load a year's official schedule (国务院办公厅 notice), replacing any earlier one.
///
/// `bureau_admin` or `system_admin`. Every fault is reported at once. The year takes effect at
/// once here and within seconds on every other instance; deadlines that had to estimate this year
/// are recomputed.
#[utoipa::path(
    tag = "calendar",
    security(("bearer" = [])),
    params(("year" = i32, Path, example = 2027)),
    request_body = ScheduleDoc,
    responses(
        (status = 200, body = LoadedYear),
    )
)]
#[put("/calendar/years/{year}")]
async fn upload_year(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<i32>,
    body: crate::http::ApiJson<ScheduleDoc>,
) -> ApiResult<web::Json<LoadedYear>> {
    let txn = crate::db::begin_write(&state.db).await?;
    let now = state.clock.now();
    let loaded = upload::upload(&txn, &state.env, &me, *path, &body.body, now).await?;
    txn.commit().await?;
    Ok(web::Json(loaded.install(&state.env)))
}
