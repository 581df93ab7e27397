//! Jurisdiction: which county bureau and which station handle a case, and the rule that decided.

pub mod reference;

use sea_orm::{ConnectionTrait, EntityTrait};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::deadlines::RuleSetId;
use crate::divisions::Divisions;
use crate::entities::{bureau, station, station_town};
use crate::http::{ApiError, ApiResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoutingRule {
    /// Order 20 Art 12: where the respondent actually does business.
    RespondentPlaceOfBusiness,
    /// Order 121: the address the respondent published.
    RespondentPublishedAddress,
    /// A platform seller without a known location: the platform operator's domicile.
    PlatformDomicile,
    /// The respondent's location is unknown: where the dispute arose.
    DisputeLocation,
}

impl RoutingRule {
    pub fn as_str(self) -> &'static str {
        match self {
            RoutingRule::RespondentPlaceOfBusiness => "respondent_place_of_business",
            RoutingRule::RespondentPublishedAddress => "respondent_published_address",
            RoutingRule::PlatformDomicile => "platform_domicile",
            RoutingRule::DisputeLocation => "dispute_location",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            RoutingRule::RespondentPlaceOfBusiness,
            RoutingRule::RespondentPublishedAddress,
            RoutingRule::PlatformDomicile,
            RoutingRule::DisputeLocation,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// Where a case goes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Routing {
    pub bureau_code: String,
    pub bureau_name: String,
    /// `None` when no station covers the town: the county bureau handles it itself.
    pub station_id: Option<String>,
    pub station_name: Option<String>,
    pub rule: RoutingRule,
}

/// What routing looks at, with division codes already checked to exist.
pub struct RoutingInput<'a> {
    pub rule_set: RuleSetId,
    pub respondent_division: Option<&'a str>,
    pub platform_division: Option<&'a str>,
    pub dispute_division: &'a str,
}

pub async fn route(db: &impl ConnectionTrait, input: &RoutingInput<'_>) -> ApiResult<Routing> {
    let divisions = Divisions::builtin();
    let county = |code: &str| divisions.county_of(code).map(|d| d.code);
    let (county_code, rule) = match (
        input.respondent_division.and_then(county),
        input.platform_division.and_then(county),
    ) {
        (Some(c), _) => (
            c,
            match input.rule_set {
                RuleSetId::Order20 => RoutingRule::RespondentPlaceOfBusiness,
                RuleSetId::Order121 => RoutingRule::RespondentPublishedAddress,
            },
        ),
        (None, Some(c)) => (c, RoutingRule::PlatformDomicile),
        (None, None) => (
            county(input.dispute_division).ok_or_else(|| {
                ApiError::field("dispute.division_code", "must be a county or town code")
            })?,
            RoutingRule::DisputeLocation,
        ),
    };
    // Inside the county, the station covering the town where the dispute arose; else the respondent's town.
    let mut chosen = None;
    for town in [Some(input.dispute_division), input.respondent_division]
        .into_iter()
        .flatten()
    {
        if let Some(st) = station_town::Entity::find_by_id(town.to_owned())
            .one(db)
            .await?
            && let Some(s) = station::Entity::find_by_id(st.station_id).one(db).await?
            && s.bureau_code == county_code
        {
            chosen = Some(s);
            break;
        }
    }
    Ok(Routing {
        bureau_code: county_code.to_owned(),
        bureau_name: bureau_name(db, county_code).await?,
        station_id: chosen.as_ref().map(|s| s.id.clone()),
        station_name: chosen.map(|s| s.name),
        rule,
    })
}

/// A county's bureau name: from the registry when configured, else derived from the division name.
pub async fn bureau_name(db: &impl ConnectionTrait, county_code: &str) -> ApiResult<String> {
    if let Some(b) = bureau::Entity::find_by_id(county_code.to_owned())
        .one(db)
        .await?
    {
        return Ok(b.name);
    }
    Ok(default_bureau_name(county_code))
}

pub fn default_bureau_name(county_code: &str) -> String {
    let full = Divisions::builtin()
        .full_name(county_code)
        .unwrap_or_else(|| county_code.to_owned());
    format!("{full}市场监督管理局")
}
