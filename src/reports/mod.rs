//! Reports (举报): verification toward the 立案 decision within 15 working days (once extendable),
//! telling a named reporter within 5 working days of the decision, and merging related or repeated
//! reports (Order 121). The reporter's identity never leaves the handling staff.

pub mod http;
