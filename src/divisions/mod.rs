//! China's administrative divisions (GB/T 2260 counties, statistics town codes), shipped as data,
//! with lookup, name search and address resolution.

pub mod data;
pub mod http;
pub mod level;
pub mod names;

pub use data::{AddressError, Division, Divisions};
pub use level::Level;

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct DivisionView {
    pub code: String,
    pub name: String,
    /// `province`, `city`, `county` or `town`.
    pub level: String,
    pub parent_code: Option<String>,
    pub full_name: String,
}

impl DivisionView {
    pub fn of(d: &Division) -> DivisionView {
        DivisionView {
            code: d.code.to_owned(),
            name: d.name.to_owned(),
            level: d.level.as_str().to_owned(),
            parent_code: d.parent_code.map(str::to_owned),
            full_name: Divisions::builtin()
                .full_name(d.code)
                .unwrap_or_else(|| d.name.to_owned()),
        }
    }
}
