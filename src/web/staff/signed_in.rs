//! Who is signed in to the workbench: the session's login token resolved on every request, and
//! the one-time notices pages leave for the next page.

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::error::InternalError;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use std::future::Future;
use std::pin::Pin;

use crate::actor::Staff;
use crate::state::AppState;

/// The session's handle on the login: the token `accounts::login` issued.
pub(super) const TOKEN_KEY: &str = "staff_token";
/// A one-time message for the next page (logged out, password changed, case accepted).
pub(super) const NOTICE_KEY: &str = "staff_notice";

/// The signed-in staff member of a workbench page. Without a login the page redirects to
/// `/staff/login`; with a token that has expired or been revoked (or a disabled account), the
/// session lets go of it and the login page says why.
pub struct SignedIn {
    pub staff: Staff,
    pub token: String,
    pub display_name: String,
}

impl FromRequest for SignedIn {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let session = req.get_session();
            let state = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| crate::http::ApiError::internal("application state missing"))?;
            let Ok(Some(token)) = session.get::<String>(TOKEN_KEY) else {
                return Err(to_login());
            };
            let found = crate::accounts::authenticate(&state.db, &token, state.clock.now())
                .await
                .map_err(crate::http::ApiError::from)?;
            match found {
                Some(staff) => {
                    let display_name = crate::accounts::display_name(&state.db, &staff.user_id)
                        .await
                        .map_err(crate::http::ApiError::from)?
                        .unwrap_or_else(|| staff.username.clone());
                    Ok(SignedIn {
                        staff,
                        token,
                        display_name,
                    })
                }
                None => {
                    session.remove(TOKEN_KEY);
                    notice(
                        &session,
                        "您的登录已失效（超时或已在别处退出），请重新登录。",
                    );
                    Err(to_login())
                }
            }
        })
    }
}

fn to_login() -> actix_web::Error {
    InternalError::from_response(
        "not signed in",
        HttpResponse::SeeOther()
            .insert_header((header::LOCATION, "/staff/login"))
            .finish(),
    )
    .into()
}

pub(super) fn notice(session: &Session, text: &str) {
    // Only a serialisation failure of a String could make this fail.
    let _ = session.insert(NOTICE_KEY, text);
}

/// The one-time message left for this page, taken.
pub(super) fn take_notice(session: &Session) -> Option<String> {
    let text = session.get::<String>(NOTICE_KEY).ok().flatten();
    if text.is_some() {
        session.remove(NOTICE_KEY);
    }
    text
}

/// Who is signed in, for the bar on every workbench page.
pub struct Desk {
    pub name: String,
    pub role: &'static str,
    /// A business's ODR desk: the bar links to its figures.
    pub odr: bool,
    /// Staff who read the 12315 figures: the bar links to the dashboard.
    pub figures: bool,
    /// Bureau staff, who work the urgent queue when on duty: the bar links to it.
    pub urgent: bool,
    /// Bureau staff and system admins, who follow transfers between bureaus.
    pub transfers: bool,
    /// The bureau's enforcement officers and admins, who work the 诉转案 leads.
    pub leads: bool,
    /// Bureau and system admins, who keep the accounts and the working-day calendar.
    pub admin: bool,
    /// The system admin, who sees the mail that could not be delivered.
    pub mail: bool,
    /// A bureau's admin, who keeps its stations and document prefix.
    pub bureau_admin: bool,
    /// An admin of a pilot-area bureau, who keeps the no-reason-return brands.
    pub brands: bool,
}

impl Desk {
    pub(super) fn of(me: &SignedIn) -> Desk {
        Desk {
            name: me.display_name.clone(),
            role: me.staff.role.label(),
            odr: me.staff.role == crate::actor::Role::EnterpriseAgent,
            figures: matches!(
                me.staff.role,
                crate::actor::Role::BureauAdmin
                    | crate::actor::Role::Mediator
                    | crate::actor::Role::SystemAdmin
            ),
            leads: crate::cases::access::REPORT_HANDLERS.contains(&me.staff.role),
            admin: crate::accounts::manage::ACCOUNT_KEEPERS.contains(&me.staff.role),
            mail: crate::mail::dead::MAIL_KEEPERS.contains(&me.staff.role),
            bureau_admin: me.staff.role == crate::actor::Role::BureauAdmin,
            brands: crate::routing::zone::may_keep_brands(&me.staff),
            transfers: matches!(
                me.staff.role,
                crate::actor::Role::BureauAdmin
                    | crate::actor::Role::EnforcementOfficer
                    | crate::actor::Role::SystemAdmin
            ),
            urgent: me.staff.bureau_code.is_some()
                && matches!(
                    me.staff.role,
                    crate::actor::Role::BureauAdmin
                        | crate::actor::Role::Mediator
                        | crate::actor::Role::EnforcementOfficer
                ),
        }
    }
}
