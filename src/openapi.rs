//! The OpenAPI document, collected from the same route registrations the server uses.

use actix_web::App;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

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
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::startup::routes)
        .split_for_parts();
    api
}

pub fn document_json() -> String {
    document()
        .to_pretty_json()
        .expect("the OpenAPI document serializes")
}
