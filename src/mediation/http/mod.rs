//! Mediation endpoints. Handlers check the request's shape and who is asking, then run the step
//! in one write transaction with its timeline entry, audit entry and mail.
//!
//! The shared response shapes live in `common`, not here: this file names every handler for the
//! route list, so the handlers cannot also name it.

mod admission;
mod common;
mod confirmation;
mod outcomes;
mod registry;
mod sessions;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(admission::accept)
        .service(admission::refuse)
        .service(admission::withdraw)
        .service(admission::assign_mediator)
        .service(admission::apply_recusal)
        .service(admission::decide_recusal)
        .service(admission::delegate)
        .service(admission::respondent_contact)
        .service(sessions::schedule_session)
        .service(sessions::list_sessions)
        .service(sessions::record_session)
        .service(outcomes::terminate)
        .service(outcomes::termination_told)
        .service(outcomes::record_agreement)
        .service(outcomes::get_agreement)
        .service(outcomes::agreement_pdf)
        .service(confirmation::desk_confirm)
        .service(confirmation::consumer_confirm)
        .service(confirmation::code_confirm)
        .service(confirmation::verify_by_hash)
        .service(confirmation::verify_by_file)
        .service(registry::list_signing_keys)
        .service(registry::revoke_signing_key)
        .service(registry::set_document_prefix)
        .service(registry::list_grounds);
}
