//! Support shared by the API tests, the benchmarks and the load-and-fault harness: a real SMTP
//! sink on loopback, realistic complaint bodies, and fresh databases.

pub mod complaints;
pub mod database;
pub mod process;
pub mod smtp;
pub mod tls;

pub use smtp::{Login, Received, SinkOptions, SinkTls, SmtpSink};
pub use tls::TestCa;
