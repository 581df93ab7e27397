//! The registry of bureaus and stations. Every county has a bureau (a row only once registered;
//! otherwise its name is derived); stations (监管所) cover towns of their bureau's county and are
//! managed by that bureau's admins. A town no station covers is handled by the county bureau.

use actix_web::{HttpRequest, get, post, put, web};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    SqlErr,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use super::reference::{is_pilot_county, is_pilot_station};
use super::{default_bureau_name, is_county};
use crate::actor::Actor;
use crate::audit;
use crate::divisions::{Divisions, Level};
use crate::entities::{bureau, station, station_town};
use crate::http::idempotency::{IdempotencyKey, create_once};
use crate::http::{ApiError, ApiJson, ApiResult, FieldError, Role, Staff};
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_bureaus)
        .service(get_bureau)
        .service(register_bureau)
        .service(list_stations)
        .service(get_station)
        .service(create_station)
        .service(set_station_towns);
}

#[derive(Serialize, ToSchema)]
pub struct TownView {
    pub code: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct StationView {
    pub id: String,
    pub bureau_code: String,
    pub name: String,
    /// One of the five 亲吾家 stations of the Yangtze Delta pilot area.
    pub pilot_area: bool,
    pub towns: Vec<TownView>,
}

#[derive(Serialize, ToSchema)]
pub struct BureauView {
    /// The county's GB/T 2260 code.
    pub code: String,
    pub name: String,
    /// False when the bureau has no row yet and its name is derived from the county's name.
    pub registered: bool,
    /// 青浦, 吴江 or 嘉善: the counties of the pilot area.
    pub pilot_area: bool,
    pub stations: Vec<StationView>,
}

/// The station views of `stations`, with their towns.
async fn views(
    db: &impl ConnectionTrait,
    stations: Vec<station::Model>,
) -> ApiResult<Vec<StationView>> {
    let towns = station_town::Entity::find()
        .filter(station_town::Column::StationId.is_in(stations.iter().map(|s| s.id.clone())))
        .order_by_asc(station_town::Column::TownCode)
        .all(db)
        .await?;
    let divisions = Divisions::builtin();
    Ok(stations
        .into_iter()
        .map(|s| StationView {
            pilot_area: is_pilot_station(&s.id),
            towns: towns
                .iter()
                .filter(|t| t.station_id == s.id)
                .map(|t| TownView {
                    name: divisions
                        .get(&t.town_code)
                        .map(|d| d.name.to_owned())
                        .unwrap_or_default(),
                    code: t.town_code.clone(),
                })
                .collect(),
            id: s.id,
            bureau_code: s.bureau_code,
            name: s.name,
        })
        .collect())
}

async fn bureau_view(db: &impl ConnectionTrait, code: &str) -> ApiResult<BureauView> {
    let row = bureau::Entity::find_by_id(code.to_owned()).one(db).await?;
    let stations = station::Entity::find()
        .filter(station::Column::BureauCode.eq(code))
        .order_by_asc(station::Column::Id)
        .all(db)
        .await?;
    Ok(BureauView {
        code: code.to_owned(),
        registered: row.is_some(),
        name: row
            .map(|b| b.name)
            .unwrap_or_else(|| default_bureau_name(code)),
        pilot_area: is_pilot_county(code),
        stations: views(db, stations).await?,
    })
}

async fn find_station(db: &impl ConnectionTrait, id: &str) -> ApiResult<station::Model> {
    station::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no station {id}")))
}

/// A bureau's admins manage its stations; a system admin manages any.
fn may_manage(me: &Staff, bureau_code: &str) -> ApiResult<()> {
    me.require(&[Role::BureauAdmin, Role::SystemAdmin])?;
    if me.role == Role::BureauAdmin && me.bureau_code.as_deref() != Some(bureau_code) {
        return Err(ApiError::forbidden(format!(
            "only admins of bureau {bureau_code} manage its stations"
        )));
    }
    Ok(())
}

/// Registered bureaus with their stations.
///
/// Anyone may call this. A county without a row still has a bureau: see `GET /bureaus/{code}`.
#[utoipa::path(tag = "routing", responses((status = 200, body = Vec<BureauView>)))]
#[get("/bureaus")]
async fn list_bureaus(state: web::Data<AppState>) -> ApiResult<web::Json<Vec<BureauView>>> {
    let rows = bureau::Entity::find()
        .order_by_asc(bureau::Column::Code)
        .all(&state.db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for b in rows {
        out.push(bureau_view(&state.db, &b.code).await?);
    }
    Ok(web::Json(out))
}

/// The bureau of a county, registered or derived, with its stations.
///
/// Anyone may call this.
#[utoipa::path(
    tag = "routing",
    params(("code" = String, Path, description = "county code", example = "330421")),
    responses(
        (status = 200, body = BureauView),
    )
)]
#[get("/bureaus/{code}")]
async fn get_bureau(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<web::Json<BureauView>> {
    if !is_county(&path) {
        return Err(ApiError::not_found(format!(
            "no county has the code {}",
            path.as_str()
        )));
    }
    Ok(web::Json(bureau_view(&state.db, &path).await?))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct RegisterBureau {
    #[validate(length(min = 2, max = 100))]
    #[schema(example = "嘉善县市场监督管理局")]
    pub name: String,
}

/// Register a county's bureau, or rename it, so that accounts can be bound to it.
///
/// `system_admin` only.
#[utoipa::path(
    tag = "routing",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "county code", example = "320412")),
    request_body = RegisterBureau,
    responses(
        (status = 200, body = BureauView),
    )
)]
#[put("/bureaus/{code}")]
async fn register_bureau(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<RegisterBureau>,
) -> ApiResult<web::Json<BureauView>> {
    me.require(&[Role::SystemAdmin])?;
    let code = path.into_inner();
    if !is_county(&code) {
        return Err(ApiError::not_found(format!(
            "no county has the code {code}"
        )));
    }
    let now = state.clock.now();
    let name = body.body.name.trim().to_owned();
    let txn = crate::db::begin_write(&state.db).await?;
    ensure_bureau(&txn, &code, now).await?;
    bureau::Entity::update_many()
        .col_expr(bureau::Column::Name, name.clone().into())
        .filter(bureau::Column::Code.eq(&code))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        &Actor::from(&me),
        "bureau.register",
        None,
        json!({"code": code, "name": name}),
        now,
    )
    .await?;
    let view = bureau_view(&txn, &code).await?;
    txn.commit().await?;
    Ok(web::Json(view))
}

/// Gives a county its bureau row, named after the county, unless it has one.
async fn ensure_bureau(
    db: &impl ConnectionTrait,
    code: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    bureau::Entity::insert(bureau::ActiveModel {
        code: Set(code.to_owned()),
        name: Set(default_bureau_name(code)),
        created_at: Set(now),
        document_prefix: sea_orm::NotSet,
    })
    .on_conflict_do_nothing()
    .exec(db)
    .await?;
    Ok(())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StationQuery {
    /// Only the stations of this county's bureau.
    bureau_code: Option<String>,
}

/// Stations with the towns they cover.
///
/// Anyone may call this.
#[utoipa::path(tag = "routing", params(StationQuery), responses((status = 200, body = Vec<StationView>)))]
#[get("/stations")]
async fn list_stations(
    state: web::Data<AppState>,
    q: web::Query<StationQuery>,
) -> ApiResult<web::Json<Vec<StationView>>> {
    let mut find = station::Entity::find();
    if let Some(code) = &q.bureau_code {
        find = find.filter(station::Column::BureauCode.eq(code.as_str()));
    }
    let rows = find
        .order_by_asc(station::Column::Id)
        .all(&state.db)
        .await?;
    Ok(web::Json(views(&state.db, rows).await?))
}

/// One station with the towns it covers.
///
/// Anyone may call this.
#[utoipa::path(
    tag = "routing",
    params(("id" = String, Path, example = "S330421103")),
    responses(
        (status = 200, body = StationView),
    )
)]
#[get("/stations/{id}")]
async fn get_station(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<web::Json<StationView>> {
    let s = find_station(&state.db, &path).await?;
    let mut v = views(&state.db, vec![s]).await?;
    Ok(web::Json(v.remove(0)))
}

fn v_station_id(id: &str) -> Result<(), ValidationError> {
    let ok = id.len() <= 24
        && id.strip_prefix('S').is_some_and(|rest| {
            !rest.is_empty()
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b == b'-')
        });
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new("station_id").with_message(
            "S followed by up to 23 digits, capital letters or '-', e.g. S320412100".into(),
        ))
    }
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct NewStation {
    /// The station's code, e.g. `S` and the code of its main town.
    #[validate(custom(function = "v_station_id"))]
    #[schema(example = "S320412100")]
    pub id: String,
    /// The county code of the bureau the station belongs to.
    #[schema(example = "320412")]
    pub bureau_code: String,
    #[validate(length(min = 2, max = 100))]
    #[schema(example = "湖塘市场监督管理所")]
    pub name: String,
    /// Town codes (9 digits) of the bureau's county; a town belongs to at most one station.
    #[serde(default)]
    #[validate(length(max = 100))]
    pub towns: Vec<String>,
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct StationTowns {
    /// The full set of town codes the station covers from now on; may be empty.
    #[validate(length(max = 100))]
    pub towns: Vec<String>,
}

/// Checks that every town is a town of `county` listed once, then that no other station covers one.
async fn check_towns(
    db: &impl ConnectionTrait,
    county: &str,
    station_id: &str,
    towns: &[String],
) -> ApiResult<()> {
    let divisions = Divisions::builtin();
    let mut faults = Vec::new();
    for (i, code) in towns.iter().enumerate() {
        let field = format!("towns[{i}]");
        match divisions.get(code) {
            Some(d) if d.level == Level::Town && d.code == code => {
                let own = divisions.county_of(code).map(|c| c.code);
                if own != Some(county) {
                    faults.push(FieldError::new(
                        field,
                        format!(
                            "{} lies in county {}, not in this bureau's county {county}",
                            divisions.full_name(code).unwrap_or_default(),
                            own.unwrap_or_default()
                        ),
                    ));
                } else if towns[..i].contains(code) {
                    faults.push(FieldError::new(field, "listed twice"));
                }
            }
            _ => faults.push(FieldError::new(field, "not a town (9-digit) code")),
        }
    }
    if !faults.is_empty() {
        return Err(ApiError::validation(faults));
    }
    let taken = station_town::Entity::find()
        .filter(station_town::Column::TownCode.is_in(towns.iter().cloned()))
        .filter(station_town::Column::StationId.ne(station_id))
        .one(db)
        .await?;
    match taken {
        Some(t) => Err(ApiError::conflict(
            "town_already_covered",
            format!(
                "town {} is already covered by station {}; remove it from that station first",
                t.town_code, t.station_id
            ),
        )),
        None => Ok(()),
    }
}

/// Replaces the towns a station covers. A concurrent claim on a town loses on the primary key.
async fn write_towns(
    db: &impl ConnectionTrait,
    station_id: &str,
    towns: &[String],
) -> ApiResult<()> {
    station_town::Entity::delete_many()
        .filter(station_town::Column::StationId.eq(station_id))
        .exec(db)
        .await?;
    if towns.is_empty() {
        return Ok(());
    }
    station_town::Entity::insert_many(towns.iter().map(|t| station_town::ActiveModel {
        town_code: Set(t.clone()),
        station_id: Set(station_id.to_owned()),
    }))
    .exec(db)
    .await
    .map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => ApiError::conflict(
            "town_already_covered",
            "another station claimed one of these towns at the same moment; reload and retry",
        ),
        _ => e.into(),
    })?;
    Ok(())
}

/// Create a station (监管所) covering towns of the bureau's county.
///
/// `bureau_admin` of that bureau, or `system_admin`. 409 `station_exists` when the id is taken,
/// 409 `town_already_covered` when another station covers a town; 422 names a town outside the county.
#[utoipa::path(
    tag = "routing",
    security(("bearer" = [])),
    request_body = NewStation,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes retries safe")),
    responses(
        (status = 201, body = StationView),
    )
)]
#[post("/stations")]
async fn create_station(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: Staff,
    body: ApiJson<NewStation>,
) -> ApiResult<actix_web::HttpResponse> {
    let new = &body.body;
    if !is_county(&new.bureau_code) {
        return Err(ApiError::field("bureau_code", "not a county code"));
    }
    may_manage(&me, &new.bureau_code)?;
    let key = IdempotencyKey::from_request(&req, "stations", &body.raw)?;
    let now = state.clock.now();
    create_once(&state.db, key, now, async |txn| {
        check_towns(txn, &new.bureau_code, &new.id, &new.towns).await?;
        ensure_bureau(txn, &new.bureau_code, now).await?;
        station::ActiveModel {
            id: Set(new.id.clone()),
            bureau_code: Set(new.bureau_code.clone()),
            name: Set(new.name.trim().to_owned()),
            created_at: Set(now),
        }
        .insert(txn)
        .await
        .map_err(|e| match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => ApiError::conflict(
                "station_exists",
                format!("a station with the id {} exists; choose another id", new.id),
            ),
            _ => e.into(),
        })?;
        write_towns(txn, &new.id, &new.towns).await?;
        audit::record(
            txn,
            &Actor::from(&me),
            "station.create",
            None,
            json!({"station_id": new.id, "bureau_code": new.bureau_code, "towns": new.towns}),
            now,
        )
        .await?;
        let s = find_station(txn, &new.id).await?;
        Ok(views(txn, vec![s]).await?.remove(0))
    })
    .await
}

/// Set the towns a station covers (replacing the previous set).
///
/// `bureau_admin` of the station's bureau, or `system_admin`. Cases already routed stay where they
/// are; new complaints follow the new coverage. 409 `town_already_covered`, 422 for a town outside
/// the bureau's county.
#[utoipa::path(
    tag = "routing",
    security(("bearer" = [])),
    params(("id" = String, Path, example = "S330421103")),
    request_body = StationTowns,
    responses(
        (status = 200, body = StationView),
    )
)]
#[put("/stations/{id}/towns")]
async fn set_station_towns(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<StationTowns>,
) -> ApiResult<web::Json<StationView>> {
    let s = find_station(&state.db, &path).await?;
    may_manage(&me, &s.bureau_code)?;
    let towns = &body.body.towns;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    check_towns(&txn, &s.bureau_code, &s.id, towns).await?;
    write_towns(&txn, &s.id, towns).await?;
    audit::record(
        &txn,
        &Actor::from(&me),
        "station.set_towns",
        None,
        json!({"station_id": s.id, "towns": towns}),
        now,
    )
    .await?;
    let view = views(&txn, vec![s]).await?.remove(0);
    txn.commit().await?;
    Ok(web::Json(view))
}
