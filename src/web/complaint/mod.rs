//! "File a complaint" (issue 16, item 7) in the GOV.UK question-page manner, with no account and
//! no script: `/complaint` says what to have at hand, then one page per topic (the business;
//! where and when, with a choice page when the place is ambiguous and a province → city →
//! county → town choice when it is not found; what happened; about you),
//! "check your answers" with 更改 links, and the receipt. Each page checks its own fields and
//! comes back with 422, the error summary and every value kept. The answers wait in a
//! server-side [`draft`]; the submit files them through the API's own intake ([`submit`]) and
//! maps any fault it finds back to the page and field that asked for it.

pub(crate) mod draft;
pub(crate) mod pages;
pub(crate) mod questions;
mod submit;

use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::deadlines::local_date;
use crate::divisions::Divisions;
use crate::http::ApiResult;
use crate::state::AppState;
use crate::web::components::FormErrors;
use draft::{Answers, Draft};
use pages::{CHECK, CHOOSE, PICK, RECEIPT, START};
use questions::{Resolved, Step, place_date, resolve_place};
use submit::Outcome;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(START, web::get().to(start_page))
        .route(START, web::post().to(start))
        // The start page's older link.
        .route(
            "/complaints/new",
            web::get().to(|| async { see_other(START) }),
        );
    for step in Step::ALL {
        cfg.route(
            step.path(),
            web::get().to(move |req, state, session| show(step, req, state, session)),
        );
    }
    for (step, next) in [
        (Step::Business, Step::Place.path()),
        (Step::What, Step::You.path()),
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

pub(crate) type Form = web::Form<Vec<(String, String)>>;

pub(crate) fn see_other(path: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, path))
        .finish()
}

/// The first value of a field, empty when absent.
pub(crate) fn value(form: &Form, name: &str) -> String {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// The session's open draft, or where to go instead: the start without one, the receipt when
/// it has been filed.
async fn open(
    state: &AppState,
    session: &Session,
) -> ApiResult<Result<(String, Answers), HttpResponse>> {
    Ok(
        match draft::load(&state.db, session, state.clock.now()).await? {
            Some(Draft::Open { id, answers }) => Ok((id, *answers)),
            Some(Draft::Filed(_)) => Err(see_other(RECEIPT)),
            None => Err(see_other(START)),
        },
    )
}

async fn start_page(req: HttpRequest) -> ApiResult<HttpResponse> {
    pages::html(
        &pages::StartPage {
            page: crate::web::page::Page::new(&req, "投诉").with_back("/"),
        },
        StatusCode::OK,
    )
}

/// Starts a draft, unless the session has one open: going back to the start and on again keeps
/// the answers.
async fn start(state: web::Data<AppState>, session: Session) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    if !matches!(
        draft::load(&state.db, &session, now).await?,
        Some(Draft::Open { .. })
    ) {
        draft::start(&state.db, &session, now).await?;
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

/// Takes this page's fields from the form into the answers.
fn take(step: Step, a: &mut Answers, form: &Form) {
    let v = |name| value(form, name);
    match step {
        Step::Business => {
            a.business_name = v("business_name");
            a.business_uscc = v("business_uscc").trim().to_uppercase();
            a.business_address = v("business_address");
            a.on_platform = v("on_platform");
            a.platform_name = v("platform_name");
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
        Step::What => {
            a.category = v("category");
            a.goods_or_service = v("goods_or_service");
            a.amount = v("amount");
            a.facts = v("facts");
            a.demands = form
                .iter()
                .filter(|(k, _)| k == "demands")
                .map(|(_, d)| d.clone())
                .collect();
        }
        Step::You => {
            a.name = v("name");
            a.phone = v("phone");
            a.email = v("email");
            a.id_type = v("id_type");
            a.id_number = v("id_number");
            a.address = v("address");
            a.conceal = v("conceal");
            a.consent = v("consent");
        }
    }
}

/// Saves a page's answers; with errors the page comes back (422), else the next one (or the
/// check page, when the page was reached by 更改).
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
    Ok(see_other(if pages::changing(&req) { CHECK } else { next }))
}

/// Where and when: the place typed resolves to one town, or leads to the choice page.
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
    place_date(&a, local_date(state.clock.now()), &mut errors);
    let resolved = resolve_place(&a.place);
    match &resolved {
        Resolved::One(code) => a.place_code = code.clone(),
        Resolved::Choose(_) => {}
        Resolved::Error(message) => {
            a.place_code.clear();
            errors.add("place", *message);
        }
    }
    draft::save(&state.db, &id, &a).await?;
    if !errors.is_empty() {
        return pages::step(Step::Place, &req, &a, errors);
    }
    let changing = pages::changing(&req);
    Ok(match resolved {
        Resolved::Choose(_) if changing => see_other(&format!("{CHOOSE}?change=1")),
        Resolved::Choose(_) => see_other(CHOOSE),
        _ if changing => see_other(CHECK),
        _ => see_other(Step::What.path()),
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
        Resolved::Choose(candidates) => pages::choose(
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
        errors.add("place_code", "请选择消费或发生纠纷的地点");
        return pages::choose(&req, &a.place, &candidates, "", errors);
    }
    a.place_code = chosen;
    draft::save(&state.db, &id, &a).await?;
    Ok(see_other(if pages::changing(&req) {
        CHECK
    } else {
        Step::What.path()
    }))
}

#[derive(serde::Deserialize)]
struct PickQuery {
    #[serde(default)]
    code: String,
}

/// The step-by-step choice, for a place the text does not find: the divisions under `code`
/// (the provinces without one).
async fn pick_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<PickQuery>,
) -> ApiResult<HttpResponse> {
    if let Err(elsewhere) = open(&state, &session).await? {
        return Ok(elsewhere);
    }
    pages::pick(&req, &query.code, FormErrors::new())
}

/// One level chosen: the next level's page, or, at a town, the place answered.
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
    if !pages::pick_options(&query.code)
        .iter()
        .any(|d| d.code == chosen)
    {
        let mut errors = FormErrors::new();
        errors.add("code", "请选择一项");
        return pages::pick(&req, &query.code, errors);
    }
    let divisions = Divisions::builtin();
    if !divisions.children(&chosen).is_empty() {
        return Ok(see_other(&format!("{PICK}?code={chosen}")));
    }
    a.place = divisions.full_name(&chosen).unwrap_or_default();
    a.place_code = chosen;
    draft::save(&state.db, &id, &a).await?;
    Ok(see_other(Step::What.path()))
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

/// Submits the draft. Every page's checks run first, the first page with a fault comes back;
/// then the API's intake decides, and a fault it finds is shown on the page that owns the field.
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
    let request = submit::request(&a)?;
    match submit::file(&state, &id, &request, now).await {
        Ok(Outcome::Filed | Outcome::AlreadyFiled) => Ok(see_other(RECEIPT)),
        Err(e) if e.code() == "validation_failed" => {
            let faults = e.problem().errors;
            let owned: Vec<(Step, &str)> = faults
                .iter()
                .filter_map(|f| Step::owning(&f.field))
                .collect();
            tracing::info!(?faults, "the intake refused a complaint from the pages");
            match owned.first() {
                Some(&(step, _)) => {
                    let mut errors = FormErrors::new();
                    for (_, field) in owned.iter().filter(|(s, _)| *s == step) {
                        errors.add(field, Step::refused(field));
                    }
                    pages::step(step, &req, &a, errors)
                }
                None => {
                    let mut errors = FormErrors::new();
                    errors.add("submit", "投诉未能提交，请检查各项内容后再试，或拨打 12315");
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
    match draft::load(&state.db, &session, state.clock.now()).await? {
        Some(Draft::Filed(filed)) => pages::receipt(
            &req,
            filed.receipt_number,
            state.env.sealer.open(&filed.sealed_secret),
            filed.acceptance_due,
        ),
        _ => Ok(see_other(START)),
    }
}
