//! Support shared by the API tests, the benchmarks and the load-and-fault harness: a real SMTP
//! sink on loopback, and realistic complaint bodies.

pub mod complaints;
pub mod smtp;

pub use smtp::{Received, SmtpSink};
