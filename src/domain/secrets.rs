//! Secrets are stored as hashes and compared in constant time.

use sha2::{Digest, Sha256};

/// Lower-case hex SHA-256 of a secret, as stored in place of the secret.
pub fn sha256_hex(value: &str) -> String {
    Sha256::digest(value.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A random token with 256 bits of entropy, hex encoded.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Equality whose time does not depend on where the inputs differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Encrypts a secret that must be given back later (the access secret of a receipt, for a
/// retried intake) so that the database never holds it in clear. The key is derived from the
/// configured session key, so every replica opens what another sealed; without one it is made at
/// start and sealed values do not survive a restart.
pub struct Sealer(chacha20poly1305::Key);

impl Sealer {
    pub fn new(material: Option<&[u8]>) -> Self {
        let key: [u8; 32] = match material {
            Some(m) => Sha256::new()
                .chain_update(b"xiaobao-seal-v1\n")
                .chain_update(m)
                .finalize()
                .into(),
            None => rand::random(),
        };
        Sealer(key.into())
    }

    /// Base64 of a random nonce followed by the ciphertext and its tag.
    pub fn seal(&self, plain: &str) -> String {
        use base64::Engine;
        use chacha20poly1305::aead::{Aead, KeyInit};
        let nonce: [u8; 12] = rand::random();
        let sealed = chacha20poly1305::ChaCha20Poly1305::new(&self.0)
            .encrypt(&nonce.into(), plain.as_bytes())
            .expect("encrypting a short secret in memory does not fail");
        base64::engine::general_purpose::STANDARD.encode([&nonce[..], &sealed].concat())
    }

    /// The plain text, or `None` when `sealed` was not sealed with this key or was altered.
    pub fn open(&self, sealed: &str) -> Option<String> {
        use base64::Engine;
        use chacha20poly1305::aead::{Aead, KeyInit};
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(sealed)
            .ok()?;
        if bytes.len() < 12 {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(12);
        let plain = chacha20poly1305::ChaCha20Poly1305::new(&self.0)
            .decrypt(chacha20poly1305::Nonce::from_slice(nonce), sealed)
            .ok()?;
        String::from_utf8(plain).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::Sealer;

    #[test]
    fn a_sealed_secret_opens_only_with_its_key() {
        let sealer = Sealer::new(Some(b"one key"));
        let sealed = sealer.seal("K7M9Q2D");
        assert!(!sealed.contains("K7M9Q2D"));
        assert_eq!(sealer.open(&sealed).as_deref(), Some("K7M9Q2D"));
        assert_eq!(
            Sealer::new(Some(b"one key")).open(&sealed).as_deref(),
            Some("K7M9Q2D")
        );
        assert_eq!(Sealer::new(Some(b"another key")).open(&sealed), None);
        assert_eq!(sealer.open("not base64 at all"), None);
    }
}
