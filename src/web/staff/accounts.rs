//! Staff accounts in the workbench (issue 17, item 12): a bureau admin sees the accounts of its
//! bureau's staff, creates one (with a temporary password shown once), changes its role and
//! station, disables or enables it and resets its password. Each form runs the step of
//! `accounts::manage` that the API's handler runs; a temporary password is shown on the answer to
//! the form only, never kept in the session.

use actix_session::Session;
use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::{CustomizeResponder, HttpRequest, Responder, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::act::{Answer, again, done_at};
use super::signed_in::{Desk, SignedIn, take_notice};
use crate::accounts::manage::{self, AccountChange, StaffRole};
use crate::accounts::{Error, NewUser};
use crate::actor::Role;
use crate::entities::user;
use crate::http::ApiError;
use crate::routing::stations::stations;
use crate::state::AppState;
use crate::web::components::{Choice, FormErrors, SummaryRow};
use crate::web::page::Page;

const ACCOUNTS: &str = "/staff/accounts";

pub struct AccountLine {
    pub href: String,
    pub name: String,
    pub username: String,
    pub role: &'static str,
    pub station: String,
    pub state: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/accounts.html")]
pub struct AccountsPage {
    page: Page,
    desk: Desk,
    notice: Option<String>,
    lines: Vec<AccountLine>,
}

async fn station_names(state: &AppState, me: &SignedIn) -> Result<Vec<(String, String)>, ApiError> {
    Ok(stations(&state.db, me.staff.bureau_code.as_deref())
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect())
}

fn station_of(u: &user::Model, names: &[(String, String)]) -> String {
    u.station_id
        .as_ref()
        .map(|id| {
            names
                .iter()
                .find(|(s, _)| s == id)
                .map_or_else(|| id.clone(), |(_, n)| n.clone())
        })
        .unwrap_or_default()
}

/// `GET /staff/accounts`
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
) -> Result<AccountsPage, ApiError> {
    let users = manage::list(&state.db, &me.staff).await?;
    let names = station_names(&state, &me).await?;
    Ok(AccountsPage {
        page: Page::new(&req, "工作人员账号"),
        desk: Desk::of(&me),
        notice: take_notice(&session),
        lines: users
            .iter()
            .map(|u| AccountLine {
                href: format!("{ACCOUNTS}/{}", u.id),
                name: u.display_name.clone(),
                username: u.username.clone(),
                role: u.role.label(),
                station: station_of(u, &names),
                state: if u.active { "启用" } else { "已停用" },
            })
            .collect(),
    })
}

/// The form of a new account, or of a change to one.
#[derive(Deserialize, Default)]
pub struct AccountInput {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    station_id: String,
}

fn roles(current: &str) -> Vec<Choice> {
    let all = StaffRole::ALL
        .iter()
        .map(|r| Choice::new(r.as_str(), Role::from(*r).label()))
        .collect();
    Choice::mark(all, &[current])
}

async fn station_choices(
    state: &AppState,
    me: &SignedIn,
    current: &str,
) -> Result<Vec<Choice>, ApiError> {
    let options = station_names(state, me)
        .await?
        .into_iter()
        .map(|(id, name)| Choice::new(id, name));
    let all = std::iter::once(Choice::new("", "不属于监管所"))
        .chain(options)
        .collect();
    Ok(Choice::mark(all, &[current]))
}

/// The role and station typed, checked as the step will: a mediator needs a station, the others
/// none.
fn role_and_station(input: &AccountInput, errors: &mut FormErrors) -> Option<StaffRole> {
    let role = StaffRole::parse(&input.role);
    match role {
        None => errors.add("role", "请选择角色"),
        Some(StaffRole::Mediator) if input.station_id.is_empty() => {
            errors.add("station_id", "调解员须属于一个监管所，请选择")
        }
        Some(StaffRole::EnforcementOfficer | StaffRole::BureauAdmin)
            if !input.station_id.is_empty() =>
        {
            errors.add("station_id", "只有调解员属于监管所，请选择“不属于监管所”")
        }
        _ => {}
    }
    role
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/account_new.html")]
pub struct NewAccountPage {
    page: Page,
    desk: Desk,
    input: AccountInput,
    roles: Vec<Choice>,
    stations: Vec<Choice>,
}

async fn new_page(
    req: &HttpRequest,
    state: &AppState,
    me: &SignedIn,
    input: AccountInput,
) -> Result<NewAccountPage, ApiError> {
    Ok(NewAccountPage {
        page: Page::new(req, "新建账号").with_back(ACCOUNTS),
        desk: Desk::of(me),
        roles: roles(&input.role),
        stations: station_choices(state, me, &input.station_id).await?,
        input,
    })
}

/// `GET /staff/accounts/new`
pub async fn new_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
) -> Result<NewAccountPage, ApiError> {
    me.staff
        .require(manage::ACCOUNT_KEEPERS)
        .map_err(Error::from)?;
    new_page(&req, &state, &me, AccountInput::default()).await
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/account_password.html")]
pub struct PasswordPage {
    page: Page,
    desk: Desk,
    heading: &'static str,
    name: String,
    username: String,
    password: String,
}

/// The temporary password, shown on this answer only and never stored by the browser.
fn password_page(
    req: &HttpRequest,
    me: &SignedIn,
    heading: &'static str,
    u: &user::Model,
    password: String,
) -> CustomizeResponder<PasswordPage> {
    PasswordPage {
        page: Page::new(req, heading).with_back(ACCOUNTS),
        desk: Desk::of(me),
        heading,
        name: u.display_name.clone(),
        username: u.username.clone(),
        password,
    }
    .customize()
    .insert_header(CacheControl(vec![CacheDirective::NoStore]))
}

/// `POST /staff/accounts/new`: the step of `POST /api/v1/users`.
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    input: web::Form<AccountInput>,
) -> Result<
    actix_web::Either<CustomizeResponder<PasswordPage>, CustomizeResponder<NewAccountPage>>,
    ApiError,
> {
    let input = input.into_inner();
    let mut errors = FormErrors::new();
    let username = input.username.trim().to_owned();
    if username.is_empty() {
        errors.add("username", "请输入用户名");
    }
    let display_name = input.display_name.trim().to_owned();
    if display_name.is_empty() {
        errors.add("display_name", "请输入姓名");
    }
    let role = role_and_station(&input, &mut errors);
    let email = Some(input.email.trim().to_owned()).filter(|e| !e.is_empty());
    if let (Some(role), true) = (role, errors.is_empty()) {
        let password = manage::temporary_password();
        let new = NewUser {
            username,
            password: password.clone(),
            role: role.into(),
            display_name,
            email,
            bureau_code: me.staff.bureau_code.clone(),
            station_id: Some(input.station_id.clone()).filter(|s| !s.is_empty()),
            business_id: None,
        };
        let faults = crate::domain::faults::Faults::of(&new).0;
        for f in &faults {
            let words = match f.field.as_str() {
                "username" => "用户名为 3 至 64 个小写字母、数字或 . _ -",
                "display_name" => "姓名最多 100 个字，只能写一行",
                "email" => "请输入正确的电子邮箱地址，例如 name@example.com",
                _ => "填写的内容格式不正确，请检查",
            };
            errors.add(&f.field, words);
        }
        if errors.is_empty() {
            let txn = crate::db::begin_write(&state.db).await?;
            match manage::create(&txn, &me.staff, new, state.clock.now()).await {
                Ok(u) => {
                    txn.commit().await?;
                    let page = password_page(&req, &me, "账号已建立", &u, password);
                    return Ok(actix_web::Either::Left(page));
                }
                Err(Error::UsernameTaken(_)) => errors.add("username", "这个用户名已有人使用"),
                Err(Error::Invalid(_)) => errors.add("station_id", "请从列表中选择本局的监管所"),
                Err(e) => return Err(e.into()),
            }
        }
    }
    let page = new_page(&req, &state, &me, input).await?;
    Ok(actix_web::Either::Right(
        NewAccountPage {
            page: page.page.with_errors(errors),
            ..page
        }
        .customize()
        .with_status(actix_web::http::StatusCode::UNPROCESSABLE_ENTITY),
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/account.html")]
pub struct AccountPage {
    page: Page,
    desk: Desk,
    id: String,
    name: String,
    summary: Vec<SummaryRow>,
    active: bool,
    /// Oneself: no disabling, no change of role.
    own: bool,
    roles: Vec<Choice>,
    stations: Vec<Choice>,
}

async fn account_page(
    req: &HttpRequest,
    state: &AppState,
    me: &SignedIn,
    u: &user::Model,
    input: &AccountInput,
) -> Result<AccountPage, ApiError> {
    let names = station_names(state, me).await?;
    let row = |k: &str, v: String| SummaryRow::new(k, v, "");
    let mut summary = vec![
        row("用户名", u.username.clone()),
        row("角色", u.role.label().to_owned()),
        row("状态", if u.active { "启用" } else { "已停用" }.to_owned()),
    ];
    if u.station_id.is_some() {
        summary.push(row("监管所", station_of(u, &names)));
    }
    if let Some(email) = &u.email {
        summary.push(row("电子邮箱", email.clone()));
    }
    Ok(AccountPage {
        page: Page::new(req, format!("账号 {}", u.display_name)).with_back(ACCOUNTS),
        desk: Desk::of(me),
        id: u.id.clone(),
        name: u.display_name.clone(),
        summary,
        active: u.active,
        own: u.id == me.staff.user_id,
        roles: roles(&input.role),
        stations: station_choices(state, me, &input.station_id).await?,
    })
}

fn current(u: &user::Model) -> AccountInput {
    AccountInput {
        role: u.role.as_str().to_owned(),
        station_id: u.station_id.clone().unwrap_or_default(),
        ..AccountInput::default()
    }
}

/// `GET /staff/accounts/{id}`
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<AccountPage, ApiError> {
    let u = manage::load(&state.db, &me.staff, &path).await?;
    account_page(&req, &state, &me, &u, &current(&u)).await
}

/// `POST /staff/accounts/{id}/role`: the role and station, the step of `PATCH /api/v1/users/{id}`.
pub async fn change_role(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
    input: web::Form<AccountInput>,
) -> Answer<AccountPage> {
    let u = manage::load(&state.db, &me.staff, &path).await?;
    let mut errors = FormErrors::new();
    let role = role_and_station(&input, &mut errors);
    if let (Some(role), true) = (role, errors.is_empty()) {
        let change = AccountChange {
            active: None,
            role: Some(role),
            station_id: Some(input.station_id.clone()).filter(|s| !s.is_empty()),
        };
        let txn = crate::db::begin_write(&state.db).await?;
        match manage::change(&txn, &me.staff, &u.id, &change, state.clock.now()).await {
            Ok(changed) => {
                txn.commit().await?;
                let text = format!(
                    "已更改{}的角色：{}。",
                    changed.display_name,
                    changed.role.label()
                );
                return done_at(&session, ACCOUNTS, &text);
            }
            Err(Error::Invalid(invalid)) => {
                for f in invalid.0 {
                    let words = match f.field.as_str() {
                        "station_id" => "请从列表中选择本局的监管所",
                        _ => "这个账号的角色不能更改",
                    };
                    let field = if f.field == "station_id" {
                        "station_id"
                    } else {
                        "role"
                    };
                    errors.add(field, words);
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    again(
        account_page(&req, &state, &me, &u, &input)
            .await?
            .with_errors(errors),
    )
}

impl AccountPage {
    fn with_errors(mut self, errors: FormErrors) -> Self {
        self.page = self.page.with_errors(errors);
        self
    }
}

#[derive(Deserialize)]
pub struct ActiveInput {
    #[serde(default)]
    active: String,
}

/// `POST /staff/accounts/{id}/active`: disable (`active=no`) or enable (`yes`) the account.
pub async fn set_active(
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
    input: web::Form<ActiveInput>,
) -> Answer<AccountPage> {
    let active = match input.active.as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(ApiError::field("active", "must be yes or no")),
    };
    let change = AccountChange {
        active: Some(active),
        ..AccountChange::default()
    };
    let txn = crate::db::begin_write(&state.db).await?;
    let u = manage::change(&txn, &me.staff, &path, &change, state.clock.now()).await?;
    txn.commit().await?;
    let text = if active {
        format!("已启用{}的账号。", u.display_name)
    } else {
        format!("已停用{}的账号，其登录已全部结束。", u.display_name)
    };
    done_at(&session, ACCOUNTS, &text)
}

/// `POST /staff/accounts/{id}/reset`: the step of `POST /api/v1/users/{id}/reset-password`.
pub async fn reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<CustomizeResponder<PasswordPage>, ApiError> {
    let txn = crate::db::begin_write(&state.db).await?;
    let password = manage::reset_password(&txn, &me.staff, &path, state.clock.now()).await?;
    txn.commit().await?;
    let u = manage::load(&state.db, &me.staff, &path).await?;
    Ok(password_page(&req, &me, "密码已重置", &u, password))
}
