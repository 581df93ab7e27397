//! "File a report" (举报, issue 16 item 8) in the GOV.UK question-page manner: `/report` says
//! what to have at hand and that the reporter's identity never reaches the business; then the
//! business, what it did, when and where (the complaint journey's place resolution: its choice
//! page and its province → … → town choice, [`crate::web::complaint::pages::choose_in`]), named or
//! anonymous, "check your answers" and the receipt. The answers wait in a server-side draft (the
//! complaint journey's, under its own session key); the submit files them through the intake's
//! own use case, [`crate::intake::file_report`], as `POST /api/v1/reports` does.

mod answers;
mod pages;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};

use super::complaint::{Form, see_other, value};
use crate::deadlines::{DeadlineKind, local_date};
use crate::divisions::Divisions;
use crate::domain::secrets::sha256_hex;
use crate::http::ApiResult;
use crate::intake::receipt::access_secret;
use crate::intake::request::ReportRequest;
use crate::state::AppState;
use crate::web::complaint::draft::{self, Draft};
use crate::web::complaint::pages::{changing, choose_in, pick_in, pick_options};
use crate::web::complaint::questions::{Resolved, resolve_place};
use crate::web::components::FormErrors;
use answers::{Answers, Step};
use pages::{CHECK, CHOOSE, PICK, PLACES, RECEIPT, START};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(START, web::get().to(start_page))
        .route(START, web::post().to(start))
        // The start page's link.
        .route("/reports/new", web::get().to(|| async { see_other(START) }));
    for step in Step::ALL {
        cfg.route(
            step.path(),
            web::get().to(move |req, state, session| show(step, req, state, session)),
        );
    }
    for (step, next) in [
        (Step::Business, Step::What.path()),
        (Step::What, Step::Place.path()),
        (Step::You, CHECK),
    ] {
        cfg.route(
            step.path(),
            web::post()
                .to(move |req, state, session, form| answer(step, next, req, state, session, form)),
        );
    }
    cfg.route(Step::Place.path(), web::post().to(place))
        .route(CHOOSE, web::get().to(choose_page))
        .route(CHOOSE, web::post().to(choose))
        .route(PICK, web::get().to(pick_page))
        .route(PICK, web::post().to(pick))
        .route(CHECK, web::get().to(check_page))
        .route(CHECK, web::post().to(file))
        .route(RECEIPT, web::get().to(receipt));
}

/// The session's open report draft, or where to go instead.
async fn open(
    state: &AppState,
    session: &Session,
) -> ApiResult<Result<(String, Answers), HttpResponse>> {
    Ok(
        match draft::load_of::<Answers>(&state.db, session, state.clock.now()).await? {
            Some(Draft::Open { id, answers }) => Ok((id, *answers)),
            Some(Draft::Filed(_)) => Err(see_other(RECEIPT)),
            None => Err(see_other(START)),
        },
    )
}

async fn start_page(req: HttpRequest) -> ApiResult<HttpResponse> {
    crate::web::complaint::pages::html(
        &pages::StartPage {
            page: crate::web::page::Page::new(&req, "举报").with_back("/"),
        },
        StatusCode::OK,
    )
}

/// Starts a draft, unless the session has one open.
async fn start(state: web::Data<AppState>, session: Session) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    if !matches!(
        draft::load_of::<Answers>(&state.db, &session, now).await?,
        Some(Draft::Open { .. })
    ) {
        draft::start_of::<Answers>(&state.db, &session, now).await?;
    }
    Ok(see_other(Step::Business.path()))
}

async fn show(
    step: Step,
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
) -> ApiResult<HttpResponse> {
    match open(&state, &session).await? {
        Ok((_, a)) => pages::step(step, &req, &a, FormErrors::new()),
        Err(elsewhere) => Ok(elsewhere),
    }
}

fn take(step: Step, a: &mut Answers, form: &Form) {
    let v = |name| value(form, name);
    match step {
        Step::Business => {
            a.business_name = v("business_name");
            a.business_uscc = v("business_uscc").trim().to_uppercase();
            a.business_address = v("business_address");
        }
        Step::What => {
            a.category = v("category");
            a.goods_or_service = v("goods_or_service");
            a.facts = v("facts");
        }
        Step::Place => {
            a.occurred_year = v("occurred_on_year");
            a.occurred_month = v("occurred_on_month");
            a.occurred_day = v("occurred_on_day");
            let place = v("place");
            if place.trim() != a.place.trim() {
                a.place_code.clear();
            }
            a.place = place;
        }
        Step::You => {
            a.named = v("named");
            a.name = v("name");
            a.phone = v("phone");
            a.email = v("email");
        }
    }
}

async fn answer(
    step: Step,
    next: &'static str,
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    form: Form,
) -> ApiResult<HttpResponse> {
    let (id, mut a) = match open(&state, &session).await? {
        Ok(open) => open,
        Err(elsewhere) => return Ok(elsewhere),
    };
    take(step, &mut a, &form);
    draft::save(&state.db, &id, &a).await?;
    let errors = step.check(&a, local_date(state.clock.now()));
    if !errors.is_empty() {
        return pages::step(step, &req, &a, errors);
    }
    Ok(see_other(if changing(&req) { CHECK } else { next }))
}

/// When and where: the place typed resolves to one town, or leads to the choice page.
async fn place(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    form: Form,
) -> ApiResult<HttpResponse> {
    let (id, mut a) = match open(&state, &session).await? {
        Ok(open) => open,
        Err(elsewhere) => return Ok(elsewhere),
    };
    take(Step::Place, &mut a, &form);
    let mut errors = FormErrors::new();
    answers::date(&a, local_date(state.clock.now()), &mut errors);
    let resolved = resolve_place(&a.place);
    match &resolved {
        Resolved::One(code) => a.place_code = code.clone(),
        Resolved::Choose(_) => {}
        Resolved::Error(_) if a.place.trim().is_empty() => {
            a.place_code.clear();
            errors.add("place", "请输入违法行为发生的地点");
        }
        Resolved::Error(message) => {
            a.place_code.clear();
            errors.add("place", *message);
        }
    }
    draft::save(&state.db, &id, &a).await?;
    if !errors.is_empty() {
        return pages::step(Step::Place, &req, &a, errors);
    }
    let changing = changing(&req);
    Ok(match resolved {
        Resolved::Choose(_) if changing => see_other(&format!("{CHOOSE}?change=1")),
        Resolved::Choose(_) => see_other(CHOOSE),
        _ if changing => see_other(CHECK),
        _ => see_other(Step::You.path()),
    })
}

async fn choose_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
) -> ApiResult<HttpResponse> {
    let (_, a) = match open(&state, &session).await? {
        Ok(open) => open,
        Err(elsewhere) => return Ok(elsewhere),
    };
    match resolve_place(&a.place) {
        Resolved::Choose(candidates) => choose_in(
            &PLACES,
            &req,
            &a.place,
            &candidates,
            &a.place_code,
            FormErrors::new(),
        ),
        _ => Ok(see_other(Step::Place.path())),
    }
}

async fn choose(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    form: Form,
) -> ApiResult<HttpResponse> {
    let (id, mut a) = match open(&state, &session).await? {
        Ok(open) => open,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let Resolved::Choose(candidates) = resolve_place(&a.place) else {
        return Ok(see_other(Step::Place.path()));
    };
    let chosen = value(&form, "place_code");
    if !candidates.contains(&chosen) {
        let mut errors = FormErrors::new();
        errors.add("place_code", "请选择违法行为发生的地点");
        return choose_in(&PLACES, &req, &a.place, &candidates, "", errors);
    }
    a.place_code = chosen;
    draft::save(&state.db, &id, &a).await?;
    Ok(see_other(if changing(&req) {
        CHECK
    } else {
        Step::You.path()
    }))
}

#[derive(serde::Deserialize)]
struct PickQuery {
    #[serde(default)]
    code: String,
}

async fn pick_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<PickQuery>,
) -> ApiResult<HttpResponse> {
    if let Err(elsewhere) = open(&state, &session).await? {
        return Ok(elsewhere);
    }
    pick_in(&PLACES, &req, &query.code, FormErrors::new())
}

async fn pick(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<PickQuery>,
    form: Form,
) -> ApiResult<HttpResponse> {
    let (id, mut a) = match open(&state, &session).await? {
        Ok(open) => open,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let chosen = value(&form, "code");
    if !pick_options(&query.code).iter().any(|d| d.code == chosen) {
        let mut errors = FormErrors::new();
        errors.add("code", "请选择一项");
        return pick_in(&PLACES, &req, &query.code, errors);
    }
    let divisions = Divisions::builtin();
    if !divisions.children(&chosen).is_empty() {
        return Ok(see_other(&format!("{PICK}?code={chosen}")));
    }
    a.place = divisions.full_name(&chosen).unwrap_or_default();
    a.place_code = chosen;
    draft::save(&state.db, &id, &a).await?;
    Ok(see_other(Step::You.path()))
}

async fn check_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
) -> ApiResult<HttpResponse> {
    match open(&state, &session).await? {
        Ok((_, a)) => pages::check(&req, &a, FormErrors::new()),
        Err(elsewhere) => Ok(elsewhere),
    }
}

/// What the receipt page needs besides the number and the secret.
#[derive(serde::Serialize, serde::Deserialize, Default)]
#[serde(default)]
struct Kept {
    named: bool,
}

/// Files the report of draft `draft_id` and marks the draft filed, in one transaction; a draft
/// filed already (a second click, a reload) files nothing.
async fn file_report(
    state: &AppState,
    draft_id: &str,
    request: &ReportRequest,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let secret = access_secret();
    let txn = crate::db::begin_write(&state.db).await?;
    let done = async {
        let (filed, writes) =
            crate::intake::file_report(&txn, state, request, &sha256_hex(&secret), now).await?;
        let due = filed
            .deadlines
            .iter()
            .find(|d| d.kind == DeadlineKind::ReportVerification)
            .map(|d| d.due_date);
        let kept = serde_json::to_string(&Kept {
            named: request.reporter.is_some(),
        })
        .map_err(crate::http::ApiError::internal)?;
        let marked = draft::mark_filed(
            &txn,
            draft_id,
            &filed.case.receipt_number,
            state.env.sealer.seal(&secret),
            due,
            &kept,
        )
        .await?;
        if marked {
            writes.write(&txn).await?;
        }
        Ok(marked)
    };
    match done.await {
        Ok(true) => {
            txn.commit().await?;
            Ok(())
        }
        Ok(false) => {
            let _ = txn.rollback().await;
            Ok(())
        }
        Err(e) => {
            // The filing's own error is the one to report, whatever the rollback says.
            let _ = txn.rollback().await;
            Err(e)
        }
    }
}

/// Submits the draft: every page's checks first, then the intake's; a fault it finds is shown on
/// the page that owns the field.
async fn file(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
) -> ApiResult<HttpResponse> {
    let (id, a) = match open(&state, &session).await? {
        Ok(open) => open,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let now = state.clock.now();
    for step in Step::ALL {
        let errors = step.check(&a, local_date(now));
        if !errors.is_empty() {
            return pages::step(step, &req, &a, errors);
        }
    }
    let request = answers::request(&a)?;
    match file_report(&state, &id, &request, now).await {
        Ok(()) => Ok(see_other(RECEIPT)),
        Err(e) if e.code() == "validation_failed" => {
            let faults = e.problem().errors;
            tracing::info!(?faults, "the intake refused a report from the pages");
            let owned: Vec<(Step, &str)> = faults
                .iter()
                .filter_map(|f| Step::owning(&f.field))
                .collect();
            let mut errors = FormErrors::new();
            match owned.first() {
                Some(&(step, _)) => {
                    for (_, field) in owned.iter().filter(|(s, _)| *s == step) {
                        errors.add(field, "请核对这一项");
                    }
                    pages::step(step, &req, &a, errors)
                }
                None => {
                    errors.add("submit", "举报未能提交，请检查各项内容后再试，或拨打 12315");
                    pages::check(&req, &a, errors)
                }
            }
        }
        Err(e) => Err(e),
    }
}

async fn receipt(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
) -> ApiResult<HttpResponse> {
    match draft::load_of::<Answers>(&state.db, &session, state.clock.now()).await? {
        Some(Draft::Filed(filed)) => {
            let kept: Kept = serde_json::from_str(&filed.kept).unwrap_or_default();
            pages::receipt(
                &req,
                filed.receipt_number,
                state.env.sealer.open(&filed.sealed_secret),
                kept.named,
                filed.acceptance_due,
            )
        }
        _ => Ok(see_other(START)),
    }
}
