//! Value types with rules, shared by every capability.

pub mod identifiers;
pub mod vocabulary;
