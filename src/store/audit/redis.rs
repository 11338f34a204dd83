//! Redis log: one stream, `{prefix}audit`, each entry holding `type`, `client_id` (empty when
//! none) and `event`: the rest of the event as JSON, without what the two fields hold and
//! without the type's own description or empty members (`Event::write_stored`); entries
//! written before that form hold the whole event and read back the same. The two plain
//! fields let a filtered query skip entries without parsing them. Each batch ends with
//! `XTRIM … MAXLEN ~ max_len`, which trims whole stream nodes, so the stream holds about
//! `max_len` entries, never fewer.
//!
//! `record` only puts the event on a bounded queue. One writer task drains it, up to
//! [`BATCH`] events at a time, and writes each batch as one pipelined round trip (one key,
//! so one slot: this works on a Redis Cluster too). When Redis is unreachable the writer
//! keeps its batch and retries with backoff (the connection reconnects or fails over
//! underneath), so a short outage loses nothing; meanwhile the queue fills and only then
//! are new events dropped and counted. A batch Redis refuses outright (e.g. out of memory)
//! is dropped and counted too, whole, even if Redis took some of its entries. Delivery is
//! at least once: a batch whose reply was lost with the connection may be written twice.
//!
//! Why a plain pipeline and one trim per batch rather than `MULTI`/`EXEC` and `MAXLEN` on
//! every `XADD`: atomicity buys nothing for an at-least-once log, and Redis then runs each
//! `XADD` as it reads it instead of queueing the batch first, with one trim check per
//! batch. Every request writes an event, so this is on the hot path: RFC 7592 reads went
//! up by about 10% in requests/s (`bench/ab.sh`, README "Performance").

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use redis::{RedisError, RetryMethod};
use tokio::runtime::Handle;
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{mpsc, oneshot};

use crate::store::connection::RedisConnection;

use super::{AuditError, Event, EventType, LogPage, LogQuery, Pager, StoredEvent, WarnLimit};

/// Events waiting for the writer: what a Redis outage can hold before events are dropped
/// (about 2 MB of events at most).
pub(super) const QUEUE_CAPACITY: usize = 4096;
/// Events per round trip.
const BATCH: usize = 512;
/// After a write that did not fill a batch, the writer waits this long before taking the
/// next one. Under load this turns one cross-thread wake-up and one round trip per event
/// into one per few hundred events; at rest it delays audit writes by a few milliseconds.
const GATHER: Duration = Duration::from_millis(5);
/// Backoff between attempts to write a held batch.
const RETRY_FIRST: Duration = Duration::from_millis(50);
const RETRY_MAX: Duration = Duration::from_secs(2);
/// Entries per `XREVRANGE` when a filter means reading past the page.
const SCAN_CHUNK: usize = 1000;

enum Message {
    Event(Box<Event>),
    /// Answered once every event queued before it is written or counted.
    Flush(oneshot::Sender<()>),
}

/// Shared by `record` (queue full) and the writer (refused writes).
struct Health {
    failures: AtomicU64,
    drop_warning: WarnLimit,
    retry_warning: WarnLimit,
}

impl Health {
    fn dropped(&self, count: u64, reason: &str) {
        let failures = self.failures.fetch_add(count, Ordering::Relaxed).saturating_add(count);
        if self.drop_warning.allow() {
            tracing::warn!(dropped = count, failures, reason, "audit events lost");
        }
    }
}

pub(super) struct RedisLog {
    queue: mpsc::Sender<Message>,
    conn: RedisConnection,
    key: Arc<str>,
    /// The runtime the log was built on: all of its Redis I/O runs there, so the
    /// connection never belongs to a worker runtime that may stop first.
    runtime: Handle,
    health: Arc<Health>,
}

impl RedisLog {
    pub(super) fn spawn(
        conn: RedisConnection,
        prefix: &str,
        max_len: usize,
        queue_capacity: usize,
    ) -> Result<RedisLog, AuditError> {
        let runtime = Handle::try_current().map_err(|_| {
            AuditError::Unavailable("AuditLog::redis must be called inside a tokio runtime".into())
        })?;
        let health = Arc::new(Health {
            failures: AtomicU64::new(0),
            drop_warning: WarnLimit::new(),
            retry_warning: WarnLimit::new(),
        });
        let key: Arc<str> = Arc::from(format!("{prefix}audit"));
        let (queue, inbox) = mpsc::channel(queue_capacity.max(1));
        let writer = Writer {
            conn: conn.clone(),
            key: key.clone(),
            max_len: max_len.max(1),
            health: health.clone(),
        };
        runtime.spawn(writer.run(inbox));
        Ok(RedisLog { queue, conn, key, runtime, health })
    }

    pub(super) fn record(&self, event: Event) {
        if let Err(error) = self.queue.try_send(Message::Event(Box::new(event))) {
            let reason = match error {
                TrySendError::Full(_) => "queue full (Redis slow or unreachable)",
                TrySendError::Closed(_) => "writer stopped (its runtime has shut down)",
            };
            self.health.dropped(1, reason);
        }
    }

    pub(super) fn failures(&self) -> u64 {
        self.health.failures.load(Ordering::Relaxed)
    }

    pub(super) async fn flush(&self) {
        let (done, flushed) = oneshot::channel();
        if self.queue.send(Message::Flush(done)).await.is_ok() {
            // An error means the writer stopped: nothing more will be written either way.
            let _ = flushed.await;
        }
    }

    pub(super) async fn query(&self, query: &LogQuery) -> Result<LogPage, AuditError> {
        let scan = scan(self.conn.clone(), self.key.clone(), query.clone());
        self.runtime
            .spawn(scan)
            .await
            .map_err(|e| AuditError::Unavailable(format!("log query did not finish: {e}")))?
    }
}

struct Writer {
    conn: RedisConnection,
    key: Arc<str>,
    max_len: usize,
    health: Arc<Health>,
}

impl Writer {
    /// Runs until every `AuditLog` handle is gone.
    async fn run(mut self, mut inbox: mpsc::Receiver<Message>) {
        let mut messages = Vec::with_capacity(BATCH);
        let mut batch = Vec::with_capacity(BATCH);
        loop {
            let received = inbox.recv_many(&mut messages, BATCH).await;
            if received == 0 {
                return;
            }
            for message in messages.drain(..) {
                match message {
                    Message::Event(event) => batch.push(*event),
                    Message::Flush(done) => {
                        self.write(&mut batch).await;
                        let _ = done.send(());
                    }
                }
            }
            self.write(&mut batch).await;
            if received < BATCH {
                tokio::time::sleep(GATHER).await;
            }
        }
    }

    /// Writes the batch (and empties it), retrying while Redis is unreachable.
    async fn write(&mut self, batch: &mut Vec<Event>) {
        if batch.is_empty() {
            return;
        }
        let mut pipe = redis::pipe();
        let mut count = 0;
        // One buffer for the batch: each event's JSON is copied into the pipeline anyway.
        let mut json = Vec::with_capacity(512);
        for event in batch.drain(..) {
            json.clear();
            if event.write_stored(&mut json).is_err() {
                self.health.dropped(1, "event not serializable");
                continue;
            }
            pipe.cmd("XADD")
                .arg(&*self.key)
                .arg("*")
                .arg("type")
                .arg(event.kind().code())
                .arg("client_id")
                .arg(event.client_id().unwrap_or_default())
                .arg("event")
                .arg(json.as_slice())
                .ignore();
            count += 1;
        }
        if count == 0 {
            return;
        }
        pipe.cmd("XTRIM").arg(&*self.key).arg("MAXLEN").arg("~").arg(self.max_len).ignore();
        let mut delay = RETRY_FIRST;
        loop {
            match pipe.query_async::<()>(&mut self.conn).await {
                Ok(()) => return,
                Err(error) if is_transient(&error) => {
                    if self.health.retry_warning.allow() {
                        tracing::warn!(%error, held = count, "audit log: Redis write failed, retrying");
                    }
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(RETRY_MAX);
                }
                Err(error) => return self.health.dropped(count, &error.to_string()),
            }
        }
    }
}

/// Connection trouble and "try again later" replies are worth waiting out; anything
/// else (wrong type, out of memory, bad command) would fail again the same way.
fn is_transient(error: &RedisError) -> bool {
    !matches!(error.retry_method(), RetryMethod::NoRetry)
}

fn unavailable(error: RedisError) -> AuditError {
    AuditError::Unavailable(error.to_string())
}

/// Reads the stream newest first until the page is complete (and, for a filtered total,
/// to its end: the stream is capped, so this is bounded by `max_len`).
async fn scan(
    mut conn: RedisConnection,
    key: Arc<str>,
    query: LogQuery,
) -> Result<LogPage, AuditError> {
    let unfiltered = query.r#type.is_none() && query.client_id.is_none();
    let length = if query.include_totals && unfiltered {
        Some(
            redis::cmd("XLEN")
                .arg(&*key)
                .query_async::<usize>(&mut conn)
                .await
                .map_err(unavailable)?,
        )
    } else {
        None
    };
    let read_to_the_end = query.include_totals && !unfiltered;
    let mut pager = Pager::new(&query);
    let mut events = Vec::new();
    let mut end = "+".to_owned();
    while read_to_the_end || !pager.page_complete() {
        // Without a filter every entry counts, so read exactly what the page still needs.
        let count =
            if unfiltered { (pager.end - pager.matched).min(SCAN_CHUNK) } else { SCAN_CHUNK };
        let entries: Vec<(String, Vec<String>)> = redis::cmd("XREVRANGE")
            .arg(&*key)
            .arg(&end)
            .arg("-")
            .arg("COUNT")
            .arg(count)
            .query_async(&mut conn)
            .await
            .map_err(unavailable)?;
        let fetched = entries.len();
        let mut oldest = None;
        for (log_id, fields) in entries {
            let entry = Entry::parse(&fields);
            if query.matches(entry.kind, entry.client_id) && pager.take() {
                let event =
                    entry.json.map(|json| Event::from_stored(entry.kind, entry.client_id, json));
                match event.and_then(Result::ok) {
                    Some(event) => events.push(StoredEvent { log_id: log_id.clone(), event }),
                    None => tracing::warn!(%log_id, "unreadable audit entry skipped"),
                }
            }
            oldest = Some(log_id);
        }
        match oldest.as_deref().and_then(id_before) {
            Some(previous) if fetched == count => end = previous,
            _ => break,
        }
    }
    Ok(LogPage {
        events,
        total: query.include_totals.then(|| length.unwrap_or(pager.matched)),
        start: pager.start,
        limit: query.per_page,
    })
}

/// The fields of one stream entry.
struct Entry<'a> {
    kind: Option<EventType>,
    client_id: Option<&'a str>,
    json: Option<&'a str>,
}

impl<'a> Entry<'a> {
    fn parse(fields: &'a [String]) -> Entry<'a> {
        let mut entry = Entry { kind: None, client_id: None, json: None };
        for pair in fields.chunks_exact(2) {
            if let [name, value] = pair {
                match name.as_str() {
                    "type" => entry.kind = EventType::parse(value),
                    "client_id" if !value.is_empty() => entry.client_id = Some(value),
                    "event" => entry.json = Some(value),
                    _ => {}
                }
            }
        }
        entry
    }
}

/// The greatest stream ID below `id` (`ms-seq`), for an exclusive `XREVRANGE` end that
/// also works before Redis 6.2 (which added the `(` prefix).
fn id_before(id: &str) -> Option<String> {
    let (ms, seq) = id.split_once('-')?;
    let (ms, seq): (u64, u64) = (ms.parse().ok()?, seq.parse().ok()?);
    match (ms, seq) {
        (0, 0) => None,
        (ms, 0) => Some(format!("{}-{}", ms - 1, u64::MAX)),
        (ms, seq) => Some(format!("{ms}-{}", seq - 1)),
    }
}

#[cfg(test)]
mod tests;
