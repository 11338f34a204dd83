//! Encryption at rest for client secrets and the server's private keys: AES-256-GCM with
//! a key from configuration, never from the store, so a copy of the Redis data reveals
//! nothing. RFC 7592 reads and `client_secret_jwt` need the plaintext back, which rules
//! out hashing secrets.
//!
//! Sealed form: `{key id}.{base64url(nonce || ciphertext || tag)}`. The key id lets an
//! operator rotate keys: new seals use the current key, old ones still open with the
//! previous keys listed in configuration. The associated data binds each sealed value to
//! its owner (the client ID), so a sealed secret copied onto another record won't open.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::rngs::OsRng;
use rand::TryRngCore;
use sha2::{Digest, Sha256};

const KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 12;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("a key must be 32 bytes of unpadded base64url (43 characters)")]
    BadKey,
    #[error("sealed value is malformed")]
    Malformed,
    #[error("sealed with key {0}, which is not configured")]
    UnknownKey(String),
    #[error("sealed value failed authentication")]
    Forged,
    #[error("the operating system's random number generator failed")]
    Randomness,
}

struct Key {
    id: String,
    // Built once: the AES key schedule is expanded here, not on every request.
    cipher: Aes256Gcm,
}

/// The configured keys; the first one seals.
pub struct Sealer {
    keys: Vec<Key>,
}

impl Sealer {
    /// `current` seals and opens; `previous` only open (for key rotation).
    pub fn from_keys(current: &str, previous: &[String]) -> Result<Sealer, SealError> {
        let keys = std::iter::once(current)
            .chain(previous.iter().map(String::as_str))
            .map(Key::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Sealer { keys })
    }

    /// A fresh random key in the configuration format (`registrar gen-key`).
    pub fn generate_key() -> Result<String, SealError> {
        let mut key = [0u8; KEY_BYTES];
        OsRng.try_fill_bytes(&mut key).map_err(|_| SealError::Randomness)?;
        Ok(URL_SAFE_NO_PAD.encode(key))
    }

    pub fn seal(&self, plaintext: &[u8], owner: &str) -> Result<String, SealError> {
        let key = &self.keys[0];
        let mut nonce = [0u8; NONCE_BYTES];
        OsRng.try_fill_bytes(&mut nonce).map_err(|_| SealError::Randomness)?;
        let payload = Payload { msg: plaintext, aad: owner.as_bytes() };
        let ciphertext = key
            .cipher
            .encrypt(Nonce::from_slice(&nonce), payload)
            .map_err(|_| SealError::Forged)?;
        let mut blob = Vec::with_capacity(NONCE_BYTES + ciphertext.len());
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&ciphertext);
        Ok(format!("{}.{}", key.id, URL_SAFE_NO_PAD.encode(blob)))
    }

    /// Whether the current key sealed this value (an earlier one, or none, did not).
    pub fn is_current(&self, sealed: &str) -> bool {
        sealed.split_once('.').is_some_and(|(id, _)| id == self.keys[0].id)
    }

    pub fn open(&self, sealed: &str, owner: &str) -> Result<Vec<u8>, SealError> {
        let (id, body) = sealed.split_once('.').ok_or(SealError::Malformed)?;
        let key = self
            .keys
            .iter()
            .find(|k| k.id == id)
            .ok_or_else(|| SealError::UnknownKey(id.to_owned()))?;
        let blob = URL_SAFE_NO_PAD.decode(body).map_err(|_| SealError::Malformed)?;
        if blob.len() < NONCE_BYTES {
            return Err(SealError::Malformed);
        }
        let (nonce, ciphertext) = blob.split_at(NONCE_BYTES);
        let payload = Payload { msg: ciphertext, aad: owner.as_bytes() };
        key.cipher.decrypt(Nonce::from_slice(nonce), payload).map_err(|_| SealError::Forged)
    }
}

impl Key {
    fn parse(encoded: &str) -> Result<Key, SealError> {
        let bytes = URL_SAFE_NO_PAD.decode(encoded.trim()).map_err(|_| SealError::BadKey)?;
        if bytes.len() != KEY_BYTES {
            return Err(SealError::BadKey);
        }
        // The id is a short hash of the key: stable across instances, reveals nothing.
        let id = URL_SAFE_NO_PAD.encode(&Sha256::digest(&bytes)[..6]);
        let cipher = Aes256Gcm::new_from_slice(&bytes).map_err(|_| SealError::BadKey)?;
        Ok(Key { id, cipher })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealer() -> Sealer {
        Sealer::from_keys(&Sealer::generate_key().unwrap(), &[]).unwrap()
    }

    #[test]
    fn sealed_values_open_only_for_their_owner_and_hide_the_plaintext() {
        let s = sealer();
        let sealed = s.seal(b"top secret", "client-a").unwrap();
        assert!(!sealed.contains("top secret"));
        assert_eq!(s.open(&sealed, "client-a").unwrap(), b"top secret");
        assert_eq!(s.open(&sealed, "client-b"), Err(SealError::Forged));
        assert_ne!(sealed, s.seal(b"top secret", "client-a").unwrap(), "nonces differ");
    }

    #[test]
    fn only_values_sealed_with_the_current_key_count_as_current() {
        let (old, new) = (Sealer::generate_key().unwrap(), Sealer::generate_key().unwrap());
        let by_old = Sealer::from_keys(&old, &[]).unwrap().seal(b"s", "c").unwrap();
        let rotated = Sealer::from_keys(&new, std::slice::from_ref(&old)).unwrap();

        assert!(!rotated.is_current(&by_old));
        assert!(rotated.is_current(&rotated.seal(b"s", "c").unwrap()));
        assert!(!rotated.is_current("no key id here"));
    }

    #[test]
    fn rotated_keys_still_open_old_values() {
        let (old, new) = (Sealer::generate_key().unwrap(), Sealer::generate_key().unwrap());
        let sealed = Sealer::from_keys(&old, &[]).unwrap().seal(b"s", "c").unwrap();
        let rotated = Sealer::from_keys(&new, &[old]).unwrap();
        assert_eq!(rotated.open(&sealed, "c").unwrap(), b"s");
        assert!(matches!(sealer().open(&sealed, "c"), Err(SealError::UnknownKey(_))));
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        let s = sealer();
        for bad in ["", ".", "x.", "x.!!", "nokeyid"] {
            assert!(s.open(bad, "c").is_err(), "{bad}");
        }
        assert_eq!(Sealer::from_keys("short", &[]).err(), Some(SealError::BadKey));
    }
}
