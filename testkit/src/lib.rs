//! Support shared by the API tests, the benchmarks and the load-and-fault harness: a real SMTP
//! sink on loopback, realistic complaint bodies, and fresh databases.

pub mod complaints;
pub mod database;
pub mod smtp;

pub use smtp::{Received, SmtpSink};
