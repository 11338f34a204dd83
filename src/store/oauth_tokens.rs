//! Short-lived facts about tokens that every instance must agree on: client assertion
//! `jti`s already used (RFC 7523 §3 item 7), and access tokens revoked (RFC 7009). Each
//! fact lives exactly as long as the token it is about could still be presented: with
//! Redis a key that expires at the token's `exp`; in process a map pruned of the past.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use redis::{AsyncCommands, ExistenceCheck, SetExpiry, SetOptions};

use super::connection::RedisConnection;
use super::StoreError;

/// The in-process maps are pruned of expired entries when they grow past this.
const PRUNE_AT: usize = 100_000;

#[derive(Clone)]
pub enum TokenFacts {
    Memory(Arc<Mutex<Facts>>),
    Redis { conn: RedisConnection, prefix: String },
}

/// Key → expiry (seconds since the epoch).
#[derive(Default)]
pub struct Facts {
    used: HashMap<String, i64>,
    revoked: HashMap<String, i64>,
}

impl TokenFacts {
    pub fn memory() -> TokenFacts {
        TokenFacts::Memory(Arc::default())
    }

    /// Records that `client_id` used the assertion `jti`, valid until `exp`; `false` if
    /// it was used before (a replay), on any instance.
    pub async fn first_use(
        &self,
        client_id: &str,
        jti: &str,
        exp: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let key = format!("{client_id}:{jti}");
        match self {
            TokenFacts::Memory(facts) => {
                let mut facts = facts.lock().unwrap_or_else(PoisonError::into_inner);
                prune(&mut facts.used, now);
                match facts.used.get(&key) {
                    Some(until) if *until > now => Ok(false),
                    _ => {
                        facts.used.insert(key, exp);
                        Ok(true)
                    }
                }
            }
            TokenFacts::Redis { conn, prefix } => {
                let options = SetOptions::default()
                    .conditional_set(ExistenceCheck::NX)
                    .with_expiration(SetExpiry::EXAT(expiry(exp, now)));
                let set: Option<String> =
                    conn.clone().set_options(format!("{prefix}jti:{key}"), 1, options).await?;
                Ok(set.is_some())
            }
        }
    }

    /// Marks the access token `jti` revoked until `exp`, when it would die anyway.
    pub async fn revoke(&self, jti: &str, exp: i64, now: i64) -> Result<(), StoreError> {
        match self {
            TokenFacts::Memory(facts) => {
                let mut facts = facts.lock().unwrap_or_else(PoisonError::into_inner);
                prune(&mut facts.revoked, now);
                facts.revoked.insert(jti.to_owned(), exp);
                Ok(())
            }
            TokenFacts::Redis { conn, prefix } => {
                let options =
                    SetOptions::default().with_expiration(SetExpiry::EXAT(expiry(exp, now)));
                conn.clone()
                    .set_options::<_, _, ()>(format!("{prefix}revoked:{jti}"), 1, options)
                    .await?;
                Ok(())
            }
        }
    }

    pub async fn is_revoked(&self, jti: &str) -> Result<bool, StoreError> {
        match self {
            TokenFacts::Memory(facts) => {
                let facts = facts.lock().unwrap_or_else(PoisonError::into_inner);
                Ok(facts.revoked.contains_key(jti))
            }
            TokenFacts::Redis { conn, prefix } => {
                Ok(conn.clone().exists(format!("{prefix}revoked:{jti}")).await?)
            }
        }
    }
}

/// Redis refuses an `EXAT` in the past; a fact about an expired token needs a second.
fn expiry(exp: i64, now: i64) -> u64 {
    exp.max(now + 1).max(1) as u64
}

fn prune(map: &mut HashMap<String, i64>, now: i64) {
    if map.len() > PRUNE_AT {
        map.retain(|_, until| *until > now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_jti_is_used_once_per_client_and_revocations_are_remembered() {
        let facts = TokenFacts::memory();
        assert!(facts.first_use("a", "j1", 200, 100).await.unwrap());
        assert!(!facts.first_use("a", "j1", 200, 150).await.unwrap(), "replay");
        assert!(facts.first_use("b", "j1", 200, 150).await.unwrap(), "another client");
        assert!(!facts.is_revoked("t").await.unwrap());
        facts.revoke("t", 200, 100).await.unwrap();
        assert!(facts.is_revoked("t").await.unwrap());
    }
}
