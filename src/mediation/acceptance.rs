//! Accepting or refusing a complaint within the acceptance limit (Order 20 Art 14–15), and the
//! consumer's withdrawal at any stage before closure.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::json;

use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::Error;
use super::{check_ground, grounds, notify, recipients};
use crate::actor::Actor;
use crate::actor::{Role, Staff};
use crate::cases::access::{Act, act_on};
use crate::cases::journal::Entry;
use crate::cases::lifecycle::{Closure, close};
use crate::cases::{self, CaseKind, CaseStatus, Outcome};
use crate::deadlines::{self, DeadlineKind, DeadlineView, store};
use crate::domain::faults::Faults;
use crate::entities::case;
use crate::env::Env;

fn require_complaint(c: &case::Model) -> Result<(), Error> {
    if c.kind != CaseKind::Complaint {
        return Err(Error::NotAComplaint);
    }
    Ok(())
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct AcceptRequest {
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct RefuseRequest {
    /// A refusal ground of the case's rule set (see `GET /rule-sets/{rule_set}/grounds`).
    #[schema(example = "time_barred")]
    pub reason: String,
    /// The reasons in words, as the complainant will read them.
    #[validate(length(min = 2, max = 2000))]
    #[schema(min_length = 2, max_length = 2000)]
    pub text: String,
}

/// Accepts a complaint: the acceptance deadline is met, the mediation window opens from this
/// instant, and a mediator who accepts becomes the case's mediator unless one is assigned.
pub async fn accept(
    db: &impl ConnectionTrait,
    env: &Env,
    me: &Staff,
    case_id: &str,
    input: &AcceptRequest,
    now: DateTime<Utc>,
) -> Result<(case::Model, Option<DeadlineView>), Error> {
    let c = act_on(db, me, case_id, Act::StationStep).await?;
    let note = input.note.clone();
    require_complaint(&c)?;
    let c = cases::lifecycle::transition(
        db,
        &c,
        &[CaseStatus::PendingAcceptance],
        CaseStatus::Accepted,
        now,
    )
    .await?;
    let mut active: case::ActiveModel = c.clone().into();
    active.accepted_at = Set(Some(now));
    if me.role == Role::Mediator && c.mediator_id.is_none() {
        active.mediator_id = Set(Some(me.user_id.clone()));
    }
    let c = active.update(db).await?;
    store::complete(db, &c.id, DeadlineKind::Acceptance, now).await?;
    let window = deadlines::open(db, env, &c.id, c.rule_set, DeadlineKind::Mediation, now).await?;
    let due = window
        .as_ref()
        .map(|d| crate::domain::dates::chinese_date(d.due_date))
        .unwrap_or_default();
    let actor = Actor::from(me);
    cases::journal::record(
        db,
        &actor,
        &c.id,
        Entry {
            event: "accepted",
            public: true,
            detail: json!({"description": format!("投诉已受理，将组织调解，调解期限至{due}"), "note": note}),
            action: "case.accept",
            audit: json!({"mediator_id": c.mediator_id}),
        },
        now,
    )
    .await?;
    let to = recipients(db, &c).await?;
    notify(
        db,
        &to.complainant,
        &format!("【投诉已受理】{}", c.receipt_number),
        &format!(
            "您对{respondent}的投诉（受理编号 {receipt}）已于{today}受理，我们将组织双方调解，调解期限至{due}。\n调解会的时间和地点将另行通知。您可凭受理编号和查询码随时查询办理进度，也可在办结前撤回投诉。",
            respondent = c.respondent_name,
            receipt = c.receipt_number,
            today = crate::domain::dates::chinese_date(deadlines::local_date(now)),
        ),
        &[],
        &format!("accepted:{}", c.id),
        now,
    )
    .await?;
    Ok((c, window.as_ref().map(DeadlineView::from)))
}

/// Refuses a complaint on a ground of its rule set, with the reasons in words.
pub async fn refuse(
    db: &impl ConnectionTrait,
    env: &Env,
    me: &Staff,
    case_id: &str,
    input: &RefuseRequest,
    now: DateTime<Utc>,
) -> Result<case::Model, Error> {
    let c = act_on(db, me, case_id, Act::StationStep).await?;
    let mut faults = Faults::of(input);
    let ground = check_ground(
        &grounds(c.rule_set).refusal,
        &input.reason,
        Some(&input.text),
        "reason",
        "text",
        &mut faults,
    );
    faults.finish()?;
    let ground = ground.ok_or_else(|| Error::internal("ground checked"))?;
    let text = input.text.trim();
    require_complaint(&c)?;
    store::complete(db, &c.id, DeadlineKind::Acceptance, now).await?;
    let c = close(
        db,
        env,
        &c,
        &[CaseStatus::PendingAcceptance],
        Closure {
            to: CaseStatus::Refused,
            outcome: Some(Outcome::Refused),
            meets: None,
            reason: Some(ground.code.clone()),
            amount_recovered_fen: None,
            amount_in_dispute_fen: None,
        },
        now,
    )
    .await?;
    let actor = Actor::from(me);
    cases::journal::record(
        db,
        &actor,
        &c.id,
        Entry {
            event: "refused",
            public: true,
            detail: json!({"description": format!("不予受理：{}。{text}", ground.label), "ground": ground.code, "text": text}),
            action: "case.refuse",
            audit: json!({"ground": ground.code}),
        },
        now,
    )
    .await?;
    let to = recipients(db, &c).await?;
    notify(
        db,
        &to.complainant,
        &format!("【不予受理告知】{}", c.receipt_number),
        &format!(
            "您对{respondent}的投诉（受理编号 {receipt}）经审查决定不予受理。\n理由：{label}（{source}）。\n说明：{text}\n如对本决定有异议，可依法申请行政复议或者提起行政诉讼。",
            respondent = c.respondent_name,
            receipt = c.receipt_number,
            label = ground.label,
            source = ground.source,
        ),
        &[],
        &format!("refused:{}", c.id),
        now,
    )
    .await?;
    Ok(c)
}

/// The consumer withdraws the complaint at any stage before closure.
pub async fn withdraw(
    db: &impl ConnectionTrait,
    env: &Env,
    c: case::Model,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> Result<case::Model, Error> {
    require_complaint(&c)?;
    let c = close(
        db,
        env,
        &c,
        &[
            CaseStatus::WithBusiness,
            CaseStatus::PendingAcceptance,
            CaseStatus::Accepted,
            CaseStatus::InMediation,
        ],
        Closure {
            to: CaseStatus::Withdrawn,
            outcome: Some(Outcome::Withdrawn),
            meets: None,
            reason: reason.clone(),
            amount_recovered_fen: None,
            amount_in_dispute_fen: None,
        },
        now,
    )
    .await?;
    cases::journal::record(
        db,
        &Actor::Consumer,
        &c.id,
        Entry {
            event: "withdrawn",
            public: true,
            detail: json!({"description": "投诉人已撤回投诉", "reason": reason}),
            action: "case.withdraw",
            audit: json!({}),
        },
        now,
    )
    .await?;
    let to = recipients(db, &c).await?;
    let subject = format!("【投诉已撤回】{}", c.receipt_number);
    let key = format!("withdrawn:{}", c.id);
    notify(
        db,
        &to.complainant,
        &subject,
        &format!(
            "您对{}的投诉（受理编号 {}）已按您的申请撤回，案件办结，已安排的调解会取消。",
            c.respondent_name, c.receipt_number
        ),
        &[],
        &key,
        now,
    )
    .await?;
    notify(
        db,
        &to.respondent,
        &subject,
        &format!(
            "投诉人已撤回针对贵单位的投诉（受理编号 {}），案件办结，已安排的调解会取消。",
            c.receipt_number
        ),
        &[],
        &key,
        now,
    )
    .await?;
    Ok(c)
}
