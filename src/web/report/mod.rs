//! "File a report" (举报, issue 16 item 8) in the GOV.UK question-page manner: `/report` says
//! what to have at hand and that the reporter's identity never reaches the business; then the
//! business, what it did, when and where (the complaint journey's place resolution: its choice
//! page and its province → … → town choice, [`crate::web::place::choose_in`]), evidence
//! ([`attach`]), named or anonymous, "check your answers" and the receipt. The answers wait in a server-side draft (the
//! complaint journey's, under its own session key); the submit files them through the intake's
//! own use case, [`crate::intake::file_report`], as `POST /api/v1/reports` does.

mod answers;
mod pages;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};

use crate::deadlines::DeadlineKind;
use crate::evidence::add::Stored;
use crate::http::ApiResult;
use crate::state::AppState;
use crate::web::attach::{self, Attaching};
use crate::web::complaint::draft::Filed;
use crate::web::components::FormErrors;
use crate::web::journey::{self, Form, Journey, file_draft, see_other, value};
use crate::web::place::Places;
use answers::{Answers, Step};
use pages::{CHECK, CHOOSE, PICK, RECEIPT, START};

pub fn routes(cfg: &mut web::ServiceConfig) {
    journey::routes::<Answers>(
        cfg,
        &[
            (Step::Business, Step::What.path()),
            (Step::What, Step::Place.path()),
            (Step::You, CHECK),
        ],
    );
    attach::routes::<Answers>(cfg);
    // The start page's link.
    cfg.route("/reports/new", web::get().to(|| async { see_other(START) }));
}

/// What the receipt page needs besides the number and the secret.
#[derive(serde::Serialize, serde::Deserialize, Default)]
#[serde(default)]
struct Kept {
    named: bool,
}

impl Journey for Answers {
    type Step = Step;
    const STEPS: &'static [Step] = &Step::ALL;
    const PLACE: Step = Step::Place;
    const AFTER_PLACE: Step = Step::Evidence;
    const START: &'static str = START;
    const CHECK: &'static str = CHECK;
    const CHOOSE: &'static str = CHOOSE;
    const RECEIPT: &'static str = RECEIPT;
    const PLACES: Places = Places {
        title: "选择违法行为发生的地点",
        place: "/report/place",
        pick: PICK,
        empty: "请输入违法行为发生的地点",
        unchosen: "请选择违法行为发生的地点",
    };
    const NOT_FILED: &'static str = "举报未能提交，请检查各项内容后再试，或拨打 12315";

    fn path(step: Step) -> &'static str {
        step.path()
    }

    fn take(&mut self, step: Step, form: &Form) {
        take(step, self, form)
    }

    fn check(&self, step: Step, today: NaiveDate) -> FormErrors {
        step.check(self, today)
    }

    fn check_date(&self, today: NaiveDate, errors: &mut FormErrors) {
        answers::date(self, today, errors)
    }

    fn place(&mut self) -> (&mut String, &mut String) {
        (&mut self.place, &mut self.place_code)
    }

    fn owning(api_field: &str) -> Option<(Step, &'static str)> {
        Step::owning(api_field)
    }

    fn refused(field: &str) -> &'static str {
        match field {
            "files" => "有文件已失效，请删除后重新上传",
            _ => "请核对这一项",
        }
    }

    fn start_page(req: &HttpRequest) -> ApiResult<HttpResponse> {
        crate::web::page::html(
            &pages::StartPage {
                page: crate::web::page::Page::new(req, "举报").with_back("/"),
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
        let kept: Kept = serde_json::from_str(&filed.kept).unwrap_or_default();
        pages::receipt(
            req,
            filed.receipt_number,
            state.env.sealer.open(&filed.sealed_secret),
            kept.named,
            filed.acceptance_due,
        )
    }

    async fn file(&self, state: &AppState, draft_id: &str, now: DateTime<Utc>) -> ApiResult<()> {
        let request = answers::request(self)?;
        let files = attach::still_stored(state, &self.files).await?;
        let kept = serde_json::to_string(&Kept {
            named: request.reporter.is_some(),
        })
        .map_err(crate::http::ApiError::internal)?;
        file_draft(
            state,
            draft_id,
            DeadlineKind::ReportVerification,
            &kept,
            async |txn, secret_hash| {
                crate::intake::file_report(txn, state, &request, files, secret_hash, now).await
            },
        )
        .await
    }
}

impl Attaching for Answers {
    const EVIDENCE: Step = Step::Evidence;
    const AFTER_EVIDENCE: Step = Step::You;
    const BEFORE_EVIDENCE: Step = Step::Place;

    fn files(&mut self) -> &mut Vec<Stored> {
        &mut self.files
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
        // Its files come by their own upload.
        Step::Evidence => {}
        Step::You => {
            a.named = v("named");
            a.name = v("name");
            a.phone = v("phone");
            a.email = v("email");
        }
    }
}
