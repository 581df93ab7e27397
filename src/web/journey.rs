//! What the complaint and the report journeys share, written once: the question pages' routes,
//! the draft they fill, the place typed and resolved (with its choice page and its province → …
//! → town choice), "check your answers", the submit that maps a fault the intake finds back to the
//! page that owns the field, and the receipt. Each journey says what is its own by implementing
//! [`Journey`] on its answers.

use actix_session::Session;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::DatabaseTransaction;

use crate::db::Writes;
use crate::deadlines::{DeadlineKind, local_date};
use crate::divisions::Divisions;
use crate::domain::secrets::sha256_hex;
use crate::http::ApiResult;
use crate::intake::{self, receipt::access_secret};
use crate::state::AppState;
use crate::web::complaint::draft::{self, Draft, Filed, Kind};
use crate::web::complaint::questions::{Resolved, resolve_place};
use crate::web::components::FormErrors;
use crate::web::page::changing;
use crate::web::place::{Places, choose_in, pick_in, pick_options};

pub(crate) type Form = web::Form<Vec<(String, String)>>;

pub(crate) fn see_other(path: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, path))
        .finish()
}

/// Every value of a field sent more than once (checkboxes), in the form's order.
pub(crate) fn values(form: &Form, name: &str) -> Vec<String> {
    form.iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect()
}

/// The first value of a field, empty when absent.
pub(crate) fn value(form: &Form, name: &str) -> String {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// A journey's own parts; the handlers below are the same for every journey.
pub(crate) trait Journey: Kind + Clone + 'static {
    type Step: Copy + PartialEq + 'static;
    /// The question pages in the order they are asked.
    const STEPS: &'static [Self::Step];
    /// The page asking where (and when), and the page after it.
    const PLACE: Self::Step;
    const AFTER_PLACE: Self::Step;
    const START: &'static str;
    const CHECK: &'static str;
    const CHOOSE: &'static str;
    const RECEIPT: &'static str;
    /// Where the journey asks for the place, and what its choice pages say.
    const PLACES: Places;
    /// The check page's error when the intake refused what no page asks for.
    const NOT_FILED: &'static str;

    fn path(step: Self::Step) -> &'static str;
    /// Takes a page's fields from the form into the answers.
    fn take(&mut self, step: Self::Step, form: &Form);
    /// A page's own errors for the answers it holds.
    fn check(&self, step: Self::Step, today: NaiveDate) -> FormErrors;
    /// What the journey reads of the database once a page is answered (none by default).
    async fn look_up(&mut self, _step: Self::Step, _state: &AppState) -> ApiResult<()> {
        Ok(())
    }
    /// The place page's errors other than the place: its date.
    fn check_date(&self, today: NaiveDate, errors: &mut FormErrors);
    /// The place as typed and the division it resolved to.
    fn place(&mut self) -> (&mut String, &mut String);
    /// The page and field asking for a field of the API's request.
    fn owning(api_field: &str) -> Option<(Self::Step, &'static str)>;
    /// What a page says at a field the intake refused.
    fn refused(field: &str) -> &'static str;

    fn start_page(req: &HttpRequest) -> ApiResult<HttpResponse>;
    fn page(
        &self,
        step: Self::Step,
        req: &HttpRequest,
        errors: FormErrors,
    ) -> ApiResult<HttpResponse>;
    fn check_page(&self, req: &HttpRequest, errors: FormErrors) -> ApiResult<HttpResponse>;
    fn receipt(req: &HttpRequest, state: &AppState, filed: Filed) -> ApiResult<HttpResponse>;
    /// Files the draft `draft_id` through the intake and marks it filed, in one transaction; a
    /// draft filed already files nothing.
    async fn file(&self, state: &AppState, draft_id: &str, now: DateTime<Utc>) -> ApiResult<()>;
}

/// The journey's routes; `flow` says where each plain question page leads.
pub(crate) fn routes<J: Journey>(cfg: &mut web::ServiceConfig, flow: &[(J::Step, &'static str)]) {
    cfg.route(J::START, web::get().to(start_page::<J>))
        .route(J::START, web::post().to(start::<J>));
    for &step in J::STEPS {
        cfg.route(
            J::path(step),
            web::get().to(move |req, state, session| show::<J>(step, req, state, session)),
        );
    }
    for &(step, next) in flow {
        cfg.route(
            J::path(step),
            web::post().to(move |req, state, session, form| {
                answer::<J>(step, next, req, state, session, form)
            }),
        );
    }
    cfg.route(J::path(J::PLACE), web::post().to(place::<J>))
        .route(J::CHOOSE, web::get().to(choose_page::<J>))
        .route(J::CHOOSE, web::post().to(choose::<J>))
        .route(J::PLACES.pick, web::get().to(pick_page::<J>))
        .route(J::PLACES.pick, web::post().to(pick::<J>))
        .route(J::CHECK, web::get().to(check_page::<J>))
        .route(J::CHECK, web::post().to(file::<J>))
        .route(J::RECEIPT, web::get().to(receipt::<J>));
}

/// The session's open draft, or where to go instead: the start without one, the receipt when
/// it has been filed.
pub(crate) async fn open<J: Journey>(
    state: &AppState,
    session: &Session,
) -> ApiResult<Result<(String, J), HttpResponse>> {
    Ok(
        match draft::load::<J>(&state.db, session, state.clock.now()).await? {
            Some(Draft::Open { id, answers }) => Ok((id, *answers)),
            Some(Draft::Filed(_)) => Err(see_other(J::RECEIPT)),
            None => Err(see_other(J::START)),
        },
    )
}

/// The open draft of journey `$j`, or from the handler where to go instead.
macro_rules! open_or_return {
    ($j:ty, $state:expr, $session:expr) => {
        match $crate::web::journey::open::<$j>(&$state, &$session).await? {
            Ok(open) => open,
            Err(elsewhere) => return Ok(elsewhere),
        }
    };
}
pub(crate) use open_or_return;

async fn start_page<J: Journey>(req: HttpRequest) -> ApiResult<HttpResponse> {
    J::start_page(&req)
}

/// Starts a draft, unless the session has one open: going back to the start and on again keeps
/// the answers.
async fn start<J: Journey>(
    state: web::Data<AppState>,
    session: Session,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    if !matches!(
        draft::load::<J>(&state.db, &session, now).await?,
        Some(Draft::Open { .. })
    ) {
        draft::start::<J>(&state.db, &session, now).await?;
    }
    Ok(see_other(J::path(J::STEPS[0])))
}

async fn show<J: Journey>(
    step: J::Step,
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
) -> ApiResult<HttpResponse> {
    let (_, a) = open_or_return!(J, state, session);
    a.page(step, &req, FormErrors::new())
}

/// Saves a page's answers; with errors the page comes back (422), else the next one (or the
/// check page, when the page was reached by 更改).
async fn answer<J: Journey>(
    step: J::Step,
    next: &'static str,
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    form: Form,
) -> ApiResult<HttpResponse> {
    let (id, mut a) = open_or_return!(J, state, session);
    a.take(step, &form);
    a.look_up(step, &state).await?;
    draft::save(&state.db, &id, &a).await?;
    let errors = a.check(step, local_date(state.clock.now()));
    if !errors.is_empty() {
        return a.page(step, &req, errors);
    }
    Ok(see_other(if changing(&req) { J::CHECK } else { next }))
}

/// Where and when: the place typed resolves to one town, or leads to the choice page.
async fn place<J: Journey>(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    form: Form,
) -> ApiResult<HttpResponse> {
    let (id, mut a) = open_or_return!(J, state, session);
    a.take(J::PLACE, &form);
    let mut errors = FormErrors::new();
    a.check_date(local_date(state.clock.now()), &mut errors);
    let (place, code) = a.place();
    let resolved = resolve_place(place);
    match &resolved {
        Resolved::One(one) => *code = one.clone(),
        Resolved::Choose(_) => {}
        Resolved::Error(message) => {
            code.clear();
            let empty = place.trim().is_empty();
            errors.add("place", if empty { J::PLACES.empty } else { *message });
        }
    }
    draft::save(&state.db, &id, &a).await?;
    if !errors.is_empty() {
        return a.page(J::PLACE, &req, errors);
    }
    let changing = changing(&req);
    Ok(match resolved {
        Resolved::Choose(_) if changing => see_other(&format!("{}?change=1", J::CHOOSE)),
        Resolved::Choose(_) => see_other(J::CHOOSE),
        _ if changing => see_other(J::CHECK),
        _ => see_other(J::path(J::AFTER_PLACE)),
    })
}

async fn choose_page<J: Journey>(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
) -> ApiResult<HttpResponse> {
    let (_, mut a) = open_or_return!(J, state, session);
    let (place, code) = a.place();
    match resolve_place(place) {
        Resolved::Choose(candidates) => choose_in(
            &J::PLACES,
            &req,
            place,
            &candidates,
            code,
            FormErrors::new(),
        ),
        _ => Ok(see_other(J::path(J::PLACE))),
    }
}

async fn choose<J: Journey>(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    form: Form,
) -> ApiResult<HttpResponse> {
    let (id, mut a) = open_or_return!(J, state, session);
    let (place, code) = a.place();
    let Resolved::Choose(candidates) = resolve_place(place) else {
        return Ok(see_other(J::path(J::PLACE)));
    };
    let chosen = value(&form, "place_code");
    if !candidates.contains(&chosen) {
        let mut errors = FormErrors::new();
        errors.add("place_code", J::PLACES.unchosen);
        return choose_in(&J::PLACES, &req, place, &candidates, "", errors);
    }
    *code = chosen;
    draft::save(&state.db, &id, &a).await?;
    Ok(see_other(if changing(&req) {
        J::CHECK
    } else {
        J::path(J::AFTER_PLACE)
    }))
}

#[derive(serde::Deserialize)]
struct PickQuery {
    #[serde(default)]
    code: String,
}

/// The step-by-step choice, for a place the text does not find: the divisions under `code`
/// (the provinces without one).
async fn pick_page<J: Journey>(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<PickQuery>,
) -> ApiResult<HttpResponse> {
    open_or_return!(J, state, session);
    pick_in(&J::PLACES, &req, &query.code, FormErrors::new())
}

/// One level chosen: the next level's page, or, at a town, the place answered.
async fn pick<J: Journey>(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<PickQuery>,
    form: Form,
) -> ApiResult<HttpResponse> {
    let (id, mut a) = open_or_return!(J, state, session);
    let chosen = value(&form, "code");
    if !pick_options(&query.code).iter().any(|d| d.code == chosen) {
        let mut errors = FormErrors::new();
        errors.add("code", "请选择一项");
        return pick_in(&J::PLACES, &req, &query.code, errors);
    }
    let divisions = Divisions::builtin();
    if !divisions.children(&chosen).is_empty() {
        return Ok(see_other(&format!("{}?code={chosen}", J::PLACES.pick)));
    }
    let (place, code) = a.place();
    *place = divisions.full_name(&chosen).unwrap_or_default();
    *code = chosen;
    draft::save(&state.db, &id, &a).await?;
    Ok(see_other(J::path(J::AFTER_PLACE)))
}

async fn check_page<J: Journey>(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
) -> ApiResult<HttpResponse> {
    let (_, a) = open_or_return!(J, state, session);
    a.check_page(&req, FormErrors::new())
}

/// Submits the draft. Every page's checks run first, the first page with a fault comes back;
/// then the intake decides, and a fault it finds is shown on the page that owns the field.
async fn file<J: Journey>(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
) -> ApiResult<HttpResponse> {
    let (id, a) = open_or_return!(J, state, session);
    let now = state.clock.now();
    for &step in J::STEPS {
        let errors = a.check(step, local_date(now));
        if !errors.is_empty() {
            return a.page(step, &req, errors);
        }
    }
    match a.file(&state, &id, now).await {
        Ok(()) => Ok(see_other(J::RECEIPT)),
        Err(e) if e.code() == "validation_failed" => {
            let faults = e.problem().errors;
            tracing::info!(?faults, "the intake refused a draft from the pages");
            let owned: Vec<(J::Step, &str)> =
                faults.iter().filter_map(|f| J::owning(&f.field)).collect();
            let mut errors = FormErrors::new();
            match owned.first() {
                Some(&(step, _)) => {
                    for (_, field) in owned.iter().filter(|(s, _)| *s == step) {
                        errors.add(field, J::refused(field));
                    }
                    a.page(step, &req, errors)
                }
                None => {
                    errors.add("submit", J::NOT_FILED);
                    a.check_page(&req, errors)
                }
            }
        }
        Err(e) => Err(e),
    }
}

async fn receipt<J: Journey>(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
) -> ApiResult<HttpResponse> {
    match draft::load::<J>(&state.db, &session, state.clock.now()).await? {
        Some(Draft::Filed(filed)) => J::receipt(&req, &state, filed),
        _ => Ok(see_other(J::START)),
    }
}

/// Files a draft through `intake` (given the access secret's hash) and marks the draft filed with
/// the receipt number, the sealed secret, the due day of the `due` deadline and `kept`, in one
/// transaction; a draft filed already (a second click, a reload of the submit) files nothing.
pub(crate) async fn file_draft(
    state: &AppState,
    draft_id: &str,
    due: DeadlineKind,
    kept: &str,
    intake: impl AsyncFnOnce(
        &DatabaseTransaction,
        &str,
    ) -> Result<(intake::Filed, Writes), intake::Error>,
) -> ApiResult<()> {
    let secret = access_secret();
    let txn = crate::db::begin_write(&state.db).await?;
    let done = async {
        let (filed, writes) = intake(&txn, &sha256_hex(&secret)).await?;
        let due_on = filed
            .deadlines
            .iter()
            .find(|d| d.kind == due)
            .map(|d| d.due_date);
        let sealed = state.env.sealer.seal(&secret);
        let marked = draft::mark_filed(
            &txn,
            draft_id,
            &filed.case.receipt_number,
            sealed,
            due_on,
            kept,
        )
        .await?;
        if marked {
            writes.write(&txn).await?;
        }
        ApiResult::Ok(marked)
    };
    match done.await {
        Ok(true) => Ok(txn.commit().await?),
        other => {
            // The filing's own error is the one to report, whatever the rollback says.
            let _ = txn.rollback().await;
            other.map(drop)
        }
    }
}
