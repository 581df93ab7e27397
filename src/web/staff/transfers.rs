//! Transfers between bureaus (移送, issue 17, item 8) in the workbench: a bureau admin transfers
//! a case from its page with the receiving bureau and a reason; the bureau's transfers page
//! lists what came in and went out, where the receiving side accepts or returns (退回, with a
//! reason, which opens the 7-working-day jurisdiction dispute) and the sending side withdraws.
//! Each form runs the step of `routing::transfer` that the API's handler runs.

use actix_session::Session;
use actix_web::{HttpRequest, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::act::{Answer, Text, again};
use super::signed_in::{Desk, SignedIn, notice, take_notice};
use crate::actor::Role;
use crate::cases::access::{Act, act_on};
use crate::domain::dates::{chinese_date, chinese_time};
use crate::entities::case;
use crate::http::ApiError;
use crate::routing::stations::bureaus;
use crate::routing::transfer::{self, Listing, TransferView, offer};
use crate::routing::transfer_status::TransferStatus;
use crate::state::AppState;
use crate::web::components::{Choice, FormErrors};
use crate::web::page::Page;

/// The API's limit on a transfer's reason, and on a return's.
const MAX_REASON_CHARS: usize = 1000;

const LIST: &str = "/staff/transfers";

/// The reason of a transfer or a return, as the form checks it.
const REASON: Text<'static> = Text {
    field: "reason",
    what: "理由",
    min: 2,
    max: MAX_REASON_CHARS,
    lines: true,
};

/// The form of a transfer (with the bureaus to choose from) or of a return (without).
#[derive(Template, WebTemplate)]
#[template(path = "staff/transfer_reason.html")]
pub struct ReasonPage {
    page: Page,
    desk: Desk,
    heading: String,
    lead: &'static str,
    action: String,
    back: String,
    /// The bureaus a case may go to; `None` on a return.
    bureaus: Option<Vec<Choice>>,
    label: &'static str,
    hint: &'static str,
    reason: String,
    button: &'static str,
}

#[derive(Deserialize)]
pub struct TransferInput {
    #[serde(default)]
    to_bureau_code: String,
    #[serde(default)]
    reason: String,
}

async fn transfer_page(
    req: &HttpRequest,
    state: &AppState,
    me: &SignedIn,
    c: &case::Model,
    input: &TransferInput,
    errors: FormErrors,
) -> Result<ReasonPage, ApiError> {
    let options = bureaus(&state.db)
        .await?
        .into_iter()
        .filter(|b| b.code != c.bureau_code)
        .map(|b| Choice::new(b.code, b.name));
    let bureaus = std::iter::once(Choice::new("", "请选择"))
        .chain(options)
        .collect();
    Ok(ReasonPage {
        page: Page::new(req, format!("移送案件 {}", c.receipt_number))
            .with_back(format!("/staff/cases/{}", c.id))
            .with_errors(errors),
        desk: Desk::of(me),
        heading: format!("移送案件 {}", c.receipt_number),
        lead: "案件不属于本局管辖时，移送有管辖权的市场监管局。对方接收前，案件仍由本局办理，办理期限照常计算；对方可以退回。",
        action: format!("/staff/cases/{}/transfer", c.id),
        back: format!("/staff/cases/{}", c.id),
        bureaus: Some(Choice::mark(bureaus, &[input.to_bureau_code.as_str()])),
        label: "移送理由",
        hint: "写明本局不管辖、对方管辖的依据，例如经营者住所地或争议发生地",
        reason: input.reason.clone(),
        button: "移送",
    })
}

/// `GET /staff/cases/{id}/transfer`
pub async fn request_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<ReasonPage, ApiError> {
    let c = act_on(&state.db, &me.staff, &path, Act::Transfer).await?;
    let input = TransferInput {
        to_bureau_code: String::new(),
        reason: String::new(),
    };
    transfer_page(&req, &state, &me, &c, &input, FormErrors::new()).await
}

/// `POST /staff/cases/{id}/transfer`: the step of `POST /api/v1/cases/{id}/transfers`.
pub async fn request(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
    input: web::Form<TransferInput>,
) -> Answer<ReasonPage> {
    let c = act_on(&state.db, &me.staff, &path, Act::Transfer).await?;
    let input = input.into_inner();
    let mut errors = FormErrors::new();
    if input.to_bureau_code.is_empty() {
        errors.add("to_bureau_code", "请选择接收案件的市场监管局");
    }
    REASON.check(input.reason.trim(), "请写明移送理由", &mut errors);
    if errors.is_empty() {
        let txn = crate::db::begin_write(&state.db).await?;
        let asked = offer::Offer {
            to_bureau_code: &input.to_bureau_code,
            reason: &input.reason,
        };
        match offer::offer(&txn, &me.staff, &c.id, asked, state.clock.now()).await {
            Ok(t) => {
                txn.commit().await?;
                let text = format!("已移送{}，对方接收前案件仍由本局办理。", t.to_bureau_name);
                return to_list(&session, &text);
            }
            // A bureau the form did not list (the list changed, or the request was made up).
            Err(transfer::Error::Invalid(_)) => {
                errors.add("to_bureau_code", "请从列表中选择接收案件的市场监管局")
            }
            Err(e) => return Err(e.into()),
        }
    }
    again(transfer_page(&req, &state, &me, &c, &input, errors).await?)
}

fn to_list<P>(session: &Session, text: &str) -> Answer<P> {
    notice(session, text);
    Ok(actix_web::Either::Left(web::Redirect::to(LIST).see_other()))
}

/// A transfer as the bureau's list shows it, with the steps its side may take.
pub struct Line {
    pub id: String,
    pub case_id: String,
    pub receipt_number: String,
    pub route: String,
    pub requested: String,
    pub status: String,
    pub reason: String,
    pub return_reason: Option<String>,
    /// The receiving bureau's admin: accept it (and return it while pending).
    pub can_accept: bool,
    pub can_return: bool,
    /// The sending bureau's admin: withdraw it.
    pub can_withdraw: bool,
}

fn line(me: &SignedIn, t: TransferView) -> Line {
    let admin = me.staff.role == Role::BureauAdmin;
    let ours = |code: &str| admin && me.staff.bureau_code.as_deref() == Some(code);
    let open = TransferStatus::OPEN.contains(&t.status);
    let status = match t.status {
        TransferStatus::Pending => "待接收".to_owned(),
        TransferStatus::Accepted => "已接收".to_owned(),
        TransferStatus::Withdrawn => "已撤回".to_owned(),
        TransferStatus::Returned => match t.dispute_due_at {
            Some(due) => format!(
                "已退回，双方协商管辖，{}前未协商一致的报共同上级决定",
                chinese_date(crate::deadlines::local_date(due))
            ),
            None => "已退回".to_owned(),
        },
        TransferStatus::Escalated => match &t.escalation {
            Some(e) => format!("已报请{}指定管辖", e.authority),
            None => "已报请共同上级指定管辖".to_owned(),
        },
    };
    Line {
        can_accept: open && ours(&t.to_bureau_code),
        can_return: t.status == TransferStatus::Pending && ours(&t.to_bureau_code),
        can_withdraw: open && ours(&t.from_bureau_code),
        route: format!("{} → {}", t.from_bureau_name, t.to_bureau_name),
        requested: chinese_time(t.requested_at),
        status,
        id: t.id,
        case_id: t.case_id,
        receipt_number: t.receipt_number,
        reason: t.reason,
        return_reason: t.return_reason,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/transfers.html")]
pub struct ListPage {
    page: Page,
    desk: Desk,
    notice: Option<String>,
    /// What came in and what went out; everything, for a system admin.
    sections: Vec<(&'static str, Vec<Line>)>,
}

/// `GET /staff/transfers`: what came to the caller's bureau and what it sent, newest first.
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
) -> Result<ListPage, ApiError> {
    let all = Listing {
        direction: None,
        status: None,
    };
    let lines = transfer::list(&state.db, &me.staff, all).await?;
    let sections = match me.staff.bureau_code.as_deref() {
        None => vec![(
            "全部移送",
            lines.into_iter().map(|t| line(&me, t)).collect(),
        )],
        Some(mine) => {
            let (incoming, outgoing): (Vec<_>, Vec<_>) =
                lines.into_iter().partition(|t| t.to_bureau_code == mine);
            vec![
                (
                    "移送本局的案件",
                    incoming.into_iter().map(|t| line(&me, t)).collect(),
                ),
                (
                    "本局移出的案件",
                    outgoing.into_iter().map(|t| line(&me, t)).collect(),
                ),
            ]
        }
    };
    Ok(ListPage {
        page: Page::new(&req, "移送"),
        desk: Desk::of(&me),
        notice: take_notice(&session),
        sections,
    })
}

/// `POST /staff/transfers/{id}/accept`: the step of `POST /api/v1/transfers/{id}/accept`.
pub async fn accept(
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
) -> Answer<ReasonPage> {
    let txn = crate::db::begin_write(&state.db).await?;
    let t = transfer::accept::accept(&txn, &me.staff, &path, state.clock.now()).await?;
    txn.commit().await?;
    let text = format!(
        "已接收案件 {}，案件转由本局办理，办理期限自首次登记起连续计算。",
        t.receipt_number
    );
    to_list(&session, &text)
}

/// `POST /staff/transfers/{id}/withdraw`: the step of `POST /api/v1/transfers/{id}/withdraw`.
pub async fn withdraw(
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
) -> Answer<ReasonPage> {
    let txn = crate::db::begin_write(&state.db).await?;
    let t = transfer::withdraw::withdraw(&txn, &me.staff, &path, state.clock.now()).await?;
    txn.commit().await?;
    let text = format!(
        "已撤回案件 {} 的移送，案件继续由本局办理。",
        t.receipt_number
    );
    to_list(&session, &text)
}

fn return_page(
    req: &HttpRequest,
    me: &SignedIn,
    t: &TransferView,
    reason: String,
    errors: FormErrors,
) -> ReasonPage {
    ReasonPage {
        page: Page::new(req, format!("退回移送的案件 {}", t.receipt_number))
            .with_back(LIST)
            .with_errors(errors),
        desk: Desk::of(me),
        heading: format!("退回移送的案件 {}", t.receipt_number),
        lead: "退回后，两局应在 7 个工作日内协商管辖；协商不成的，报请共同的上级市场监管部门指定管辖。移送方会看到您写的理由。",
        action: format!("{LIST}/{}/return", t.id),
        back: LIST.to_owned(),
        bureaus: None,
        label: "退回理由",
        hint: "写明本局也不管辖的依据",
        reason,
        button: "退回",
    }
}

/// The transfer, for its receiving side's return form.
async fn for_return(state: &AppState, me: &SignedIn, id: &str) -> Result<TransferView, ApiError> {
    let t = transfer::visible(&state.db, &me.staff, id).await?;
    let receiving = me.staff.role == Role::BureauAdmin
        && me.staff.bureau_code.as_deref() == Some(t.to_bureau_code.as_str());
    if !receiving {
        return Err(ApiError::forbidden(
            "only admins of the receiving bureau return a transfer",
        ));
    }
    if t.status != TransferStatus::Pending {
        return Err(ApiError::conflict(
            "transfer_closed",
            "only a pending transfer is returned",
        ));
    }
    Ok(t)
}

#[derive(Deserialize)]
pub struct ReturnInput {
    #[serde(default)]
    reason: String,
}

/// `GET /staff/transfers/{id}/return`
pub async fn return_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<ReasonPage, ApiError> {
    let t = for_return(&state, &me, &path).await?;
    Ok(return_page(&req, &me, &t, String::new(), FormErrors::new()))
}

/// `POST /staff/transfers/{id}/return`: the step of `POST /api/v1/transfers/{id}/return`.
pub async fn give_back(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
    input: web::Form<ReturnInput>,
) -> Answer<ReasonPage> {
    let t = for_return(&state, &me, &path).await?;
    let reason = input.into_inner().reason;
    let mut errors = FormErrors::new();
    REASON.check(reason.trim(), "请写明退回理由", &mut errors);
    if !errors.is_empty() {
        return again(return_page(&req, &me, &t, reason, errors));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    let now = state.clock.now();
    transfer::give_back::give_back(&txn, &state.env, &me.staff, &t.id, reason.trim(), now).await?;
    txn.commit().await?;
    let text = format!("已退回案件 {}，请与移送方协商管辖。", t.receipt_number);
    to_list(&session, &text)
}
