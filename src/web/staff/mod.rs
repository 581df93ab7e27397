//! The workbench (`/staff`): staff and desk agents log in with their accounts, work from the list
//! of their cases and open a case. The session keeps only the login token; every request resolves
//! it through `accounts::authenticate` into the `Staff` the use cases take, so a revoked or
//! expired token ends the session at once. Who sees and does what is decided in `cases::access`,
//! the same as for the API.

use actix_web::web;

mod account;
mod accounts;
mod act;
mod brands;
mod calendar;
mod case;
mod clocks;
mod dashboard;
mod document;
mod incidents;
mod keys;
mod leads;
mod list;
mod mediators;
mod minutes;
mod odr;
mod outbox;
mod outcomes;
mod period;
mod reports;
mod roster;
mod sessions;
mod signed_in;
mod stations;
mod text_step;
mod trail;
mod transfers;
mod urgent;
mod visits;
mod words;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/staff/login", web::get().to(account::login_form))
        .route("/staff/login", web::post().to(account::login))
        .route("/staff/logout", web::post().to(account::logout))
        .route("/staff/password", web::get().to(account::password_form))
        .route("/staff/password", web::post().to(account::change_password))
        .route("/staff", web::get().to(list::page))
        .route("/staff/cases/{id}", web::get().to(case::page))
        .route(
            "/staff/cases/{id}/evidence/{evidence_id}",
            web::get().to(case::evidence_file),
        )
        .route("/staff/cases/{id}/accept", web::post().to(case::accept))
        .route("/staff/cases/{id}/refuse", web::get().to(case::refuse_form))
        .route("/staff/cases/{id}/refuse", web::post().to(case::refuse))
        .route(
            "/staff/cases/{id}/mediator",
            web::get().to(mediators::assign_form),
        )
        .route(
            "/staff/cases/{id}/mediator",
            web::post().to(mediators::assign),
        )
        .route(
            "/staff/cases/{id}/delegation",
            web::get().to(mediators::delegation_form),
        )
        .route(
            "/staff/cases/{id}/delegation",
            web::post().to(mediators::delegate),
        )
        .route(
            "/staff/cases/{id}/respondent-contact",
            web::get().to(mediators::contact_form),
        )
        .route(
            "/staff/cases/{id}/respondent-contact",
            web::post().to(mediators::set_contact),
        )
        .route(
            "/staff/cases/{id}/sessions/new",
            web::get().to(sessions::schedule_form),
        )
        .route(
            "/staff/cases/{id}/sessions/new",
            web::post().to(sessions::schedule),
        )
        .route(
            "/staff/cases/{id}/sessions/{session_id}/record",
            web::get().to(minutes::record_form),
        )
        .route(
            "/staff/cases/{id}/sessions/{session_id}/record",
            web::post().to(minutes::record),
        )
        .route(
            "/staff/cases/{id}/termination",
            web::get().to(outcomes::terminate_form),
        )
        .route(
            "/staff/cases/{id}/termination",
            web::post().to(outcomes::terminate),
        )
        .route(
            "/staff/cases/{id}/termination/told",
            web::get().to(outcomes::told_form),
        )
        .route(
            "/staff/cases/{id}/termination/told",
            web::post().to(outcomes::told),
        )
        .route(
            "/staff/cases/{id}/transfer",
            web::get().to(transfers::request_form),
        )
        .route(
            "/staff/cases/{id}/transfer",
            web::post().to(transfers::request),
        )
        .route("/staff/cases/{id}/lead", web::get().to(leads::open_form))
        .route("/staff/cases/{id}/lead", web::post().to(leads::open))
        .route("/staff/calendar", web::get().to(calendar::page))
        .route("/staff/calendar", web::post().to(calendar::upload))
        .route("/staff/roster", web::get().to(roster::page))
        .route("/staff/roster", web::post().to(roster::add))
        .route("/staff/roster/{id}/remove", web::post().to(roster::remove))
        .route(
            "/staff/cases/{id}/agreement/document",
            web::get().to(document::page),
        )
        .route(
            "/staff/cases/{id}/agreement/confirm",
            web::post().to(document::confirm),
        )
        .route("/staff/accounts", web::get().to(accounts::list))
        .route("/staff/accounts/new", web::get().to(accounts::new_form))
        .route("/staff/accounts/new", web::post().to(accounts::create))
        .route("/staff/accounts/{id}", web::get().to(accounts::page))
        .route(
            "/staff/accounts/{id}/role",
            web::post().to(accounts::change_role),
        )
        .route(
            "/staff/accounts/{id}/active",
            web::post().to(accounts::set_active),
        )
        .route(
            "/staff/accounts/{id}/reset",
            web::post().to(accounts::reset),
        )
        .route("/staff/cases/{id}/audit", web::get().to(trail::page))
        .route("/staff/outbox", web::get().to(outbox::page))
        .route("/staff/brands", web::get().to(brands::list))
        .route("/staff/brands/new", web::get().to(brands::new_form))
        .route("/staff/brands/new", web::post().to(brands::create))
        .route("/staff/brands/{id}", web::get().to(brands::change_form))
        .route("/staff/brands/{id}", web::post().to(brands::change))
        .route("/staff/brands/{id}/remove", web::post().to(brands::remove))
        .route("/staff/outbox/{id}/resend", web::post().to(outbox::resend))
        .route("/staff/stations", web::get().to(stations::page))
        .route("/staff/stations/new", web::get().to(stations::new_form))
        .route("/staff/stations/new", web::post().to(stations::create))
        .route(
            "/staff/stations/{id}/towns",
            web::get().to(stations::towns_form),
        )
        .route(
            "/staff/stations/{id}/towns",
            web::post().to(stations::set_towns),
        )
        .route("/staff/bureau/prefix", web::post().to(stations::set_prefix))
        .route("/staff/signing-keys", web::get().to(keys::list))
        .route(
            "/staff/signing-keys/{key_id}/revoke",
            web::get().to(keys::revoke_form),
        )
        .route(
            "/staff/signing-keys/{key_id}/revoke",
            web::post().to(keys::revoke),
        )
        .route("/staff/leads", web::get().to(leads::list))
        .route("/staff/leads/{id}", web::get().to(leads::page))
        .route("/staff/leads/{id}/accept", web::post().to(leads::accept))
        .route(
            "/staff/leads/{id}/decision",
            web::get().to(leads::decision_form),
        )
        .route("/staff/leads/{id}/decision", web::post().to(leads::decide))
        .route(
            "/staff/leads/{id}/result",
            web::get().to(leads::result_form),
        )
        .route(
            "/staff/leads/{id}/result",
            web::post().to(leads::record_result),
        )
        .route(
            "/staff/cases/{id}/report/decision",
            web::get().to(reports::decision_form),
        )
        .route(
            "/staff/cases/{id}/report/decision",
            web::post().to(reports::decide),
        )
        .route(
            "/staff/cases/{id}/report/notice",
            web::get().to(reports::notice_form),
        )
        .route(
            "/staff/cases/{id}/report/notice",
            web::post().to(reports::record_notice),
        )
        .route(
            "/staff/cases/{id}/report/merge",
            web::get().to(reports::merge_form),
        )
        .route(
            "/staff/cases/{id}/report/merge",
            web::post().to(reports::merge),
        )
        .route("/staff/transfers", web::get().to(transfers::list))
        .route(
            "/staff/cases/{id}/incident",
            web::get().to(incidents::link_form),
        )
        .route(
            "/staff/cases/{id}/incident",
            web::post().to(incidents::link),
        )
        .route("/staff/incidents/{id}", web::get().to(incidents::page))
        .route(
            "/staff/incidents/{id}/sessions/new",
            web::get().to(incidents::joint_form),
        )
        .route(
            "/staff/incidents/{id}/sessions/new",
            web::post().to(incidents::joint),
        )
        .route(
            "/staff/transfers/{id}/accept",
            web::post().to(transfers::accept),
        )
        .route(
            "/staff/transfers/{id}/withdraw",
            web::post().to(transfers::withdraw),
        )
        .route(
            "/staff/transfers/{id}/return",
            web::get().to(transfers::return_form),
        )
        .route(
            "/staff/transfers/{id}/return",
            web::post().to(transfers::give_back),
        )
        .route("/staff/odr", web::get().to(odr::figures))
        .route("/staff/urgent", web::get().to(urgent::queue))
        .route("/staff/urgent/{id}/claim", web::post().to(urgent::claim))
        .route(
            "/staff/urgent/{id}/first-contact",
            web::get().to(urgent::contact_form),
        )
        .route(
            "/staff/urgent/{id}/first-contact",
            web::post().to(urgent::first_contact),
        )
        .route(
            "/staff/urgent/{id}/resolve",
            web::get().to(urgent::resolve_form),
        )
        .route(
            "/staff/urgent/{id}/resolve",
            web::post().to(urgent::resolve),
        )
        .route(
            "/staff/urgent/{id}/handover",
            web::get().to(urgent::handover_form),
        )
        .route(
            "/staff/urgent/{id}/handover",
            web::post().to(urgent::handover),
        )
        .route("/staff/dashboard", web::get().to(dashboard::page))
        .route("/staff/dashboard.csv", web::get().to(dashboard::csv))
        .route(
            "/staff/alerts/{id}/acknowledge",
            web::post().to(dashboard::acknowledge),
        )
        .route(
            "/staff/cases/{id}/odr/offer",
            web::get().to(odr::offer_form),
        )
        .route(
            "/staff/cases/{id}/odr/offer",
            web::post().to(odr::make_offer),
        )
        .route(
            "/staff/cases/{id}/odr/offers/{offer_id}/accept",
            web::post().to(odr::accept_counter),
        )
        .route(
            "/staff/cases/{id}/odr/decline",
            web::get().to(odr::decline_form),
        )
        .route(
            "/staff/cases/{id}/odr/decline",
            web::post().to(odr::decline),
        )
        .route(
            "/staff/cases/{id}/odr/performance",
            web::get().to(odr::performed_form),
        )
        .route(
            "/staff/cases/{id}/odr/performance",
            web::post().to(odr::record_performed),
        )
        .route(
            "/staff/cases/{id}/return-visit",
            web::get().to(visits::form),
        )
        .route(
            "/staff/cases/{id}/return-visit",
            web::post().to(visits::record),
        )
        .route(
            "/staff/cases/{id}/agreement",
            web::get().to(outcomes::agreement_form),
        )
        .route(
            "/staff/cases/{id}/agreement",
            web::post().to(outcomes::record_agreement),
        )
        .route(
            "/staff/cases/{id}/agreement/pdf",
            web::get().to(outcomes::pdf),
        )
        .route(
            "/staff/cases/{id}/recusal",
            web::get().to(clocks::recusal_form),
        )
        .route(
            "/staff/cases/{id}/recusal",
            web::post().to(clocks::apply_recusal),
        )
        .route(
            "/staff/cases/{id}/recusal/decision",
            web::get().to(clocks::decision_form),
        )
        .route(
            "/staff/cases/{id}/recusal/decision",
            web::post().to(clocks::decide_recusal),
        )
        .route(
            "/staff/cases/{id}/pauses/new",
            web::get().to(clocks::pause_form),
        )
        .route(
            "/staff/cases/{id}/pauses/new",
            web::post().to(clocks::start_pause),
        )
        .route(
            "/staff/cases/{id}/pauses/{pause_id}/end",
            web::get().to(clocks::end_form),
        )
        .route(
            "/staff/cases/{id}/pauses/{pause_id}/end",
            web::post().to(clocks::end_pause),
        )
        .route(
            "/staff/cases/{id}/deadlines/{kind}/extend",
            web::get().to(clocks::extend_form),
        )
        .route(
            "/staff/cases/{id}/deadlines/{kind}/extend",
            web::post().to(clocks::extend),
        );
}
