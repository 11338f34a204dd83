//! Rate limits on registration: per source IP and global, as GCRA (the generic cell rate
//! algorithm, a token bucket that stores one timestamp per key). With Redis the state and
//! the clock are Redis's own (`TIME` in the script), so the limits hold across instances
//! whatever their clocks say.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::{Duration, Instant};

use redis::Script;

use crate::store::connection::RedisConnection;
use crate::store::StoreError;

/// `N/s`, `N/min`, `N/h`: at most N requests per period, N of them in a burst.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    pub count: u64,
    pub period: Duration,
}

impl Limit {
    /// Time between requests at the sustained rate (GCRA's emission interval).
    fn interval_ms(&self) -> f64 {
        self.period.as_secs_f64() * 1000.0 / self.count as f64
    }

    /// How far ahead of schedule a client may run: the burst.
    fn tolerance_ms(&self) -> f64 {
        self.interval_ms() * (self.count.saturating_sub(1)) as f64
    }
}

impl FromStr for Limit {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("{s:?} is not a rate like 10/min, 5/s or 1000/h");
        let (count, unit) = s.split_once('/').ok_or_else(bad)?;
        let count: u64 = count.trim().parse().map_err(|_| bad())?;
        let period = match unit.trim() {
            "s" | "sec" | "second" => Duration::from_secs(1),
            "m" | "min" | "minute" => Duration::from_secs(60),
            "h" | "hour" => Duration::from_secs(3600),
            "d" | "day" => Duration::from_secs(86_400),
            _ => return Err(bad()),
        };
        if count == 0 {
            return Err(bad());
        }
        Ok(Limit { count, period })
    }
}

/// Allowed, or refused with how long to wait.
pub type Decision = Result<(), Duration>;

const GCRA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
if tat - tolerance > now then
  return math.ceil(tat - tolerance - now)
end
tat = tat + interval
redis.call('SET', KEYS[1], tostring(tat), 'PX', math.ceil(tat - now) + 1)
return -1";

/// Hashed once: `Script::new` computes the SHA-1 that EVALSHA sends.
static GCRA_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(GCRA));

#[derive(Clone)]
pub enum RateLimiter {
    Memory { state: Arc<Mutex<HashMap<String, f64>>>, epoch: Instant },
    Redis { conn: RedisConnection, prefix: String },
}

/// The in-process map is pruned of idle keys when it grows past this.
const MEMORY_PRUNE_AT: usize = 100_000;

impl RateLimiter {
    pub fn memory() -> RateLimiter {
        RateLimiter::Memory { state: Arc::default(), epoch: Instant::now() }
    }

    /// Takes one request from `key`'s bucket under `limit`.
    pub async fn check(&self, key: &str, limit: Limit) -> Result<Decision, StoreError> {
        match self {
            RateLimiter::Memory { state, epoch } => {
                let now = epoch.elapsed().as_secs_f64() * 1000.0;
                let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
                if state.len() > MEMORY_PRUNE_AT {
                    state.retain(|_, tat| *tat > now);
                }
                let tat = state.get(key).copied().unwrap_or(now).max(now);
                if tat - limit.tolerance_ms() > now {
                    return Ok(Err(wait(tat - limit.tolerance_ms() - now)));
                }
                state.insert(key.to_owned(), tat + limit.interval_ms());
                Ok(Ok(()))
            }
            RateLimiter::Redis { conn, prefix } => {
                let wait_ms: i64 = GCRA_SCRIPT
                    .key(format!("{prefix}rl:{{{key}}}"))
                    .arg(limit.interval_ms())
                    .arg(limit.tolerance_ms())
                    .invoke_async(&mut conn.clone())
                    .await
                    .map_err(StoreError::from)?;
                Ok(if wait_ms < 0 { Ok(()) } else { Err(wait(wait_ms as f64)) })
            }
        }
    }
}

fn wait(ms: f64) -> Duration {
    Duration::from_millis(ms.ceil().max(1.0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_with_their_units() {
        assert_eq!("10/min".parse::<Limit>().unwrap().period, Duration::from_secs(60));
        assert_eq!("5/s".parse::<Limit>().unwrap().count, 5);
        for bad in ["", "10", "0/s", "x/s", "10/week"] {
            assert!(bad.parse::<Limit>().is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn a_bucket_allows_its_burst_then_refuses_with_a_wait() {
        let limiter = RateLimiter::memory();
        let limit: Limit = "3/min".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(limiter.check("ip", limit).await.unwrap(), Ok(()));
        }
        let wait = limiter.check("ip", limit).await.unwrap().unwrap_err();
        assert!(wait > Duration::from_secs(15) && wait <= Duration::from_secs(20), "{wait:?}");
        assert_eq!(limiter.check("other", limit).await.unwrap(), Ok(()), "keys are separate");
    }
}
