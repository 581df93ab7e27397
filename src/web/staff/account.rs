//! Logging in and out of the workbench, and changing one's own password: the same steps as the
//! API's `/auth/login`, `/auth/logout` and `/auth/password`, the login throttle included.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{CustomizeResponder, Either, HttpRequest, Responder, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::signed_in::{Desk, NOTICE_KEY, SignedIn, TOKEN_KEY, notice, take_notice};
use crate::accounts::password::{self, PasswordChange};
use crate::accounts::{self, Throttle};
use crate::http::ApiError;
use crate::http::auth::client_address;
use crate::state::AppState;
use crate::web::components::FormErrors;
use crate::web::page::Page;

type Answer<T> = Result<Either<web::Redirect, CustomizeResponder<T>>, ApiError>;

#[derive(Template, WebTemplate)]
#[template(path = "staff/login.html")]
pub struct LoginPage {
    page: Page,
    username: String,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginInput {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

/// `GET /staff/login`
pub async fn login_form(req: HttpRequest, session: Session) -> LoginPage {
    LoginPage {
        page: Page::new(&req, "工作人员登录"),
        username: String::new(),
        notice: take_notice(&session),
    }
}

/// `POST /staff/login`: a right username and password start the session; a wrong pair comes back
/// with the username kept; past the throttle the 429 page says how long to wait.
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    input: web::Form<LoginInput>,
) -> Answer<LoginPage> {
    let input = input.into_inner();
    let username = input.username.trim().to_owned();
    let mut errors = FormErrors::new();
    if username.is_empty() {
        errors.add("username", "请输入用户名");
    }
    if input.password.is_empty() {
        errors.add("password", "请输入密码");
    }
    if username.chars().count() > 64 || input.password.chars().count() > 200 {
        errors.add("username", "用户名或密码不正确");
    }
    if errors.is_empty() {
        let settings = &state.env.settings;
        match accounts::login(
            &state.db,
            &username,
            &input.password,
            &client_address(&req, settings.trust_forwarded_for),
            &Throttle::of(settings),
            settings.token_ttl_hours,
            state.clock.now(),
        )
        .await
        {
            Ok(l) => {
                // A new session for a new privilege, so a planted cookie gains nothing.
                session.renew();
                session.remove(NOTICE_KEY);
                session
                    .insert(TOKEN_KEY, &l.token)
                    .map_err(|e| ApiError::internal(e.to_string()))?;
                return Ok(Either::Left(web::Redirect::to("/staff").see_other()));
            }
            Err(accounts::Error::InvalidCredentials) => {
                errors.add("username", "用户名或密码不正确");
            }
            Err(e) => return Err(e.into()),
        }
    }
    let page = LoginPage {
        page: Page::new(&req, "工作人员登录").with_errors(errors),
        username,
        notice: None,
    };
    Ok(Either::Right(
        page.customize()
            .with_status(StatusCode::UNPROCESSABLE_ENTITY),
    ))
}

/// `POST /staff/logout`: the token is revoked, as by the API's logout, and the session forgets it.
pub async fn logout(
    state: web::Data<AppState>,
    session: Session,
) -> Result<web::Redirect, ApiError> {
    if let Ok(Some(token)) = session.get::<String>(TOKEN_KEY) {
        accounts::logout(&state.db, &token, state.clock.now()).await?;
    }
    session.remove(TOKEN_KEY);
    notice(&session, "您已退出登录。");
    Ok(web::Redirect::to("/staff/login").see_other())
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/password.html")]
pub struct PasswordPage {
    page: Page,
    desk: Desk,
}

#[derive(Deserialize)]
pub struct PasswordInput {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

fn password_page(req: &HttpRequest, me: &SignedIn, errors: FormErrors) -> PasswordPage {
    PasswordPage {
        page: Page::new(req, "修改密码")
            .with_back("/staff")
            .with_errors(errors),
        desk: Desk::of(me),
    }
}

/// `GET /staff/password`
pub async fn password_form(req: HttpRequest, me: SignedIn) -> PasswordPage {
    password_page(&req, &me, FormErrors::new())
}

/// `POST /staff/password`: the same step as `POST /api/v1/auth/password`. Passwords are never
/// put back into the form.
pub async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    input: web::Form<PasswordInput>,
) -> Answer<PasswordPage> {
    let input = input.into_inner();
    let mut errors = FormErrors::new();
    if input.current_password.is_empty() {
        errors.add("current_password", "请输入当前密码");
    }
    if input.new_password.is_empty() {
        errors.add("new_password", "请输入新密码");
    } else if input.confirm_password != input.new_password {
        errors.add("confirm_password", "两次输入的新密码不一致");
    }
    if errors.is_empty() {
        let settings = &state.env.settings;
        let change = PasswordChange {
            current_password: input.current_password,
            new_password: input.new_password,
        };
        match password::change(
            &state.db,
            &me.staff,
            &me.token,
            change,
            &client_address(&req, settings.trust_forwarded_for),
            &Throttle::of(settings),
            state.clock.now(),
        )
        .await
        {
            Ok(()) => {
                notice(&session, "密码已修改。您在其他地方的登录已全部退出。");
                return Ok(Either::Left(web::Redirect::to("/staff").see_other()));
            }
            Err(accounts::Error::Invalid(invalid)) => {
                for f in &invalid.0 {
                    match f.field.as_str() {
                        "current_password" => errors.add("current_password", "当前密码不正确"),
                        _ if f.message.contains("differ") => {
                            errors.add("new_password", "新密码不能与当前密码相同")
                        }
                        _ => errors.add(
                            "new_password",
                            format!(
                                "新密码须为 {} 至 {} 个字符",
                                password::MIN_CHARS,
                                password::MAX_CHARS
                            ),
                        ),
                    }
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Either::Right(
        password_page(&req, &me, errors)
            .customize()
            .with_status(StatusCode::UNPROCESSABLE_ENTITY),
    ))
}
