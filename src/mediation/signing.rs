//! Ed25519 signatures on issued 调解书. Private keys come from configuration
//! (`XIAOBAO_SIGNING_KEYS`, entries `KEY_ID:BUREAU:SEED`, BUREAU a county code or `*` for a
//! service-wide key, SEED 32 bytes in base64); their public halves are registered in
//! `signing_keys` at start-up, published, and revoked there. A document names the key that signed it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, NaiveDate, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, Set};
use serde_json::json;

use super::Error;
use crate::actor::{Actor, Role, Staff};
use crate::audit;
use crate::config::{Secret, Settings};
use crate::entities::signing_key;

/// A configured private key.
pub struct Key {
    pub key_id: String,
    /// `None` for a service-wide key.
    pub bureau_code: Option<String>,
    signing: SigningKey,
}

impl Key {
    pub fn public_base64(&self) -> String {
        STANDARD.encode(self.signing.verifying_key().to_bytes())
    }

    pub fn sign(&self, message: &[u8]) -> String {
        STANDARD.encode(self.signing.sign(message).to_bytes())
    }

    /// The configuration entry for a fresh random key (the `signing-key` command).
    pub fn generate(key_id: &str, bureau: Option<&str>) -> (String, Key) {
        let seed: [u8; 32] = rand::random();
        let entry = format!(
            "{key_id}:{}:{}",
            bureau.unwrap_or("*"),
            STANDARD.encode(seed)
        );
        let key = Key {
            key_id: key_id.to_owned(),
            bureau_code: bureau.map(str::to_owned),
            signing: SigningKey::from_bytes(&seed),
        };
        (entry, key)
    }
}

/// Parses the configured keys; an error names the bad entry by position, never its secret.
pub fn configured(entries: &[Secret]) -> Result<Vec<Key>, String> {
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let bad = |why: &str| format!("signing key entry {}: {why}", i + 1);
            let mut parts = entry.expose().trim().splitn(3, ':');
            let (Some(key_id), Some(bureau), Some(seed)) =
                (parts.next(), parts.next(), parts.next())
            else {
                return Err(bad("expected KEY_ID:BUREAU:SEED"));
            };
            if key_id.is_empty() || key_id.len() > 64 {
                return Err(bad("the key id must be 1 to 64 characters"));
            }
            let seed: [u8; 32] = STANDARD
                .decode(seed)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| bad("the seed must be 32 bytes in base64"))?;
            Ok(Key {
                key_id: key_id.to_owned(),
                bureau_code: (bureau != "*").then(|| bureau.to_owned()),
                signing: SigningKey::from_bytes(&seed),
            })
        })
        .collect()
}

/// Registers the public half of every configured key (idempotent). A key id already registered
/// with another public key is a configuration error.
pub async fn register_configured(
    db: &impl ConnectionTrait,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let keys = configured(&settings.signing_keys)?;
    for key in keys {
        let public_key = key.public_base64();
        let existing = signing_key::Entity::find_by_id(key.key_id.clone())
            .one(db)
            .await
            .map_err(|e| e.to_string())?;
        match existing {
            Some(row) if row.public_key != public_key => {
                return Err(format!(
                    "signing key {} is registered with another public key; give the new key a new id",
                    key.key_id
                ));
            }
            Some(row) => {
                if row.revoked_at.is_some() {
                    tracing::warn!(key_id = %row.key_id, "a configured signing key is revoked; issuing will fail until it is replaced");
                }
            }
            None => {
                signing_key::ActiveModel {
                    key_id: Set(key.key_id.clone()),
                    bureau_code: Set(key.bureau_code.clone()),
                    public_key: Set(public_key),
                    created_at: Set(now),
                    revoked_at: Set(None),
                    revoked_reason: Set(None),
                }
                .insert(db)
                .await
                .map_err(|e| e.to_string())?;
            }
        }
    }
    Ok(())
}

/// The key that signs for a bureau: its own, else a service-wide one; it must be registered and
/// not revoked.
pub async fn key_for(
    db: &impl ConnectionTrait,
    settings: &Settings,
    bureau_code: &str,
) -> Result<Key, Error> {
    let unavailable = Error::SigningUnavailable;
    let mut keys = configured(&settings.signing_keys).map_err(Error::internal)?;
    let i = keys
        .iter()
        .position(|k| k.bureau_code.as_deref() == Some(bureau_code))
        .or_else(|| keys.iter().position(|k| k.bureau_code.is_none()))
        .ok_or_else(|| {
            unavailable(format!(
                "no signing key is configured for bureau {bureau_code}; the document cannot be issued yet"
            ))
        })?;
    let key = keys.swap_remove(i);
    match signing_key::Entity::find_by_id(key.key_id.clone())
        .one(db)
        .await?
    {
        Some(row) if row.revoked_at.is_none() && row.public_key == key.public_base64() => Ok(key),
        Some(row) if row.revoked_at.is_some() => Err(unavailable(format!(
            "the signing key {} is revoked; configure a new key",
            key.key_id
        ))),
        _ => Err(unavailable(format!(
            "the signing key {} is not registered; restart the service to register it",
            key.key_id
        ))),
    }
}

/// What a signature covers: the document's number, bureau, issue date and the SHA-256 of its PDF.
pub fn message(number: &str, bureau_code: &str, issued_on: NaiveDate, sha256: &str) -> Vec<u8> {
    format!("xiaobao-mediation-agreement-v1\n{number}\n{bureau_code}\n{issued_on}\n{sha256}\n")
        .into_bytes()
}

pub fn verify(public_key: &str, message: &[u8], signature: &str) -> bool {
    let key = STANDARD
        .decode(public_key)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .and_then(|b| VerifyingKey::from_bytes(&b).ok());
    let sig = STANDARD
        .decode(signature)
        .ok()
        .and_then(|b| Signature::from_slice(&b).ok());
    match (key, sig) {
        (Some(k), Some(s)) => k.verify_strict(message, &s).is_ok(),
        _ => false,
    }
}

/// Revokes a signing key, with its audit entry; `system_admin` only.
pub async fn revoke(
    db: &impl ConnectionTrait,
    me: &Staff,
    key_id: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<signing_key::Model, Error> {
    me.require(&[Role::SystemAdmin])?;
    let row = signing_key::Entity::find_by_id(key_id.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found(format!("no signing key {key_id}")))?;
    if row.revoked_at.is_some() {
        return Err(Error::AlreadyRevoked(key_id.to_string()));
    }
    let mut active: signing_key::ActiveModel = row.into();
    active.revoked_at = Set(Some(now));
    active.revoked_reason = Set(Some(reason.to_owned()));
    let key = active.update(db).await?;
    audit::record(
        db,
        &Actor::from(me),
        "signing_key.revoke",
        None,
        json!({"key_id": key.key_id, "reason": reason}),
        now,
    )
    .await?;
    Ok(key)
}

pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<signing_key::Model>, DbErr> {
    signing_key::Entity::find().all(db).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_for_the_same_message_and_key() {
        let (entry, key) = Key::generate("js-2026", Some("330421"));
        let parsed = configured(&[Secret::new(entry)]).unwrap();
        assert_eq!(parsed[0].key_id, "js-2026");
        assert_eq!(parsed[0].bureau_code.as_deref(), Some("330421"));
        assert_eq!(parsed[0].public_base64(), key.public_base64());
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let msg = message("嘉市监善调〔2026〕第0001号", "330421", day, "ab");
        let sig = key.sign(&msg);
        assert!(verify(&key.public_base64(), &msg, &sig));
        let other = message("嘉市监善调〔2026〕第0001号", "330421", day, "ac");
        assert!(!verify(&key.public_base64(), &other, &sig));
        let (_, stranger) = Key::generate("x", None);
        assert!(!verify(&stranger.public_base64(), &msg, &sig));
    }

    #[test]
    fn a_malformed_entry_is_named_without_its_secret() {
        let err = configured(&[Secret::new("k1:*:not-base64-secret")])
            .err()
            .unwrap();
        assert!(err.contains("entry 1"), "{err}");
        assert!(!err.contains("not-base64-secret"));
    }
}
