//! Routing's endpoints: the registry of bureaus and stations, transfers, the pilot-area studio and
//! incidents. Each handler parses, authenticates and calls its domain step in `routing`.

mod incident;
mod stations;
mod transfer;
mod zone;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.configure(stations::routes)
        .configure(transfer::routes)
        .configure(zone::routes)
        .configure(incident::routes);
}
