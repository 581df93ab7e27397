//! The oversight endpoints: early warnings and ranking, statistics, public disclosure.

pub mod alerts;
pub mod disclosure;
pub mod statistics;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.configure(alerts::routes)
        .configure(statistics::routes)
        .configure(disclosure::routes);
}
