//! The bureau's settings in the workbench (issue 17, item 12): its stations (监管所) and the towns
//! each covers, a new station, a station's new name, and the prefix of its 调解书 numbers. A town is covered by one
//! station at a time, so the towns offered are the free ones and the station's own. The same
//! steps as `POST /api/v1/stations`, `PUT /api/v1/stations/{id}/towns`, `PUT /api/v1/stations/{id}/name` and
//! `PUT /api/v1/bureaus/{code}/document-prefix`.

use actix_session::Session;
use actix_web::{HttpRequest, web};
use askama::Template;
use askama_web::WebTemplate;

use super::act::{Answer, Text, again, done_at};
use super::signed_in::{Desk, SignedIn, take_notice};
use crate::cases::access::own_bureau;
use crate::divisions::Divisions;
use crate::domain::faults::Failure;
use crate::http::ApiError;
use crate::mediation::document;
use crate::routing::stations::{self, Error, StationInput, StationView};
use crate::state::AppState;
use crate::web::components::{Choice, FormErrors};
use crate::web::journey::{Form, value, values};
use crate::web::page::Page;

const SETTINGS: &str = "/staff/stations";

const NAME: Text<'static> = Text {
    field: "name",
    what: "监管所名称",
    min: 2,
    max: 100,
    lines: false,
};

pub struct StationLine {
    pub name: String,
    pub id: String,
    pub towns: String,
    pub change: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/stations.html")]
pub struct SettingsPage {
    page: Page,
    desk: Desk,
    notice: Option<String>,
    stations: Vec<StationLine>,
    prefix: String,
}

/// The caller's bureau, which they administer (403 otherwise).
fn bureau(me: &SignedIn) -> Result<String, ApiError> {
    me.staff
        .require(&[crate::actor::Role::BureauAdmin])
        .map_err(Error::from)?;
    let code = me.staff.bureau_code.clone().unwrap_or_default();
    own_bureau(&me.staff, &code).map_err(Error::from)?;
    Ok(code)
}

async fn settings_page(
    req: &HttpRequest,
    state: &AppState,
    me: &SignedIn,
    prefix: String,
    errors: FormErrors,
) -> Result<SettingsPage, ApiError> {
    let code = bureau(me)?;
    let stations = stations::stations(&state.db, Some(&code))
        .await?
        .into_iter()
        .map(|s| StationLine {
            change: format!("{SETTINGS}/{}/towns", s.id),
            towns: s
                .towns
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join("、"),
            name: s.name,
            id: s.id,
        })
        .collect();
    Ok(SettingsPage {
        page: Page::new(req, "监管所和文书编号").with_errors(errors),
        desk: Desk::of(me),
        notice: None,
        stations,
        prefix,
    })
}

/// `GET /staff/stations`
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
) -> Result<SettingsPage, ApiError> {
    let code = bureau(&me)?;
    let prefix = document::prefix(&state.db, &code).await?;
    let page = settings_page(&req, &state, &me, prefix, FormErrors::new()).await?;
    Ok(SettingsPage {
        notice: take_notice(&session),
        ..page
    })
}

/// `POST /staff/bureau/prefix`
pub async fn set_prefix(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    form: Form,
) -> Answer<SettingsPage> {
    let code = bureau(&me)?;
    let prefix = value(&form, "prefix");
    let mut errors = FormErrors::new();
    if prefix.trim().is_empty() {
        errors.add("prefix", "请输入调解书编号的前缀，例如 嘉市监善调");
    } else if prefix.trim().chars().count() > 20 {
        errors.add("prefix", "前缀最多 20 个字");
    } else {
        let txn = crate::db::begin_write(&state.db).await?;
        match document::set_prefix(&txn, &me.staff, &code, &prefix, state.clock.now()).await {
            Ok(stored) => {
                txn.commit().await?;
                let text = format!("调解书编号前缀已改为“{stored}”，下一份调解书起使用。");
                return done_at(&session, SETTINGS, &text);
            }
            Err(e) if e.code() == "validation_failed" => errors.add(
                "prefix",
                "前缀不能有空格，也不能有 〔〕第号（编号会自动加上）",
            ),
            Err(e) => return Err(e.into()),
        }
    }
    again(settings_page(&req, &state, &me, prefix, errors).await?)
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/station_form.html")]
pub struct StationPage {
    page: Page,
    desk: Desk,
    heading: String,
    action: String,
    /// A new station: its id and name are asked.
    new: bool,
    id: String,
    station_name: String,
    towns: Vec<Choice>,
    /// The county's towns another station covers, in words.
    elsewhere: Vec<String>,
}

/// The towns of the county: free ones and `station`'s own as choices, `chosen` ticked; the
/// others said with the station covering them.
async fn towns_of(
    state: &AppState,
    county: &str,
    station: Option<&str>,
    chosen: &[String],
) -> Result<(Vec<Choice>, Vec<String>), ApiError> {
    let all: Vec<StationView> = stations::stations(&state.db, Some(county)).await?;
    let holder = |town: &str| {
        all.iter()
            .find(|s| s.towns.iter().any(|t| t.code == town))
            .filter(|s| Some(s.id.as_str()) != station)
    };
    let mut choices = Vec::new();
    let mut elsewhere = Vec::new();
    for t in Divisions::builtin().children(county) {
        match holder(t.code) {
            Some(s) => elsewhere.push(format!("{}（{}）", t.name, s.name)),
            None => choices.push(Choice::new(t.code, t.name)),
        }
    }
    let marks: Vec<&str> = chosen.iter().map(String::as_str).collect();
    Ok((Choice::mark(choices, &marks), elsewhere))
}

#[allow(clippy::too_many_arguments)]
async fn station_page(
    req: &HttpRequest,
    state: &AppState,
    me: &SignedIn,
    station: Option<&StationView>,
    id: String,
    name: String,
    chosen: &[String],
    errors: FormErrors,
) -> Result<StationPage, ApiError> {
    let county = bureau(me)?;
    let (towns, elsewhere) =
        towns_of(state, &county, station.map(|s| s.id.as_str()), chosen).await?;
    let (heading, action) = match station {
        Some(s) => (
            format!("更改{}", s.name),
            format!("{SETTINGS}/{}/towns", s.id),
        ),
        None => ("新建监管所".to_owned(), format!("{SETTINGS}/new")),
    };
    Ok(StationPage {
        page: Page::new(req, heading.clone())
            .with_back(SETTINGS)
            .with_errors(errors),
        desk: Desk::of(me),
        heading,
        action,
        new: station.is_none(),
        id,
        station_name: name,
        towns,
        elsewhere,
    })
}

/// The town a refusal names, in words.
fn covered_words(town: &str, station: &str) -> String {
    let name = Divisions::builtin().get(town).map_or(town, |d| d.name);
    format!("{name}已由另一个监管所（{station}）负责，请先从该所移除")
}

/// `GET /staff/stations/new`
pub async fn new_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
) -> Result<StationPage, ApiError> {
    station_page(
        &req,
        &state,
        &me,
        None,
        String::new(),
        String::new(),
        &[],
        FormErrors::new(),
    )
    .await
}

/// `POST /staff/stations/new`: the step of `POST /api/v1/stations`.
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    form: Form,
) -> Answer<StationPage> {
    let county = bureau(&me)?;
    let (id, name, towns) = (
        value(&form, "id"),
        value(&form, "name"),
        values(&form, "towns"),
    );
    let mut errors = FormErrors::new();
    let id_ok = id.len() <= 20 && id.chars().all(|c| c.is_ascii_alphanumeric()) && !id.is_empty();
    if !id_ok {
        errors.add(
            "id",
            "请输入监管所编号：字母和数字，最多 20 位，例如 S330421120",
        );
    }
    NAME.check(name.trim(), "请输入监管所名称，最多 100 字", &mut errors);
    if errors.is_empty() {
        let txn = crate::db::begin_write(&state.db).await?;
        let new = StationInput {
            id: &id,
            bureau_code: &county,
            name: &name,
            towns: &towns,
        };
        match stations::create_station(&txn, &me.staff, new, state.clock.now()).await {
            Ok(s) => {
                txn.commit().await?;
                return done_at(&session, SETTINGS, &format!("已新建{}。", s.name));
            }
            Err(Error::StationExists(_)) => errors.add("id", "已有这个编号的监管所"),
            Err(Error::TownCovered { town, station }) => {
                errors.add("towns", covered_words(&town, &station))
            }
            Err(Error::Invalid(_)) => errors.add("towns", "请从列出的乡镇中选择"),
            Err(e) => return Err(e.into()),
        }
    }
    again(station_page(&req, &state, &me, None, id, name, &towns, errors).await?)
}

/// The station `id` of the caller's bureau.
async fn own_station(state: &AppState, me: &SignedIn, id: &str) -> Result<StationView, ApiError> {
    let county = bureau(me)?;
    let s = stations::station(&state.db, id).await?;
    if s.bureau_code != county {
        return Err(Error::NotYourBureau(s.bureau_code).into());
    }
    Ok(s)
}

/// `GET /staff/stations/{id}/towns`
pub async fn towns_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<StationPage, ApiError> {
    let s = own_station(&state, &me, &path).await?;
    let own: Vec<String> = s.towns.iter().map(|t| t.code.clone()).collect();
    station_page(
        &req,
        &state,
        &me,
        Some(&s),
        s.id.clone(),
        s.name.clone(),
        &own,
        FormErrors::new(),
    )
    .await
}

/// `POST /staff/stations/{id}/towns`: the step of `PUT /api/v1/stations/{id}/towns`.
pub async fn set_towns(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
    form: Form,
) -> Answer<StationPage> {
    let s = own_station(&state, &me, &path).await?;
    let (name, towns) = (value(&form, "name"), values(&form, "towns"));
    let mut errors = FormErrors::new();
    NAME.check(name.trim(), "请输入监管所名称，最多 100 字", &mut errors);
    if errors.is_empty() {
        let now = state.clock.now();
        let txn = crate::db::begin_write(&state.db).await?;
        if name.trim() != s.name {
            stations::rename(&txn, &me.staff, &s.id, &name, now).await?;
        }
        match stations::set_towns(&txn, &me.staff, &s.id, &towns, now).await {
            Ok(v) => {
                txn.commit().await?;
                let text = format!("已更新{}：负责 {} 个乡镇。", v.name, v.towns.len());
                return done_at(&session, SETTINGS, &text);
            }
            Err(Error::TownCovered { town, station }) => {
                errors.add("towns", covered_words(&town, &station))
            }
            Err(Error::Invalid(_)) => errors.add("towns", "请从列出的乡镇中选择"),
            Err(e) => return Err(e.into()),
        }
    }
    again(
        station_page(
            &req,
            &state,
            &me,
            Some(&s),
            s.id.clone(),
            name,
            &towns,
            errors,
        )
        .await?,
    )
}
