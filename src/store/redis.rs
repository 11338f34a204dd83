//! Redis store: one string key per client and a per-bucket sorted set of client IDs by
//! creation time for listings (key layout in [`super::layout`]). Each write is one script
//! over keys of one hash slot, so a client and its index entry appear and vanish together,
//! a crash can never leave half a client behind, and the same scripts run on one server,
//! behind Sentinel and on a Redis Cluster. Registration and reads are one round trip each.

use futures_util::future::try_join_all;
use redis::{AsyncCommands, ExistenceCheck, Script, SetOptions};

pub use super::connection::Timeouts;
use super::connection::{Connector, RedisConnection};
use super::layout::{bucket, Layout, BUCKETS};
use super::topology::RedisTopology;
use super::{ClientStore, ListCursor, Snapshot, StoreError};

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

/// What every worker needs to open its own connection.
#[derive(Clone)]
pub struct RedisConfig {
    connector: Connector,
    prefix: String,
    timeouts: Timeouts,
}

impl RedisConfig {
    pub fn new(
        topology: &RedisTopology,
        prefix: &str,
        timeouts: Timeouts,
    ) -> Result<Self, StoreError> {
        let connector = Connector::new(topology, timeouts).map_err(StoreError::from)?;
        Ok(RedisConfig { connector, prefix: prefix.to_owned(), timeouts })
    }

    /// A multiplexed connection with this configuration's timeouts, made on first use and
    /// remade by itself after Redis comes back (or fails over).
    pub fn connection(&self) -> Result<RedisConnection, StoreError> {
        self.connector.connect_lazy(self.timeouts).map_err(StoreError::from)
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
            keys: Layout::new(&self.prefix),
            create: Script::new(CREATE),
            replace: Script::new(REPLACE_IF_UNCHANGED),
            delete: Script::new(DELETE_IF_UNCHANGED),
            set_once: Script::new(SET_ONCE_AND_GET),
        })
    }
}

pub struct RedisStore {
    conn: RedisConnection,
    keys: Layout,
    create: Script,
    replace: Script,
    delete: Script,
    set_once: Script,
}

impl RedisStore {
    /// Stores many new clients in pipelined batches (benchmark preloading), one pipeline
    /// per bucket (a cluster pipeline must stay in one slot), all in flight at once;
    /// existing IDs are left alone.
    pub async fn create_many(&self, records: &[(String, i64, Vec<u8>)]) -> Result<(), StoreError> {
        let mut pipes: Vec<redis::Pipeline> = (0..BUCKETS).map(|_| redis::pipe()).collect();
        for (client_id, created, record) in records {
            pipes[bucket(client_id)]
                .set_options(
                    self.keys.client(client_id),
                    record,
                    SetOptions::default().conditional_set(ExistenceCheck::NX),
                )
                .ignore()
                .zadd(self.keys.index_of(client_id), client_id, created)
                .ignore();
        }
        try_join_all(pipes.iter().filter(|pipe| !pipe.is_empty()).map(|pipe| {
            let mut conn = self.conn.clone();
            async move { pipe.query_async::<()>(&mut conn).await }
        }))
        .await
        .map(drop)
        .map_err(StoreError::from)
    }
}

impl RedisStore {
    /// The records behind `keys` in their order, skipping any deleted meanwhile: one `MGET`,
    /// which the cluster client splits by slot.
    async fn records(&self, keys: &[String]) -> Result<Vec<Snapshot>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let records: Vec<Option<Snapshot>> = redis::cmd("MGET")
            .arg(keys)
            .query_async(&mut self.conn.clone())
            .await
            .map_err(StoreError::from)?;
        Ok(records.into_iter().flatten().collect())
    }
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
            .key(self.keys.client(client_id))
            .key(self.keys.index_of(client_id))
            .arg(record)
            .arg(created)
            .arg(client_id)
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(StoreError::from)?;
        Ok(done == 1)
    }

    /// Reads the first `start + limit` entries of every bucket (one pipeline per bucket,
    /// all in flight at once), merges them by (creation time, ID), which is the order one
    /// sorted set would give, and fetches the page's records with one `MGET` (which the
    /// cluster client splits by slot). Cost grows with `BUCKETS × (start + limit)` index
    /// entries, small next to the records of a page.
    async fn list(&self, start: usize, limit: usize) -> Result<(Vec<Snapshot>, usize), StoreError> {
        let stop = (start + limit).saturating_sub(1) as isize;
        let buckets = try_join_all((0..BUCKETS).map(|b| {
            let (mut conn, index) = (self.conn.clone(), self.keys.index(b));
            async move {
                redis::pipe()
                    .zrange_withscores(&index, 0, stop)
                    .zcard(&index)
                    .query_async::<(Vec<(String, f64)>, usize)>(&mut conn)
                    .await
            }
        }))
        .await
        .map_err(StoreError::from)?;
        let total = buckets.iter().map(|(_, count)| count).sum();
        let mut entries: Vec<(f64, String)> =
            buckets.into_iter().flat_map(|(ids, _)| ids).map(|(id, score)| (score, id)).collect();
        entries.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        let keys: Vec<String> =
            entries.iter().skip(start).take(limit).map(|(_, id)| self.keys.client(id)).collect();
        Ok((self.records(&keys).await?, total))
    }

    /// The cursor holds each bucket's position: every chunk reads at most `limit` entries
    /// from each bucket, takes the `limit` first of them, and moves each bucket on by what
    /// it gave.
    async fn list_from(
        &self,
        cursor: &ListCursor,
        limit: usize,
    ) -> Result<(Vec<Snapshot>, Option<ListCursor>), StoreError> {
        let mut at = cursor.0.clone();
        at.resize(BUCKETS, 0);
        let buckets = try_join_all(at.iter().enumerate().map(|(b, &from)| {
            let (mut conn, index) = (self.conn.clone(), self.keys.index(b));
            let stop = (from + limit).saturating_sub(1) as isize;
            async move {
                conn.zrange_withscores::<_, Vec<(String, f64)>>(&index, from as isize, stop).await
            }
        }))
        .await
        .map_err(StoreError::from)?;
        let mut entries: Vec<(f64, String, usize)> = buckets
            .into_iter()
            .enumerate()
            .flat_map(|(b, ids)| ids.into_iter().map(move |(id, score)| (score, id, b)))
            .collect();
        entries.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        let more = entries.len() > limit;
        entries.truncate(limit);
        for (_, _, b) in &entries {
            at[*b] += 1;
        }
        let keys: Vec<String> = entries.iter().map(|(_, id, _)| self.keys.client(id)).collect();
        let records = self.records(&keys).await?;
        Ok((records, more.then_some(ListCursor(at))))
    }

    async fn get(&self, client_id: &str) -> Result<Option<Snapshot>, StoreError> {
        self.conn.clone().get(self.keys.client(client_id)).await.map_err(StoreError::from)
    }

    async fn replace(
        &self,
        client_id: &str,
        expected: &[u8],
        record: &[u8],
    ) -> Result<bool, StoreError> {
        let replaced: i64 = self
            .replace
            .key(self.keys.client(client_id))
            .arg(expected)
            .arg(record)
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(StoreError::from)?;
        Ok(replaced == 1)
    }

    async fn delete(&self, client_id: &str, expected: &[u8]) -> Result<bool, StoreError> {
        let deleted: i64 = self
            .delete
            .key(self.keys.client(client_id))
            .key(self.keys.index_of(client_id))
            .arg(expected)
            .arg(client_id)
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(StoreError::from)?;
        Ok(deleted == 1)
    }

    async fn init_server_keys(&self, candidate: &[u8]) -> Result<Vec<u8>, StoreError> {
        self.set_once
            .key(self.keys.server_keys())
            .arg(candidate)
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(StoreError::from)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        redis::cmd("PING")
            .query_async::<String>(&mut self.conn.clone())
            .await
            .map(drop)
            .map_err(StoreError::from)
    }
}

#[cfg(test)]
mod tests;
