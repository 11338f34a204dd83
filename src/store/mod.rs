//! Everything kept, in Redis or in process: the clients (a key-value map of client IDs to
//! serialized records, with the few atomic operations the RFC 7592 life cycle needs; what a
//! record means is decided above it, so both backends behave the same by construction),
//! initial access tokens, policy counts, rate limits, idempotency keys, leases and the audit
//! stream. The only layer that speaks Redis; it imports `domain/` and `credentials/` only.

use std::future::Future;

/// Resource servers (APIs) and client grants (the token endpoint's).
pub mod apis;
/// The audit log: events, and their capped Redis stream or in-process ring.
pub mod audit;
/// One connection type over one server, Sentinel or Cluster.
pub mod connection;
/// The console's sign-in links and sessions.
pub mod console;
/// Initial access tokens: issue, list, revoke, and consume atomically.
pub mod iat;
/// Idempotent registration: the same software and metadata get their existing client.
pub mod idempotency;
/// Redis key names and listing buckets.
pub mod layout;
/// One instance at a time for periodic jobs.
pub mod lease;
/// In-process store: the default, and the one tests use when Redis is beside the point.
pub mod memory;
/// Used client assertions and revoked access tokens.
pub mod oauth_tokens;
/// Client counts per registration policy, in total and per source IP.
pub mod quota;
/// Token-bucket (GCRA) rate limits, shared across instances through Redis.
pub mod rate;
/// Redis store: what production runs on.
pub mod redis;
/// `--redis-url` parsed into the Redis deployment it names.
pub mod topology;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend cannot be reached or did not answer in time; the caller may retry.
    #[error("store unavailable: {0}")]
    Unavailable(String),
}

/// Every Redis failure a caller sees (refused, dropped, timed out, failed over) means the
/// same to it: the store is away for now, answer 503 and let the client retry.
impl From<::redis::RedisError> for StoreError {
    fn from(e: ::redis::RedisError) -> Self {
        StoreError::Unavailable(e.to_string())
    }
}

/// One serialized client record as read, kept whole so that a later write can check
/// nobody changed it in between (compare-and-set on the bytes).
pub type Snapshot = Vec<u8>;

/// Where a sequential read of all clients stands: one position per listing index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListCursor(pub(crate) Vec<usize>);

pub trait ClientStore: Send + Sync {
    /// Stores a new client; `false` if the ID is taken (never overwrites). `created` orders
    /// the client in listings.
    fn create(
        &self,
        client_id: &str,
        created: i64,
        record: &[u8],
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    fn get(
        &self,
        client_id: &str,
    ) -> impl Future<Output = Result<Option<Snapshot>, StoreError>> + Send;

    /// Replaces the record if it still equals `expected`; `false` if it changed or is gone.
    fn replace(
        &self,
        client_id: &str,
        expected: &[u8],
        record: &[u8],
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Deletes the record if it still equals `expected`.
    fn delete(
        &self,
        client_id: &str,
        expected: &[u8],
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// A page of clients in creation order (oldest first), and how many there are.
    fn list(
        &self,
        start: usize,
        limit: usize,
    ) -> impl Future<Output = Result<(Vec<Snapshot>, usize), StoreError>> + Send;

    /// The next `limit` clients of a full read in creation order, from `cursor` (start with
    /// `ListCursor::default()`), and where to go on (`None` at the end). A sequential read
    /// costs the same per chunk however far it has got, unlike `list` with a growing
    /// `start` on a store that merges several indexes.
    fn list_from(
        &self,
        cursor: &ListCursor,
        limit: usize,
    ) -> impl Future<Output = Result<(Vec<Snapshot>, Option<ListCursor>), StoreError>> + Send {
        let start = cursor.0.first().copied().unwrap_or(0);
        async move {
            let (records, total) = self.list(start, limit).await?;
            let next = start + limit;
            Ok((records, (next < total).then(|| ListCursor(vec![next]))))
        }
    }

    /// Stores the server's key set unless one exists, and returns whichever is stored:
    /// every instance then signs with the same keys.
    fn init_server_keys(
        &self,
        candidate: &[u8],
    ) -> impl Future<Output = Result<Vec<u8>, StoreError>> + Send;

    /// Readiness: the backend answers.
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// The configured backend. An enum rather than `dyn`: the trait's async methods stay
/// zero-cost, and there are exactly two backends.
#[expect(clippy::large_enum_variant, reason = "one per worker, made once; boxing buys nothing")]
pub enum Store {
    Memory(std::sync::Arc<memory::MemoryStore>),
    Redis(redis::RedisStore),
}

macro_rules! dispatch {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            Store::Memory($store) => $call.await,
            Store::Redis($store) => $call.await,
        }
    };
}

impl ClientStore for Store {
    async fn create(
        &self,
        client_id: &str,
        created: i64,
        record: &[u8],
    ) -> Result<bool, StoreError> {
        dispatch!(self, s => s.create(client_id, created, record))
    }

    async fn list(&self, start: usize, limit: usize) -> Result<(Vec<Snapshot>, usize), StoreError> {
        dispatch!(self, s => s.list(start, limit))
    }

    async fn list_from(
        &self,
        cursor: &ListCursor,
        limit: usize,
    ) -> Result<(Vec<Snapshot>, Option<ListCursor>), StoreError> {
        dispatch!(self, s => s.list_from(cursor, limit))
    }

    async fn get(&self, client_id: &str) -> Result<Option<Snapshot>, StoreError> {
        dispatch!(self, s => s.get(client_id))
    }

    async fn replace(
        &self,
        client_id: &str,
        expected: &[u8],
        record: &[u8],
    ) -> Result<bool, StoreError> {
        dispatch!(self, s => s.replace(client_id, expected, record))
    }

    async fn delete(&self, client_id: &str, expected: &[u8]) -> Result<bool, StoreError> {
        dispatch!(self, s => s.delete(client_id, expected))
    }

    async fn init_server_keys(&self, candidate: &[u8]) -> Result<Vec<u8>, StoreError> {
        dispatch!(self, s => s.init_server_keys(candidate))
    }

    async fn ping(&self) -> Result<(), StoreError> {
        dispatch!(self, s => s.ping())
    }
}
