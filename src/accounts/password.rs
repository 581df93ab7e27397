//! Changing one's own password: the current password is checked under the login throttle (a
//! stolen session cannot guess it), the new one set, and every other login of the account ended.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::{Error, Throttle, clear_attempts, count_attempt, hash_password, verify_password};
use crate::actor::{Actor, Staff};
use crate::audit;
use crate::domain::faults::Faults;
use crate::domain::secrets::sha256_hex;
use crate::entities::{auth_token, user};

/// The bounds of a password, as for a new account.
pub const MIN_CHARS: usize = 10;
pub const MAX_CHARS: usize = 200;

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct PasswordChange {
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub current_password: String,
    /// 10 to 200 characters, not the current password.
    #[schema(min_length = 10, max_length = 200)]
    pub new_password: String,
}

/// Sets `me`'s password to `change.new_password` when `change.current_password` is right. A
/// wrong current password counts as a failed login of the account from `address`; the login
/// made with `token` stays, every other one is revoked.
pub async fn change(
    db: &DatabaseConnection,
    me: &Staff,
    token: &str,
    change: PasswordChange,
    address: &str,
    throttle: &Throttle,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let mut faults = Faults::default();
    let chars = change.new_password.chars().count();
    if !(MIN_CHARS..=MAX_CHARS).contains(&chars) {
        faults.add(
            "new_password",
            format!("must be {MIN_CHARS} to {MAX_CHARS} characters"),
        );
    } else if change.new_password == change.current_password {
        faults.add("new_password", "must differ from the current password");
    }
    count_attempt(db, &me.username, address, throttle, now).await?;
    let account = user::Entity::find_by_id(me.user_id.clone())
        .one(db)
        .await?
        .filter(|u| u.active)
        .ok_or(Error::Gone)?;
    if !verify_password(&account.password_hash, &change.current_password) {
        // The counted attempt stays as a failure.
        faults.add("current_password", "the current password is wrong");
        return Err(faults.finish().unwrap_err().into());
    }
    clear_attempts(db, &me.username).await?;
    faults.finish()?;
    let hash = hash_password(&change.new_password)?;
    let txn = crate::db::begin_write(db).await?;
    let mut active: user::ActiveModel = account.into();
    active.password_hash = Set(hash);
    active.update(&txn).await?;
    auth_token::Entity::update_many()
        .col_expr(auth_token::Column::RevokedAt, Expr::value(Some(now)))
        .filter(auth_token::Column::UserId.eq(me.user_id.as_str()))
        .filter(auth_token::Column::TokenHash.ne(sha256_hex(token)))
        .filter(auth_token::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        &Actor::from(me),
        "user.change_password",
        None,
        serde_json::json!({"user_id": me.user_id}),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
