//! Staff and desk accounts: argon2 password hashes, login tokens stored as hashes, and user creation.

pub mod http;
pub mod mailboxes;
pub mod manage;
pub mod password;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    NotSet, PaginatorTrait, QueryFilter, Set, SqlErr, Statement,
};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::actor::Actor;
use crate::actor::Role;
use crate::audit;
use crate::config::Settings;
use crate::domain::faults::FieldError;
use crate::domain::faults::{Class, Failure, Invalid, failure};
use crate::domain::secrets::{random_token, sha256_hex};
use crate::domain::text::single_line;
use crate::entities::{auth_token, bureau, business, login_failure, station, user};

/// What can go wrong with an account step.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("the username {0} is taken")]
    UsernameTaken(String),
    #[error("the username or password is wrong")]
    InvalidCredentials,
    #[error(transparent)]
    Throttled(#[from] Throttled),
    #[error("the account no longer exists")]
    Gone,
    #[error("no account you administer has this id")]
    NoAccount,
    #[error("you cannot disable your own account or change your own role")]
    OwnAccount,
    #[error(transparent)]
    Access(#[from] crate::cases::access::Error),
    /// Hashing a password failed: a fault of the service.
    #[error("{0}")]
    Hash(String),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

failure!(Error {
    Error::UsernameTaken(_) => Conflict, "username_taken";
    Error::InvalidCredentials => Unauthenticated, "invalid_credentials";
    Error::Gone => Unauthenticated, "unauthenticated";
    Error::NoAccount => NotFound, "not_found";
    Error::OwnAccount => Conflict, "own_account";
    Error::Hash(_) => Internal, "internal_error";
} passes [Invalid, Throttled, Access, Db]);

pub fn hash_password(password: &str) -> Result<String, Error> {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
        .map_err(|e| Error::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Hash(e.to_string()))
}

pub(crate) fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewUser {
    #[validate(length(min = 3, max = 64), custom(function = "username_chars"))]
    #[schema(min_length = 3, max_length = 64)]
    pub username: String,
    #[validate(length(min = 10, max = 200, message = "must be 10 to 200 characters"))]
    #[schema(min_length = 10, max_length = 200)]
    pub password: String,
    pub role: Role,
    #[validate(length(min = 1, max = 100), custom(function = "single_line"))]
    #[schema(min_length = 1, max_length = 100)]
    pub display_name: String,
    #[validate(email)]
    #[schema(format = Email)]
    pub email: Option<String>,
    /// County code of the bureau, for `bureau_admin` and `enforcement_officer`.
    pub bureau_code: Option<String>,
    /// For `mediator`.
    pub station_id: Option<String>,
    /// For `enterprise_agent`.
    pub business_id: Option<String>,
}

fn username_chars(u: &str) -> Result<(), validator::ValidationError> {
    if u.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
    {
        Ok(())
    } else {
        Err(validator::ValidationError::new("username")
            .with_message("use lowercase letters, digits, '.', '_' or '-'".into()))
    }
}

/// Creates an account after checking its binding: the bureau, station or business must exist, and
/// a station-bound mediator gets the station's bureau as well.
pub async fn create_user(
    db: &impl ConnectionTrait,
    new: NewUser,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<user::Model, Error> {
    let mut errors = Vec::new();
    let mut bureau_code = None;
    let mut station_id = None;
    let mut business_id = None;
    match new.role {
        Role::BureauAdmin | Role::EnforcementOfficer => match &new.bureau_code {
            Some(code)
                if bureau::Entity::find_by_id(code.clone())
                    .one(db)
                    .await?
                    .is_some() =>
            {
                bureau_code = Some(code.clone())
            }
            Some(_) => errors.push(FieldError::new("bureau_code", "no bureau has this code")),
            None => errors.push(FieldError::new("bureau_code", "required for this role")),
        },
        Role::Mediator => match &new.station_id {
            Some(id) => match station::Entity::find_by_id(id.clone()).one(db).await? {
                Some(s) => {
                    bureau_code = Some(s.bureau_code);
                    station_id = Some(s.id);
                }
                None => errors.push(FieldError::new("station_id", "no station has this id")),
            },
            None => errors.push(FieldError::new("station_id", "required for this role")),
        },
        Role::EnterpriseAgent => match &new.business_id {
            Some(id)
                if business::Entity::find_by_id(id.clone())
                    .one(db)
                    .await?
                    .is_some() =>
            {
                business_id = Some(id.clone())
            }
            Some(_) => errors.push(FieldError::new("business_id", "no business has this id")),
            None => errors.push(FieldError::new("business_id", "required for this role")),
        },
        Role::SystemAdmin => {}
    }
    if !errors.is_empty() {
        return Err(Invalid(errors).into());
    }
    let row = user::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        username: Set(new.username.clone()),
        password_hash: Set(hash_password(&new.password)?),
        role: Set(new.role),
        display_name: Set(new.display_name),
        email: Set(new.email),
        bureau_code: Set(bureau_code),
        station_id: Set(station_id),
        business_id: Set(business_id),
        active: Set(true),
        created_at: Set(now),
    };
    let created = row.insert(db).await.map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => Error::UsernameTaken(new.username.clone()),
        _ => e.into(),
    })?;
    audit::record(
        db,
        actor,
        "user.create",
        None,
        serde_json::json!({"user_id": created.id, "username": created.username, "role": created.role}),
        now,
    )
    .await?;
    Ok(created)
}

pub struct Login {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub role: Role,
}

/// How many failed logins are allowed per account and per client address within a window.
pub struct Throttle {
    per_account: u64,
    per_address: u64,
    window: Duration,
}

impl Throttle {
    pub fn of(settings: &Settings) -> Self {
        Throttle {
            per_account: settings.login_max_failures_per_account.into(),
            per_address: settings.login_max_failures_per_address.into(),
            window: Duration::minutes(settings.login_failure_window_minutes),
        }
    }
}

/// Checks a password and issues a token. Failures are counted in the database per account and per
/// client address (so every replica sees them); past either limit the answer is 429 until old
/// failures leave the window, decided before the password is looked at.
pub async fn login(
    db: &DatabaseConnection,
    username: &str,
    password: &str,
    address: &str,
    throttle: &Throttle,
    ttl_hours: i64,
    now: DateTime<Utc>,
) -> Result<Login, Error> {
    count_attempt(db, username, address, throttle, now).await?;
    let found = user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db)
        .await?;
    // Verify against a fixed hash when the user is unknown, so timing does not reveal usernames.
    let (hash, account) = match &found {
        Some(u) => (u.password_hash.as_str(), Some(u)),
        None => (DUMMY_HASH, None),
    };
    let ok = verify_password(hash, password);
    let account = match account {
        Some(u) if ok && u.active => u,
        // The counted attempt stays as a failure.
        _ => {
            return Err(Error::InvalidCredentials);
        }
    };
    clear_attempts(db, username).await?;
    let token = random_token();
    let expires_at = now + Duration::hours(ttl_hours);
    auth_token::ActiveModel {
        token_hash: Set(sha256_hex(&token)),
        user_id: Set(account.id.clone()),
        created_at: Set(now),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(Login {
        token,
        expires_at,
        role: account.role,
    })
}

/// A password attempt refused by the throttle, or the database failing.
#[derive(Debug, thiserror::Error)]
pub enum Throttled {
    #[error("too many failed logins for this account or from this address; wait and try again")]
    TooMany(u32),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

impl Failure for Throttled {
    fn class(&self) -> Class {
        match self {
            Throttled::TooMany(seconds) => Class::TooMany(*seconds),
            Throttled::Db(e) => Class::of_db(e),
        }
    }
    fn code(&self) -> &'static str {
        match self {
            Throttled::TooMany(_) => "too_many_login_attempts",
            Throttled::Db(e) => crate::db::error_code(e),
        }
    }
}

/// Counts one password attempt for `username` from `address`, refused with 429 past either limit
/// of the throttle. The attempt is counted before the password is looked at, in a transaction
/// that holds the account's lock (PostgreSQL) or the database's write lock (SQLite): of many
/// parallel attempts, only as many as the limit get to the password. A success clears the
/// account's count ([`clear_attempts`]); a failure leaves it counted.
pub(crate) async fn count_attempt(
    db: &DatabaseConnection,
    username: &str,
    address: &str,
    throttle: &Throttle,
    now: DateTime<Utc>,
) -> Result<(), Throttled> {
    let since = now - throttle.window;
    let txn = crate::db::begin_write(db).await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtext($1))",
            [format!("login:{username}").into()],
        ))
        .await?;
    }
    let failures = |column: login_failure::Column, value: &str| {
        login_failure::Entity::find()
            .filter(column.eq(value))
            .filter(login_failure::Column::FailedAt.gte(since))
            .count(&txn)
    };
    if failures(login_failure::Column::Username, username).await? >= throttle.per_account
        || failures(login_failure::Column::Address, address).await? >= throttle.per_address
    {
        return Err(Throttled::TooMany(
            u32::try_from(throttle.window.num_seconds().max(1)).unwrap_or(u32::MAX),
        ));
    }
    login_failure::ActiveModel {
        id: NotSet,
        username: Set(username.to_owned()),
        address: Set(address.to_owned()),
        failed_at: Set(now),
    }
    .insert(&txn)
    .await?;
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::FailedAt.lt(since))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// A success clears the account's failures, the attempt just counted among them.
pub(crate) async fn clear_attempts(
    db: &impl ConnectionTrait,
    username: &str,
) -> Result<(), sea_orm::DbErr> {
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::Username.eq(username))
        .exec(db)
        .await?;
    Ok(())
}

/// Ends a login: the token is revoked (an unknown token is left alone).
pub async fn logout(
    db: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    if let Some(row) = auth_token::Entity::find_by_id(sha256_hex(token))
        .one(db)
        .await?
        .filter(|t| t.revoked_at.is_none())
    {
        let mut active: auth_token::ActiveModel = row.into();
        active.revoked_at = Set(Some(now));
        active.update(db).await?;
    }
    Ok(())
}

/// An argon2 hash of a random string nobody knows.
pub(crate) const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$wPo5PcOeYTXPvb0nm1ZQQsmVUCeDqdKr8G/TUZA1Y4U";

/// The account behind a live login token: unknown, expired or revoked tokens and disabled
/// accounts give `None`. The API's bearer tokens and the workbench's session both end here.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<crate::actor::Staff>, sea_orm::DbErr> {
    let Some(row) = auth_token::Entity::find_by_id(sha256_hex(token))
        .one(db)
        .await?
        .filter(|t| t.revoked_at.is_none() && t.expires_at > now)
    else {
        return Ok(None);
    };
    Ok(user::Entity::find_by_id(row.user_id)
        .one(db)
        .await?
        .filter(|u| u.active)
        .map(|user| crate::actor::Staff {
            user_id: user.id,
            username: user.username,
            role: user.role,
            bureau_code: user.bureau_code,
            station_id: user.station_id,
            business_id: user.business_id,
        }))
}

/// The name an account is shown by.
pub async fn display_name(
    db: &impl ConnectionTrait,
    user_id: &str,
) -> Result<Option<String>, sea_orm::DbErr> {
    Ok(user::Entity::find_by_id(user_id.to_owned())
        .one(db)
        .await?
        .map(|u| u.display_name))
}
