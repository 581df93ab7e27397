//! The API's routes and its OpenAPI document, collected from the same registrations.

use actix_web::App;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::{AppExt, scope};

use crate::http::health;
use crate::{
    accounts, businesses, calendar, cases, deadlines, divisions, evidence, intake, leads, mail,
    mediation, odr, oversight, ratings, reports, routing, urgent,
};

/// Every route of the service; the OpenAPI document is collected from this same function.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(
            scope::scope("/api/v1")
                .service(health::openapi_json)
                .configure(intake::http::routes)
                .configure(cases::http::routes)
                .configure(accounts::http::routes)
                .configure(calendar::http::routes)
                .configure(deadlines::http::routes)
                .configure(urgent::http::routes)
                .configure(mail::http::routes)
                .configure(businesses::http::routes)
                .configure(odr::http::routes)
                .configure(reports::http::routes)
                .configure(leads::http::routes)
                .configure(ratings::http::routes)
                .configure(evidence::http::routes)
                .configure(oversight::http::routes)
                .configure(mediation::http::routes)
                .configure(divisions::http::routes)
                .configure(routing::http::routes),
        );
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "xiaobao",
        description = "Consumer-complaint handling and online dispute resolution: 12315-style intake, routing to the competent bureau and station, enterprise-first ODR, mediation, 诉转案 and statistics.\n\nErrors are `application/problem+json` with a stable `code` and, for 422, every bad field in `errors`. Staff authenticate with `Authorization: Bearer <token>` from `POST /api/v1/auth/login`; consumers with the receipt number and `X-Access-Secret`.",
        license(name = "MIT")
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "intake", description = "Filing complaints and reports; consumer tracking"),
        (name = "cases", description = "Staff and desk views, scoped to jurisdiction"),
        (name = "accounts", description = "Login and accounts"),
        (name = "calendar", description = "China's official working-day calendar"),
        (name = "divisions", description = "Administrative divisions"),
        (name = "deadlines", description = "Clock stops and extensions"),
        (name = "urgent", description = "The non-working-day urgent queue and duty roster"),
        (name = "mail", description = "The mail outbox"),
        (name = "businesses", description = "The business registry and ODR enrolment"),
        (name = "odr", description = "Enterprise-first ODR settlement"),
        (name = "reports", description = "Report (举报) decisions, reporter notices and merging"),
        (name = "evidence", description = "Evidence files: upload, list, download"),
        (name = "leads", description = "诉转案: violation clues to enforcement, with feedback"),
        (name = "oversight", description = "Early warnings, rankings and the 12315 statistics"),
        (name = "public", description = "Public complaint disclosure"),
        (name = "routing", description = "Bureaus and stations, transfers between bureaus, incidents across cities"),
        (name = "zone", description = "The Yangtze Delta pilot area studio (同城待遇) and its cross-store return brands"),
        (name = "health", description = "Liveness and readiness"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Builds the document by registering the routes on a throwaway app.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes)
        .split_for_parts();
    add_shared_problems(&mut api);
    api
}

/// Lists on every operation the problems the shared machinery answers with, beside those the
/// operation declares itself: malformed requests, unknown ids and unknown query parameters
/// anywhere, body troubles where there is a body, authentication where it is required, conflicts
/// on writes, and the database being unavailable.
fn add_shared_problems(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::Operation;
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

    let problem = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build(),
        )
    };
    let add = |op: &mut Operation, write: bool| {
        let params: Vec<_> = op
            .parameters
            .iter()
            .flatten()
            .filter_map(|p| match p {
                RefOr::T(p) => Some(p),
                RefOr::Ref(_) => None,
            })
            .collect();
        let secret = params
            .iter()
            .any(|p| p.name.eq_ignore_ascii_case("X-Access-Secret"));
        let authenticated = op.security.as_ref().is_some_and(|s| !s.is_empty()) || secret;
        let mut codes = vec![
            ("400", "the request is malformed"),
            (
                "404",
                "nothing with this id or number is visible to the caller",
            ),
            (
                "422",
                "a field or query parameter is invalid; `errors` names each",
            ),
            (
                "503",
                "the database is unavailable; retry after `Retry-After`",
            ),
        ];
        if op.request_body.is_some() {
            codes.push(("413", "the body is larger than the service accepts"));
            codes.push(("415", "the body is not JSON"));
        }
        if authenticated {
            codes.push(("401", "no valid token or access secret"));
            codes.push(("403", "the caller may not do this"));
        }
        if secret {
            codes.push((
                "429",
                "too many wrong access secrets from this address; retry after `Retry-After`",
            ));
        }
        if write {
            codes.push(("409", "the state changed or the record exists"));
        }
        for (code, description) in codes {
            op.responses
                .responses
                .entry(code.to_owned())
                .or_insert_with(|| problem(description));
        }
    };
    for item in api.paths.paths.values_mut() {
        if let Some(op) = item.get.as_mut() {
            add(op, false);
        }
        for op in [
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            add(op, true);
        }
    }
}

pub fn document_json() -> String {
    document()
        .to_pretty_json()
        .expect("the OpenAPI document serializes")
}
