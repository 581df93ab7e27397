//! Where a journey asks for a place: the choice among the places a typed address may mean, and
//! the step-by-step province → city → county → town choice that needs no script (issue 16,
//! item 7), shared by the complaint and the report.

use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::components::{Choice, FormErrors};
use super::page::{Page, html, status};
use crate::divisions::{Division, Divisions};
use crate::http::ApiResult;

#[derive(Template)]
#[template(path = "complaint/choose.html")]
struct ChoosePage {
    page: Page,
    place: String,
    options: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "complaint/pick.html")]
struct PickPage {
    page: Page,
    /// The division chosen so far, in full; empty at the provinces.
    above: String,
    /// The form's action: this page, with its code.
    action: String,
    options: Vec<Choice>,
}

/// Where a journey asks for a place: its question page and its step-by-step choice, and what the
/// choice pages say; each journey has its own (`crate::web::journey::Journey::PLACES`).
pub struct Places {
    pub title: &'static str,
    /// The question page with the place typed.
    pub place: &'static str,
    /// The step-by-step choice (province → … → town).
    pub pick: &'static str,
    /// The place page's error when nothing was typed, and the choice page's when nothing was
    /// chosen.
    pub empty: &'static str,
    pub unchosen: &'static str,
}

/// The choice among the places the text may mean; `chosen` is checked.
pub fn choose_in(
    places: &Places,
    req: &HttpRequest,
    place: &str,
    candidates: &[String],
    chosen: &str,
    errors: FormErrors,
) -> ApiResult<HttpResponse> {
    let d = Divisions::builtin();
    let options = candidates
        .iter()
        .map(|c| Choice::new(c.as_str(), d.full_name(c).unwrap_or_else(|| c.clone())))
        .collect();
    let code = status(&errors);
    html(
        &ChoosePage {
            page: Page::new(req, places.title)
                .with_errors(errors)
                .with_back(places.place),
            place: place.to_owned(),
            options: Choice::mark(options, &[chosen]),
        },
        code,
    )
}

/// The divisions one level below `code` (the provinces for none); a level of one placeholder
/// (a municipality's 市辖区) is passed through.
pub fn pick_options(code: &str) -> Vec<&'static Division> {
    let d = Divisions::builtin();
    let mut list: Vec<&Division> = if code.is_empty() {
        d.iter().filter(|x| x.parent_code.is_none()).collect()
    } else {
        d.children(code)
    };
    while let [only] = list[..]
        && !d.children(only.code).is_empty()
    {
        list = d.children(only.code);
    }
    list
}

/// The step-by-step choice: the divisions one level below `code`.
pub fn pick_in(
    places: &Places,
    req: &HttpRequest,
    code: &str,
    errors: FormErrors,
) -> ApiResult<HttpResponse> {
    let status = status(&errors);
    let options = pick_options(code)
        .into_iter()
        .map(|x| Choice::new(x.code, x.name))
        .collect();
    let here = places.pick;
    let back = match Divisions::builtin().get(code).and_then(|x| x.parent_code) {
        Some(parent) => format!("{here}?code={parent}"),
        None if code.is_empty() => places.place.to_owned(),
        None => here.to_owned(),
    };
    html(
        &PickPage {
            page: Page::new(req, "逐级选择地点")
                .with_errors(errors)
                .with_back(back),
            above: Divisions::builtin().full_name(code).unwrap_or_default(),
            action: if code.is_empty() {
                here.to_owned()
            } else {
                format!("{here}?code={code}")
            },
            options,
        },
        status,
    )
}
