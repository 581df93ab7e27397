//! Jurisdiction: which county bureau and which station handle a case, and the rule that decided;
//! the registry of bureaus and stations, transfers between bureaus (移送), the pilot-area studio
//! (同城待遇) and incidents linking cases across cities.

pub mod http;
pub mod incident;
pub mod joint_session_mode;
pub mod reference;
pub mod registry;
pub mod rule;
pub mod stations;
pub mod transfer;
pub mod transfer_status;
pub mod zone;

pub use registry::{bureau_name, station_name};
pub use rule::RoutingRule;
pub use transfer::escalate::escalate_overdue_transfers;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, JoinType, Query, SubQueryStatement};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr};
use serde::Serialize;
use utoipa::ToSchema;

use crate::deadlines::RuleSetId;
use crate::divisions::Divisions;
use crate::domain::faults::Invalid;
use crate::entities::{bureau, station, station_town};
use registry::default_bureau_name;

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
    /// `Some` for a seller on an e-commerce platform: the platform's domicile, when known.
    pub platform: Option<Option<&'a str>>,
    /// Order 121: whether the seller can be reached at the address it published.
    pub published_address_reachable: bool,
    pub dispute_division: &'a str,
    /// The county of the bureau whose station registered the complaint in person.
    pub received_by_bureau: Option<&'a str>,
}

/// The competent county bureaus in order of preference, each with the rule that makes it competent
/// (Order 20 Art 12-13; Order 121 for platform sellers without a reachable address).
fn competent(input: &RoutingInput<'_>) -> Vec<(&'static str, RoutingRule)> {
    let divisions = Divisions::builtin();
    let county = |code: Option<&str>| code.and_then(|c| divisions.county_of(c)).map(|d| d.code);
    let seller = county(input.respondent_division);
    let seller_rule = match input.rule_set {
        RuleSetId::Order20 => RoutingRule::RespondentPlaceOfBusiness,
        RuleSetId::Order121 => RoutingRule::RespondentPublishedAddress,
    };
    let mut found = Vec::new();
    match input.platform {
        None => found.extend(seller.map(|c| (c, seller_rule))),
        Some(platform) => {
            let reachable =
                input.rule_set == RuleSetId::Order20 || input.published_address_reachable;
            if reachable {
                found.extend(seller.map(|c| (c, seller_rule)));
            }
            // Order 20 makes the platform's domicile competent beside the seller's place; Order 121
            // only when the seller cannot be reached.
            if input.rule_set == RuleSetId::Order20 || found.is_empty() {
                found.extend(county(platform).map(|c| (c, RoutingRule::PlatformDomicile)));
            }
        }
    }
    found.dedup_by_key(|(c, _)| *c);
    found
}

/// What can go wrong with routing: a place that names no county, or the database.
#[derive(Debug, thiserror::Error)]
pub enum RouteError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Db(#[from] DbErr),
}

pub async fn route(
    db: &impl ConnectionTrait,
    input: &RoutingInput<'_>,
) -> Result<Routing, RouteError> {
    let competent = competent(input);
    let first_receiver = competent
        .iter()
        .skip(1)
        .any(|(c, _)| Some(*c) == input.received_by_bureau);
    let (county_code, rule) = match competent.first() {
        // Several bureaus are competent: the first to receive the complaint handles it.
        Some(_) if first_receiver => (
            input.received_by_bureau.unwrap_or_default(),
            RoutingRule::FirstReceiver,
        ),
        Some(&(c, rule)) => (c, rule),
        None => (
            Divisions::builtin()
                .county_of(input.dispute_division)
                .map(|d| d.code)
                .ok_or_else(|| {
                    Invalid::field("dispute.division_code", "must be a county or town code")
                })?,
            RoutingRule::DisputeLocation,
        ),
    };
    // Inside the county, the station covering the town where the dispute arose; else the respondent's town.
    let towns: Vec<&str> = [Some(input.dispute_division), input.respondent_division]
        .into_iter()
        .flatten()
        .collect();
    let (bureau_name, chosen) = jurisdiction(db, county_code, &towns).await?;
    Ok(Routing {
        bureau_code: county_code.to_owned(),
        bureau_name,
        station_id: chosen.as_ref().map(|s| s.id.clone()),
        station_name: chosen.map(|s| s.name),
        rule,
    })
}

/// A county's bureau name and the station of that county covering the first of `towns` that one
/// covers (`None`: the bureau itself), in one round trip: every intake asks.
pub async fn jurisdiction(
    db: &impl ConnectionTrait,
    county: &str,
    towns: &[&str],
) -> Result<(String, Option<station::Model>), DbErr> {
    let name = Query::select()
        .column(bureau::Column::Name)
        .from(bureau::Entity)
        .and_where(bureau::Column::Code.eq(county))
        .to_owned();
    let coverage = Query::select()
        .expr_as(
            Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(name))),
            "bureau_name",
        )
        .expr_as(
            Expr::col((station_town::Entity, station_town::Column::TownCode)),
            "town_code",
        )
        .expr_as(
            Expr::col((station::Entity, station::Column::Id)),
            "station_id",
        )
        .expr_as(
            Expr::col((station::Entity, station::Column::Name)),
            "station_name",
        )
        .expr_as(
            Expr::col((station::Entity, station::Column::CreatedAt)),
            "station_created_at",
        )
        // One row even where no station covers any of the towns (most of the country).
        .from_subquery(Query::select().expr_as(Expr::val(1), "one").to_owned(), "x")
        .join(
            JoinType::LeftJoin,
            station_town::Entity,
            Expr::col((station_town::Entity, station_town::Column::TownCode))
                .is_in(towns.iter().copied()),
        )
        .join(
            JoinType::LeftJoin,
            station::Entity,
            Condition::all()
                .add(
                    Expr::col((station::Entity, station::Column::Id))
                        .equals((station_town::Entity, station_town::Column::StationId)),
                )
                .add(Expr::col((station::Entity, station::Column::BureauCode)).eq(county)),
        )
        .to_owned();
    let rows = db
        .query_all_raw(db.get_database_backend().build(&coverage))
        .await?;
    let mut bureau_name = None;
    let mut covering = Vec::new();
    for row in rows {
        bureau_name = row.try_get::<Option<String>>("", "bureau_name")?;
        if let (Some(town), Some(id), Some(name), Some(created_at)) = (
            row.try_get::<Option<String>>("", "town_code")?,
            row.try_get::<Option<String>>("", "station_id")?,
            row.try_get::<Option<String>>("", "station_name")?,
            row.try_get::<Option<DateTime<Utc>>>("", "station_created_at")?,
        ) {
            covering.push((
                town,
                station::Model {
                    id,
                    bureau_code: county.to_owned(),
                    name,
                    created_at,
                },
            ));
        }
    }
    let chosen = towns.iter().find_map(|town| {
        covering
            .iter()
            .find(|(t, _)| t == town)
            .map(|(_, s)| s.clone())
    });
    Ok((
        bureau_name.unwrap_or_else(|| default_bureau_name(county)),
        chosen,
    ))
}
