//! Removal of self-registered clients never used (`--cleanup-unused-after`): open
//! registration endpoints collect clients that a script registered and forgot. Only clients
//! registered while the setting is on are watched (`ClientRecord::awaiting_first_use`), so
//! that turning it on never removes clients whose use was not recorded. A client is used
//! once it presents its registration access token (RFC 7592 read or update), is registered
//! again idempotently, or is changed by an administrator; clients created through the
//! management API are never removed.
//!
//! Every instance runs a sweeper, but a lease in Redis lets one sweep per interval. Each
//! removal is a compare-and-delete on the record as read, so a client used at that moment
//! stays.

use std::time::{Duration, SystemTime};

use crate::service::clients::{decode, ClientRecord, Clients, RepositoryError, Stored};
use crate::service::state::AppState;
use crate::store::audit::{Event, EventType};
use crate::store::lease::Lease;
use crate::store::{ClientStore, ListCursor, StoreError};

/// Records read per listing call.
const PAGE: usize = 100;
/// Clients removed per batch: what a pass holds in memory at once.
const BATCH: usize = 1000;

/// When and how often to sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CleanupSettings {
    /// Age after which a never-used self-registered client is removed.
    pub unused_after: Duration,
    pub interval: Duration,
}

/// Sweeps every interval until the task is dropped.
pub async fn run(state: AppState, lease: Lease, settings: CleanupSettings) {
    let mut ticks = tokio::time::interval(settings.interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match lease.take(settings.interval).await {
            Ok(true) => match sweep(&state, settings.unused_after).await {
                Ok(0) => {}
                Ok(removed) => {
                    tracing::info!(removed, "removed never-used self-registered clients")
                }
                Err(e) => tracing::warn!(error = %e, "client cleanup stopped early"),
            },
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "client cleanup could not take its lease"),
        }
    }
}

/// One pass over the clients older than `unused_after`; returns how many were removed.
/// Candidates are gathered in batches by a sequential read, then deleted: deleting while
/// reading would shift the read's position in the listing indexes.
pub async fn sweep(state: &AppState, unused_after: Duration) -> Result<usize, StoreError> {
    let cutoff = state.shared.clock.now().saturating_sub(unused_after.as_secs() as i64);
    let mut removed = 0;
    loop {
        let batch = unused_before(state, cutoff).await?;
        let more = batch.len() == BATCH;
        let mut removed_now = 0;
        let clients = Clients::new(state);
        for stored in batch {
            if clients.remove_if_unchanged(&stored).await.map_err(store_error)? {
                removed_now += 1;
                audit_removal(state, &stored.record);
            }
        }
        removed += removed_now;
        // Nothing removable in a full batch means every candidate changed meanwhile:
        // the next interval looks again rather than spinning.
        if !more || removed_now == 0 {
            return Ok(removed);
        }
    }
}

/// Up to `BATCH` clients registered before `cutoff` and never used, oldest first.
async fn unused_before(state: &AppState, cutoff: i64) -> Result<Vec<Stored>, StoreError> {
    let (mut cursor, mut found) = (ListCursor::default(), Vec::new());
    loop {
        let (page, next) = state.store.list_from(&cursor, PAGE).await?;
        for snapshot in page {
            let Ok(record) = decode(&snapshot) else { continue };
            // The listing is in creation order: everything after is younger.
            if record.issued_at >= cutoff {
                return Ok(found);
            }
            if record.rat.is_some() && record.awaiting_first_use {
                found.push(Stored { record, snapshot });
                if found.len() == BATCH {
                    return Ok(found);
                }
            }
        }
        match next {
            Some(next) => cursor = next,
            None => return Ok(found),
        }
    }
}

/// The audit event of a removal (the repository let go of the client's policy place and
/// idempotency key).
fn audit_removal(state: &AppState, record: &ClientRecord) {
    let name = serde_json::from_str::<serde_json::Value>(record.metadata.get())
        .ok()
        .and_then(|m| m.get("client_name").and_then(|n| n.as_str()).map(str::to_owned));
    state.shared.audit.record(
        Event::new(EventType::UnusedClientRemoved)
            .at(SystemTime::now())
            .with_client(&record.client_id, name.as_deref()),
    );
}

/// Starts the sweeper on the current runtime; abort the handle to stop it.
pub fn spawn(
    state: AppState,
    lease: Lease,
    settings: CleanupSettings,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(run(state, lease, settings))
}

/// The sweep reports store failures only: a record that does not decode was skipped above.
fn store_error(e: RepositoryError) -> StoreError {
    match e {
        RepositoryError::Store(e) => e,
        other => StoreError::Unavailable(other.to_string()),
    }
}
