//! Redis store. One string key per client, `{prefix}client:{<client_id>}`: the hash tag
//! keeps everything about a client in one Redis Cluster slot, and a single key makes
//! every write one atomic command, so a crash can never leave half a client behind.
//! Registration and reads are one round trip each.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, Client, ExistenceCheck, Script, SetOptions};

use super::{ClientStore, Snapshot, StoreError};

/// Compare-and-set: replace the value only if nobody changed it since it was read.
const REPLACE_IF_UNCHANGED: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0";

const DELETE_IF_UNCHANGED: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
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

    /// A store whose connection is made on first use, on the calling thread's runtime.
    /// Each actix worker gets its own: requests multiplex over it without hopping
    /// threads, and it reconnects by itself when Redis comes back.
    pub fn connect_lazy(&self) -> Result<RedisStore, StoreError> {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeouts.connect))
            .set_response_timeout(Some(self.timeouts.response))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_millis(500));
        let conn = ConnectionManager::new_lazy_with_config(self.client.clone(), config)
            .map_err(unavailable)?;
        Ok(RedisStore {
            conn,
            prefix: self.prefix.clone(),
            replace: Script::new(REPLACE_IF_UNCHANGED),
            delete: Script::new(DELETE_IF_UNCHANGED),
            set_once: Script::new(SET_ONCE_AND_GET),
        })
    }
}

pub struct RedisStore {
    conn: ConnectionManager,
    prefix: String,
    replace: Script,
    delete: Script,
    set_once: Script,
}

impl RedisStore {
    /// Stores many new clients in pipelined batches (benchmark preloading); existing IDs
    /// are left alone.
    pub async fn create_many(&self, records: &[(String, Vec<u8>)]) -> Result<(), StoreError> {
        let mut pipe = redis::pipe();
        for (client_id, record) in records {
            pipe.set_options(
                self.client_key(client_id),
                record,
                SetOptions::default().conditional_set(ExistenceCheck::NX),
            )
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
    async fn create(&self, client_id: &str, record: &[u8]) -> Result<bool, StoreError> {
        let options = SetOptions::default().conditional_set(ExistenceCheck::NX);
        let created: Option<String> = self
            .conn
            .clone()
            .set_options(self.client_key(client_id), record, options)
            .await
            .map_err(unavailable)?;
        Ok(created.is_some())
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
            .arg(expected)
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
