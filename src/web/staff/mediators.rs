//! Who mediates, from the case page: assigning one of the station's active mediators, delegating
//! to a consumer association (only where the consumer accepted that at intake), and the
//! respondent's contact for notices. Each form runs the same step as its API endpoint
//! (`PUT /api/v1/cases/{id}/mediator`, `POST …/delegation`, `PUT …/respondent-contact`).

use actix_session::Session;
use actix_web::{HttpRequest, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::act::{self, Answer, Text, again, done, mediating, station_case};
use super::signed_in::{Desk, SignedIn};
use crate::cases::PartyRole;
use crate::cases::detail::detail;
use crate::entities::case;
use crate::http::ApiError;
use crate::mediation::{self, mediators};
use crate::state::AppState;
use crate::web::components::{Choice, FormErrors};
use crate::web::page::Page;

fn open(c: &case::Model) -> bool {
    !c.status.is_final()
}

fn delegable(c: &case::Model) -> bool {
    mediating(c) && c.accept_delegated_mediation
}

fn page_for(req: &HttpRequest, c: &case::Model, title: &str, errors: FormErrors) -> Page {
    Page::new(req, format!("{title} {}", c.receipt_number))
        .with_back(format!("/staff/cases/{}", c.id))
        .with_errors(errors)
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/mediator.html")]
pub struct AssignPage {
    page: Page,
    desk: Desk,
    id: String,
    receipt_number: String,
    mediators: Vec<Choice>,
}

#[derive(Deserialize, Default)]
pub struct AssignInput {
    #[serde(default)]
    mediator_id: String,
}

async fn assign_page(
    req: &HttpRequest,
    state: &AppState,
    me: &SignedIn,
    c: &case::Model,
    input: &AssignInput,
    errors: FormErrors,
) -> Result<AssignPage, ApiError> {
    let current = c.mediator_id.as_deref().unwrap_or("");
    let mediators = mediation::station_mediators(&state.db, c)
        .await?
        .into_iter()
        .map(|m| {
            let choice = Choice::new(m.id.clone(), m.display_name);
            if m.id == current {
                choice.hint("现任调解员")
            } else {
                choice
            }
        })
        .collect();
    let chosen = if input.mediator_id.is_empty() {
        current
    } else {
        input.mediator_id.as_str()
    };
    Ok(AssignPage {
        page: page_for(req, c, "指派调解员", errors),
        desk: Desk::of(me),
        id: c.id.clone(),
        receipt_number: c.receipt_number.clone(),
        mediators: Choice::mark(mediators, &[chosen]),
    })
}

/// `GET /staff/cases/{id}/mediator`: the station's active mediators.
pub async fn assign_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<AssignPage, ApiError> {
    let c = station_case(&state, &me, &path, open).await?;
    assign_page(
        &req,
        &state,
        &me,
        &c,
        &AssignInput::default(),
        FormErrors::new(),
    )
    .await
}

/// `POST /staff/cases/{id}/mediator`: the step of `PUT /api/v1/cases/{id}/mediator`.
pub async fn assign(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
    input: web::Form<AssignInput>,
) -> Answer<AssignPage> {
    let c = station_case(&state, &me, &path, open).await?;
    let input = input.into_inner();
    let mut errors = FormErrors::new();
    if input.mediator_id.is_empty() {
        errors.add("mediator_id", "请选择调解员");
    } else {
        let request = mediators::AssignRequest {
            mediator_id: input.mediator_id.clone(),
        };
        act::rules(&request, &mut errors);
        if errors.is_empty() {
            let txn = crate::db::begin_write(&state.db).await?;
            match mediators::assign(&txn, &me.staff, &c.id, &request, state.clock.now()).await {
                Ok(c) => {
                    txn.commit().await?;
                    return done(&session, &c.id, "已指派调解员，案件记录中已写明。");
                }
                Err(mediation::Error::Invalid(_)) => {
                    errors.add("mediator_id", "请选择列表中本所在岗的调解员");
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    again(assign_page(&req, &state, &me, &c, &input, errors).await?)
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/delegation.html")]
pub struct DelegationPage {
    page: Page,
    desk: Desk,
    id: String,
    receipt_number: String,
    organisation: String,
    mediator_name: String,
}

#[derive(Deserialize, Default)]
pub struct DelegationInput {
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    mediator_name: String,
}

fn delegation_page(
    req: &HttpRequest,
    me: &SignedIn,
    c: &case::Model,
    input: DelegationInput,
    errors: FormErrors,
) -> DelegationPage {
    DelegationPage {
        page: page_for(req, c, "委托调解", errors),
        desk: Desk::of(me),
        id: c.id.clone(),
        receipt_number: c.receipt_number.clone(),
        organisation: input.organisation,
        mediator_name: input.mediator_name,
    }
}

/// `GET /staff/cases/{id}/delegation`: only for a case whose consumer accepted delegation.
pub async fn delegation_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<DelegationPage, ApiError> {
    let c = station_case(&state, &me, &path, delegable).await?;
    Ok(delegation_page(
        &req,
        &me,
        &c,
        DelegationInput::default(),
        FormErrors::new(),
    ))
}

/// `POST /staff/cases/{id}/delegation`: the step of `POST /api/v1/cases/{id}/delegation`.
pub async fn delegate(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
    input: web::Form<DelegationInput>,
) -> Answer<DelegationPage> {
    let c = station_case(&state, &me, &path, delegable).await?;
    let input = input.into_inner();
    let mut errors = FormErrors::new();
    let request = mediators::DelegationRequest {
        organisation: input.organisation.trim().to_owned(),
        mediator_name: input.mediator_name.trim().to_owned(),
    };
    Text {
        field: "organisation",
        what: "调解组织名称",
        min: 2,
        max: 200,
        lines: false,
    }
    .check(&request.organisation, "请输入受委托的调解组织", &mut errors);
    Text {
        field: "mediator_name",
        what: "调解员姓名",
        min: 1,
        max: 100,
        lines: false,
    }
    .check(
        &request.mediator_name,
        "请输入受委托调解员的姓名",
        &mut errors,
    );
    act::rules(&request, &mut errors);
    if errors.is_empty() {
        let txn = crate::db::begin_write(&state.db).await?;
        let c = mediators::delegate(&txn, &me.staff, &c.id, &request, state.clock.now()).await?;
        txn.commit().await?;
        return done(&session, &c.id, "已委托调解，双方会收到通知。");
    }
    again(delegation_page(&req, &me, &c, input, errors))
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/respondent_contact.html")]
pub struct ContactPage {
    page: Page,
    desk: Desk,
    id: String,
    receipt_number: String,
    respondent_name: String,
    contact_name: String,
    phone: String,
    email: String,
}

#[derive(Deserialize, Default)]
pub struct ContactInput {
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
}

fn contact_page(
    req: &HttpRequest,
    me: &SignedIn,
    c: &case::Model,
    input: ContactInput,
    errors: FormErrors,
) -> ContactPage {
    ContactPage {
        page: page_for(req, c, "被投诉方联系人", errors),
        desk: Desk::of(me),
        id: c.id.clone(),
        receipt_number: c.receipt_number.clone(),
        respondent_name: c.respondent_name.clone(),
        contact_name: input.name,
        phone: input.phone,
        email: input.email,
    }
}

/// `GET /staff/cases/{id}/respondent-contact`
pub async fn contact_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<ContactPage, ApiError> {
    let c = station_case(&state, &me, &path, open).await?;
    // The contact already on the case, to change rather than type again.
    let read = detail(&state.db, &me.staff, &c.id, state.clock.now()).await?;
    let current = read
        .detail
        .parties
        .into_iter()
        .find(|p| p.role == PartyRole::Respondent)
        .map(|p| ContactInput {
            name: p.name,
            phone: p.phone.unwrap_or_default(),
            email: p.email.unwrap_or_default(),
        })
        .unwrap_or_default();
    Ok(contact_page(&req, &me, &c, current, FormErrors::new()))
}

/// `POST /staff/cases/{id}/respondent-contact`: the step of
/// `PUT /api/v1/cases/{id}/respondent-contact`.
pub async fn set_contact(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
    input: web::Form<ContactInput>,
) -> Answer<ContactPage> {
    let c = station_case(&state, &me, &path, open).await?;
    let input = input.into_inner();
    let mut errors = FormErrors::new();
    let phone = input.phone.trim();
    let request = mediators::RespondentContactRequest {
        name: input.name.trim().to_owned(),
        phone: (!phone.is_empty()).then(|| phone.to_owned()),
        email: input.email.trim().to_owned(),
    };
    Text {
        field: "name",
        what: "联系人姓名",
        min: 1,
        max: 100,
        lines: false,
    }
    .check(&request.name, "请输入联系人姓名", &mut errors);
    if let Some(p) = &request.phone {
        let n = p.chars().count();
        if !(5..=30).contains(&n) || !p.chars().all(|c| c.is_ascii_digit() || "-+ ()".contains(c)) {
            errors.add("phone", "请输入正确的电话号码，如 0573-84561234");
        }
    }
    if request.email.is_empty() {
        errors.add("email", "请输入联系人的电子邮箱，通知会发到这里");
    } else if !validator::ValidateEmail::validate_email(&request.email) {
        errors.add("email", "请输入正确的电子邮箱，如 name@example.com");
    }
    act::rules(&request, &mut errors);
    if errors.is_empty() {
        let txn = crate::db::begin_write(&state.db).await?;
        mediators::set_respondent_contact(&txn, &me.staff, &c.id, &request, state.clock.now())
            .await?;
        txn.commit().await?;
        return done(&session, &c.id, "已设置被投诉方联系人，通知会发给联系人。");
    }
    again(contact_page(&req, &me, &c, input, errors))
}
