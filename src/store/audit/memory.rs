//! In-process log: a ring buffer keeping the newest events. Recording takes a mutex for
//! the time of one push (no I/O, no task), so it needs no runtime at all.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use super::{Event, LogPage, LogQuery, Pager, StoredEvent};

pub(super) struct MemoryLog {
    capacity: usize,
    ring: Mutex<Ring>,
}

struct Ring {
    /// `log_id` of the next event: a sequence number, so IDs still order events.
    next_id: u64,
    events: VecDeque<StoredEvent>,
}

impl MemoryLog {
    pub(super) fn new(capacity: usize) -> MemoryLog {
        let capacity = capacity.max(1);
        let ring = Ring { next_id: 1, events: VecDeque::new() };
        MemoryLog { capacity, ring: Mutex::new(ring) }
    }

    pub(super) fn record(&self, event: Event) {
        // A poisoned lock means a thread panicked around a push or a pop; the ring is
        // still sound, so keep logging.
        let mut ring = self.ring.lock().unwrap_or_else(PoisonError::into_inner);
        let log_id = ring.next_id.to_string();
        ring.next_id += 1;
        if ring.events.len() >= self.capacity {
            ring.events.pop_front();
        }
        ring.events.push_back(StoredEvent { log_id, event });
    }

    pub(super) fn query(&self, query: &LogQuery) -> LogPage {
        let ring = self.ring.lock().unwrap_or_else(PoisonError::into_inner);
        let mut pager = Pager::new(query);
        let mut events = Vec::new();
        for stored in ring.events.iter().rev() {
            if !query.matches(Some(stored.event.kind()), stored.event.client_id()) {
                continue;
            }
            if pager.take() {
                events.push(stored.clone());
            }
            if pager.page_complete() && !query.include_totals {
                break;
            }
        }
        LogPage {
            events,
            total: query.include_totals.then_some(pager.matched),
            start: pager.start,
            limit: query.per_page,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{AuditLog, EventType};
    use super::*;

    fn event(kind: EventType, client_id: &str) -> Event {
        Event::new(kind).with_client(client_id, None)
    }

    fn ids(page: &LogPage) -> Vec<&str> {
        page.events.iter().map(|stored| stored.log_id.as_str()).collect()
    }

    async fn query(log: &AuditLog, query: LogQuery) -> LogPage {
        log.query(&query).await.expect("the memory log always answers")
    }

    #[tokio::test]
    async fn the_ring_buffer_keeps_the_newest_capacity_events() {
        // Arrange
        let log = AuditLog::memory(3);

        // Act
        for n in 0..5 {
            log.record(event(EventType::Registration, &format!("c{n}")));
        }

        // Assert
        let page = query(&log, LogQuery { include_totals: true, ..LogQuery::default() }).await;
        assert_eq!(ids(&page), ["5", "4", "3"], "newest first, the two oldest evicted");
        let clients: Vec<_> = page.events.iter().map(|s| s.event.client_id()).collect();
        assert_eq!(clients, [Some("c4"), Some("c3"), Some("c2")]);
        assert_eq!(page.total, Some(3));
        assert_eq!(log.failures(), 0);
    }

    #[tokio::test]
    async fn pages_run_newest_first_and_report_start_limit_and_total() {
        // Arrange
        let log = AuditLog::memory(100);
        for n in 0..7 {
            log.record(event(EventType::ManagementUpdate, &format!("c{n}")));
        }

        // Act
        let first = query(&log, LogQuery { per_page: 3, ..LogQuery::default() }).await;
        let last = LogQuery { page: 2, per_page: 3, include_totals: true, ..LogQuery::default() };
        let last = query(&log, last).await;
        let beyond = query(&log, LogQuery { page: 9, per_page: 3, ..LogQuery::default() }).await;

        // Assert
        assert_eq!(ids(&first), ["7", "6", "5"]);
        assert_eq!((first.start, first.limit, first.total), (0, 3, None));
        assert_eq!(ids(&last), ["1"]);
        assert_eq!((last.start, last.limit, last.total), (6, 3, Some(7)));
        assert!(beyond.events.is_empty());
    }

    #[tokio::test]
    async fn filters_by_type_and_by_client_id_alone_or_together() {
        // Arrange
        let log = AuditLog::memory(100);
        log.record(event(EventType::Registration, "a")); // 1
        log.record(event(EventType::RegistrationRead, "a")); // 2
        log.record(event(EventType::Registration, "b")); // 3
        log.record(Event::new(EventType::AdminTokenFailure)); // 4, no client
        log.record(event(EventType::RegistrationRead, "b")); // 5
        let filter = |kind, client: Option<&str>| LogQuery {
            include_totals: true,
            r#type: kind,
            client_id: client.map(str::to_owned),
            ..LogQuery::default()
        };

        // Act
        let registrations = query(&log, filter(Some(EventType::Registration), None)).await;
        let about_b = query(&log, filter(None, Some("b"))).await;
        let reads_of_a = query(&log, filter(Some(EventType::RegistrationRead), Some("a"))).await;
        let failures = query(&log, filter(Some(EventType::AdminTokenFailure), None)).await;
        let nothing = query(&log, filter(Some(EventType::ManagementDelete), None)).await;

        // Assert
        assert_eq!(ids(&registrations), ["3", "1"]);
        assert_eq!(ids(&about_b), ["5", "3"]);
        assert_eq!(ids(&reads_of_a), ["2"]);
        assert_eq!(ids(&failures), ["4"]);
        assert_eq!((nothing.events.len(), nothing.total), (0, Some(0)));
        assert_eq!(registrations.total, Some(2));
    }

    #[tokio::test]
    async fn a_filtered_page_skips_earlier_matches_only() {
        let log = AuditLog::memory(100);
        for n in 1..=10 {
            let kind =
                if n % 2 == 0 { EventType::Registration } else { EventType::RegistrationRead };
            log.record(event(kind, "c"));
        }
        let q = LogQuery {
            page: 1,
            per_page: 2,
            include_totals: true,
            r#type: Some(EventType::Registration),
            ..LogQuery::default()
        };

        let page = query(&log, q).await;

        assert_eq!(ids(&page), ["6", "4"]);
        assert_eq!(page.total, Some(5));
    }
}
