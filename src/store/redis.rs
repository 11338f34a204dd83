//! Redis store. One string key per client, `{prefix}client:{<client_id>}` (the hash tag
//! keeps everything about a client in one Redis Cluster slot), and a sorted set
//! `{prefix}clients` of client IDs by creation time for listings. Each write is one
//! script, so a client and its index entry appear and vanish together, and a crash can
//! never leave half a client behind. Registration and reads are one round trip each.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, Client, ExistenceCheck, Script, SetOptions};

use super::{ClientStore, Snapshot, StoreError};

/// Create unless taken, and index it.
const CREATE: &str = r"
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
  return 1
end
return 0";

/// Compare-and-set: replace the value only if nobody changed it since it was read.
const REPLACE_IF_UNCHANGED: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0";

const DELETE_IF_UNCHANGED: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('ZREM', KEYS[2], ARGV[2])
  return redis.call('DEL', KEYS[1])
end
return 0";

const SET_ONCE_AND_GET: &str = r"
redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])";

/// How long a request waits on Redis before it answers 503 instead of hanging.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    pub response: Duration,
}

/// What every worker needs to open its own connection.
#[derive(Clone)]
pub struct RedisConfig {
    client: Client,
    prefix: String,
    timeouts: Timeouts,
}

impl RedisConfig {
    pub fn new(url: &str, prefix: &str, timeouts: Timeouts) -> Result<Self, StoreError> {
        let client = Client::open(url).map_err(unavailable)?;
        Ok(RedisConfig { client, prefix: prefix.to_owned(), timeouts })
    }

    /// A multiplexed connection with this configuration's timeouts, made on first use and
    /// remade by itself after Redis comes back.
    pub fn connection(&self) -> Result<ConnectionManager, StoreError> {
        // One connect attempt per reconnect: a request waiting on a reconnect waits for
        // all its retries and their back-off, which would outlast the timeout.
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeouts.connect))
            .set_response_timeout(Some(self.timeouts.response))
            .set_number_of_retries(0);
        ConnectionManager::new_lazy_with_config(self.client.clone(), config).map_err(unavailable)
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// A store whose connection is made on first use, on the calling thread's runtime.
    /// Each actix worker gets its own: requests multiplex over it without hopping
    /// threads, and it reconnects by itself when Redis comes back.
    pub fn connect_lazy(&self) -> Result<RedisStore, StoreError> {
        Ok(RedisStore {
            conn: self.connection()?,
            index: format!("{}clients", self.prefix),
            prefix: self.prefix.clone(),
            create: Script::new(CREATE),
            replace: Script::new(REPLACE_IF_UNCHANGED),
            delete: Script::new(DELETE_IF_UNCHANGED),
            set_once: Script::new(SET_ONCE_AND_GET),
        })
    }
}

pub struct RedisStore {
    conn: ConnectionManager,
    prefix: String,
    index: String,
    create: Script,
    replace: Script,
    delete: Script,
    set_once: Script,
}

impl RedisStore {
    /// Stores many new clients in pipelined batches (benchmark preloading); existing IDs
    /// are left alone.
    pub async fn create_many(&self, records: &[(String, i64, Vec<u8>)]) -> Result<(), StoreError> {
        let mut pipe = redis::pipe();
        for (client_id, created, record) in records {
            pipe.set_options(
                self.client_key(client_id),
                record,
                SetOptions::default().conditional_set(ExistenceCheck::NX),
            )
            .ignore()
            .zadd(&self.index, client_id, created)
            .ignore();
        }
        pipe.query_async::<()>(&mut self.conn.clone()).await.map_err(unavailable)
    }

    fn client_key(&self, client_id: &str) -> String {
        format!("{}client:{{{}}}", self.prefix, client_id)
    }
}

fn unavailable(e: redis::RedisError) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

impl ClientStore for RedisStore {
    async fn create(
        &self,
        client_id: &str,
        created: i64,
        record: &[u8],
    ) -> Result<bool, StoreError> {
        let done: i64 = self
            .create
            .key(self.client_key(client_id))
            .key(&self.index)
            .arg(record)
            .arg(created)
            .arg(client_id)
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(unavailable)?;
        Ok(done == 1)
    }

    async fn list(&self, start: usize, limit: usize) -> Result<(Vec<Snapshot>, usize), StoreError> {
        let mut conn = self.conn.clone();
        let stop = (start + limit).saturating_sub(1) as isize;
        let (ids, total): (Vec<String>, usize) = redis::pipe()
            .zrange(&self.index, start as isize, stop)
            .zcard(&self.index)
            .query_async(&mut conn)
            .await
            .map_err(unavailable)?;
        if ids.is_empty() || limit == 0 {
            return Ok((Vec::new(), total));
        }
        let keys: Vec<String> = ids.iter().map(|id| self.client_key(id)).collect();
        let records: Vec<Option<Snapshot>> =
            redis::cmd("MGET").arg(&keys).query_async(&mut conn).await.map_err(unavailable)?;
        Ok((records.into_iter().flatten().collect(), total))
    }

    async fn get(&self, client_id: &str) -> Result<Option<Snapshot>, StoreError> {
        self.conn.clone().get(self.client_key(client_id)).await.map_err(unavailable)
    }

    async fn replace(
        &self,
        client_id: &str,
        expected: &[u8],
        record: &[u8],
    ) -> Result<bool, StoreError> {
        let replaced: i64 = self
            .replace
            .key(self.client_key(client_id))
            .arg(expected)
            .arg(record)
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(unavailable)?;
        Ok(replaced == 1)
    }

    async fn delete(&self, client_id: &str, expected: &[u8]) -> Result<bool, StoreError> {
        let deleted: i64 = self
            .delete
            .key(self.client_key(client_id))
            .key(&self.index)
            .arg(expected)
            .arg(client_id)
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(unavailable)?;
        Ok(deleted == 1)
    }

    async fn init_server_keys(&self, candidate: &[u8]) -> Result<Vec<u8>, StoreError> {
        self.set_once
            .key(format!("{}server:jwks", self.prefix))
            .arg(candidate)
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(unavailable)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        redis::cmd("PING")
            .query_async::<String>(&mut self.conn.clone())
            .await
            .map(drop)
            .map_err(unavailable)
    }
}
