//! The audit trail of a case in the workbench (issue 17, item 12): for the bureau's admins, every
//! recorded action on the case, newest first, with who took it and when; the reads of personal
//! data among them. The same entries as `GET /api/v1/audit?case_id=`.

use std::collections::HashMap;

use actix_web::{HttpRequest, web};
use askama::Template;
use askama_web::WebTemplate;

use super::signed_in::{Desk, SignedIn};
use crate::actor::Role;
use crate::cases::trail;
use crate::domain::dates::chinese_time;
use crate::http::ApiError;
use crate::state::AppState;
use crate::web::components::Table;
use crate::web::page::Page;

/// How many entries the page shows.
const SHOWN: u64 = 500;

#[derive(Template, WebTemplate)]
#[template(path = "staff/trail.html")]
pub struct TrailPage {
    page: Page,
    desk: Desk,
    id: String,
    receipt_number: String,
    table: Table,
}

/// An action of the audit trail in words; an unknown one as its code.
fn action_words(action: &str) -> String {
    let words = match action {
        "complaint.file" => "登记投诉",
        "report.file" => "登记举报",
        "case.read_personal_data" => "查看了当事人的个人信息",
        "lead.read_personal_data" => "查看了诉转案线索中投诉人的个人信息",
        "evidence.download" => "下载了证据材料",
        "evidence.thumbnail" => "查看了证据缩略图",
        "evidence.add" => "添加了证据材料",
        "agreement.read_pdf" => "下载了调解书",
        "agreement.record" => "记录了调解协议",
        "agreement.confirm" => "确认了调解书",
        "agreement.issue" => "出具了调解书",
        "case.accept" => "受理",
        "case.refuse" => "不予受理",
        "case.assign_mediator" => "指派调解员",
        "case.delegate" => "委托消费者协会调解",
        "case.pause" => "开始检验鉴定暂停",
        "case.resume" => "结束暂停",
        "case.recusal_apply" => "记录回避申请",
        "case.recusal_decide" => "决定回避申请",
        "case.respondent_contact" => "设置被投诉方联系人",
        "case.terminate" => "终止调解",
        "case.termination_told" => "记录已告知终止调解",
        "case.return_visit" => "记录回访",
        "case.withdraw" => "投诉人撤回投诉",
        "case.rate" => "投诉人评价",
        "deadline.extend" => "延长期限",
        "session.schedule" => "安排调解会",
        "session.record" => "记录调解会",
        "transfer.request" => "提出移送",
        "transfer.accept" => "接收移送",
        "transfer.return" => "退回移送",
        "transfer.withdraw" => "撤回移送",
        "transfer.escalate" => "管辖争议报请上级",
        "incident.link" => "关联同一事件的投诉",
        "incident.session" => "安排跨地区联合调解",
        "lead.create" => "移送诉转案线索",
        "lead.accepted" => "接收诉转案线索",
        "lead.decided" => "对诉转案线索作出立案决定",
        "lead.closed" => "记录诉转案线索办理结果",
        "lead.escalate" => "诉转案线索超期督办",
        "report.decide" => "对举报作出处理决定",
        "report.merge" => "合并举报",
        "report.notice" => "记录已告知举报人",
        "odr.offer" => "经营者提出和解方案",
        "odr.counter" => "消费者提出方案",
        "odr.agree" => "达成和解",
        "odr.settle" => "和解办结",
        "odr.performed" => "记录已履行和解",
        "odr.escalate" => "企业和解未成，转市场监管部门",
        "urgent.claim" => "认领紧急事项",
        "urgent.first_contact" => "记录紧急事项首次联系",
        "urgent.handover" => "移交紧急事项",
        other => return format!("其他操作（{other}）"),
    };
    words.to_owned()
}

/// Who acted, in words: a staff member by name and role, else the kind of actor.
fn actor_words(role: &str, user: Option<&str>, names: &HashMap<String, String>) -> String {
    let name = user.and_then(|id| names.get(id));
    match (Role::parse(role), name) {
        (Some(r), Some(n)) => format!("{n}（{}）", r.label()),
        (Some(r), None) => r.label().to_owned(),
        (None, _) => match role {
            "consumer" => "消费者".to_owned(),
            "business" => "经营者".to_owned(),
            "system" => "系统".to_owned(),
            other => other.to_owned(),
        },
    }
}

/// `GET /staff/cases/{id}/audit`
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<TrailPage, ApiError> {
    let (c, entries) = trail::of_case(&state.db, &me.staff, &path, SHOWN).await?;
    let mut names = HashMap::new();
    for id in entries.iter().filter_map(|e| e.actor_user_id.as_ref()) {
        if !names.contains_key(id)
            && let Some(name) = crate::accounts::display_name(&state.db, id).await?
        {
            names.insert(id.clone(), name);
        }
    }
    let rows = entries
        .iter()
        .map(|e| {
            vec![
                chinese_time(e.at),
                actor_words(&e.actor_role, e.actor_user_id.as_deref(), &names),
                action_words(&e.action),
            ]
        })
        .collect();
    Ok(TrailPage {
        page: Page::new(&req, format!("操作记录 {}", c.receipt_number))
            .with_back(format!("/staff/cases/{}", c.id)),
        desk: Desk::of(&me),
        id: c.id.clone(),
        receipt_number: c.receipt_number.clone(),
        table: Table {
            caption: format!("最近的 {} 条操作，新的在前", entries.len()),
            head: ["时间", "操作人", "操作"].map(String::from).to_vec(),
            rows,
            numeric: Vec::new(),
        },
    })
}
