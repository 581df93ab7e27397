//! Black-box tests: the whole service on a random port, a fresh database per test, HTTP over a socket.
//! `cargo test` runs them on SQLite; with `TEST_DATABASE_URL=postgres://…` on PostgreSQL.

mod access;
mod calendar;
mod deadlines;
mod errors;
mod helpers;
mod intake;
mod mail;
mod mediation;
mod openapi;
mod smtp;
mod urgent;
