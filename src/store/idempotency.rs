//! Idempotent registration (`--idempotent-registration`): the same software, proven by a
//! verified software statement that names its `software_id`, registering the same
//! metadata under the same policy gets its existing client back instead of a new one.
//!
//! A key (SHA-256 over issuer, software_id, policy and the registered metadata) names the
//! client it was first registered as. The client record carries the key too: an update
//! that changes the metadata drops it from the record, so a stale entry here is noticed
//! and replaced rather than trusted.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::store::connection::RedisConnection;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::store::StoreError;

/// Deletes the entry only while it still names the given client.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0";

static RELEASE_SCRIPT: std::sync::LazyLock<redis::Script> =
    std::sync::LazyLock::new(|| redis::Script::new(RELEASE));

#[derive(Clone)]
pub enum Registrations {
    Memory(Arc<Mutex<HashMap<String, String>>>),
    Redis { conn: RedisConnection, prefix: String },
}

/// The key of a registration, if it can be idempotent: only a verified statement proves
/// which software is asking.
pub fn key(
    statement: Option<&Map<String, Value>>,
    policy: Option<&str>,
    metadata_json: &str,
) -> Option<String> {
    let claims = statement?;
    let issuer = claims.get("iss")?.as_str()?;
    let software_id = claims.get("software_id")?.as_str()?;
    let mut hash = Sha256::new();
    // Lengths first, so that no two different tuples hash the same bytes.
    for part in [issuer, software_id, policy.unwrap_or(""), metadata_json] {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part.as_bytes());
    }
    Some(URL_SAFE_NO_PAD.encode(hash.finalize()))
}

impl Registrations {
    pub fn memory() -> Registrations {
        Registrations::Memory(Arc::default())
    }

    fn redis_key(prefix: &str, key: &str) -> String {
        format!("{prefix}software:{{{key}}}")
    }

    /// Claims `key` for `client_id` unless it is taken; returns the client that holds it.
    pub async fn claim(&self, key: &str, client_id: &str) -> Result<String, StoreError> {
        match self {
            Registrations::Memory(map) => {
                let mut map = map.lock().unwrap_or_else(PoisonError::into_inner);
                Ok(map.entry(key.to_owned()).or_insert_with(|| client_id.to_owned()).clone())
            }
            Registrations::Redis { conn, prefix } => {
                let (_, holder): (Option<String>, String) = redis::pipe()
                    .atomic()
                    .cmd("SET")
                    .arg(Self::redis_key(prefix, key))
                    .arg(client_id)
                    .arg("NX")
                    .get(Self::redis_key(prefix, key))
                    .query_async(&mut conn.clone())
                    .await
                    .map_err(StoreError::from)?;
                Ok(holder)
            }
        }
    }

    /// The client registered under `key`, if any.
    pub async fn holder(&self, key: &str) -> Result<Option<String>, StoreError> {
        match self {
            Registrations::Memory(map) => {
                Ok(map.lock().unwrap_or_else(PoisonError::into_inner).get(key).cloned())
            }
            Registrations::Redis { conn, prefix } => redis::cmd("GET")
                .arg(Self::redis_key(prefix, key))
                .query_async(&mut conn.clone())
                .await
                .map_err(StoreError::from),
        }
    }

    /// Forgets `key` if it still names `client_id` (the client is gone or changed).
    pub async fn release(&self, key: &str, client_id: &str) -> Result<(), StoreError> {
        match self {
            Registrations::Memory(map) => {
                let mut map = map.lock().unwrap_or_else(PoisonError::into_inner);
                if map.get(key).is_some_and(|holder| holder == client_id) {
                    map.remove(key);
                }
                Ok(())
            }
            Registrations::Redis { conn, prefix } => RELEASE_SCRIPT
                .key(Self::redis_key(prefix, key))
                .arg(client_id)
                .invoke_async::<i64>(&mut conn.clone())
                .await
                .map(drop)
                .map_err(StoreError::from),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_verified_software_gets_a_key_and_every_part_counts() {
        let claims = json!({ "iss": "https://issuer.example", "software_id": "app" });
        let claims = claims.as_object().cloned().unwrap_or_default();
        let base = key(Some(&claims), Some("p"), "{}").expect("a key");
        assert_eq!(key(None, Some("p"), "{}"), None, "no statement, no key");
        assert_ne!(key(Some(&claims), None, "{}"), Some(base.clone()));
        assert_ne!(key(Some(&claims), Some("p"), "{ }"), Some(base.clone()));
        let mut other = claims.clone();
        other.insert("software_id".into(), "app2".into());
        assert_ne!(key(Some(&other), Some("p"), "{}"), Some(base));
        other.remove("software_id");
        assert_eq!(key(Some(&other), Some("p"), "{}"), None, "no software_id, no key");
    }

    #[tokio::test]
    async fn the_first_claim_wins_until_released_by_its_holder() {
        let registrations = Registrations::memory();
        assert_eq!(registrations.claim("k", "a").await.unwrap(), "a");
        assert_eq!(registrations.claim("k", "b").await.unwrap(), "a");
        registrations.release("k", "b").await.unwrap();
        assert_eq!(registrations.holder("k").await.unwrap().as_deref(), Some("a"));
        registrations.release("k", "a").await.unwrap();
        assert_eq!(registrations.holder("k").await.unwrap(), None);
    }
}
