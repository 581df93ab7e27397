//! The bureau's urgent queue (`/staff/urgent`) for staff on duty and its admins: the items oldest
//! first with the 2-hour first-contact clock counting in words, claim (a lost race says who won),
//! record first contact, hand over to a colleague on duty, resolve. Each runs the step of
//! `crate::urgent` that `POST /api/v1/urgent-queue/{id}/…` runs; who may work the queue is
//! `cases::access::works_urgent_queue`'s to decide (a 403 page otherwise).

use actix_session::Session;
use actix_web::{HttpRequest, web};
use askama::Template;
use askama_web::WebTemplate;
use chrono::{DateTime, Utc};
use sea_orm::EntityTrait;
use serde::Deserialize;

use super::act::{Answer, again};
use super::signed_in::{Desk, SignedIn, notice, take_notice};
use super::text_step::TextPage;
use crate::domain::dates::chinese_time;
use crate::entities::{urgent_item, user};
use crate::http::ApiError;
use crate::state::AppState;
use crate::urgent::queue::{self as urgent_queue, UrgentView};
use crate::urgent::steps::{self, HandoverRequest, NoteRequest, ResolveRequest};
use crate::urgent::{Error, UrgentStatus, on_duty_user_ids};
use crate::web::components::{Choice, FormErrors};
use crate::web::odr_terms::MAX_TEXT_CHARS;
use crate::web::page::Page;

/// One item of the queue, in words, with the steps the caller may take on it.
pub struct ItemLine {
    pub id: i64,
    pub case_id: String,
    pub receipt_number: String,
    pub what: String,
    pub received: String,
    pub status: &'static str,
    /// `还剩 1 小时 20 分钟` / `已超时 15 分钟` while first contact is owed; how it went after.
    pub clock: String,
    pub late: bool,
    pub holder: Option<String>,
    pub can_claim: bool,
    pub mine: bool,
    pub can_resolve: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/urgent.html")]
pub struct QueuePage {
    page: Page,
    desk: Desk,
    notice: Option<String>,
    items: Vec<ItemLine>,
}

fn minutes_words(minutes: i64) -> String {
    let (h, m) = (minutes.abs() / 60, minutes.abs() % 60);
    if h > 0 {
        format!("{h} 小时 {m} 分钟")
    } else {
        format!("{m} 分钟")
    }
}

async fn name_of(state: &AppState, user_id: &str) -> Result<String, ApiError> {
    Ok(crate::accounts::display_name(&state.db, user_id)
        .await?
        .unwrap_or_else(|| user_id.to_owned()))
}

async fn line(
    state: &AppState,
    me: &SignedIn,
    v: UrgentView,
    now: DateTime<Utc>,
) -> Result<ItemLine, ApiError> {
    let (clock, late) = match (v.first_contact_at, v.first_contact_on_time) {
        (Some(at), on_time) => (
            format!(
                "{} 首次联系{}",
                chinese_time(at),
                if on_time == Some(false) {
                    "（超过 2 小时）"
                } else {
                    "（按时）"
                }
            ),
            on_time == Some(false),
        ),
        (None, _) => {
            let left = (v.first_contact_due_at - now).num_minutes();
            if left >= 0 {
                (format!("首次联系还剩 {}", minutes_words(left)), false)
            } else {
                (format!("首次联系已超时 {}", minutes_words(left)), true)
            }
        }
    };
    let holder = match &v.claimed_by {
        Some(id) => Some(name_of(state, id).await?),
        None => None,
    };
    let mine = v.claimed_by.as_deref() == Some(me.staff.user_id.as_str());
    Ok(ItemLine {
        id: v.id,
        receipt_number: v.receipt_number,
        what: format!("{} · {}", v.category.label(), v.respondent_name),
        received: chinese_time(v.received_at),
        status: match v.status {
            UrgentStatus::Open => "待认领",
            UrgentStatus::Claimed => "已认领，待首次联系",
            UrgentStatus::Contacted => "已首次联系",
            UrgentStatus::Resolved => "紧急处理已办结",
        },
        clock,
        late,
        holder,
        can_claim: v.status == UrgentStatus::Open,
        can_resolve: mine && v.status == UrgentStatus::Contacted,
        mine: mine && v.status != UrgentStatus::Resolved,
        case_id: v.case_id,
    })
}

/// `GET /staff/urgent`
pub async fn queue(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
) -> Result<QueuePage, ApiError> {
    let now = state.clock.now();
    let mut items = Vec::new();
    for v in urgent_queue::list(&state.db, &me.staff, false, now).await? {
        items.push(line(&state, &me, v, now).await?);
    }
    Ok(QueuePage {
        page: Page::new(&req, "紧急事项"),
        desk: Desk::of(&me),
        notice: take_notice(&session),
        items,
    })
}

fn to_queue(session: &Session, text: &str) -> web::Redirect {
    notice(session, text);
    web::Redirect::to("/staff/urgent").see_other()
}

/// `POST /staff/urgent/{id}/claim`: a lost race comes back to the queue saying who won.
pub async fn claim(
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<i64>,
) -> Result<web::Redirect, ApiError> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    match urgent_queue::claim(&txn, &me.staff, *path, now).await {
        Ok(v) => {
            txn.commit().await?;
            Ok(to_queue(
                &session,
                &format!("已认领 {}，请在 2 小时内首次联系。", v.receipt_number),
            ))
        }
        Err(Error::AlreadyClaimed) => {
            txn.rollback().await?;
            let holder = urgent_item::Entity::find_by_id(*path)
                .one(&state.db)
                .await?
                .and_then(|i| i.claimed_by);
            let who = match holder {
                Some(id) => name_of(&state, &id).await?,
                None => "其他值班人员".to_owned(),
            };
            Ok(to_queue(&session, &format!("该事项已由 {who} 认领。")))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct NoteInput {
    #[serde(default)]
    note: String,
}

#[derive(Deserialize, Default)]
pub struct ResolutionInput {
    #[serde(default)]
    resolution: String,
}

/// Text typed for a step: 1 to 2000 characters.
fn checked(text: &str, field: &str, what: &str, errors: &mut FormErrors) -> String {
    let t = text.trim();
    let n = t.chars().count();
    if n == 0 {
        errors.add(field, format!("请写明{what}"));
    } else if n > MAX_TEXT_CHARS {
        errors.add(field, format!("{what}最多 {MAX_TEXT_CHARS} 字，请删减"));
    }
    t.to_owned()
}

fn contact_page(
    req: &HttpRequest,
    me: &SignedIn,
    id: i64,
    value: String,
    errors: FormErrors,
) -> TextPage {
    TextPage {
        page: Page::new(req, "记录首次联系")
            .with_back("/staff/urgent")
            .with_errors(errors),
        desk: Desk::of(me),
        action: format!("/staff/urgent/{id}/first-contact"),
        back: "/staff/urgent".into(),
        heading: "记录首次联系",
        lead: "与投诉人或举报人取得联系后记录。是否在 2 小时内联系会一并记下。",
        field: "note",
        label: "联系情况",
        hint: "例如：已电话联系消费者，了解到门店已关闭",
        button: "记录首次联系",
        button_kind: "primary",
        value,
    }
}

/// The item `id`, for a step only its holder takes: 403 off duty, 409 for anyone else or a state
/// the step does not follow (the step itself checks again).
async fn held(
    state: &AppState,
    me: &SignedIn,
    id: i64,
    from: &[UrgentStatus],
) -> Result<(), ApiError> {
    let (item, _) = urgent_queue::load(&state.db, &me.staff, id, state.clock.now()).await?;
    if item.claimed_by.as_deref() != Some(me.staff.user_id.as_str()) {
        return Err(Error::NotClaimant.into());
    }
    if !from.contains(&item.status) {
        return Err(Error::WrongState(item.status).into());
    }
    Ok(())
}

/// `GET /staff/urgent/{id}/first-contact`
pub async fn contact_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<i64>,
) -> Result<TextPage, ApiError> {
    held(&state, &me, *path, &[UrgentStatus::Claimed]).await?;
    Ok(contact_page(
        &req,
        &me,
        *path,
        String::new(),
        FormErrors::new(),
    ))
}

/// `POST /staff/urgent/{id}/first-contact`: the step of `POST /api/v1/urgent-queue/{id}/first-contact`.
pub async fn first_contact(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<i64>,
    input: web::Form<NoteInput>,
) -> Answer<TextPage> {
    let mut errors = FormErrors::new();
    let note = checked(&input.note, "note", "联系情况", &mut errors);
    if !errors.is_empty() {
        return again(contact_page(
            &req,
            &me,
            *path,
            input.into_inner().note,
            errors,
        ));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    steps::first_contact(
        &txn,
        &me.staff,
        *path,
        &NoteRequest { note },
        state.clock.now(),
    )
    .await?;
    txn.commit().await?;
    Ok(actix_web::Either::Left(to_queue(
        &session,
        "已记录首次联系。",
    )))
}

fn resolve_page(
    req: &HttpRequest,
    me: &SignedIn,
    id: i64,
    value: String,
    errors: FormErrors,
) -> TextPage {
    TextPage {
        page: Page::new(req, "办结紧急处理")
            .with_back("/staff/urgent")
            .with_errors(errors),
        desk: Desk::of(me),
        action: format!("/staff/urgent/{id}/resolve"),
        back: "/staff/urgent".into(),
        heading: "办结紧急处理",
        lead: "紧急处理办结后，投诉或举报按正常程序和期限继续办理。",
        field: "resolution",
        label: "处理结果",
        hint: "例如：已协调门店当日退款",
        button: "办结紧急处理",
        button_kind: "primary",
        value,
    }
}

/// `GET /staff/urgent/{id}/resolve`
pub async fn resolve_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<i64>,
) -> Result<TextPage, ApiError> {
    held(&state, &me, *path, &[UrgentStatus::Contacted]).await?;
    Ok(resolve_page(
        &req,
        &me,
        *path,
        String::new(),
        FormErrors::new(),
    ))
}

/// `POST /staff/urgent/{id}/resolve`: the step of `POST /api/v1/urgent-queue/{id}/resolve`.
pub async fn resolve(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<i64>,
    input: web::Form<ResolutionInput>,
) -> Answer<TextPage> {
    let mut errors = FormErrors::new();
    let resolution = checked(&input.resolution, "resolution", "处理结果", &mut errors);
    if !errors.is_empty() {
        return again(resolve_page(
            &req,
            &me,
            *path,
            input.into_inner().resolution,
            errors,
        ));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    let request = ResolveRequest { resolution };
    steps::resolve(&txn, &me.staff, *path, &request, state.clock.now()).await?;
    txn.commit().await?;
    Ok(actix_web::Either::Left(to_queue(
        &session,
        "紧急处理已办结。",
    )))
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/urgent_handover.html")]
pub struct HandoverPage {
    page: Page,
    desk: Desk,
    id: i64,
    colleagues: Vec<Choice>,
    note: String,
}

#[derive(Deserialize, Default)]
pub struct HandoverInput {
    #[serde(default)]
    to_user_id: String,
    #[serde(default)]
    note: String,
}

async fn handover_page(
    req: &HttpRequest,
    state: &AppState,
    me: &SignedIn,
    id: i64,
    input: HandoverInput,
    errors: FormErrors,
) -> Result<HandoverPage, ApiError> {
    let bureau = me.staff.bureau_code.clone().unwrap_or_default();
    let on_duty = on_duty_user_ids(&state.db, &bureau, state.clock.now()).await?;
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    let colleagues = user::Entity::find()
        .filter(user::Column::Id.is_in(on_duty))
        .filter(user::Column::Id.ne(me.staff.user_id.as_str()))
        .order_by_asc(user::Column::DisplayName)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|u| Choice::new(u.id, u.display_name))
        .collect();
    Ok(HandoverPage {
        page: Page::new(req, "移交紧急事项")
            .with_back("/staff/urgent")
            .with_errors(errors),
        desk: Desk::of(me),
        id,
        colleagues: Choice::mark(colleagues, &[input.to_user_id.as_str()]),
        note: input.note,
    })
}

/// `GET /staff/urgent/{id}/handover`: the colleagues on duty now.
pub async fn handover_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<i64>,
) -> Result<HandoverPage, ApiError> {
    held(
        &state,
        &me,
        *path,
        &[UrgentStatus::Claimed, UrgentStatus::Contacted],
    )
    .await?;
    handover_page(
        &req,
        &state,
        &me,
        *path,
        HandoverInput::default(),
        FormErrors::new(),
    )
    .await
}

/// `POST /staff/urgent/{id}/handover`: the step of `POST /api/v1/urgent-queue/{id}/handover`.
pub async fn handover(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<i64>,
    input: web::Form<HandoverInput>,
) -> Answer<HandoverPage> {
    let input = input.into_inner();
    let mut errors = FormErrors::new();
    if input.to_user_id.is_empty() {
        errors.add("to_user_id", "请选择接手的值班人员");
    }
    if input.note.trim().chars().count() > MAX_TEXT_CHARS {
        errors.add("note", format!("说明最多 {MAX_TEXT_CHARS} 字，请删减"));
    }
    if errors.is_empty() {
        let request = HandoverRequest {
            to_user_id: input.to_user_id.clone(),
            note: Some(input.note.trim().to_owned()).filter(|n| !n.is_empty()),
        };
        let txn = crate::db::begin_write(&state.db).await?;
        match steps::handover(&txn, &me.staff, *path, &request, state.clock.now()).await {
            Ok(_) => {
                txn.commit().await?;
                return Ok(actix_web::Either::Left(to_queue(&session, "已移交。")));
            }
            // A colleague no longer on duty: the choice again.
            Err(Error::Invalid(_)) => {
                txn.rollback().await?;
                errors.add("to_user_id", "请选择现在在班的其他值班人员");
            }
            Err(e) => return Err(e.into()),
        }
    }
    again(handover_page(&req, &state, &me, *path, input, errors).await?)
}
