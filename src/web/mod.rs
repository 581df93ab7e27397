//! The pages: server-rendered HTML in Chinese, served by the same binary as the API.
//!
//! Building blocks for every page (consumer journeys and the staff workbench):
//! - **Templates** live in `templates/` (askama, auto-escaped, checked at compile time). A page
//!   is a struct with a `page: Page` field ([`page::Page::new`] takes the request and the title)
//!   and a template that `{% extends "layout.html" %}` and fills `{% block content %}`. The
//!   layout renders the header with the 大字版 switch, the back link (`Page::with_back`), and the
//!   error summary when `Page::with_errors` was given errors (the title then starts `错误：`).
//! - **Components** are macros in `templates/ui.html` (`{% import "ui.html" as ui %}`): text
//!   input, textarea with character count, radios, checkboxes, date input, select, button, start
//!   link, summary list, step indicator, panel, notification banner, table and bar chart. They
//!   take the plain data of [`components`]; field ids are the field names.
//! - **Forms** are plain `<form method="post">` with `{{ page.csrf_input() }}` inside, answered
//!   by POST-redirect-GET (303). A form with errors is rendered again with status 422, every value
//!   kept. The CSRF check ([`csrf`]) is a middleware on the page scope: handlers need do nothing.
//! - **Session** ([`session`]): a signed cookie holding handles only; use
//!   `actix_session::Session` as an extractor.
//! - **Errors** ([`errors`]): return any error from a handler; the page scope answers it with the
//!   Chinese page for its status. Unknown page paths are the 404 page.
//! - **Assets** ([`assets`]): `{{ page.asset("app.css") }}` gives the content-hashed URL.
//!   `assets/app.js` is progressive enhancement only (character count, copy button, no double
//!   submit); every page works without it.
//!
//! Handlers call the same use cases as the JSON API, never the API over HTTP.

use actix_web::cookie::Key;
use actix_web::dev::HttpServiceFactory;
use actix_web::middleware::from_fn;
use actix_web::{guard, web};

use crate::http::fallback::RouteTable;

pub mod assets;
pub mod attach;
pub mod complaint;
pub mod components;
pub mod csrf;
pub mod errors;
pub mod headers;
pub mod journey;
pub mod odr_terms;
pub mod page;
pub mod place;
pub mod preferences;
pub mod record;
pub mod report;
pub mod session;
pub mod staff;
pub mod start;
pub mod track;
pub mod verify;

/// Every page, on all paths the API does not own.
pub fn pages(session_key: Key, tls: bool) -> impl HttpServiceFactory {
    web::scope("")
        .guard(guard::fn_guard(|ctx| {
            ctx.app_data::<web::Data<RouteTable>>()
                .is_none_or(|t| !t.is_api_path(ctx.head().uri.path()))
        }))
        .wrap(from_fn(errors::middleware))
        .wrap(from_fn(csrf::middleware))
        .wrap(session::middleware(session_key, tls))
        .route("/", web::get().to(start::page))
        .configure(complaint::routes)
        .configure(staff::routes)
        .route(
            "/settings/text-size",
            web::post().to(preferences::text_size),
        )
        .configure(report::routes)
        .configure(track::routes)
        .route("/verify", web::get().to(verify::form))
        .route("/verify", web::post().to(verify::check))
        .route("/verify/file", web::post().to(verify::check_file))
        .route("/record", web::get().to(record::form))
        .route("/record", web::post().to(record::find))
        .route("/record/{uscc}", web::get().to(record::record))
        .route("/static/{file}", web::get().to(assets::serve))
        .default_service(web::to(errors::not_found))
}
