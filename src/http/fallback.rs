//! What the OpenAPI document says about the routes, enforced: unknown routes get a 404 problem, a
//! known path with the wrong method a 405 with `Allow`, and a query parameter the operation does
//! not declare a 422. The table comes from the document, so it cannot drift from the routes.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ResourceDef, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{Error, HttpRequest, HttpResponse, web};
use utoipa::openapi::RefOr;
use utoipa::openapi::path::{Operation, ParameterIn};

use super::problem::{ApiError, FieldError};

pub struct RouteTable(Vec<Route>);

struct Route {
    def: ResourceDef,
    /// Each method with the names of its declared query parameters.
    methods: Vec<(Method, Vec<String>)>,
}

impl RouteTable {
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        let query = |op: &Operation| -> Vec<String> {
            op.parameters
                .iter()
                .flatten()
                .filter_map(|p| match p {
                    RefOr::T(p) if matches!(p.parameter_in, ParameterIn::Query) => {
                        Some(p.name.clone())
                    }
                    _ => None,
                })
                .collect()
        };
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| Route {
                def: ResourceDef::new(path.as_str()),
                methods: [
                    (Method::GET, &item.get),
                    (Method::POST, &item.post),
                    (Method::PUT, &item.put),
                    (Method::PATCH, &item.patch),
                    (Method::DELETE, &item.delete),
                ]
                .into_iter()
                .filter_map(|(m, op)| op.as_ref().map(|op| (m, query(op))))
                .collect(),
            })
            .collect();
        RouteTable(routes)
    }

    /// Paths the API owns (JSON problems when unknown); every other path is a page's.
    pub fn is_api_path(&self, path: &str) -> bool {
        path == "/api" || path.starts_with("/api/") || self.route(path).is_some()
    }

    fn route(&self, path: &str) -> Option<&Route> {
        self.0.iter().find(|r| r.def.is_match(path))
    }
}

pub async fn not_found(
    req: HttpRequest,
    table: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    let path = req.path();
    Err(match table.route(path) {
        Some(route) => {
            let allow: Vec<&str> = route.methods.iter().map(|(m, _)| m.as_str()).collect();
            ApiError::method_not_allowed(allow.join(", "))
        }
        None => ApiError::not_found(format!("no resource at {path}")),
    })
}

/// Refuses what no handler should see: a NUL anywhere in the URL (no database stores one in
/// text), and query parameters the operation does not declare (a misspelt filter would
/// otherwise be ignored silently and answer with more than was asked for).
pub async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    match refusal(&req) {
        Some(problem) => Ok(req.error_response(problem).map_into_right_body()),
        None => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body),
    }
}

fn refusal(req: &ServiceRequest) -> Option<ApiError> {
    let uri = req.uri().path_and_query().map_or("", |p| p.as_str());
    if uri.contains("%00") {
        return Some(ApiError::bad_request(
            "nul_in_url",
            "the URL contains a NUL character (%00)",
        ));
    }
    let query = req.query_string();
    if query.is_empty() {
        return None;
    }
    let table = req.app_data::<web::Data<RouteTable>>()?;
    let (_, declared) = table
        .route(req.path())?
        .methods
        .iter()
        .find(|(m, _)| m == req.method())?;
    let Ok(pairs) = web::Query::<Vec<(String, String)>>::from_query(query) else {
        return Some(ApiError::unprocessable(
            "invalid_query",
            "the query string is not valid form encoding",
        ));
    };
    let unknown: Vec<FieldError> = pairs
        .iter()
        .filter(|(name, _)| !declared.contains(name))
        .map(|(name, _)| FieldError::new(name.clone(), "not a parameter of this operation"))
        .collect();
    (!unknown.is_empty()).then(|| {
        ApiError::unprocessable(
            "invalid_query",
            format!(
                "unknown query parameters; this operation takes {}",
                if declared.is_empty() {
                    "none".to_owned()
                } else {
                    declared.join(", ")
                }
            ),
        )
        .with_errors(unknown)
    })
}
