//! How mediation ends: termination on a statutory ground, with both parties told within the
//! termination-notice limit, or an agreement — closed at once when no 调解书 is needed, else sent
//! to both parties to confirm (see `agreement`).

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use validator::Validate;

use super::Error;
use super::document::{self, CopyFor, Particulars, Term};
use super::{check_ground, grounds, notify, notify_each, recipients, yuan};
use crate::actor::{Actor, Staff};
use crate::cases::access::{Act, act_on};
use crate::cases::journal::Entry;
use crate::cases::lifecycle::{Closure, close};
use crate::cases::{self, CaseStatus, Outcome};
use crate::deadlines::DeadlineStatus;
use crate::deadlines::local_date;
use crate::deadlines::{self, DeadlineKind, DeadlineView, store};
use crate::domain::faults::Faults;
use crate::domain::secrets::sha256_hex;
use crate::entities::{business, case, deadline, mediation_agreement};
use crate::env::Env;
use crate::intake::request::MAX_AMOUNT_FEN;
use crate::mail::Mail;
use crate::mediation::states::AgreementStatus;

const MEDIATING: &[CaseStatus] = &[CaseStatus::Accepted, CaseStatus::InMediation];

/// How long the business's single-use confirmation code stays valid.
const LINK_DAYS: i64 = 30;

#[derive(Deserialize, Validate, ToSchema)]
pub struct TerminationRequest {
    /// A termination ground of the case's rule set.
    #[schema(example = "party_declares_no_agreement")]
    pub ground: String,
    /// Required for `other_legal_ground`.
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub text: Option<String>,
    /// Money the consumer got back anyway (default 0).
    #[validate(range(min = 0, max = 10_000_000_000i64))]
    #[schema(minimum = 0, maximum = 10_000_000_000.0)]
    #[serde(default, deserialize_with = "crate::domain::fen::whole_or_none")]
    pub amount_recovered_fen: Option<i64>,
    /// Default: the amount on the complaint.
    #[validate(range(min = 0, max = 10_000_000_000i64))]
    #[schema(minimum = 0, maximum = 10_000_000_000.0)]
    #[serde(default, deserialize_with = "crate::domain::fen::whole_or_none")]
    pub amount_in_dispute_fen: Option<i64>,
}

/// Terminates mediation and closes the case. The termination-notice deadline opens now and is met
/// at once when both sides have a mail address to queue the notice to; otherwise it stays open
/// until staff record that they told the parties another way.
pub async fn terminate(
    db: &impl ConnectionTrait,
    env: &Env,
    me: &Staff,
    case_id: &str,
    t: &TerminationRequest,
    now: DateTime<Utc>,
) -> Result<(case::Model, Option<DeadlineView>), Error> {
    let c = act_on(db, me, case_id, Act::StationStep).await?;
    let mut faults = Faults::of(t);
    let ground = check_ground(
        &grounds(c.rule_set).termination,
        &t.ground,
        t.text.as_deref(),
        "ground",
        "text",
        &mut faults,
    );
    faults.finish()?;
    let ground = ground.ok_or_else(|| Error::internal("ground checked"))?;
    let actor = &Actor::from(me);
    let amount_recovered_fen = t.amount_recovered_fen.unwrap_or(0);
    super::ensure_not_suspended(db, &c).await?;
    let in_dispute = t.amount_in_dispute_fen.or(c.amount_fen);
    let c = close(
        db,
        env,
        &c,
        MEDIATING,
        Closure {
            to: CaseStatus::Closed,
            outcome: Some(Outcome::Terminated),
            meets: Some(DeadlineKind::Mediation),
            reason: Some(ground.code.clone()),
            amount_recovered_fen: Some(amount_recovered_fen),
            amount_in_dispute_fen: in_dispute,
        },
        now,
    )
    .await?;
    let notice = deadlines::open(
        db,
        env,
        &c.id,
        c.rule_set,
        DeadlineKind::TerminationNotice,
        now,
    )
    .await?;
    let text = t.text.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let description = match text {
        Some(x) => format!("终止调解：{}。{x}", ground.label),
        None => format!("终止调解：{}", ground.label),
    };
    let to = recipients(db, &c).await?;
    let told_both = !to.complainant.is_empty() && !to.respondent.is_empty();
    cases::journal::record(
        db,
        actor,
        &c.id,
        Entry {
            event: "terminated",
            public: true,
            detail: json!({"description": description, "ground": ground.code, "text": text, "notified_by_mail": told_both}),
            action: "case.terminate",
            audit: json!({"ground": ground.code, "amount_recovered_fen": amount_recovered_fen}),
        },
        now,
    )
    .await?;
    let body = format!(
        "受理编号 {receipt}（投诉人对{respondent}的投诉）已于{today}终止调解，案件办结。\n终止理由：{label}（{source}）。{text}\n双方可依照《中华人民共和国消费者权益保护法》第三十九条，通过其他途径（包括向人民法院提起诉讼或者申请仲裁）解决争议。",
        receipt = c.receipt_number,
        respondent = c.respondent_name,
        today = crate::domain::dates::chinese_date(deadlines::local_date(now)),
        label = ground.label,
        source = ground.source,
        text = text.map(|x| format!("\n说明：{x}")).unwrap_or_default(),
    );
    notify(
        db,
        &to.all(),
        &format!("【终止调解告知】{}", c.receipt_number),
        &body,
        &[],
        &format!("terminated:{}", c.id),
        now,
    )
    .await?;
    if told_both {
        store::complete(db, &c.id, DeadlineKind::TerminationNotice, now).await?;
    }
    let notice = match notice {
        Some(d) => deadline::Entity::find_by_id(d.id)
            .one(db)
            .await?
            .map(|d| DeadlineView::from(&d)),
        None => None,
    };
    Ok((c, notice))
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoticeChannel {
    Phone,
    Post,
    InPerson,
    Sms,
}

impl NoticeChannel {
    fn as_str(self) -> &'static str {
        match self {
            NoticeChannel::Phone => "phone",
            NoticeChannel::Post => "post",
            NoticeChannel::InPerson => "in_person",
            NoticeChannel::Sms => "sms",
        }
    }
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct ToldRequest {
    pub channel: NoticeChannel,
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

/// Staff told the parties of a termination by other means (phone, post, in person): the
/// termination-notice deadline is met.
pub async fn termination_told(
    db: &impl ConnectionTrait,
    me: &Staff,
    case_id: &str,
    input: &ToldRequest,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let c = &act_on(db, me, case_id, Act::StationStep).await?;
    let actor = &Actor::from(me);
    let (channel, note) = (input.channel.as_str(), input.note.as_deref());
    if c.outcome != Some(Outcome::Terminated) {
        return Err(Error::NotTerminated);
    }
    let open = deadline::Entity::find()
        .filter(deadline::Column::CaseId.eq(&c.id))
        .filter(deadline::Column::Kind.eq(DeadlineKind::TerminationNotice))
        .filter(deadline::Column::Status.is_in(DeadlineStatus::RUNNING))
        .count(db)
        .await?;
    if open == 0 {
        return Err(Error::AlreadyTold);
    }
    store::complete(db, &c.id, DeadlineKind::TerminationNotice, now).await?;
    cases::journal::record(
        db,
        actor,
        &c.id,
        Entry {
            event: "termination_told",
            public: true,
            detail: json!({"description": "已告知双方终止调解", "channel": channel, "note": note}),
            action: "case.termination_told",
            audit: json!({"channel": channel}),
        },
        now,
    )
    .await?;
    Ok(())
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct AgreementRequest {
    /// What each party does, how much, by when.
    #[validate(length(min = 1, max = 20), nested)]
    #[schema(min_items = 1, max_items = 20)]
    pub terms: Vec<Term>,
    /// 挽回经济损失; default: the sum of the terms.
    #[validate(range(min = 0, max = 10_000_000_000i64))]
    #[schema(minimum = 0, maximum = 10_000_000_000.0)]
    #[serde(default, deserialize_with = "crate::domain::fen::whole_or_none")]
    pub amount_recovered_fen: Option<i64>,
    /// 涉及争议额; default: the amount on the complaint.
    #[validate(range(min = 0, max = 10_000_000_000i64))]
    #[schema(minimum = 0, maximum = 10_000_000_000.0)]
    #[serde(default, deserialize_with = "crate::domain::fen::whole_or_none")]
    pub amount_in_dispute_fen: Option<i64>,
    /// The mediation that reached the agreement was in person.
    pub in_person: bool,
    /// The agreement was carried out on the spot (当场履行).
    #[serde(default)]
    pub on_the_spot: bool,
    /// Both parties agreed not to have a 调解书.
    #[serde(default)]
    pub document_waived: bool,
    #[serde(default)]
    #[validate(nested)]
    pub particulars: Particulars,
}

/// Records the agreement mediation reached. A 调解书 is needed when the mediation was in person,
/// unless it was carried out on the spot or both parties agreed not to have one (Order 20 Art 22);
/// without one the case closes now, with one both parties are asked to confirm the draft.
pub async fn record_agreement(
    db: &impl ConnectionTrait,
    env: &Env,
    me: &Staff,
    case_id: &str,
    new: AgreementRequest,
    now: DateTime<Utc>,
) -> Result<mediation_agreement::Model, Error> {
    let c = act_on(db, me, case_id, Act::StationStep).await?;
    let mut faults = Faults::of(&new);
    let today = local_date(now);
    for (i, t) in new.terms.iter().enumerate() {
        if t.due_on < today {
            faults.add(format!("terms[{i}].due_on"), "cannot be in the past");
        }
    }
    if new.terms.iter().map(|t| t.amount_fen).sum::<i64>() > MAX_AMOUNT_FEN {
        faults.add(
            "terms",
            "the amounts add up to more than the largest accepted",
        );
    }
    faults.finish()?;
    let actor = &Actor::from(me);
    super::ensure_not_suspended(db, &c).await?;
    if !MEDIATING.contains(&c.status) {
        return Err(Error::NotInMediation(
            c.status,
            "only an accepted case reaches an agreement",
        ));
    }
    if mediation_agreement::Entity::find()
        .filter(mediation_agreement::Column::CaseId.eq(&c.id))
        .one(db)
        .await?
        .is_some()
    {
        return Err(Error::AgreementExists);
    }
    let needs_document = new.in_person && !new.on_the_spot && !new.document_waived;
    let mut particulars = new.particulars;
    if particulars.respondent_legal_representative.is_none()
        && let Some(b) = &c.business_id
    {
        particulars.respondent_legal_representative = business::Entity::find_by_id(b.clone())
            .one(db)
            .await?
            .and_then(|b| b.legal_representative);
    }
    let recovered = new
        .amount_recovered_fen
        .unwrap_or_else(|| new.terms.iter().map(|t| t.amount_fen).sum());
    let in_dispute = new.amount_in_dispute_fen.or(c.amount_fen);
    let token = needs_document.then(crate::domain::secrets::random_token);
    let a = mediation_agreement::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        case_id: Set(c.id.clone()),
        terms: Set(serde_json::to_string(&new.terms).unwrap_or_default()),
        amount_recovered_fen: Set(recovered),
        amount_in_dispute_fen: Set(in_dispute),
        in_person: Set(new.in_person),
        on_the_spot: Set(new.on_the_spot),
        document_waived: Set(new.document_waived),
        needs_document: Set(needs_document),
        particulars: Set(serde_json::to_string(&particulars).unwrap_or_default()),
        status: Set(if needs_document {
            AgreementStatus::AwaitingConfirmation
        } else {
            AgreementStatus::Recorded
        }),
        consumer_confirmed_at: Set(None),
        business_confirmed_at: Set(None),
        business_confirmed_via: Set(None),
        link_token_hash: Set(token.as_deref().map(sha256_hex)),
        link_expires_at: Set(token.as_ref().map(|_| now + Duration::days(LINK_DAYS))),
        document_number: Set(None),
        bureau_code: Set(None),
        document_year: Set(None),
        document_seq: Set(None),
        issued_at: Set(None),
        pdf: Set(None),
        sha256: Set(None),
        key_id: Set(None),
        signature: Set(None),
        created_at: Set(now),
        created_by: Set(actor.user_id().unwrap_or_default()),
    }
    .insert(db)
    .await?;
    let terms_text: Vec<String> = new
        .terms
        .iter()
        .map(|t| {
            format!(
                "· {}：人民币{}元，{}前履行",
                t.what,
                yuan(t.amount_fen),
                crate::domain::dates::chinese_date(t.due_on)
            )
        })
        .collect();
    let c = if needs_document {
        c
    } else {
        close(
            db,
            env,
            &c,
            MEDIATING,
            Closure {
                to: CaseStatus::Closed,
                outcome: Some(Outcome::MediatedAgreement),
                meets: Some(DeadlineKind::Mediation),
                reason: None,
                amount_recovered_fen: Some(recovered),
                amount_in_dispute_fen: in_dispute,
            },
            now,
        )
        .await?
    };
    cases::journal::record(
        db,
        actor,
        &c.id,
        Entry {
            event: "agreement_reached",
            public: true,
            detail: json!({
            "description": if needs_document { "双方达成调解协议，待双方确认调解书" } else { "双方达成调解协议，案件办结" },
            "agreement_id": a.id,
            "needs_document": needs_document,
        }),
            action: "agreement.record",
            audit: json!({"agreement_id": a.id, "needs_document": needs_document, "amount_recovered_fen": recovered}),
        },
        now,
    )
    .await?;
    let to = recipients(db, &c).await?;
    let key = format!("agreement:{}:recorded", a.id);
    if needs_document {
        let draft = document::compose(db, &c, &a, None, CopyFor::Complete)
            .await?
            .text();
        let business_draft = document::compose(db, &c, &a, None, CopyFor::Business)
            .await?
            .text();
        notify(
            db,
            &to.complainant,
            &format!("【请确认调解书】{}", c.receipt_number),
            &format!(
                "双方已达成调解协议，请核对以下调解书内容。无误请凭受理编号和查询码确认：POST /api/v1/track/{}/agreement/confirm（请求头 X-Access-Secret）。双方均确认后，调解书即签发并以邮件送达。\n\n{draft}",
                c.receipt_number
            ),
            &[],
            &key,
            now,
        )
        .await?;
        // The code leaves the outbox once sent; the business that lost it asks the station.
        let to_business = Mail {
            to: to.respondent.clone(),
            subject: format!("【请确认调解书】{}", c.receipt_number),
            body: format!(
                "双方已达成调解协议，请核对以下调解书内容。无误请确认：已开通企业账号的，登录后 POST /api/v1/cases/{}/agreement/confirm；或凭一次性确认码 POST /api/v1/agreement-confirmations，请求体 {{\"code\": \"{}\"}}（{}前有效）。双方均确认后，调解书即签发并以邮件送达。\n\n{business_draft}",
                c.id,
                token.as_deref().unwrap_or_default(),
                super::local_time(now + Duration::days(LINK_DAYS)),
            ),
            attachments: Vec::new(),
            secret: token.clone(),
        };
        notify_each(db, &to_business, &key, now).await?;
    } else {
        notify(
            db,
            &to.all(),
            &format!("【调解协议】{} 已办结", c.receipt_number),
            &format!(
                "受理编号 {}（被投诉人：{}）经调解，双方达成如下协议，案件办结（依法无需制作调解书，以调解记录为准）：\n{}",
                c.receipt_number,
                c.respondent_name,
                terms_text.join("\n")
            ),
            &[],
            &key,
            now,
        )
        .await?;
    }
    Ok(a)
}

/// The agreement of a case, if any.
pub async fn of_case(
    db: &impl ConnectionTrait,
    case_id: &str,
) -> Result<mediation_agreement::Model, Error> {
    mediation_agreement::Entity::find()
        .filter(mediation_agreement::Column::CaseId.eq(case_id))
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("this case has no agreement"))
}
