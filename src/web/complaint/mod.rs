//! "File a complaint" (issue 16, item 7) in the GOV.UK question-page manner, with no account and
//! no script: `/complaint` says what to have at hand, then one page per topic (the business;
//! where and when, with a choice page when the place is ambiguous and a province → city →
//! county → town choice when it is not found; what happened; evidence ([`attach`]); about you),
//! "check your answers" with 更改 links (and, from it, [`others`] complaining together with the
//! consumer), and the receipt. Each page checks its own fields and
//! comes back with 422, the error summary and every value kept. The answers wait in a
//! server-side [`draft`]; the submit files them through the API's own intake ([`submit`]) and
//! maps any fault it finds back to the page and field that asked for it.

pub(crate) mod draft;
mod others;
pub(crate) mod pages;
pub(crate) mod questions;
mod submit;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};

use crate::evidence::add::Stored;
use crate::http::ApiResult;
use crate::state::AppState;
use crate::web::attach::{self, Attaching};
use crate::web::components::FormErrors;
use crate::web::journey::{self, Form, Journey, see_other, value, values};
use crate::web::place::Places;
use draft::{Answers, Filed};
use pages::{CHECK, CHOOSE, PICK, RECEIPT, START};
use questions::{Step, place_date};

pub fn routes(cfg: &mut web::ServiceConfig) {
    journey::routes::<Answers>(
        cfg,
        &[
            (Step::Business, Step::Place.path()),
            (Step::What, Step::Evidence.path()),
            (Step::You, CHECK),
        ],
    );
    attach::routes::<Answers>(cfg);
    others::routes(cfg);
    // The start page's older link.
    cfg.route(
        "/complaints/new",
        web::get().to(|| async { see_other(START) }),
    );
}

impl Journey for Answers {
    type Step = Step;
    const STEPS: &'static [Step] = &Step::ALL;
    const PLACE: Step = Step::Place;
    const AFTER_PLACE: Step = Step::What;
    const START: &'static str = START;
    const CHECK: &'static str = CHECK;
    const CHOOSE: &'static str = CHOOSE;
    const RECEIPT: &'static str = RECEIPT;
    const PLACES: Places = Places {
        title: "选择消费或发生纠纷的地点",
        place: "/complaint/place",
        pick: PICK,
        empty: "请输入消费或发生纠纷的地点",
        unchosen: "请选择消费或发生纠纷的地点",
    };
    const NOT_FILED: &'static str = "投诉未能提交，请检查各项内容后再试，或拨打 12315";

    fn path(step: Step) -> &'static str {
        step.path()
    }

    fn take(&mut self, step: Step, form: &Form) {
        take(step, self, form)
    }

    fn check(&self, step: Step, today: NaiveDate) -> FormErrors {
        step.check(self, today)
    }

    /// The business page answered: the registered business it names (by USCC, or by its exact
    /// name when only one bears it) and whether that business is enrolled in ODR.
    async fn look_up(&mut self, step: Step, state: &AppState) -> ApiResult<()> {
        if step == Step::Business {
            let found = crate::businesses::find::named(
                &state.db,
                self.business_uscc.trim(),
                self.business_name.trim(),
            )
            .await?;
            self.odr_available = found.as_ref().is_some_and(|b| b.odr_enrolled);
            self.registry_uscc = found.map(|b| b.uscc).unwrap_or_default();
        }
        Ok(())
    }

    fn check_date(&self, today: NaiveDate, errors: &mut FormErrors) {
        place_date(self, today, errors)
    }

    fn place(&mut self) -> (&mut String, &mut String) {
        (&mut self.place, &mut self.place_code)
    }

    fn owning(api_field: &str) -> Option<(Step, &'static str)> {
        Step::owning(api_field)
    }

    fn refused(field: &str) -> &'static str {
        Step::refused(field)
    }

    fn start_page(req: &HttpRequest) -> ApiResult<HttpResponse> {
        crate::web::page::html(
            &pages::StartPage {
                page: crate::web::page::Page::new(req, "投诉").with_back("/"),
            },
            StatusCode::OK,
        )
    }

    fn page(&self, step: Step, req: &HttpRequest, errors: FormErrors) -> ApiResult<HttpResponse> {
        pages::step(step, req, self, errors)
    }

    fn check_page(&self, req: &HttpRequest, errors: FormErrors) -> ApiResult<HttpResponse> {
        pages::check(req, self, errors)
    }

    fn receipt(req: &HttpRequest, state: &AppState, filed: Filed) -> ApiResult<HttpResponse> {
        pages::receipt(
            req,
            filed.receipt_number,
            state.env.sealer.open(&filed.sealed_secret),
            filed.acceptance_due,
        )
    }

    async fn file(&self, state: &AppState, draft_id: &str, now: DateTime<Utc>) -> ApiResult<()> {
        let request = submit::request(self)?;
        let files = attach::still_stored(state, &self.files).await?;
        submit::file(state, draft_id, &request, files, now).await
    }
}

impl Attaching for Answers {
    const EVIDENCE: Step = Step::Evidence;
    const AFTER_EVIDENCE: Step = Step::You;
    const BEFORE_EVIDENCE: Step = Step::What;

    fn files(&mut self) -> &mut Vec<Stored> {
        &mut self.files
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
            a.demands = values(form, "demands");
        }
        // Its files come by their own upload.
        Step::Evidence => {}
        Step::You => {
            a.name = v("name");
            a.phone = v("phone");
            a.email = v("email");
            a.id_type = v("id_type");
            a.id_number = v("id_number");
            a.address = v("address");
            a.conceal = v("conceal");
            a.odr_first = v("odr_first");
            a.delegated = v("delegated");
            a.consent = v("consent");
        }
    }
}
