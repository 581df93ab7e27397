//! Deadlines in words for the workbench: how long is left ("受理期限 还剩 2 个工作日"), whether
//! that is overdue or due soon (said in text, the colour only repeats it), and how the due date
//! was reached.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Asia::Shanghai;

use crate::calendar::schedule::Calendar;
use crate::cases::PartyRole;
use crate::cases::views::PartyView;
use crate::deadlines::{DeadlineKind, DeadlineStatus, DeadlineView, Explanation, Unit, local_date};
use crate::domain::dates::{chinese_date, chinese_date_with_weekday};
use crate::web::components::SummaryRow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    Overdue,
    DueSoon,
    Running,
    Paused,
    Done,
}

impl Urgency {
    /// The word beside the deadline, empty when nothing is pressing.
    pub fn tag(self) -> &'static str {
        match self {
            Urgency::Overdue => "已超期",
            Urgency::DueSoon => "即将到期",
            Urgency::Paused => "暂停计时",
            Urgency::Running | Urgency::Done => "",
        }
    }

    /// The CSS modifier of the tag.
    pub fn class(self) -> &'static str {
        match self {
            Urgency::Overdue => "overdue",
            Urgency::DueSoon => "due-soon",
            Urgency::Paused => "paused",
            Urgency::Running | Urgency::Done => "running",
        }
    }
}

/// One deadline, said for the work list and the case view.
pub struct DeadlineWords {
    /// `受理期限 还剩 2 个工作日`
    pub summary: String,
    pub urgency: Urgency,
    /// `2026年12月2日（星期三）` and the time of day when it is not the day's end.
    pub due: String,
    pub status: &'static str,
    /// How the due date was reached, sentence by sentence.
    pub explanation: Vec<String>,
}

/// `d` as of `now`; due soon means within `lead` (the reminder lead time).
pub fn deadline(
    d: &DeadlineView,
    cal: &Calendar,
    now: DateTime<Utc>,
    lead: Duration,
) -> DeadlineWords {
    let name = d.kind.label();
    let running = matches!(d.status, DeadlineStatus::Open | DeadlineStatus::Paused);
    let urgency = match d.status {
        DeadlineStatus::Paused => Urgency::Paused,
        DeadlineStatus::Open if d.due_at <= now => Urgency::Overdue,
        DeadlineStatus::Open if d.due_at - now <= lead => Urgency::DueSoon,
        DeadlineStatus::Open => Urgency::Running,
        _ => Urgency::Done,
    };
    let left = if running {
        left_words(d, cal, now)
    } else {
        String::new()
    };
    let summary = match d.status {
        DeadlineStatus::Paused => format!("{name} 暂停计时"),
        _ if running => format!("{name} {left}"),
        _ => format!("{name} {}", status_words(d.status)),
    };
    DeadlineWords {
        summary,
        urgency,
        due: due_words(d),
        status: status_words(d.status),
        explanation: d
            .explanation
            .as_ref()
            .map(explanation_words)
            .unwrap_or_default(),
    }
}

fn status_words(s: DeadlineStatus) -> &'static str {
    match s {
        DeadlineStatus::Open => "正在计时",
        DeadlineStatus::Paused => "暂停计时（检验、鉴定或回避申请期间不计入）",
        DeadlineStatus::Met => "已按期完成",
        DeadlineStatus::Missed => "已完成，但超过了期限",
        DeadlineStatus::Closed => "案件已结束，不再计时",
    }
}

/// `还剩 2 个工作日`, `今天到期`, `已超期 3 个工作日`; hours for the 2-hour first contact.
fn left_words(d: &DeadlineView, cal: &Calendar, now: DateTime<Utc>) -> String {
    if d.kind == DeadlineKind::UrgentFirstContact
        || d.explanation
            .as_ref()
            .is_some_and(|e| e.unit == Unit::Hours)
    {
        let minutes = (d.due_at - now).num_minutes();
        let (h, m) = (minutes.abs() / 60, minutes.abs() % 60);
        return if minutes >= 0 {
            format!("还剩 {h} 小时 {m} 分钟")
        } else {
            format!("已超期 {h} 小时 {m} 分钟")
        };
    }
    let today = local_date(now);
    let days = |a: NaiveDate, b: NaiveDate| {
        cal.working_days_between(a, b)
            .map(|n| format!("{n} 个工作日"))
            .unwrap_or_else(|_| format!("约 {} 天（按日历日估算）", (b - a).num_days()))
    };
    if d.due_at <= now {
        if d.due_date >= today {
            "已超期".to_owned()
        } else {
            format!("已超期 {}", days(d.due_date, today))
        }
    } else if d.due_date <= today {
        "今天到期".to_owned()
    } else {
        format!("还剩 {}", days(today, d.due_date))
    }
}

fn due_words(d: &DeadlineView) -> String {
    let local = d.due_at.with_timezone(&Shanghai);
    let date = chinese_date_with_weekday(d.due_date);
    // A limit in days ends with its last day; a limit in hours at an instant.
    if local.date_naive() == d.due_date && local.format("%H:%M").to_string() != "00:00" {
        format!("{date} {} 前", local.format("%H:%M"))
    } else {
        format!("{date}前")
    }
}

fn explanation_words(e: &Explanation) -> Vec<String> {
    let mut out = vec![format!(
        "依据{}，自 {} 起算（当日不计入），期限为 {} {}。",
        e.rule_set.label(),
        chinese_date(e.start_date),
        e.amount,
        e.unit.label()
    )];
    if e.unit == Unit::WorkingDays {
        let years: Vec<String> = e.calendar_years.iter().map(|y| format!("{y} 年")).collect();
        if !years.is_empty() {
            out.push(format!(
                "工作日按国务院公布的 {} 放假安排计算，不含周六、周日和法定节假日，含调休上班日。",
                years.join("、")
            ));
        }
        if !e.estimated_years.is_empty() {
            let years: Vec<String> = e
                .estimated_years
                .iter()
                .map(|y| format!("{y} 年"))
                .collect();
            out.push(format!(
                "{}的放假安排尚未公布，暂按周一至周五估算，公布后重新计算。",
                years.join("、")
            ));
        }
    }
    for p in &e.pauses {
        let from = chinese_date(local_date(p.from));
        let to =
            p.to.map(|t| format!("至 {}", chinese_date(local_date(t))))
                .unwrap_or_else(|| "起，仍在暂停".to_owned());
        out.push(format!(
            "因{}暂停计时：{from} {to}，期限顺延 {} 个工作日。",
            p.reason.label(),
            p.working_days
        ));
    }
    if e.extension_days > 0 {
        out.push(format!("经批准延长 {} 个工作日。", e.extension_days));
    }
    out
}

/// An internal timeline entry without a description, in words; an unknown kind as its code.
pub fn event_words(kind: &str) -> String {
    let words = match kind {
        "flagged_probable_duplicate" => "系统提示：可能与已有投诉重复",
        "closed" => "案件已办结",
        "joint_session" => "已安排跨地区联合调解",
        "linked_to_incident" => "已关联到同一事件的跨地区投诉",
        "odr_offer" => "企业提出和解方案",
        "odr_counter" => "消费者提出新的和解意见",
        "odr_agreed" => "双方达成和解",
        "odr_escalated" => "企业和解未成，转由市场监管部门处理",
        "odr_performed" => "企业已履行和解协议",
        "transfer_requested" => "已提出移送",
        "transfer_accepted" => "移送已被接收",
        "transfer_returned" => "移送被退回",
        "transfer_withdrawn" => "移送已撤回",
        "transfer_escalated" => "管辖争议已报请上级决定",
        "lead_sent" => "违法线索已移送执法人员核查（诉转案）",
        "lead_accepted" => "执法人员已接收诉转案线索",
        "lead_decided" => "执法人员已对诉转案线索作出立案决定",
        "lead_escalated" => "诉转案线索超过核查期限未作决定，已督办",
        other => return format!("其他记录（{other}）"),
    };
    words.to_owned()
}

/// A party on a case or a lead, as a titled summary list.
pub struct PartyBlock {
    pub title: String,
    pub rows: Vec<SummaryRow>,
}

fn role_words(role: PartyRole) -> &'static str {
    match role {
        PartyRole::Complainant => "投诉人",
        PartyRole::Representative => "代表人",
        PartyRole::Reporter => "举报人",
        PartyRole::Respondent => "被投诉方联系人",
    }
}

/// A party as the caller may see it (masked where the rules say), for a summary list.
pub(super) fn party_block(p: &PartyView) -> PartyBlock {
    let row = |k: &str, v: String| SummaryRow::new(k, v, "");
    let mut rows = vec![row("姓名", p.name.clone())];
    let mut opt = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            rows.push(row(k, v.clone()));
        }
    };
    opt("电话", &p.phone);
    opt("电子邮箱", &p.email);
    opt("地址", &p.address);
    opt("证件号码", &p.id_number);
    PartyBlock {
        title: role_words(p.role).to_owned(),
        rows,
    }
}

/// The roles someone else taking part in a mediation session may come in (the API's
/// `participants[].role`), in words.
pub const OTHER_ROLES: [(&str, &str); 5] = [
    ("agent", "代理人"),
    ("expert", "专家"),
    ("interpreter", "翻译"),
    ("witness", "证人"),
    ("other", "其他"),
];

/// The others taking part in a session, e.g. `张律师（代理人）、李工（专家）`; empty for none.
pub fn others_words(participants: &[crate::mediation::sessions::Participant]) -> String {
    participants
        .iter()
        .map(|p| {
            let role = OTHER_ROLES
                .iter()
                .find(|(code, _)| *code == p.role)
                .map_or(p.role.as_str(), |(_, w)| w);
            format!("{}（{role}）", p.name)
        })
        .collect::<Vec<_>>()
        .join("、")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acceptance(due_at: &str, due_date: (i32, u32, u32)) -> DeadlineView {
        DeadlineView {
            kind: DeadlineKind::Acceptance,
            due_at: due_at.parse().unwrap(),
            due_date: NaiveDate::from_ymd_opt(due_date.0, due_date.1, due_date.2).unwrap(),
            status: DeadlineStatus::Open,
            flag: None,
            provisional: false,
            explanation: None,
        }
    }

    #[test]
    fn a_running_deadline_says_the_working_days_left_and_whether_it_presses() {
        let cal = Calendar::builtin();
        // Monday 2026-11-23 10:00 in Shanghai; due at the end of Wednesday 2026-11-25.
        let now: DateTime<Utc> = "2026-11-23T02:00:00Z".parse().unwrap();
        let d = acceptance("2026-11-25T16:00:00Z", (2026, 11, 25));
        let w = deadline(&d, &cal, now, Duration::hours(24));
        assert_eq!(w.summary, "受理期限 还剩 2 个工作日");
        assert_eq!(w.urgency, Urgency::Running);
        assert_eq!(w.due, "2026年11月25日（星期三）前");
        let soon = deadline(&d, &cal, now, Duration::hours(72));
        assert_eq!(soon.urgency.tag(), "即将到期");
        // Friday 2026-11-27: two working days past the Wednesday.
        let late: DateTime<Utc> = "2026-11-27T02:00:00Z".parse().unwrap();
        let w = deadline(&d, &cal, late, Duration::hours(24));
        assert_eq!(w.summary, "受理期限 已超期 2 个工作日");
        assert_eq!(w.urgency.tag(), "已超期");
    }
}
