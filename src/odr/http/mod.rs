//! ODR endpoints: the desk's and the consumer's side of the negotiation, and how well each
//! business settles. Each handler runs one step of `crate::odr` in one write transaction.

mod answers;
mod decline;
mod negotiation;
mod offers;
mod performance;
mod performed;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(offers::desk_offer)
        .service(answers::desk_accept_counter)
        .service(decline::desk_decline)
        .service(performed::desk_performed)
        .service(negotiation::consumer_view)
        .service(answers::consumer_accept)
        .service(answers::consumer_reject)
        .service(offers::consumer_counter)
        .service(performed::consumer_confirm)
        .service(performed::consumer_reopen)
        .service(performance::business_performance)
        .service(performance::suspension_candidates);
}
