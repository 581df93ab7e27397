//! Others complaining together with the consumer (共同投诉), GOV.UK's "add another" without a
//! script: from the check page, `/complaint/others` lists the people added, each with a 删除
//! button, and asks who represents them all (one or two, the consumer by default);
//! `/complaint/others/new` adds one person, checked as the page about you is. The API's intake
//! takes them as `co_complainants`, each with its `representative` flag.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::draft::{self, Answers, ME, Other};
use super::pages::{CHECK, OTHERS, named};
use super::questions::{id_type_label, options, person};
use crate::domain::vocabulary::IdType;
use crate::http::ApiResult;
use crate::state::AppState;
use crate::web::components::{Choice, FormErrors};
use crate::web::journey::{self, Form, see_other, value, values};
use crate::web::page::{Page, html, status};

const NEW: &str = "/complaint/others/new";
/// Larger groups file a collective complaint by phone.
const MAX_OTHERS: usize = 10;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(OTHERS, web::get().to(list))
        .route(OTHERS, web::post().to(choose))
        .route(NEW, web::get().to(new_form))
        .route(NEW, web::post().to(add))
        .route("/complaint/others/{n}/remove", web::post().to(remove));
}

/// One person added, as the list shows them.
pub struct Line {
    pub who: String,
    pub remove: String,
}

#[derive(Template)]
#[template(path = "complaint/others.html")]
struct OthersPage {
    page: Page,
    lines: Vec<Line>,
    /// Who may represent: the consumer and each person added, the chosen ones ticked.
    representatives: Vec<Choice>,
    room: bool,
}

#[derive(Template)]
#[template(path = "complaint/other_new.html")]
struct NewPage {
    page: Page,
    o: Other,
    id_types: Vec<Choice>,
}

fn list_page(req: &HttpRequest, a: &Answers, errors: FormErrors) -> ApiResult<HttpResponse> {
    let code = status(&errors);
    let lines = a
        .others
        .iter()
        .enumerate()
        .map(|(i, o)| Line {
            who: named(&o.name, &o.phone),
            remove: format!("/complaint/others/{}/remove", i + 1),
        })
        .collect();
    let choices = std::iter::once(Choice::new(ME, format!("{}（本人）", a.name.trim())))
        .chain(
            a.others
                .iter()
                .map(|o| Choice::new(&o.phone, named(&o.name, &o.phone))),
        )
        .collect();
    let marks: Vec<&str> = a.representatives.iter().map(String::as_str).collect();
    html(
        &OthersPage {
            page: Page::new(req, "一起投诉的人")
                .with_errors(errors)
                .with_back(CHECK),
            lines,
            representatives: Choice::mark(choices, &marks),
            room: a.others.len() < MAX_OTHERS,
        },
        code,
    )
}

/// `GET /complaint/others`
async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
) -> ApiResult<HttpResponse> {
    let (_, a) = journey::open_or_return!(Answers, state, session);
    list_page(&req, &a, FormErrors::new())
}

/// `POST /complaint/others`: who represents them; then the check page.
async fn choose(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    form: Form,
) -> ApiResult<HttpResponse> {
    let (id, mut a) = journey::open_or_return!(Answers, state, session);
    let known = |r: &String| r == ME || a.others.iter().any(|o| &o.phone == r);
    let chosen = values(&form, "representatives");
    let mut errors = FormErrors::new();
    if !a.others.is_empty() {
        let n = chosen.iter().filter(|r| known(r)).count();
        if n == 0 || n > 2 {
            errors.add("representatives", "请选择 1 至 2 名代表人");
        }
    }
    if !errors.is_empty() {
        a.representatives = chosen;
        return list_page(&req, &a, errors);
    }
    a.representatives = chosen.into_iter().filter(|r| known(r)).collect();
    draft::save(&state.db, &id, &a).await?;
    Ok(see_other(CHECK))
}

fn new_page(req: &HttpRequest, o: Other, errors: FormErrors) -> ApiResult<HttpResponse> {
    let code = status(&errors);
    html(
        &NewPage {
            page: Page::new(req, "添加一起投诉的人")
                .with_errors(errors)
                .with_back(OTHERS),
            id_types: options(
                IdType::ALL,
                IdType::as_str,
                id_type_label,
                &[o.id_type.as_str()],
            ),
            o,
        },
        code,
    )
}

/// `GET /complaint/others/new`
async fn new_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
) -> ApiResult<HttpResponse> {
    let (_, a) = journey::open_or_return!(Answers, state, session);
    if a.others.len() >= MAX_OTHERS {
        return Ok(see_other(OTHERS));
    }
    new_page(&req, Other::default(), FormErrors::new())
}

/// `POST /complaint/others/new`: the person checked as the page about you checks the consumer,
/// and not one already named; then the list again.
async fn add(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    form: Form,
) -> ApiResult<HttpResponse> {
    let (id, mut a) = journey::open_or_return!(Answers, state, session);
    let v = |name| value(&form, name);
    let o = Other {
        name: v("name"),
        phone: v("phone"),
        id_type: v("id_type"),
        id_number: v("id_number").trim().to_uppercase(),
        address: v("address"),
    };
    let mut errors = FormErrors::new();
    person(&o, "这位投诉人的", &mut errors);
    let phone = o.phone.trim();
    let id_number = o.id_number.as_str();
    let taken = |p: &str, n: &str| p.trim() == phone || (!n.is_empty() && n.trim() == id_number);
    if errors.is_empty()
        && (taken(&a.phone, &a.id_number.to_uppercase())
            || a.others.iter().any(|x| taken(&x.phone, &x.id_number)))
    {
        errors.add("phone", "这位投诉人已在投诉人中，请核对手机号码和证件号码");
    }
    if a.others.len() >= MAX_OTHERS {
        errors.add(
            "name",
            format!(
                "网上最多添加 {MAX_OTHERS} 位一起投诉的人；人数更多的，请拨打 12315 进行集体投诉"
            ),
        );
    }
    if !errors.is_empty() {
        return new_page(&req, o, errors);
    }
    a.others.push(Other {
        phone: phone.to_owned(),
        ..o
    });
    if a.representatives.is_empty() {
        a.representatives.push(ME.to_owned());
    }
    draft::save(&state.db, &id, &a).await?;
    Ok(see_other(OTHERS))
}

/// `POST /complaint/others/{n}/remove`: the n-th person added (from 1) leaves the complaint.
async fn remove(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<usize>,
) -> ApiResult<HttpResponse> {
    let (id, mut a) = journey::open_or_return!(Answers, state, session);
    let n = path.into_inner();
    if (1..=a.others.len()).contains(&n) {
        let gone = a.others.remove(n - 1);
        a.representatives.retain(|r| r != &gone.phone);
        if a.others.is_empty() {
            a.representatives.clear();
        } else if a.representatives.is_empty() {
            a.representatives.push(ME.to_owned());
        }
        draft::save(&state.db, &id, &a).await?;
    }
    Ok(see_other(OTHERS))
}
