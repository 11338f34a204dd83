//! Resource servers (APIs) and client grants, as serialized records; what they mean is
//! decided in `crate::oauth`. Redis layout, every key in the one hash slot `{oauth}` (they
//! are few and administrator-made, and the scripts touch several at once):
//!
//! - `{prefix}apis:{oauth}`: hash, API identifier (audience) → record;
//! - `{prefix}api-ids:{oauth}`: hash, API id → identifier;
//! - `{prefix}grants:{oauth}`: hash, grant id → record;
//! - `{prefix}grant-pairs:{oauth}`: hash, `<client_id> <audience>` → grant id, so a client
//!   holds at most one grant per API and the token endpoint finds it in one step.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use redis::{AsyncCommands, Script};

use super::connection::RedisConnection;
use super::StoreError;

const CREATE_API: &str = r"
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[3]) == 1 then
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
  return 1
end
return 0";

/// Deletes the API and every grant for it.
const DELETE_API: &str = r"
local identifier = redis.call('HGET', KEYS[2], ARGV[1])
if not identifier then return 0 end
redis.call('HDEL', KEYS[1], identifier)
redis.call('HDEL', KEYS[2], ARGV[1])
local pairs = redis.call('HGETALL', KEYS[4])
for i = 1, #pairs, 2 do
  local pair = pairs[i]
  local space = string.find(pair, ' ', 1, true)
  if space and string.sub(pair, space + 1) == identifier then
    redis.call('HDEL', KEYS[3], pairs[i + 1])
    redis.call('HDEL', KEYS[4], pair)
  end
end
return 1";

const REPLACE: &str = r"
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  return 1
end
return 0";

const CREATE_GRANT: &str = r"
if redis.call('HSETNX', KEYS[2], ARGV[2], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  return 1
end
return 0";

const DELETE_GRANT: &str = r"
if redis.call('HDEL', KEYS[1], ARGV[1]) == 1 then
  redis.call('HDEL', KEYS[2], ARGV[2])
  return 1
end
return 0";

/// The API named by an audience and the client's grant for it, in one round trip.
const LOOKUP: &str = r"
local api = redis.call('HGET', KEYS[1], ARGV[1])
local id = redis.call('HGET', KEYS[3], ARGV[2])
local grant = false
if id then grant = redis.call('HGET', KEYS[2], id) end
return {api, grant}";

static CREATE_API_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(CREATE_API));
static DELETE_API_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(DELETE_API));
static REPLACE_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(REPLACE));
static CREATE_GRANT_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(CREATE_GRANT));
static DELETE_GRANT_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(DELETE_GRANT));
static LOOKUP_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(LOOKUP));

#[derive(Clone)]
pub enum ApiStore {
    Memory(Arc<Mutex<Maps>>),
    Redis { conn: RedisConnection, prefix: String },
}

/// The same four maps as the Redis hashes.
#[derive(Default)]
pub struct Maps {
    apis: HashMap<String, String>,
    api_ids: HashMap<String, String>,
    grants: HashMap<String, String>,
    pairs: HashMap<String, String>,
}

/// The key of a client's grant for an audience.
fn pair(client_id: &str, audience: &str) -> String {
    format!("{client_id} {audience}")
}

macro_rules! maps {
    ($m:expr) => {
        $m.lock().unwrap_or_else(PoisonError::into_inner)
    };
}

impl ApiStore {
    pub fn memory() -> ApiStore {
        ApiStore::Memory(Arc::default())
    }

    fn keys(prefix: &str) -> [String; 4] {
        ["apis", "api-ids", "grants", "grant-pairs"].map(|name| format!("{prefix}{name}:{{oauth}}"))
    }

    /// Stores a new API; `false` if its identifier is taken.
    pub async fn create_api(
        &self,
        id: &str,
        identifier: &str,
        record: &str,
    ) -> Result<bool, StoreError> {
        match self {
            ApiStore::Memory(m) => {
                let mut m = maps!(m);
                if m.apis.contains_key(identifier) {
                    return Ok(false);
                }
                m.apis.insert(identifier.to_owned(), record.to_owned());
                m.api_ids.insert(id.to_owned(), identifier.to_owned());
                Ok(true)
            }
            ApiStore::Redis { conn, prefix } => {
                let [apis, ids, ..] = Self::keys(prefix);
                let created: i64 = CREATE_API_SCRIPT
                    .key(apis)
                    .key(ids)
                    .arg(identifier)
                    .arg(id)
                    .arg(record)
                    .invoke_async(&mut conn.clone())
                    .await?;
                Ok(created == 1)
            }
        }
    }

    /// The API with this identifier (audience).
    pub async fn api(&self, identifier: &str) -> Result<Option<String>, StoreError> {
        match self {
            ApiStore::Memory(m) => Ok(maps!(m).apis.get(identifier).cloned()),
            ApiStore::Redis { conn, prefix } => {
                let [apis, ..] = Self::keys(prefix);
                Ok(conn.clone().hget(apis, identifier).await?)
            }
        }
    }

    /// The identifier of the API with this id.
    pub async fn api_identifier(&self, id: &str) -> Result<Option<String>, StoreError> {
        match self {
            ApiStore::Memory(m) => Ok(maps!(m).api_ids.get(id).cloned()),
            ApiStore::Redis { conn, prefix } => {
                let [_, ids, ..] = Self::keys(prefix);
                Ok(conn.clone().hget(ids, id).await?)
            }
        }
    }

    pub async fn list_apis(&self) -> Result<Vec<String>, StoreError> {
        match self {
            ApiStore::Memory(m) => Ok(maps!(m).apis.values().cloned().collect()),
            ApiStore::Redis { conn, prefix } => {
                let [apis, ..] = Self::keys(prefix);
                Ok(conn.clone().hvals(apis).await?)
            }
        }
    }

    /// Replaces the API if its record is still `expected`.
    pub async fn replace_api(
        &self,
        identifier: &str,
        expected: &str,
        record: &str,
    ) -> Result<bool, StoreError> {
        match self {
            ApiStore::Memory(m) => Ok(replace(&mut maps!(m).apis, identifier, expected, record)),
            ApiStore::Redis { conn, prefix } => {
                let [apis, ..] = Self::keys(prefix);
                replace_redis(conn, apis, identifier, expected, record).await
            }
        }
    }

    /// Deletes the API and its grants; `false` if there is no such API.
    pub async fn delete_api(&self, id: &str) -> Result<bool, StoreError> {
        match self {
            ApiStore::Memory(m) => {
                let mut m = maps!(m);
                let Some(identifier) = m.api_ids.remove(id) else { return Ok(false) };
                m.apis.remove(&identifier);
                let suffix = format!(" {identifier}");
                let doomed: Vec<(String, String)> = m
                    .pairs
                    .iter()
                    .filter(|(pair, _)| {
                        pair.ends_with(&suffix) && !pair[..pair.len() - suffix.len()].contains(' ')
                    })
                    .map(|(p, g)| (p.clone(), g.clone()))
                    .collect();
                for (pair, grant) in doomed {
                    m.pairs.remove(&pair);
                    m.grants.remove(&grant);
                }
                Ok(true)
            }
            ApiStore::Redis { conn, prefix } => {
                let deleted: i64 = DELETE_API_SCRIPT
                    .key(&Self::keys(prefix)[..])
                    .arg(id)
                    .invoke_async(&mut conn.clone())
                    .await?;
                Ok(deleted == 1)
            }
        }
    }

    /// Stores a new grant; `false` if the client already holds one for the audience.
    pub async fn create_grant(
        &self,
        id: &str,
        client_id: &str,
        audience: &str,
        record: &str,
    ) -> Result<bool, StoreError> {
        let pair = pair(client_id, audience);
        match self {
            ApiStore::Memory(m) => {
                let mut m = maps!(m);
                if m.pairs.contains_key(&pair) {
                    return Ok(false);
                }
                m.pairs.insert(pair, id.to_owned());
                m.grants.insert(id.to_owned(), record.to_owned());
                Ok(true)
            }
            ApiStore::Redis { conn, prefix } => {
                let [_, _, grants, pairs] = Self::keys(prefix);
                let created: i64 = CREATE_GRANT_SCRIPT
                    .key(grants)
                    .key(pairs)
                    .arg(id)
                    .arg(pair)
                    .arg(record)
                    .invoke_async(&mut conn.clone())
                    .await?;
                Ok(created == 1)
            }
        }
    }

    pub async fn grant(&self, id: &str) -> Result<Option<String>, StoreError> {
        match self {
            ApiStore::Memory(m) => Ok(maps!(m).grants.get(id).cloned()),
            ApiStore::Redis { conn, prefix } => {
                let [_, _, grants, _] = Self::keys(prefix);
                Ok(conn.clone().hget(grants, id).await?)
            }
        }
    }

    pub async fn list_grants(&self) -> Result<Vec<String>, StoreError> {
        match self {
            ApiStore::Memory(m) => Ok(maps!(m).grants.values().cloned().collect()),
            ApiStore::Redis { conn, prefix } => {
                let [_, _, grants, _] = Self::keys(prefix);
                Ok(conn.clone().hvals(grants).await?)
            }
        }
    }

    pub async fn replace_grant(
        &self,
        id: &str,
        expected: &str,
        record: &str,
    ) -> Result<bool, StoreError> {
        match self {
            ApiStore::Memory(m) => Ok(replace(&mut maps!(m).grants, id, expected, record)),
            ApiStore::Redis { conn, prefix } => {
                let [_, _, grants, _] = Self::keys(prefix);
                replace_redis(conn, grants, id, expected, record).await
            }
        }
    }

    /// Deletes the grant `id` of `client_id` for `audience`; `false` if it is gone.
    pub async fn delete_grant(
        &self,
        id: &str,
        client_id: &str,
        audience: &str,
    ) -> Result<bool, StoreError> {
        let pair = pair(client_id, audience);
        match self {
            ApiStore::Memory(m) => {
                let mut m = maps!(m);
                if m.grants.remove(id).is_none() {
                    return Ok(false);
                }
                m.pairs.remove(&pair);
                Ok(true)
            }
            ApiStore::Redis { conn, prefix } => {
                let [_, _, grants, pairs] = Self::keys(prefix);
                let deleted: i64 = DELETE_GRANT_SCRIPT
                    .key(grants)
                    .key(pairs)
                    .arg(id)
                    .arg(pair)
                    .invoke_async(&mut conn.clone())
                    .await?;
                Ok(deleted == 1)
            }
        }
    }

    /// The API named `audience` and `client_id`'s grant for it.
    pub async fn lookup(
        &self,
        client_id: &str,
        audience: &str,
    ) -> Result<(Option<String>, Option<String>), StoreError> {
        let pair = pair(client_id, audience);
        match self {
            ApiStore::Memory(m) => {
                let m = maps!(m);
                let grant = m.pairs.get(&pair).and_then(|id| m.grants.get(id)).cloned();
                Ok((m.apis.get(audience).cloned(), grant))
            }
            ApiStore::Redis { conn, prefix } => {
                let [apis, _, grants, pairs] = Self::keys(prefix);
                Ok(LOOKUP_SCRIPT
                    .key(apis)
                    .key(grants)
                    .key(pairs)
                    .arg(audience)
                    .arg(pair)
                    .invoke_async(&mut conn.clone())
                    .await?)
            }
        }
    }
}

fn replace(map: &mut HashMap<String, String>, key: &str, expected: &str, record: &str) -> bool {
    match map.get_mut(key) {
        Some(current) if current == expected => {
            *current = record.to_owned();
            true
        }
        _ => false,
    }
}

async fn replace_redis(
    conn: &RedisConnection,
    hash: String,
    field: &str,
    expected: &str,
    record: &str,
) -> Result<bool, StoreError> {
    let replaced: i64 = REPLACE_SCRIPT
        .key(hash)
        .arg(field)
        .arg(expected)
        .arg(record)
        .invoke_async(&mut conn.clone())
        .await?;
    Ok(replaced == 1)
}
