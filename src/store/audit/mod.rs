//! The audit log: who registered, read, changed or deleted a client, and who failed to
//! authenticate. Events have the shape of Auth0 log events (seed 002) and a short type code
//! each ([`EventType`], table in [`markdown_table`]).
//!
//! Writing the log never fails or slows a request. [`AuditLog::record`] is synchronous and
//! does no I/O: the in-process log appends to a ring buffer under a mutex; the Redis log
//! hands the event to a bounded queue that one background task drains, writing batches of
//! `XADD`s in one round trip. An event that cannot be kept (queue full, Redis refusing it)
//! is counted ([`AuditLog::failures`]) and logged with `tracing::warn!` at most once a
//! second; the request goes on regardless.
//!
//! Both logs keep the newest `--audit-max-events` events (default [`DEFAULT_MAX_EVENTS`]):
//! the ring buffer exactly, the Redis stream approximately (`MAXLEN ~`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use serde::{Deserialize, Serialize};

pub use event::{is_sensitive_key, markdown_table, rfc3339, Details, Event, EventType};

/// Events, their type codes, and the secret filter.
pub mod event;
/// The in-process ring buffer (the embedded store's log).
mod memory;
/// The Redis stream and its background writer.
mod redis;
/// A private `redis-server` for unit tests (the store's too).
#[cfg(test)]
pub(crate) mod test_server;

/// Default for `--audit-max-events`: how many events the log keeps.
pub const DEFAULT_MAX_EVENTS: usize = 100_000;
/// `per_page` when the query leaves it out (Auth0's default).
pub const DEFAULT_PER_PAGE: usize = 50;
/// Largest `per_page` accepted (Auth0's limit).
pub const MAX_PER_PAGE: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The query asks for something the log does not serve (the message names the field).
    #[error("invalid log query: {0}")]
    InvalidQuery(&'static str),
    /// Redis cannot be reached, did not answer in time, or there is no runtime to run on.
    #[error("audit log unavailable: {0}")]
    Unavailable(String),
}

/// `GET /api/v2/logs` parameters. Deserializes from a query string with Auth0's names
/// (`page`, `per_page`, `include_totals`, `type`, `client_id`); an unknown `type` code is a
/// deserialization error.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct LogQuery {
    /// 0-based page number.
    pub page: usize,
    /// Events per page, 1 to [`MAX_PER_PAGE`].
    pub per_page: usize,
    /// Also count every matching event ([`LogPage::total`]).
    pub include_totals: bool,
    /// Only events of this type.
    #[serde(rename = "type")]
    pub r#type: Option<EventType>,
    /// Only events about this client.
    pub client_id: Option<String>,
}

impl Default for LogQuery {
    fn default() -> Self {
        LogQuery {
            page: 0,
            per_page: DEFAULT_PER_PAGE,
            include_totals: false,
            r#type: None,
            client_id: None,
        }
    }
}

impl LogQuery {
    pub fn validate(&self) -> Result<(), AuditError> {
        if !(1..=MAX_PER_PAGE).contains(&self.per_page) {
            return Err(AuditError::InvalidQuery("per_page must be between 1 and 100"));
        }
        if self.page.checked_mul(self.per_page).is_none() {
            return Err(AuditError::InvalidQuery("page is too large"));
        }
        Ok(())
    }

    /// Whether an event of this type about this client passes the filters.
    fn matches(&self, kind: Option<EventType>, client_id: Option<&str>) -> bool {
        self.r#type.is_none_or(|wanted| kind == Some(wanted))
            && self.client_id.as_deref().is_none_or(|wanted| client_id == Some(wanted))
    }

    fn start(&self) -> usize {
        self.page.saturating_mul(self.per_page)
    }
}

/// One page of events, newest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogPage {
    pub events: Vec<StoredEvent>,
    /// How many events match the filters, when `include_totals` was asked for.
    pub total: Option<usize>,
    /// Index of the first event of the page among the matching ones (`page * per_page`).
    pub start: usize,
    /// `per_page`.
    pub limit: usize,
}

/// An event as kept: its `log_id` (the Redis stream entry ID, or a sequence number in
/// process), then the event's own fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredEvent {
    pub log_id: String,
    #[serde(flatten)]
    pub event: Event,
}

/// The audit log. Cheap to clone (one `Arc`), `Send + Sync`.
#[derive(Clone)]
pub struct AuditLog {
    backend: Arc<Backend>,
    /// Event types not recorded (`--audit-skip`), one bit per [`EventType`].
    skipped: u16,
}

enum Backend {
    Memory(memory::MemoryLog),
    Redis(redis::RedisLog),
}

impl AuditLog {
    /// An in-process log keeping the newest `capacity` events (at least one).
    pub fn memory(capacity: usize) -> AuditLog {
        AuditLog::on(Backend::Memory(memory::MemoryLog::new(capacity)))
    }

    /// A log in the Redis stream `{prefix}audit`, trimmed to about `max_len` entries, with
    /// its own connection.
    ///
    /// Must be called inside the tokio runtime that lives as long as the server, i.e. in
    /// `Application::build`, before the workers start: the background writer is spawned
    /// there, and every Redis command of the log (queries included) runs there, whichever
    /// thread calls `record` or `query`. Fails only when there is no runtime.
    pub fn redis(
        conn: crate::store::connection::RedisConnection,
        prefix: &str,
        max_len: usize,
    ) -> Result<AuditLog, AuditError> {
        let log = redis::RedisLog::spawn(conn, prefix, max_len, redis::QUEUE_CAPACITY)?;
        Ok(AuditLog::on(Backend::Redis(log)))
    }

    fn on(backend: Backend) -> AuditLog {
        AuditLog { backend: Arc::new(backend), skipped: 0 }
    }

    /// The same log, no longer recording events of these types (`--audit-skip`).
    pub fn skipping(mut self, kinds: &[EventType]) -> AuditLog {
        self.skipped = kinds.iter().fold(self.skipped, |bits, kind| bits | kind.bit());
        self
    }

    /// Whether events of this type are recorded.
    pub fn keeps(&self, kind: EventType) -> bool {
        self.skipped & kind.bit() == 0
    }

    /// Keeps the event, or counts it as a failure. Never blocks on I/O, never fails.
    pub fn record(&self, event: Event) {
        self.record_with(event.kind(), || event);
    }

    /// As [`AuditLog::record`], building the event only if its type is recorded: the
    /// request paths use this, so a type `--audit-skip` names costs them nothing.
    pub fn record_with(&self, kind: EventType, build: impl FnOnce() -> Event) {
        if !self.keeps(kind) {
            return;
        }
        let event = build();
        match &*self.backend {
            Backend::Memory(log) => log.record(event),
            Backend::Redis(log) => log.record(event),
        }
    }

    /// Events lost so far (queue full, writer gone, or refused by Redis).
    pub fn failures(&self) -> u64 {
        match &*self.backend {
            Backend::Memory(_) => 0,
            Backend::Redis(log) => log.failures(),
        }
    }

    /// One page of matching events, newest first.
    pub async fn query(&self, query: &LogQuery) -> Result<LogPage, AuditError> {
        query.validate()?;
        match &*self.backend {
            Backend::Memory(log) => Ok(log.query(query)),
            Backend::Redis(log) => log.query(query).await,
        }
    }

    /// Waits until every event recorded before the call is written or counted as failed,
    /// so that a test can read its own writes. While Redis is down this waits for it (the
    /// writer holds its batch and retries): wrap it in `tokio::time::timeout` if that matters.
    pub async fn flush(&self) {
        if let Backend::Redis(log) = &*self.backend {
            log.flush().await;
        }
    }
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let backend = match &*self.backend {
            Backend::Memory(_) => "memory",
            Backend::Redis(_) => "redis",
        };
        f.debug_struct("AuditLog")
            .field("backend", &backend)
            .field("failures", &self.failures())
            .finish()
    }
}

/// Walks matching events newest first and says which fall on the requested page.
struct Pager {
    start: usize,
    end: usize,
    matched: usize,
}

impl Pager {
    fn new(query: &LogQuery) -> Pager {
        let start = query.start();
        Pager { start, end: start.saturating_add(query.per_page), matched: 0 }
    }

    /// Counts one matching event; true if it belongs on the page.
    fn take(&mut self) -> bool {
        let on_page = (self.start..self.end).contains(&self.matched);
        self.matched += 1;
        on_page
    }

    /// Every event of the page has been seen.
    fn page_complete(&self) -> bool {
        self.matched >= self.end
    }
}

/// Allows one warning per second, so an outage logs a line a second, not one per request.
struct WarnLimit {
    epoch: Instant,
    next_ms: AtomicU64,
}

impl WarnLimit {
    fn new() -> WarnLimit {
        WarnLimit { epoch: Instant::now(), next_ms: AtomicU64::new(0) }
    }

    fn allow(&self) -> bool {
        let now = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        let next = self.next_ms.load(Ordering::Relaxed);
        now >= next
            && self
                .next_ms
                .compare_exchange(
                    next,
                    now.saturating_add(1000),
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_is_cheap_to_share_across_threads() {
        fn assert_send_sync_clone<T: Send + Sync + Clone>() {}
        assert_send_sync_clone::<AuditLog>();
    }

    #[test]
    fn skipped_types_are_dropped_and_every_other_type_kept() {
        let skipped = [EventType::RegistrationRead, EventType::AdminScopeRefused];
        let log = AuditLog::memory(EventType::ALL.len()).skipping(&skipped);

        for kind in EventType::ALL {
            assert_eq!(log.keeps(kind), !skipped.contains(&kind), "{kind}");
            log.record(Event::new(kind));
        }

        let query = LogQuery::default();
        let page = futures_util::FutureExt::now_or_never(log.query(&query)).unwrap().unwrap();
        assert_eq!(page.events.len(), EventType::ALL.len() - skipped.len());
        assert!(page.events.iter().all(|e| !skipped.contains(&e.event.kind())));
    }

    #[test]
    fn per_page_must_be_between_1_and_100() {
        for (per_page, ok) in [(0, false), (1, true), (50, true), (100, true), (101, false)] {
            let query = LogQuery { per_page, ..LogQuery::default() };
            assert_eq!(query.validate().is_ok(), ok, "per_page={per_page}");
        }
        let huge = LogQuery { page: usize::MAX, ..LogQuery::default() };
        assert!(huge.validate().is_err());
    }

    #[test]
    fn a_query_deserializes_from_auth0_parameter_names() {
        let query: LogQuery = serde_json::from_value(serde_json::json!({
            "page": 2, "include_totals": true, "type": "fmat", "client_id": "abc"
        }))
        .unwrap();

        assert_eq!(
            query,
            LogQuery {
                page: 2,
                per_page: DEFAULT_PER_PAGE,
                include_totals: true,
                r#type: Some(EventType::AdminTokenFailure),
                client_id: Some("abc".to_owned()),
            }
        );
        let unknown = serde_json::from_value::<LogQuery>(serde_json::json!({"type": "zz"}));
        assert!(unknown.is_err());
    }

    #[test]
    fn a_stored_event_serializes_its_log_id_first() {
        let event = Event::new(EventType::Registration).with_client("c1", Some("App"));
        let stored = StoredEvent { log_id: "7".to_owned(), event };

        let json = serde_json::to_value(&stored).unwrap();

        let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
        assert_eq!(keys[..3], ["log_id", "date", "type"]);
        assert_eq!(json["client_name"], "App");
    }

    #[test]
    fn warnings_are_limited_to_one_a_second() {
        let limit = WarnLimit::new();
        assert!(limit.allow());
        assert!(!limit.allow());
        assert!(!limit.allow());
    }
}
