//! A lease that lets one of several instances on one Redis do a periodic job (the cleanup
//! sweep) per interval.

use std::time::Duration;

use crate::store::connection::RedisConnection;
use crate::store::StoreError;

/// Who sweeps this interval.
#[derive(Clone)]
pub enum Lease {
    /// One process: always this one.
    Local,
    Redis {
        conn: RedisConnection,
        key: String,
    },
}

impl Lease {
    /// Takes the lease for `ttl` unless another instance holds it.
    pub async fn take(&self, ttl: Duration) -> Result<bool, StoreError> {
        match self {
            Lease::Local => Ok(true),
            Lease::Redis { conn, key } => {
                let taken: Option<String> = redis::cmd("SET")
                    .arg(key)
                    .arg(std::process::id())
                    .arg("NX")
                    .arg("PX")
                    .arg(ttl.as_millis().max(1) as u64)
                    .query_async(&mut conn.clone())
                    .await
                    .map_err(StoreError::from)?;
                Ok(taken.is_some())
            }
        }
    }

    /// The lease named `name` that every instance on one Redis shares.
    pub fn redis(conn: RedisConnection, prefix: &str, name: &str) -> Lease {
        Lease::Redis { conn, key: format!("{prefix}{name}:lease") }
    }
}
