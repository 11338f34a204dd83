//! One connection type for the three Redis topologies, so that every caller (store, rate
//! limits, initial access tokens, audit log) sends the same commands, scripts and
//! pipelines whatever runs behind it. Each variant is cheap to clone (clones share one
//! multiplexed connection), connects on first use, and comes back by itself after a failure:
//!
//! - `Single`: the crate's `ConnectionManager`, which reconnects to the same address;
//! - `Cluster`: the crate's cluster client, which follows `MOVED`/`ASK` and refreshes its slot
//!   map when a primary fails over (retrying within the response timeout);
//! - `Sentinel`: a multiplexed connection to the primary the Sentinels name. After an error
//!   that says the connection or the role is wrong (dropped, timed out, `READONLY` from a
//!   demoted primary), it is forgotten and the next command asks the Sentinels again, so a
//!   failover costs the requests in flight (503) and nothing after.
//!
//! A pipeline sent to a cluster must stay in one hash slot: callers group by slot.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use redis::aio::{
    ConnectionLike, ConnectionManager, ConnectionManagerConfig, MultiplexedConnection,
};
use redis::cluster::{ClusterClient, ClusterClientBuilder};
use redis::cluster_async::ClusterConnection;
use redis::sentinel::{SentinelClient, SentinelNodeConnectionInfo, SentinelServerType};
use redis::{
    AsyncConnectionConfig, Client, Cmd, IntoConnectionInfo, Pipeline, RedisError, RedisFuture,
    RedisResult, RetryMethod, Value,
};
use tokio::sync::OnceCell;

use super::topology::RedisTopology;

/// How long a command waits on Redis before it fails (and the request answers 503).
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    pub response: Duration,
}

/// What opens connections: parsed once, cloned into every worker.
#[derive(Clone)]
pub enum Connector {
    Single(Client),
    Cluster(Box<ClusterClient>),
    Sentinel { sentinels: Vec<String>, master: String, primary: redis::RedisConnectionInfo },
}

impl Connector {
    pub fn new(topology: &RedisTopology, timeouts: Timeouts) -> RedisResult<Connector> {
        Ok(match topology {
            RedisTopology::Standalone { url } => Connector::Single(Client::open(url.as_str())?),
            RedisTopology::Cluster { nodes } => Connector::Cluster(Box::new(
                ClusterClientBuilder::new(nodes.iter().map(String::as_str))
                    .connection_timeout(timeouts.connect)
                    .response_timeout(timeouts.response)
                    .build()?,
            )),
            RedisTopology::Sentinel { sentinels, master, primary } => Connector::Sentinel {
                sentinels: sentinels.clone(),
                master: master.clone(),
                primary: primary.as_str().into_connection_info()?.redis_settings().clone(),
            },
        })
    }

    /// A connection made on first use, on the runtime of whoever uses it first.
    pub fn connect_lazy(&self, timeouts: Timeouts) -> RedisResult<RedisConnection> {
        Ok(match self {
            Connector::Single(client) => {
                // One connect attempt per reconnect: a request waiting on a reconnect
                // waits for all its retries and their back-off, which would outlast the
                // timeout (tests/api/crash.rs).
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(timeouts.connect))
                    .set_response_timeout(Some(timeouts.response))
                    .set_number_of_retries(0);
                RedisConnection::Single(ConnectionManager::new_lazy_with_config(
                    client.clone(),
                    config,
                )?)
            }
            Connector::Cluster(client) => RedisConnection::Cluster(LazyCluster(Arc::new((
                (**client).clone(),
                OnceCell::new(),
            )))),
            Connector::Sentinel { sentinels, master, primary } => {
                let node = SentinelNodeConnectionInfo::default()
                    .set_redis_connection_info(primary.clone());
                let client = SentinelClient::build(
                    sentinels.iter().map(String::as_str).collect(),
                    master.clone(),
                    Some(node),
                    SentinelServerType::Master,
                )?;
                RedisConnection::Sentinel(SentinelConnection(Arc::new(SentinelState {
                    sentinel: tokio::sync::Mutex::new(client),
                    current: Mutex::new(None),
                    timeouts,
                })))
            }
        })
    }
}

#[derive(Clone)]
pub enum RedisConnection {
    Single(ConnectionManager),
    Cluster(LazyCluster),
    Sentinel(SentinelConnection),
}

/// The client, and the connection its first user makes.
#[derive(Clone)]
pub struct LazyCluster(Arc<(ClusterClient, OnceCell<ClusterConnection>)>);

impl LazyCluster {
    /// The cluster connection, made by the first caller. A failed attempt is not kept:
    /// the next command tries again.
    async fn get(&self) -> RedisResult<ClusterConnection> {
        let (client, conn) = &*self.0;
        conn.get_or_try_init(|| client.get_async_connection()).await.cloned()
    }
}

#[derive(Clone)]
pub struct SentinelConnection(Arc<SentinelState>);

struct SentinelState {
    /// Also serialises lookups, so a failover triggers one, not one per request.
    sentinel: tokio::sync::Mutex<SentinelClient>,
    current: Mutex<Option<MultiplexedConnection>>,
    timeouts: Timeouts,
}

impl SentinelConnection {
    fn current(&self) -> Option<MultiplexedConnection> {
        self.0.current.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The primary's connection, asking the Sentinels for its address if there is none.
    async fn get(&self) -> RedisResult<MultiplexedConnection> {
        if let Some(conn) = self.current() {
            return Ok(conn);
        }
        let mut sentinel = self.0.sentinel.lock().await;
        if let Some(conn) = self.current() {
            return Ok(conn);
        }
        let timeouts = self.0.timeouts;
        let lookup = async {
            let client = sentinel.async_get_client().await?;
            let config = AsyncConnectionConfig::new()
                .set_connection_timeout(Some(timeouts.connect))
                .set_response_timeout(Some(timeouts.response));
            client.get_multiplexed_async_connection_with_config(&config).await
        };
        let conn = tokio::time::timeout(timeouts.connect, lookup)
            .await
            .map_err(|_| timed_out("looking up the primary through the Sentinels"))??;
        *self.0.current.lock().unwrap_or_else(PoisonError::into_inner) = Some(conn.clone());
        Ok(conn)
    }

    /// Forgets the connection after an error that may mean it no longer reaches the
    /// primary; errors about the command itself keep it.
    fn after<T>(&self, result: RedisResult<T>) -> RedisResult<T> {
        if let Err(error) = &result {
            if !matches!(error.retry_method(), RetryMethod::NoRetry) {
                *self.0.current.lock().unwrap_or_else(PoisonError::into_inner) = None;
            }
        }
        result
    }
}

fn timed_out(what: &str) -> RedisError {
    RedisError::from(std::io::Error::new(std::io::ErrorKind::TimedOut, what.to_owned()))
}

impl ConnectionLike for RedisConnection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            RedisConnection::Single(conn) => conn.req_packed_command(cmd),
            RedisConnection::Cluster(lazy) => Box::pin(async move {
                let mut conn = lazy.get().await?;
                conn.req_packed_command(cmd).await
            }),
            RedisConnection::Sentinel(sentinel) => Box::pin(async move {
                let mut conn = sentinel.get().await?;
                let result = conn.req_packed_command(cmd).await;
                sentinel.after(result)
            }),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            RedisConnection::Single(conn) => conn.req_packed_commands(pipeline, offset, count),
            RedisConnection::Cluster(lazy) => Box::pin(async move {
                let mut conn = lazy.get().await?;
                conn.req_packed_commands(pipeline, offset, count).await
            }),
            RedisConnection::Sentinel(sentinel) => Box::pin(async move {
                let mut conn = sentinel.get().await?;
                let result = conn.req_packed_commands(pipeline, offset, count).await;
                sentinel.after(result)
            }),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            RedisConnection::Single(conn) => conn.get_db(),
            RedisConnection::Cluster(_) => 0,
            RedisConnection::Sentinel(sentinel) => sentinel.current().map_or(0, |c| c.get_db()),
        }
    }
}
