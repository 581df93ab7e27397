//! The registry of businesses (经营者): identity, addresses, platform role, and ODR enrolment with
//! its life cycle applied → enrolled → suspended / removed.

pub mod enrolment;
pub mod http;

pub use enrolment::Enrolment;
