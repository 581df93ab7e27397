//! Unknown routes get a 404 problem; a known path with the wrong method gets a 405 with `Allow`.
//! The table of known paths comes from the OpenAPI document, so it cannot drift from the routes.

use actix_web::dev::ResourceDef;
use actix_web::{HttpRequest, HttpResponse, web};

use super::problem::ApiError;

pub struct RouteTable(Vec<(ResourceDef, String)>);

impl RouteTable {
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods: Vec<&str> = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter_map(|(m, present)| present.then_some(m))
                .collect();
                (ResourceDef::new(path.as_str()), methods.join(", "))
            })
            .collect();
        RouteTable(routes)
    }
}

pub async fn not_found(
    req: HttpRequest,
    table: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    let path = req.path();
    Err(match table.0.iter().find(|(def, _)| def.is_match(path)) {
        Some((_, allow)) => ApiError::method_not_allowed(allow.clone()),
        None => ApiError::not_found(format!("no resource at {path}")),
    })
}
