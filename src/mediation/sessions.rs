//! Mediation sessions: scheduled online (a video link) or in person (room and address), notified to
//! the parties in advance with an iCalendar invitation, and recorded with attendance and minutes.
//! A mediator is never double-booked: the overlap check and the insert run in one write transaction
//! that first locks the mediator's row, so concurrent bookings queue behind each other.

use super::states::{SessionMode, SessionStatus};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, NotSet, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use validator::Validate;

use super::Error;
use super::{local_time, notify, recipients};
use crate::actor::{Actor, Staff};
use crate::cases::access::{Act, act_on};
use crate::cases::journal::Entry;
use crate::cases::{self, CaseStatus};
use crate::domain::faults::{Faults, Invalid};
use crate::domain::text::single_line;
use crate::entities::{case, mediation_session, user};
use crate::mail::Attachment;

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
pub struct Participant {
    #[validate(length(min = 1, max = 100), custom(function = "single_line"))]
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// `complainant`, `respondent`, `agent`, `expert`, `interpreter`, …
    #[validate(length(min = 1, max = 40), custom(function = "single_line"))]
    #[schema(min_length = 1, max_length = 40)]
    pub role: String,
    /// Gets the notice too.
    #[validate(email)]
    #[schema(format = Email)]
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
pub struct Attendance {
    #[validate(length(min = 1, max = 100), custom(function = "single_line"))]
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    #[validate(length(min = 1, max = 40), custom(function = "single_line"))]
    #[schema(min_length = 1, max_length = 40)]
    pub role: String,
    pub present: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub id: i64,
    pub case_id: String,
    pub mediator_id: String,
    /// `online` or `in_person`.
    pub mode: SessionMode,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub video_url: Option<String>,
    pub room: Option<String>,
    pub address: Option<String>,
    pub participants: Vec<Participant>,
    /// `scheduled`, `held` or `cancelled`.
    pub status: SessionStatus,
    pub attendance: Option<Vec<Attendance>>,
    /// Not shown to a business's desk.
    pub minutes: Option<String>,
    pub recorded_at: Option<DateTime<Utc>>,
}

impl SessionView {
    pub fn of(s: mediation_session::Model, with_minutes: bool) -> SessionView {
        SessionView {
            id: s.id,
            case_id: s.case_id,
            mediator_id: s.mediator_id,
            mode: s.mode,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            video_url: s.video_url,
            room: s.room,
            address: s.address,
            participants: serde_json::from_str(&s.participants).unwrap_or_default(),
            status: s.status,
            attendance: s
                .attendance
                .as_deref()
                .and_then(|a| serde_json::from_str(a).ok()),
            minutes: s.minutes.filter(|_| with_minutes),
            recorded_at: s.recorded_at,
        }
    }
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct SessionRequest {
    pub mode: SessionMode,
    /// RFC 3339 with offset, e.g. `2026-11-25T09:30:00+08:00`.
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Required online.
    #[validate(url, length(max = 500))]
    #[schema(max_length = 500)]
    pub video_url: Option<String>,
    /// Required in person, e.g. 第一调解室.
    #[validate(length(min = 1, max = 100), custom(function = "single_line"))]
    #[schema(min_length = 1, max_length = 100)]
    pub room: Option<String>,
    /// Required in person.
    #[validate(length(min = 2, max = 300), custom(function = "single_line"))]
    #[schema(min_length = 2, max_length = 300)]
    pub address: Option<String>,
    #[serde(default)]
    #[validate(length(max = 20), nested)]
    #[schema(max_items = 20)]
    pub participants: Vec<Participant>,
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct RecordSessionRequest {
    #[validate(length(min = 1, max = 50), nested)]
    #[schema(min_items = 1, max_items = 50)]
    pub attendance: Vec<Attendance>,
    #[validate(length(min = 1, max = 20000))]
    #[schema(min_length = 1, max_length = 20000)]
    pub minutes: String,
}

/// The longest session one booking holds.
const MAX_SESSION_HOURS: i64 = 8;

/// What a session request must say beyond its field rules: an end after the start, at most
/// `MAX_SESSION_HOURS`, a start in the future, and the link or the room and address its mode needs.
fn check(b: &SessionRequest, now: DateTime<Utc>) -> Result<(), Invalid> {
    let mut faults = Faults::of(b);
    if b.ends_at <= b.starts_at {
        faults.add("ends_at", "must be after starts_at");
    } else if b.ends_at - b.starts_at > chrono::Duration::hours(MAX_SESSION_HOURS) {
        faults.add(
            "ends_at",
            format!("a session lasts at most {MAX_SESSION_HOURS} hours"),
        );
    }
    if b.starts_at <= now {
        faults.add(
            "starts_at",
            "must be in the future: parties are told in advance",
        );
    }
    match b.mode {
        SessionMode::Online if b.video_url.is_none() => {
            faults.add("video_url", "required for an online session")
        }
        SessionMode::InPerson => {
            if b.room.is_none() {
                faults.add("room", "required for an in-person session");
            }
            if b.address.is_none() {
                faults.add("address", "required for an in-person session");
            }
        }
        SessionMode::Online => {}
    }
    faults.finish()
}

/// Station staff schedule a session of the case's mediator, who must be free then.
pub async fn schedule(
    db: &impl ConnectionTrait,
    me: &Staff,
    case_id: &str,
    new: SessionRequest,
    now: DateTime<Utc>,
) -> Result<mediation_session::Model, Error> {
    let c = &act_on(db, me, case_id, Act::StationStep).await?;
    check(&new, now)?;
    let actor = &Actor::from(me);
    let new = SessionRequest {
        video_url: new.video_url.filter(|_| new.mode == SessionMode::Online),
        room: new.room.filter(|_| new.mode == SessionMode::InPerson),
        address: new.address.filter(|_| new.mode == SessionMode::InPerson),
        ..new
    };
    if !matches!(c.status, CaseStatus::Accepted | CaseStatus::InMediation) {
        return Err(Error::NotInMediation(
            c.status,
            "sessions are for accepted cases",
        ));
    }
    super::ensure_not_suspended(db, c).await?;
    let mediator_id = c
        .mediator_id
        .clone()
        .ok_or_else(|| Error::NoMediator("assign a mediator before scheduling a session"))?;
    // Locks the mediator's row (FOR UPDATE on PostgreSQL; SQLite's write transaction is already
    // exclusive), so two bookings for one mediator check and insert one after the other.
    let mediator = user::Entity::find_by_id(mediator_id.clone())
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or_else(|| Error::internal("the case's mediator vanished"))?;
    let clash = mediation_session::Entity::find()
        .filter(mediation_session::Column::MediatorId.eq(&mediator_id))
        .filter(
            mediation_session::Column::Status
                .is_in([SessionStatus::Scheduled, SessionStatus::Held]),
        )
        .filter(mediation_session::Column::StartsAt.lt(new.ends_at))
        .filter(mediation_session::Column::EndsAt.gt(new.starts_at))
        .one(db)
        .await?;
    if let Some(other) = clash {
        return Err(Error::DoubleBooked(
            local_time(other.starts_at),
            local_time(other.ends_at),
        ));
    }
    let session = mediation_session::ActiveModel {
        id: NotSet,
        case_id: Set(c.id.clone()),
        mediator_id: Set(mediator_id),
        mode: Set(new.mode),
        starts_at: Set(new.starts_at),
        ends_at: Set(new.ends_at),
        video_url: Set(new.video_url),
        room: Set(new.room),
        address: Set(new.address),
        participants: Set(serde_json::to_string(&new.participants).unwrap_or_default()),
        status: Set(SessionStatus::Scheduled),
        attendance: Set(None),
        minutes: Set(None),
        created_at: Set(now),
        created_by: Set(actor.user_id().unwrap_or_default()),
        recorded_at: Set(None),
    }
    .insert(db)
    .await?;
    if c.status == CaseStatus::Accepted {
        cases::lifecycle::transition(db, c, &[CaseStatus::Accepted], CaseStatus::InMediation, now)
            .await?;
    }
    let notice = Notice::of(db, c, &session, &mediator).await?;
    cases::journal::record(
        db,
        actor,
        &c.id,
        Entry {
            event: "session_scheduled",
            public: true,
            detail: json!({"description": format!("调解会：{}，{}", notice.when, notice.place), "session_id": session.id}),
            action: "session.schedule",
            audit: json!({"session_id": session.id, "mediator_id": session.mediator_id, "starts_at": session.starts_at}),
        },
        now,
    )
    .await?;
    let mut to = recipients(db, c).await?.all();
    to.extend(new.participants.iter().filter_map(|p| p.email.clone()));
    to.sort();
    to.dedup();
    notify(
        db,
        &to,
        &format!("【调解会通知】{} {}", c.receipt_number, notice.when),
        &format!(
            "受理编号 {receipt}（被投诉人：{respondent}）定于以下时间组织调解，请准时参加：\n时间：{when}（北京时间）\n方式：{mode}\n{place_label}：{place}\n调解员：{mediator}\n附件为日历邀请（.ics）。如认为调解员与本案有利害关系，可在调解前申请回避。",
            receipt = c.receipt_number,
            respondent = c.respondent_name,
            when = notice.when,
            mode = notice.mode,
            place_label = if session.mode == SessionMode::Online { "链接" } else { "地点" },
            place = notice.place,
            mediator = mediator.display_name,
        ),
        &[notice.ics(&session, now, false)],
        &format!("session:{}", session.id),
        now,
    )
    .await?;
    Ok(session)
}

/// What a notice says about a session.
struct Notice {
    when: String,
    mode: &'static str,
    place: String,
    summary: String,
}

impl Notice {
    async fn of(
        db: &impl ConnectionTrait,
        c: &case::Model,
        s: &mediation_session::Model,
        mediator: &user::Model,
    ) -> Result<Notice, Error> {
        let station_name = crate::routing::station_name(db, c.station_id.as_deref()).await?;
        let end = local_time(s.ends_at);
        let when = format!(
            "{}—{}",
            local_time(s.starts_at),
            end.split(' ').nth(1).unwrap_or(&end)
        );
        let (mode, place) = if s.mode == SessionMode::Online {
            ("线上视频调解", s.video_url.clone().unwrap_or_default())
        } else {
            (
                "现场调解",
                format!(
                    "{} {}，{}",
                    station_name.unwrap_or_default(),
                    s.room.clone().unwrap_or_default(),
                    s.address.clone().unwrap_or_default()
                )
                .trim()
                .to_owned(),
            )
        };
        Ok(Notice {
            summary: format!(
                "调解会 {}（{}，调解员{}）",
                c.receipt_number, c.respondent_name, mediator.display_name
            ),
            when,
            mode,
            place,
        })
    }

    fn ics(&self, s: &mediation_session::Model, now: DateTime<Utc>, cancelled: bool) -> Attachment {
        let uid = format!("session-{}@xiaobao", s.id);
        let location = if s.mode == SessionMode::Online {
            self.mode.to_owned()
        } else {
            self.place.clone()
        };
        let ics = super::ics::Event {
            uid: &uid,
            sequence: u32::from(cancelled),
            stamp: now,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            summary: &self.summary,
            location: &location,
            url: s.video_url.as_deref(),
            description: &format!("{}：{}", self.mode, self.place),
            cancelled,
        }
        .to_ics();
        let method = if cancelled { "CANCEL" } else { "PUBLISH" };
        Attachment::new(
            "调解会.ics",
            &format!("text/calendar; charset=utf-8; method={method}"),
            ics.as_bytes(),
        )
    }
}

/// Cancels the case's scheduled sessions (the mediator changed) and tells everyone invited.
pub async fn cancel_scheduled(
    db: &impl ConnectionTrait,
    c: &case::Model,
    why: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let scheduled = mediation_session::Entity::find()
        .filter(mediation_session::Column::CaseId.eq(&c.id))
        .filter(mediation_session::Column::Status.eq(SessionStatus::Scheduled))
        .all(db)
        .await?;
    let to = recipients(db, c).await?.all();
    for s in scheduled {
        let mediator = user::Entity::find_by_id(s.mediator_id.clone())
            .one(db)
            .await?
            .ok_or_else(|| Error::internal("a session's mediator vanished"))?;
        let notice = Notice::of(db, c, &s, &mediator).await?;
        let mut active: mediation_session::ActiveModel = s.clone().into();
        active.status = Set(SessionStatus::Cancelled);
        active.update(db).await?;
        cases::journal::append_event(
            db,
            &c.id,
            "session_cancelled",
            &Actor::System,
            true,
            json!({"description": format!("原定{}的调解会取消（{why}），将另行通知", notice.when), "session_id": s.id}),
            now,
        )
        .await?;
        let mut invited = to.clone();
        let participants: Vec<Participant> =
            serde_json::from_str(&s.participants).unwrap_or_default();
        invited.extend(participants.into_iter().filter_map(|p| p.email));
        invited.sort();
        invited.dedup();
        notify(
            db,
            &invited,
            &format!("【调解会取消】{} {}", c.receipt_number, notice.when),
            &format!(
                "受理编号 {} 原定于{}（北京时间）的调解会因{why}取消，新的时间将另行通知。",
                c.receipt_number, notice.when
            ),
            &[notice.ics(&s, now, true)],
            &format!("session:{}:cancelled", s.id),
            now,
        )
        .await?;
    }
    Ok(())
}

/// Records who attended a session that has begun, and its minutes.
pub async fn record(
    db: &impl ConnectionTrait,
    me: &Staff,
    case_id: &str,
    session_id: i64,
    input: &RecordSessionRequest,
    now: DateTime<Utc>,
) -> Result<mediation_session::Model, Error> {
    let c = &act_on(db, me, case_id, Act::StationStep).await?;
    let actor = &Actor::from(me);
    let (attendance, minutes) = (input.attendance.as_slice(), input.minutes.as_str());
    let s = mediation_session::Entity::find_by_id(session_id)
        .filter(mediation_session::Column::CaseId.eq(&c.id))
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("no such session on this case"))?;
    if s.starts_at > now {
        return Err(Error::SessionNotStarted);
    }
    // Conditional on the status read, so a session is recorded once.
    let updated = mediation_session::Entity::update_many()
        .col_expr(
            mediation_session::Column::Status,
            Expr::value(SessionStatus::Held),
        )
        .col_expr(
            mediation_session::Column::Attendance,
            Expr::value(serde_json::to_string(attendance).unwrap_or_default()),
        )
        .col_expr(mediation_session::Column::Minutes, Expr::value(minutes))
        .col_expr(mediation_session::Column::RecordedAt, Expr::value(now))
        .filter(mediation_session::Column::Id.eq(s.id))
        .filter(mediation_session::Column::Status.eq(SessionStatus::Scheduled))
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Err(Error::SessionNotScheduled(s.status));
    }
    let present = attendance.iter().filter(|a| a.present).count();
    cases::journal::record(
        db,
        actor,
        &c.id,
        Entry {
            event: "session_held",
            public: true,
            detail: json!({"description": "调解会已召开", "session_id": s.id, "present": present, "absent": attendance.len() - present}),
            action: "session.record",
            audit: json!({"session_id": s.id}),
        },
        now,
    )
    .await?;
    mediation_session::Entity::find_by_id(s.id)
        .one(db)
        .await?
        .ok_or_else(|| Error::internal("session vanished"))
}

pub async fn list(
    db: &impl ConnectionTrait,
    case_id: &str,
) -> Result<Vec<mediation_session::Model>, Error> {
    Ok(mediation_session::Entity::find()
        .filter(mediation_session::Column::CaseId.eq(case_id))
        .order_by_asc(mediation_session::Column::StartsAt)
        .all(db)
        .await?)
}

/// The sessions `mediator_id` holds or is to hold that start in `[from, to)`, earliest first:
/// the slots taken in a week, whichever case they are for.
pub async fn of_mediator(
    db: &impl ConnectionTrait,
    mediator_id: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<mediation_session::Model>, Error> {
    Ok(mediation_session::Entity::find()
        .filter(mediation_session::Column::MediatorId.eq(mediator_id))
        .filter(
            mediation_session::Column::Status
                .is_in([SessionStatus::Scheduled, SessionStatus::Held]),
        )
        .filter(mediation_session::Column::StartsAt.gte(from))
        .filter(mediation_session::Column::StartsAt.lt(to))
        .order_by_asc(mediation_session::Column::StartsAt)
        .all(db)
        .await?)
}
