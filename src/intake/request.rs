//! Intake bodies as they arrive, their checks, and their normalized form.
//!
//! Shape rules (lengths, counts, formats) are declared with `validator` and reported together;
//! rules that need context (the rule set of the receipt date, today's date, address resolution)
//! run in `normalize`, which returns values already parsed into their domain types.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::deadlines::{RuleSetId, local_date};
use crate::divisions::{AddressError, Divisions};
use crate::domain::faults::Faults;
use crate::domain::identifiers::{PersonName, Phone, ResidentId, Uscc};
use crate::domain::text::single_line;
use crate::domain::vocabulary::{Category, Channel, Demand, IdType};

/// Largest amount accepted, in fen (100 million yuan).
pub const MAX_AMOUNT_FEN: i64 = 10_000_000_000;

fn message(code: &'static str, text: &'static str) -> ValidationError {
    ValidationError::new(code).with_message(text.into())
}

fn v_phone(s: &str) -> Result<(), ValidationError> {
    Phone::parse_personal(s)
        .map(|_| ())
        .map_err(|m| message("phone", m))
}

fn v_name(s: &str) -> Result<(), ValidationError> {
    PersonName::parse(s)
        .map(|_| ())
        .map_err(|m| message("name", m))
}

fn v_uscc(s: &str) -> Result<(), ValidationError> {
    Uscc::parse(s).map(|_| ()).map_err(|m| message("uscc", m))
}

fn v_division(s: &str) -> Result<(), ValidationError> {
    let divisions = Divisions::builtin();
    match divisions.get(s) {
        // A county, a town, or one of the few cities without counties (东莞, 中山, 儋州).
        Some(_) if divisions.county_of(s).is_some() => Ok(()),
        Some(_) => Err(message(
            "division_code",
            "must be a county (6-digit) or town (9-digit) code",
        )),
        None => Err(message("division_code", "no division has this code")),
    }
}

fn v_texts(items: &[String]) -> Result<(), ValidationError> {
    if items
        .iter()
        .any(|t| t.trim().is_empty() || t.chars().count() > 1000)
    {
        return Err(message("texts", "each entry must be 1 to 1000 characters"));
    }
    Ok(())
}

fn v_demands(items: &[Demand]) -> Result<(), ValidationError> {
    let mut seen = std::collections::HashSet::new();
    if items.iter().all(|d| seen.insert(*d)) {
        Ok(())
    } else {
        Err(message("demands", "a demand is listed twice"))
    }
}

/// A complainant or a named reporter.
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct PersonInput {
    #[validate(custom(function = "v_name"))]
    #[schema(example = "张三")]
    pub name: String,
    /// Mobile (`13800000000`) or landline with area code (`0573-84561234`): a number the person
    /// can be called back on, so no service or hotline number (`12345`, `95588`, 400/800).
    #[validate(custom(function = "v_phone"))]
    pub phone: String,
    /// Required for complainants.
    #[validate(length(min = 2, max = 200), custom(function = "single_line"))]
    #[schema(min_length = 2, max_length = 200)]
    pub address: Option<String>,
    /// Required with `id_number` under Order 121 (cases received from 2026-04-15).
    pub id_type: Option<IdType>,
    #[validate(length(min = 2, max = 40), custom(function = "single_line"))]
    #[schema(min_length = 2, max_length = 40)]
    pub id_number: Option<String>,
    #[validate(email)]
    #[schema(format = Email)]
    pub email: Option<String>,
    /// In a joint complaint, one of at most two representatives.
    #[serde(default)]
    pub representative: bool,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct PlatformInput {
    #[validate(length(min = 1, max = 200), custom(function = "single_line"))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[validate(custom(function = "v_uscc"))]
    pub uscc: Option<String>,
    /// The platform operator's domicile.
    #[validate(custom(function = "v_division"))]
    pub division_code: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct RespondentInput {
    #[validate(length(min = 1, max = 200), custom(function = "single_line"))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// Unified Social Credit Code (GB 32100), with its check character.
    #[validate(custom(function = "v_uscc"))]
    pub uscc: Option<String>,
    #[validate(length(min = 2, max = 300), custom(function = "single_line"))]
    #[schema(min_length = 2, max_length = 300)]
    pub address: String,
    /// Where the respondent does business (county or town code). Resolved from `address` when absent.
    #[validate(custom(function = "v_division"))]
    pub division_code: Option<String>,
    /// For a seller on an e-commerce platform: the platform.
    #[validate(nested)]
    pub platform: Option<PlatformInput>,
    /// For a platform seller under Order 121: false when the seller cannot be reached at the
    /// address it published, which sends the complaint to the platform's domicile bureau.
    #[serde(default = "reachable")]
    #[schema(default = true)]
    pub published_address_reachable: bool,
}

fn reachable() -> bool {
    true
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct DisputeInput {
    pub occurred_on: NaiveDate,
    /// Town (or county) where the dispute arose. Resolved from `address` when absent.
    #[validate(custom(function = "v_division"))]
    pub division_code: Option<String>,
    /// Where the dispute arose, in words.
    #[validate(length(min = 2, max = 300), custom(function = "single_line"))]
    #[schema(min_length = 2, max_length = 300)]
    pub address: Option<String>,
    #[validate(length(min = 1, max = 200), custom(function = "single_line"))]
    #[schema(min_length = 1, max_length = 200)]
    pub goods_or_service: String,
    /// Amount involved, in fen.
    #[validate(range(min = 0, max = 10_000_000_000i64))]
    #[schema(minimum = 0, maximum = 10_000_000_000.0)]
    #[serde(default, deserialize_with = "crate::domain::fen::whole_or_none")]
    pub amount_fen: Option<i64>,
    #[validate(length(min = 5, max = 5000))]
    #[schema(min_length = 5, max_length = 5000)]
    pub facts: String,
}

/// The violation a complainant also reports; it becomes a linked report record.
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct AlsoReportInput {
    #[validate(length(min = 5, max = 5000))]
    #[schema(min_length = 5, max_length = 5000)]
    pub violation: String,
    #[serde(default)]
    #[validate(length(max = 20), custom(function = "v_texts"))]
    #[schema(max_items = 20)]
    pub evidence: Vec<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ComplaintRequest {
    pub channel: Channel,
    pub category: Category,
    #[validate(nested)]
    pub complainant: PersonInput,
    /// Further complainants of a joint complaint (one dispute, one business).
    #[serde(default)]
    #[validate(nested)]
    pub co_complainants: Vec<PersonInput>,
    #[validate(nested)]
    pub respondent: RespondentInput,
    #[validate(nested)]
    pub dispute: DisputeInput,
    #[validate(length(min = 1, max = 8), custom(function = "v_demands"))]
    #[schema(min_items = 1, max_items = 8)]
    pub demands: Vec<Demand>,
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub demand_detail: Option<String>,
    /// Send the complaint to the business's ODR desk first, where it is enrolled.
    #[serde(default)]
    pub choose_odr: bool,
    /// The consumer agrees to the complaint's publication (without personal data).
    #[serde(default)]
    pub consent_to_publish: bool,
    /// Hide the consumer's identity and contact details from the business.
    #[serde(default)]
    pub conceal_identity_from_business: bool,
    /// Mediation by a consumer association acting in the bureau's name is acceptable.
    #[serde(default)]
    pub accept_delegated_mediation: bool,
    /// The complaint also reports a violation: stored as a second, linked record.
    #[validate(nested)]
    pub also_report: Option<AlsoReportInput>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ClueInput {
    /// What the business did.
    #[validate(length(min = 5, max = 5000))]
    #[schema(min_length = 5, max_length = 5000)]
    pub what: String,
    pub occurred_on: Option<NaiveDate>,
    #[validate(custom(function = "v_division"))]
    pub division_code: Option<String>,
    /// Where, in words.
    #[validate(length(min = 2, max = 300), custom(function = "single_line"))]
    #[schema(min_length = 2, max_length = 300)]
    pub place: Option<String>,
    #[validate(length(min = 1, max = 200), custom(function = "single_line"))]
    #[schema(min_length = 1, max_length = 200)]
    pub goods_or_service: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ReportRequest {
    pub channel: Channel,
    pub category: Category,
    /// Absent for an anonymous report.
    #[validate(nested)]
    pub reporter: Option<PersonInput>,
    #[validate(nested)]
    pub respondent: RespondentInput,
    #[validate(nested)]
    pub clue: ClueInput,
    #[serde(default)]
    #[validate(length(max = 20), custom(function = "v_texts"))]
    #[schema(max_items = 20)]
    pub evidence: Vec<String>,
}

/// A person after normalization.
#[derive(Debug, Clone)]
pub struct Person {
    pub name: PersonName,
    pub phone: Phone,
    pub address: Option<String>,
    pub id_type: Option<IdType>,
    pub id_number: Option<String>,
    pub email: Option<String>,
    pub representative: bool,
}

impl Person {
    /// A stable key for "the same complainant": the ID number when given, else the phone.
    pub fn identity_key(&self) -> String {
        match &self.id_number {
            Some(id) => format!("id:{id}"),
            None => format!("phone:{}", self.phone.as_str()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Respondent {
    pub name: String,
    pub uscc: Option<Uscc>,
    pub address: String,
    /// County or town code, given or resolved from the address.
    pub division_code: Option<String>,
    pub platform: Option<(String, Option<String>)>,
    pub published_address_reachable: bool,
}

impl Respondent {
    /// A stable key for "the same respondent": the USCC when given, else the name without spaces.
    pub fn key(&self) -> String {
        match &self.uscc {
            Some(u) => format!("uscc:{u}"),
            None => format!(
                "name:{}",
                self.name
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect::<String>()
                    .to_lowercase()
            ),
        }
    }
}

/// Normalizes a person, checking the identity document against its type and the rule set.
pub fn person(
    p: &PersonInput,
    field: &str,
    rule_set: RuleSetId,
    complainant: bool,
    faults: &mut Faults,
) -> Option<Person> {
    let name = faults.take(&format!("{field}.name"), PersonName::parse(&p.name));
    let phone = faults.take(&format!("{field}.phone"), Phone::parse_personal(&p.phone));
    if complainant && p.address.is_none() {
        faults.add(format!("{field}.address"), "required for a complainant");
    }
    let id_number = match (p.id_type, &p.id_number) {
        (Some(IdType::ResidentId), Some(n)) => faults
            .take(&format!("{field}.id_number"), ResidentId::parse(n))
            .map(|id| id.as_str().to_owned()),
        (Some(_), Some(n)) => {
            let n = n.trim().to_uppercase();
            if n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                Some(n)
            } else {
                faults.add(
                    format!("{field}.id_number"),
                    "use letters, digits and '-' only",
                );
                None
            }
        }
        (None, Some(_)) => {
            faults.add(format!("{field}.id_type"), "required with id_number");
            None
        }
        (Some(_), None) => {
            faults.add(format!("{field}.id_number"), "required with id_type");
            None
        }
        (None, None) => {
            if complainant && rule_set == RuleSetId::Order121 {
                faults.add(
                    format!("{field}.id_number"),
                    "Order 121 requires the complainant's real identity: give id_type and id_number",
                );
            }
            None
        }
    };
    Some(Person {
        name: name?,
        phone: phone?,
        address: p.address.clone(),
        id_type: p.id_type,
        id_number,
        email: p.email.clone(),
        representative: p.representative,
    })
}

pub fn respondent(r: &RespondentInput, faults: &mut Faults) -> Option<Respondent> {
    let uscc = match &r.uscc {
        Some(u) => Some(faults.take("respondent.uscc", Uscc::parse(u))?),
        None => None,
    };
    let division_code = match &r.division_code {
        Some(c) => Some(c.clone()),
        // The respondent's address decides jurisdiction only when it resolves without doubt;
        // otherwise routing falls back to where the dispute arose and says so.
        None => match Divisions::builtin().resolve_address(&r.address) {
            Ok(town) => Some(town.code.to_owned()),
            Err(AddressError::CountyOnly { county_code }) => Some(county_code),
            Err(AddressError::Ambiguous { candidates }) => {
                faults.add("respondent.address", ambiguous(&candidates));
                None
            }
            Err(AddressError::Unknown) => None,
        },
    };
    Some(Respondent {
        name: r.name.trim().to_owned(),
        uscc,
        address: r.address.trim().to_owned(),
        division_code,
        platform: r
            .platform
            .as_ref()
            .map(|p| (p.name.trim().to_owned(), p.division_code.clone())),
        published_address_reachable: r.published_address_reachable,
    })
}

/// The first day of the People's Republic: no dispute before it is handled by a market
/// regulation bureau, so an earlier date is a typing error (a year of 0019 or 1026).
const FIRST_DAY: NaiveDate = NaiveDate::from_ymd_opt(1949, 10, 1).unwrap();

/// When a dispute or a reported act happened: from 1949-10-01 up to today in China (a consumer in
/// Shanghai at 00:30 reports what happened that day, while it is still yesterday in UTC).
pub fn occurred_on(d: NaiveDate, field: &str, now: DateTime<Utc>, faults: &mut Faults) {
    if d > local_date(now) {
        faults.add(field, "cannot be in the future");
    } else if d < FIRST_DAY {
        faults.add(field, "cannot be before 1949-10-01");
    }
}

/// The town or county where something happened: the given code, or the address resolved without guessing.
pub fn place(
    code: &Option<String>,
    address: &Option<String>,
    field: &str,
    faults: &mut Faults,
) -> Option<String> {
    if let Some(c) = code {
        return Some(c.clone());
    }
    let Some(text) = address else {
        faults.add(
            format!("{field}.division_code"),
            "required (or give an address to resolve it from)",
        );
        return None;
    };
    match Divisions::builtin().resolve_address(text) {
        Ok(town) => Some(town.code.to_owned()),
        Err(AddressError::CountyOnly { county_code }) => {
            let towns: Vec<String> = Divisions::builtin()
                .children(&county_code)
                .iter()
                .take(10)
                .map(|d| d.code.to_owned())
                .collect();
            faults.add(
                format!("{field}.address"),
                format!(
                    "names county {county_code} but no town in it; add the town, e.g. one of: {}",
                    describe(&towns)
                ),
            );
            None
        }
        Err(AddressError::Ambiguous { candidates }) => {
            faults.add(format!("{field}.address"), ambiguous(&candidates));
            None
        }
        Err(AddressError::Unknown) => {
            faults.add(
                format!("{field}.address"),
                "no province, city, county or town name found; give division_code",
            );
            None
        }
    }
}

fn ambiguous(candidates: &[String]) -> String {
    format!(
        "matches several places; give division_code, one of: {}",
        describe(candidates)
    )
}

fn describe(codes: &[String]) -> String {
    let d = Divisions::builtin();
    codes
        .iter()
        .map(|c| format!("{c} {}", d.full_name(c).unwrap_or_default()))
        .collect::<Vec<_>>()
        .join("; ")
}
