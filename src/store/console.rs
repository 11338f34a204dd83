//! The console's sign-in links and sessions, beside the clients: in Redis, so a link made
//! by `registrar console-url` works on any instance and signing out ends the session on
//! all of them; in process otherwise. Only SHA-256 hashes of links and session IDs are
//! kept as keys, so a dump of the store signs nobody in.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::connection::RedisConnection;
use super::StoreError;

/// A signed-in administrator's session as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// Who signed in: named in every audit event of the session.
    pub subject: String,
    /// The session's CSRF token, sent in every form.
    pub csrf: String,
    /// Unix seconds; the absolute lifetime counts from here.
    pub created_at: i64,
}

#[derive(Clone)]
pub enum ConsoleStore {
    Memory(Arc<Mutex<Memory>>),
    Redis { conn: RedisConnection, prefix: String },
}

/// In-process maps with their own expiry times (unix milliseconds).
#[derive(Default)]
pub struct Memory {
    links: HashMap<String, (String, u128)>,
    sessions: HashMap<String, (SessionRecord, u128)>,
}

/// SHA-256, base64url: what a secret is stored under.
fn digest(secret: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(secret.as_bytes()))
}

fn now_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default()
}

/// Redis wants at least one millisecond.
fn ttl_ms(ttl: Duration) -> u64 {
    (ttl.as_millis() as u64).max(1)
}

impl ConsoleStore {
    pub fn memory() -> ConsoleStore {
        ConsoleStore::Memory(Arc::default())
    }

    fn link_key(prefix: &str, hash: &str) -> String {
        format!("{prefix}console:link:{hash}")
    }

    fn session_key(prefix: &str, hash: &str) -> String {
        format!("{prefix}console:session:{hash}")
    }

    /// Keeps a sign-in link for `subject` for `ttl`.
    pub async fn put_link(
        &self,
        link: &str,
        subject: &str,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        let hash = digest(link);
        match self {
            ConsoleStore::Memory(memory) => {
                let mut memory = memory.lock().unwrap_or_else(PoisonError::into_inner);
                let now = now_ms();
                memory.links.retain(|_, (_, expires)| *expires > now);
                memory.links.insert(hash, (subject.to_owned(), now + ttl.as_millis()));
                Ok(())
            }
            ConsoleStore::Redis { conn, prefix } => {
                redis::cmd("SET")
                    .arg(Self::link_key(prefix, &hash))
                    .arg(subject)
                    .arg("PX")
                    .arg(ttl_ms(ttl))
                    .query_async::<()>(&mut conn.clone())
                    .await?;
                Ok(())
            }
        }
    }

    /// Takes a sign-in link: its subject if it was there and unexpired, and it is gone
    /// afterwards either way, so a link signs in once.
    pub async fn take_link(&self, link: &str) -> Result<Option<String>, StoreError> {
        let hash = digest(link);
        match self {
            ConsoleStore::Memory(memory) => {
                let mut memory = memory.lock().unwrap_or_else(PoisonError::into_inner);
                let taken = memory.links.remove(&hash);
                Ok(taken.filter(|(_, expires)| *expires > now_ms()).map(|(subject, _)| subject))
            }
            ConsoleStore::Redis { conn, prefix } => {
                let key = Self::link_key(prefix, &hash);
                // GET and DEL in one transaction (GETDEL needs Redis 6.2).
                let (subject, _): (Option<String>, i64) = redis::pipe()
                    .atomic()
                    .get(&key)
                    .del(&key)
                    .query_async(&mut conn.clone())
                    .await?;
                Ok(subject)
            }
        }
    }

    /// Stores a session under the hash of its ID, expiring after `ttl`.
    pub async fn put_session(
        &self,
        id: &str,
        record: &SessionRecord,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        let hash = digest(id);
        match self {
            ConsoleStore::Memory(memory) => {
                let mut memory = memory.lock().unwrap_or_else(PoisonError::into_inner);
                let now = now_ms();
                memory.sessions.retain(|_, (_, expires)| *expires > now);
                memory.sessions.insert(hash, (record.clone(), now + ttl.as_millis()));
                Ok(())
            }
            ConsoleStore::Redis { conn, prefix } => {
                let json = serde_json::to_string(record)
                    .map_err(|e| StoreError::Unavailable(e.to_string()))?;
                redis::cmd("SET")
                    .arg(Self::session_key(prefix, &hash))
                    .arg(json)
                    .arg("PX")
                    .arg(ttl_ms(ttl))
                    .query_async::<()>(&mut conn.clone())
                    .await?;
                Ok(())
            }
        }
    }

    /// The live session with this ID, its expiry pushed to `ttl` from now (the idle
    /// lifetime, which the caller caps at what the absolute lifetime leaves).
    pub async fn touch_session(
        &self,
        id: &str,
        ttl: impl FnOnce(&SessionRecord) -> Option<Duration>,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let hash = digest(id);
        match self {
            ConsoleStore::Memory(memory) => {
                let mut memory = memory.lock().unwrap_or_else(PoisonError::into_inner);
                let now = now_ms();
                let Some((record, expires)) = memory.sessions.get_mut(&hash) else {
                    return Ok(None);
                };
                match ttl(record).filter(|_| *expires > now) {
                    Some(ttl) => {
                        *expires = now + ttl.as_millis();
                        Ok(Some(record.clone()))
                    }
                    None => {
                        memory.sessions.remove(&hash);
                        Ok(None)
                    }
                }
            }
            ConsoleStore::Redis { conn, prefix } => {
                let key = Self::session_key(prefix, &hash);
                let raw: Option<String> =
                    redis::cmd("GET").arg(&key).query_async(&mut conn.clone()).await?;
                let Some(record) = raw.and_then(|r| serde_json::from_str(&r).ok()) else {
                    return Ok(None);
                };
                match ttl(&record) {
                    Some(ttl) => {
                        redis::cmd("PEXPIRE")
                            .arg(&key)
                            .arg(ttl_ms(ttl))
                            .query_async::<()>(&mut conn.clone())
                            .await?;
                        Ok(Some(record))
                    }
                    None => {
                        self.end_session(id).await?;
                        Ok(None)
                    }
                }
            }
        }
    }

    /// Ends a session on every instance sharing the store.
    pub async fn end_session(&self, id: &str) -> Result<(), StoreError> {
        let hash = digest(id);
        match self {
            ConsoleStore::Memory(memory) => {
                memory.lock().unwrap_or_else(PoisonError::into_inner).sessions.remove(&hash);
                Ok(())
            }
            ConsoleStore::Redis { conn, prefix } => {
                redis::cmd("DEL")
                    .arg(Self::session_key(prefix, &hash))
                    .query_async::<()>(&mut conn.clone())
                    .await?;
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> SessionRecord {
        SessionRecord { subject: "alice".into(), csrf: "c".into(), created_at: 1 }
    }

    #[tokio::test]
    async fn links_sign_in_once_and_not_after_expiry() {
        let store = ConsoleStore::memory();
        store.put_link("L1", "alice", Duration::from_secs(60)).await.unwrap();
        assert_eq!(store.take_link("L1").await.unwrap().as_deref(), Some("alice"));
        assert_eq!(store.take_link("L1").await.unwrap(), None, "used");
        store.put_link("L2", "bob", Duration::from_millis(1)).await.unwrap();
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(store.take_link("L2").await.unwrap(), None, "expired");
        assert_eq!(store.take_link("never").await.unwrap(), None);
    }

    #[tokio::test]
    async fn sessions_live_until_ended_or_refused_by_the_lifetime_rule() {
        let store = ConsoleStore::memory();
        store.put_session("S", &record(), Duration::from_secs(60)).await.unwrap();
        let keep = |_: &SessionRecord| Some(Duration::from_secs(60));
        assert_eq!(store.touch_session("S", keep).await.unwrap(), Some(record()));
        assert_eq!(store.touch_session("S", |_| None).await.unwrap(), None, "past absolute");
        assert_eq!(store.touch_session("S", keep).await.unwrap(), None, "and gone");
        store.put_session("T", &record(), Duration::from_secs(60)).await.unwrap();
        store.end_session("T").await.unwrap();
        assert_eq!(store.touch_session("T", keep).await.unwrap(), None, "signed out");
    }
}
