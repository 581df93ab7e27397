//! Black-box tests: the whole service on a random port, a fresh database per test, HTTP over a socket.
//! `cargo test` runs them on SQLite; with `TEST_DATABASE_URL=postgres://…` on PostgreSQL.

mod access;
mod calendar;
mod deadlines;
mod edges;
mod errors;
mod evidence;
mod evidence_intake;
mod evidence_stores;
mod faults;
mod helpers;
mod hostile;
mod hostile_input;
mod incidents;
mod intake;
mod mail;
mod matrix;
mod mediation;
mod odr;
mod openapi;
mod openapi_enums;
mod oversight;
mod pages;
mod pages_complaint;
mod pages_report;
mod pages_staff;
mod pages_staff_actions;
mod pages_staff_odr;
mod pages_staff_urgent;
mod pages_track;
mod ratings;
mod return_visits;
mod routing;
mod transfers;
mod urgent;
mod zone;
