//! In-process store. Nothing survives a restart; startup warns about that.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, RwLock};

use super::{ClientStore, Snapshot, StoreError};

/// A record and when it was created (listing order).
type Entry = (i64, Arc<[u8]>);

/// Sharded so that concurrent requests on different clients rarely share a lock.
const SHARDS: usize = 32;

pub struct MemoryStore {
    shards: Vec<RwLock<HashMap<String, Entry>>>,
    hasher: RandomState,
    server_keys: RwLock<Option<Vec<u8>>>,
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore {
            shards: (0..SHARDS).map(|_| RwLock::default()).collect(),
            hasher: RandomState::new(),
            server_keys: RwLock::default(),
        }
    }
}

impl MemoryStore {
    fn shard(&self, client_id: &str) -> &RwLock<HashMap<String, Entry>> {
        let index = self.hasher.hash_one(client_id) as usize % SHARDS;
        &self.shards[index]
    }
}

/// A poisoned lock means a thread panicked mid-write; the map itself is still sound
/// (every write is a single insert or remove), so carry on with it.
macro_rules! lock {
    ($lock:expr, $mode:ident) => {
        $lock.$mode().unwrap_or_else(std::sync::PoisonError::into_inner)
    };
}

impl ClientStore for MemoryStore {
    async fn create(
        &self,
        client_id: &str,
        created: i64,
        record: &[u8],
    ) -> Result<bool, StoreError> {
        let mut shard = lock!(self.shard(client_id), write);
        if shard.contains_key(client_id) {
            return Ok(false);
        }
        shard.insert(client_id.to_owned(), (created, Arc::from(record)));
        Ok(true)
    }

    async fn get(&self, client_id: &str) -> Result<Option<Snapshot>, StoreError> {
        Ok(lock!(self.shard(client_id), read).get(client_id).map(|(_, r)| r.to_vec()))
    }

    /// Sorts every client per call: listing is an administrator's occasional request, and
    /// an index would put a shared lock on every registration.
    async fn list(&self, start: usize, limit: usize) -> Result<(Vec<Snapshot>, usize), StoreError> {
        let mut all: Vec<(i64, String, Arc<[u8]>)> = Vec::new();
        for shard in &self.shards {
            let shard = lock!(shard, read);
            all.extend(shard.iter().map(|(id, (at, r))| (*at, id.clone(), r.clone())));
        }
        all.sort_unstable_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        let total = all.len();
        let page = all.into_iter().skip(start).take(limit).map(|(_, _, r)| r.to_vec()).collect();
        Ok((page, total))
    }

    async fn replace(
        &self,
        client_id: &str,
        expected: &[u8],
        record: &[u8],
    ) -> Result<bool, StoreError> {
        let mut shard = lock!(self.shard(client_id), write);
        match shard.get_mut(client_id) {
            Some((_, current)) if **current == *expected => {
                *current = Arc::from(record);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn delete(&self, client_id: &str, expected: &[u8]) -> Result<bool, StoreError> {
        let mut shard = lock!(self.shard(client_id), write);
        if shard.get(client_id).is_some_and(|(_, current)| **current == *expected) {
            shard.remove(client_id);
            return Ok(true);
        }
        Ok(false)
    }

    async fn init_server_keys(&self, candidate: &[u8]) -> Result<Vec<u8>, StoreError> {
        let mut keys = lock!(self.server_keys, write);
        Ok(keys.get_or_insert_with(|| candidate.to_vec()).clone())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }
}
