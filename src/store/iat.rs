//! Initial access tokens (RFC 7591 §3): bearer tokens an operator hands out so that only
//! their holders may register. Random (256 bits), stored only as SHA-256 hashes, with an
//! expiry and a use count enforced atomically: with Redis a Lua script checks and counts in
//! one step, so 20 concurrent registrations with a 10-use token give exactly 10 successes.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use redis::Script;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::credentials::{generate_access_token, AccessToken, RandomnessError};
use crate::store::connection::RedisConnection;
use crate::store::StoreError;

/// What is kept of a token: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InitialAccessToken {
    /// Public handle for listing and revoking: a prefix of the hash, which says nothing
    /// about the token.
    pub id: String,
    pub created_at: i64,
    /// 0: never expires.
    pub expires_at: i64,
    /// 0: unlimited.
    pub max_uses: u64,
    pub uses: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
}

/// Why a presented token was refused; the caller answers every one with the same 401.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Unknown,
    Expired,
    UsedUp,
}

/// The outcome of presenting a token.
pub type Check = Result<InitialAccessToken, Refusal>;

/// Consume one use if the token exists, has not expired and has uses left.
const CONSUME: &str = r"
local raw = redis.call('GET', KEYS[1])
if not raw then return {0} end
local t = cjson.decode(raw)
local now = tonumber(ARGV[1])
if t.expires_at > 0 and now >= t.expires_at then return {1} end
if t.max_uses > 0 and t.uses >= t.max_uses then return {2} end
if ARGV[2] == '1' then
  t.uses = t.uses + 1
  raw = cjson.encode(t)
  redis.call('SET', KEYS[1], raw, 'KEEPTTL')
end
return {3, raw}";

/// Give back a use taken by a registration that then failed to store.
const REFUND: &str = r"
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local t = cjson.decode(raw)
if t.uses > 0 then t.uses = t.uses - 1 end
redis.call('SET', KEYS[1], cjson.encode(t), 'KEEPTTL')
return 1";

// Hashed once: `Script::new` computes the SHA-1 that EVALSHA sends.
static CONSUME_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(CONSUME));
static REFUND_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(REFUND));

#[derive(Clone)]
pub enum TokenStore {
    Memory(Arc<Mutex<HashMap<String, InitialAccessToken>>>),
    Redis { conn: RedisConnection, prefix: String },
}

/// SHA-256 of the token, base64url: the storage key.
fn digest(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

impl TokenStore {
    pub fn memory() -> TokenStore {
        TokenStore::Memory(Arc::default())
    }

    /// Every token key and the index share the hash tag `{iat}`: issuing and revoking
    /// write both atomically, so in a Redis Cluster they must sit in one slot. Tokens are
    /// few and operator-issued, so one slot holds them all.
    fn key(prefix: &str, hash: &str) -> String {
        format!("{prefix}iat:{{iat}}:{hash}")
    }

    fn index(prefix: &str) -> String {
        format!("{prefix}iats:{{iat}}")
    }

    /// Issues a token; the clear token is returned once and never stored.
    pub async fn issue(
        &self,
        now: i64,
        expires_in: Option<u64>,
        max_uses: u64,
        policy: Option<String>,
    ) -> Result<(AccessToken, InitialAccessToken), IatError> {
        let token = generate_access_token()?;
        let hash = digest(token.expose());
        let record = InitialAccessToken {
            id: hash[..16].to_owned(),
            created_at: now,
            expires_at: expires_in.map_or(0, |s| now.saturating_add(s as i64)),
            max_uses,
            uses: 0,
            policy,
        };
        match self {
            TokenStore::Memory(map) => {
                map.lock().unwrap_or_else(PoisonError::into_inner).insert(hash, record.clone());
            }
            TokenStore::Redis { conn, prefix } => {
                let json =
                    serde_json::to_string(&record).map_err(|e| IatError::Broken(e.to_string()))?;
                let mut pipe = redis::pipe();
                pipe.atomic().set(Self::key(prefix, &hash), json).ignore();
                if let Some(seconds) = expires_in {
                    // Expired tokens vanish by themselves; the check below still refuses
                    // them in the meantime.
                    pipe.expire(Self::key(prefix, &hash), seconds as i64).ignore();
                }
                pipe.hset(Self::index(prefix), &record.id, &hash).ignore();
                pipe.query_async::<()>(&mut conn.clone()).await.map_err(unavailable)?;
            }
        }
        Ok((token, record))
    }

    /// Checks a presented token; with `consume`, also takes one use, atomically.
    pub async fn check(
        &self,
        token: &AccessToken,
        now: i64,
        consume: bool,
    ) -> Result<Check, IatError> {
        let hash = digest(token.expose());
        match self {
            TokenStore::Memory(map) => {
                let mut map = map.lock().unwrap_or_else(PoisonError::into_inner);
                let Some(record) = map.get_mut(&hash) else { return Ok(Err(Refusal::Unknown)) };
                if let Some(refusal) = refusal(record, now) {
                    return Ok(Err(refusal));
                }
                if consume {
                    record.uses += 1;
                }
                Ok(Ok(record.clone()))
            }
            TokenStore::Redis { conn, prefix } => {
                let (code, raw): (i64, Option<String>) = CONSUME_SCRIPT
                    .key(Self::key(prefix, &hash))
                    .arg(now)
                    .arg(if consume { "1" } else { "0" })
                    .invoke_async::<Vec<redis::Value>>(&mut conn.clone())
                    .await
                    .map_err(unavailable)
                    .and_then(parse_reply)?;
                Ok(match (code, raw) {
                    (1, _) => Err(Refusal::Expired),
                    (2, _) => Err(Refusal::UsedUp),
                    (3, Some(raw)) => {
                        Ok(serde_json::from_str(&raw)
                            .map_err(|e| IatError::Broken(e.to_string()))?)
                    }
                    _ => Err(Refusal::Unknown),
                })
            }
        }
    }

    /// Returns a use taken by a registration that failed afterwards.
    pub async fn refund(&self, token: &AccessToken) -> Result<(), IatError> {
        let hash = digest(token.expose());
        match self {
            TokenStore::Memory(map) => {
                if let Some(record) =
                    map.lock().unwrap_or_else(PoisonError::into_inner).get_mut(&hash)
                {
                    record.uses = record.uses.saturating_sub(1);
                }
                Ok(())
            }
            TokenStore::Redis { conn, prefix } => REFUND_SCRIPT
                .key(Self::key(prefix, &hash))
                .invoke_async::<i64>(&mut conn.clone())
                .await
                .map(drop)
                .map_err(unavailable),
        }
    }

    pub async fn list(&self) -> Result<Vec<InitialAccessToken>, IatError> {
        let mut tokens = match self {
            TokenStore::Memory(map) => {
                map.lock().unwrap_or_else(PoisonError::into_inner).values().cloned().collect()
            }
            TokenStore::Redis { conn, prefix } => {
                let mut conn = conn.clone();
                let hashes: Vec<String> = redis::cmd("HVALS")
                    .arg(Self::index(prefix))
                    .query_async(&mut conn)
                    .await
                    .map_err(unavailable)?;
                if hashes.is_empty() {
                    return Ok(Vec::new());
                }
                let keys: Vec<String> = hashes.iter().map(|h| Self::key(prefix, h)).collect();
                let raws: Vec<Option<String>> = redis::cmd("MGET")
                    .arg(&keys)
                    .query_async(&mut conn)
                    .await
                    .map_err(unavailable)?;
                raws.into_iter()
                    .flatten()
                    .filter_map(|raw| serde_json::from_str(&raw).ok())
                    .collect::<Vec<InitialAccessToken>>()
            }
        };
        tokens.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(tokens)
    }

    /// Revokes by id; `false` if there is no such token.
    pub async fn revoke(&self, id: &str) -> Result<bool, IatError> {
        match self {
            TokenStore::Memory(map) => {
                let mut map = map.lock().unwrap_or_else(PoisonError::into_inner);
                let before = map.len();
                map.retain(|_, t| t.id != id);
                Ok(map.len() != before)
            }
            TokenStore::Redis { conn, prefix } => {
                let mut conn = conn.clone();
                let index = Self::index(prefix);
                let hash: Option<String> = redis::cmd("HGET")
                    .arg(&index)
                    .arg(id)
                    .query_async(&mut conn)
                    .await
                    .map_err(unavailable)?;
                let Some(hash) = hash else { return Ok(false) };
                let (deleted, _): (i64, i64) = redis::pipe()
                    .atomic()
                    .del(Self::key(prefix, &hash))
                    .hdel(&index, id)
                    .query_async(&mut conn)
                    .await
                    .map_err(unavailable)?;
                Ok(deleted == 1)
            }
        }
    }
}

fn refusal(record: &InitialAccessToken, now: i64) -> Option<Refusal> {
    if record.expires_at > 0 && now >= record.expires_at {
        return Some(Refusal::Expired);
    }
    if record.max_uses > 0 && record.uses >= record.max_uses {
        return Some(Refusal::UsedUp);
    }
    None
}

fn parse_reply(reply: Vec<redis::Value>) -> Result<(i64, Option<String>), IatError> {
    let code = match reply.first() {
        Some(redis::Value::Int(code)) => *code,
        _ => return Err(IatError::Broken("unexpected script reply".into())),
    };
    let raw = match reply.get(1) {
        Some(redis::Value::BulkString(bytes)) => Some(String::from_utf8_lossy(bytes).into_owned()),
        _ => None,
    };
    Ok((code, raw))
}

#[derive(Debug, thiserror::Error)]
pub enum IatError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Randomness(#[from] RandomnessError),
    #[error("initial access token record is broken: {0}")]
    Broken(String),
}

fn unavailable(e: redis::RedisError) -> IatError {
    IatError::Store(e.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn tokens_count_uses_expire_and_revoke() {
        let store = TokenStore::memory();
        let (token, record) = store.issue(100, Some(60), 2, None).await.unwrap();
        assert!(!serde_json::to_string(&record).unwrap().contains(token.expose()));
        assert!(store.check(&token, 101, true).await.unwrap().is_ok());
        assert!(store.check(&token, 101, false).await.unwrap().is_ok(), "a peek takes no use");
        assert!(store.check(&token, 102, true).await.unwrap().is_ok());
        assert_eq!(store.check(&token, 103, true).await.unwrap(), Err(Refusal::UsedUp));
        store.refund(&token).await.unwrap();
        assert!(store.check(&token, 104, true).await.unwrap().is_ok());
        let (fresh, fresh_record) = store.issue(100, Some(60), 0, None).await.unwrap();
        assert_eq!(store.check(&fresh, 160, true).await.unwrap(), Err(Refusal::Expired));
        assert_eq!(store.list().await.unwrap().len(), 2);
        assert!(store.revoke(&fresh_record.id).await.unwrap());
        assert_eq!(store.check(&fresh, 120, true).await.unwrap(), Err(Refusal::Unknown));
        let stranger = AccessToken::from_presented("nope".into());
        assert_eq!(store.check(&stranger, 100, true).await.unwrap(), Err(Refusal::Unknown));
    }
}
