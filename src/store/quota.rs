//! How many clients exist under each registration policy, in total and per source IP, so
//! that a policy's `max_clients` and `max_clients_per_ip` hold across instances. A place
//! is taken before a client is stored and given back when the store refuses it or the
//! client is deleted. Both counters of a policy share a hash tag: one script checks and
//! counts them together, so concurrent registrations never overshoot a limit.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use crate::store::connection::RedisConnection;
use redis::Script;
use serde::{Deserialize, Serialize};

use crate::store::StoreError;

/// Which limit a refused registration ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Full {
    Total(u64),
    PerIp(u64),
}

/// A place taken under a policy; stored with the client so its deletion gives it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    pub policy: String,
    pub ip: IpAddr,
}

/// The limits to check; `None` counts without limiting, so a limit added later starts
/// from the true number.
#[derive(Debug, Clone, Copy, Default)]
pub struct Limits {
    pub total: Option<u64>,
    pub per_ip: Option<u64>,
}

const TAKE: &str = r"
local total = tonumber(redis.call('GET', KEYS[1]) or '0')
local per_ip = tonumber(redis.call('GET', KEYS[2]) or '0')
if ARGV[1] ~= '' and total >= tonumber(ARGV[1]) then return 1 end
if ARGV[2] ~= '' and per_ip >= tonumber(ARGV[2]) then return 2 end
redis.call('INCR', KEYS[1])
redis.call('INCR', KEYS[2])
return 0";

const GIVE_BACK: &str = r"
for _, key in ipairs(KEYS) do
  if tonumber(redis.call('DECR', key)) <= 0 then redis.call('DEL', key) end
end
return 0";

static TAKE_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(TAKE));
static GIVE_BACK_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(GIVE_BACK));

#[derive(Clone)]
pub enum QuotaStore {
    Memory(Arc<Mutex<HashMap<String, u64>>>),
    Redis { conn: RedisConnection, prefix: String },
}

impl QuotaStore {
    pub fn memory() -> QuotaStore {
        QuotaStore::Memory(Arc::default())
    }

    /// The two counters of a place: `{prefix}quota:{<policy>}:…`, one hash slot.
    fn keys(prefix: &str, place: &Place) -> [String; 2] {
        let base = format!("{prefix}quota:{{{}}}", place.policy);
        [format!("{base}:total"), format!("{base}:ip:{}", place.ip)]
    }

    /// Takes a place unless a limit is reached.
    pub async fn take(
        &self,
        place: &Place,
        limits: Limits,
    ) -> Result<Result<(), Full>, StoreError> {
        match self {
            QuotaStore::Memory(counts) => {
                let mut counts = counts.lock().unwrap_or_else(PoisonError::into_inner);
                let [total_key, ip_key] = Self::keys("", place);
                let total = counts.get(&total_key).copied().unwrap_or(0);
                let per_ip = counts.get(&ip_key).copied().unwrap_or(0);
                if let Some(full) = full(total, per_ip, limits) {
                    return Ok(Err(full));
                }
                *counts.entry(total_key).or_default() += 1;
                *counts.entry(ip_key).or_default() += 1;
                Ok(Ok(()))
            }
            QuotaStore::Redis { conn, prefix } => {
                let [total_key, ip_key] = Self::keys(prefix, place);
                let limit = |l: Option<u64>| l.map_or_else(String::new, |n| n.to_string());
                let code: i64 = TAKE_SCRIPT
                    .key(total_key)
                    .key(ip_key)
                    .arg(limit(limits.total))
                    .arg(limit(limits.per_ip))
                    .invoke_async(&mut conn.clone())
                    .await
                    .map_err(StoreError::from)?;
                Ok(match code {
                    1 => Err(Full::Total(limits.total.unwrap_or(0))),
                    2 => Err(Full::PerIp(limits.per_ip.unwrap_or(0))),
                    _ => Ok(()),
                })
            }
        }
    }

    /// Gives a place back: its client was deleted, or never stored.
    pub async fn give_back(&self, place: &Place) -> Result<(), StoreError> {
        match self {
            QuotaStore::Memory(counts) => {
                let mut counts = counts.lock().unwrap_or_else(PoisonError::into_inner);
                for key in Self::keys("", place) {
                    if let Some(n) = counts.get_mut(&key) {
                        *n = n.saturating_sub(1);
                        if *n == 0 {
                            counts.remove(&key);
                        }
                    }
                }
                Ok(())
            }
            QuotaStore::Redis { conn, prefix } => {
                let [total_key, ip_key] = Self::keys(prefix, place);
                GIVE_BACK_SCRIPT
                    .key(total_key)
                    .key(ip_key)
                    .invoke_async::<i64>(&mut conn.clone())
                    .await
                    .map(drop)
                    .map_err(StoreError::from)
            }
        }
    }
}

fn full(total: u64, per_ip: u64, limits: Limits) -> Option<Full> {
    match limits {
        Limits { total: Some(max), .. } if total >= max => Some(Full::Total(max)),
        Limits { per_ip: Some(max), .. } if per_ip >= max => Some(Full::PerIp(max)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn places_are_counted_per_policy_and_ip_and_given_back() {
        let quotas = QuotaStore::memory();
        let place = |ip: &str| Place { policy: "p".into(), ip: ip.parse().unwrap() };
        let limits = Limits { total: Some(3), per_ip: Some(2) };
        assert_eq!(quotas.take(&place("192.0.2.1"), limits).await.unwrap(), Ok(()));
        assert_eq!(quotas.take(&place("192.0.2.1"), limits).await.unwrap(), Ok(()));
        assert_eq!(quotas.take(&place("192.0.2.1"), limits).await.unwrap(), Err(Full::PerIp(2)));
        assert_eq!(quotas.take(&place("192.0.2.2"), limits).await.unwrap(), Ok(()));
        assert_eq!(quotas.take(&place("192.0.2.3"), limits).await.unwrap(), Err(Full::Total(3)));
        quotas.give_back(&place("192.0.2.1")).await.unwrap();
        assert_eq!(quotas.take(&place("192.0.2.3"), limits).await.unwrap(), Ok(()));
        let other = Place { policy: "q".into(), ip: "192.0.2.1".parse().unwrap() };
        assert_eq!(quotas.take(&other, limits).await.unwrap(), Ok(()));
    }
}
