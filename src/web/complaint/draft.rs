//! The draft of a complaint being filed in the browser: the answers as typed, kept on the server
//! under a random id. The session cookie holds only that id, so long facts and personal data
//! never travel in a cookie. Once filed, the draft keeps only the receipt number and the access
//! secret sealed (as the idempotency record keeps it), for the receipt page to show again on a
//! reload within the draft's day.
//!
//! A report being filed (`web::report`) keeps its draft in the same table under its own session
//! key ([`Kind::SESSION_KEY`]): one draft mechanism, each journey with its own answers type.

use actix_session::Session;
use base64::Engine;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{ConnectionTrait, Set, sea_query::Expr};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The answers of one journey's draft, and the session key its draft's id is kept under: a
/// session may hold a complaint draft and a report draft at once, and neither is read as the other.
pub trait Kind: Serialize + DeserializeOwned + Default {
    const SESSION_KEY: &'static str;
}

impl Kind for Answers {
    const SESSION_KEY: &'static str = "complaint_draft";
}

/// A draft is forgotten a day after it was started.
pub const LIFETIME: Duration = Duration::days(1);

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "complaint_drafts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// [`Answers`] as JSON; `{}` once filed.
    pub answers: String,
    pub created_at: DateTimeUtc,
    pub receipt_number: Option<String>,
    pub sealed_secret: Option<String>,
    /// The filed case's acceptance deadline (its last day).
    pub due_on: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Every answer as the consumer typed it, so that a page shows it again exactly.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Answers {
    pub business_name: String,
    pub business_uscc: String,
    pub business_address: String,
    /// `yes` or `no`.
    pub on_platform: String,
    pub platform_name: String,
    pub occurred_year: String,
    pub occurred_month: String,
    pub occurred_day: String,
    pub place: String,
    /// The town (or county) the place resolved to, or the one chosen among its candidates.
    pub place_code: String,
    pub category: String,
    pub goods_or_service: String,
    /// In 元 as typed, e.g. `128.50`.
    pub amount: String,
    pub facts: String,
    pub demands: Vec<String>,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub id_type: String,
    pub id_number: String,
    pub address: String,
    /// `yes` or `no`.
    pub conceal: String,
    /// The business's USCC (as typed) is of a business enrolled in ODR: looked up when the
    /// business page is answered, so the page about you can offer ODR first.
    pub odr_available: bool,
    /// The USCC of the registered business the answers name (by USCC or by unique exact name).
    pub registry_uscc: String,
    /// `yes` or `no`: the enrolled business gets the complaint first.
    pub odr_first: String,
    /// `yes` or `no`: mediation may be delegated to a consumer association.
    pub delegated: String,
    /// `yes` or `no`.
    pub consent: String,
    /// The evidence uploaded, in the store already.
    pub files: Vec<crate::evidence::add::Stored>,
    /// Others complaining with the consumer (共同投诉), in the order added.
    pub others: Vec<Other>,
    /// Who represents a joint complaint: `me` (the consumer) and the phones of others.
    pub representatives: Vec<String>,
}

/// The consumer filing, among a joint complaint's representatives.
pub const ME: &str = "me";

/// Someone complaining together with the consumer, as typed.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Other {
    pub name: String,
    pub phone: String,
    pub id_type: String,
    pub id_number: String,
    pub address: String,
}

/// A draft as the pages see it.
pub enum Draft<A = Answers> {
    Open { id: String, answers: Box<A> },
    Filed(Filed),
}

/// What the receipt page shows of a filed draft.
pub struct Filed {
    pub receipt_number: String,
    pub sealed_secret: String,
    /// The last day to decide on acceptance (for a report: to verify it).
    pub acceptance_due: Option<NaiveDate>,
    /// What the journey kept for its receipt page besides the number and the secret (JSON).
    pub kept: String,
}

/// Starts a new draft of kind `A` and puts its id in the session, replacing any earlier one of
/// that kind.
pub async fn start<A: Kind>(
    db: &impl ConnectionTrait,
    session: &Session,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    // Starting a draft sweeps the expired ones, so they need no job of their own.
    Entity::delete_many()
        .filter(Column::CreatedAt.lt(now - LIFETIME))
        .exec(db)
        .await?;
    let id = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 18]>());
    Entity::insert(ActiveModel {
        id: Set(id.clone()),
        answers: Set("{}".to_owned()),
        created_at: Set(now),
        receipt_number: Set(None),
        sealed_secret: Set(None),
        due_on: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    // Only a serialisation failure of a String could make this fail.
    let _ = session.insert(A::SESSION_KEY, id);
    Ok(())
}

/// The session's draft of kind `A`, if it has one that has not expired.
pub async fn load<A: Kind>(
    db: &impl ConnectionTrait,
    session: &Session,
    now: DateTime<Utc>,
) -> Result<Option<Draft<A>>, DbErr> {
    let Some(id) = session.get::<String>(A::SESSION_KEY).ok().flatten() else {
        return Ok(None);
    };
    let Some(row) = Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    if row.created_at + LIFETIME < now {
        return Ok(None);
    }
    Ok(Some(match (row.receipt_number, row.sealed_secret) {
        (Some(receipt_number), Some(sealed_secret)) => Draft::Filed(Filed {
            receipt_number,
            sealed_secret,
            acceptance_due: row.due_on,
            kept: row.answers,
        }),
        _ => Draft::Open {
            id: row.id,
            // A draft written by this code always parses; an unreadable one starts empty.
            answers: Box::new(serde_json::from_str(&row.answers).unwrap_or_default()),
        },
    }))
}

pub async fn save<A: Kind>(db: &impl ConnectionTrait, id: &str, answers: &A) -> Result<(), DbErr> {
    let json = serde_json::to_string(answers).map_err(|e| DbErr::Custom(e.to_string()))?;
    Entity::update_many()
        .col_expr(Column::Answers, Expr::value(json))
        .filter(Column::Id.eq(id))
        .filter(Column::ReceiptNumber.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Marks the draft filed, forgetting its answers but `kept` (JSON, `{}` for nothing). False when
/// it was filed already (a second click or a reload of the submit), which the caller must roll
/// back.
pub async fn mark_filed(
    db: &impl ConnectionTrait,
    id: &str,
    receipt_number: &str,
    sealed_secret: String,
    due_on: Option<NaiveDate>,
    kept: &str,
) -> Result<bool, DbErr> {
    let done = Entity::update_many()
        .col_expr(Column::Answers, Expr::value(kept))
        .col_expr(Column::ReceiptNumber, Expr::value(receipt_number))
        .col_expr(Column::SealedSecret, Expr::value(sealed_secret))
        .col_expr(Column::DueOn, Expr::value(due_on))
        .filter(Column::Id.eq(id))
        .filter(Column::ReceiptNumber.is_null())
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}
