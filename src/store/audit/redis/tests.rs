//! The Redis log against a real `redis-server` of its own (see `test_server`).

use std::time::{Duration, Instant};

use serde_json::json;

use super::super::test_server::RedisServer;
use super::super::{AuditLog, Backend, Details};
use super::*;

/// Long enough for a reconnect after a restart; a hang fails the test instead of stalling it.
const PATIENCE: Duration = Duration::from_secs(20);

fn log_with_queue(server: &RedisServer, max_len: usize, queue: usize) -> AuditLog {
    let log = RedisLog::spawn(server.log_connection(), "test:", max_len, queue)
        .expect("inside a runtime");
    AuditLog::on(Backend::Redis(log))
}

async fn flushed(log: &AuditLog) {
    tokio::time::timeout(PATIENCE, log.flush()).await.expect("flush did not finish");
}

async fn page(log: &AuditLog, query: LogQuery) -> LogPage {
    log.query(&query).await.expect("Redis answers")
}

fn stream_length(server: &RedisServer) -> usize {
    redis::cmd("XLEN").arg("test:audit").query(&mut server.connection()).expect("XLEN")
}

fn event(kind: EventType, client_id: &str) -> Event {
    Event::new(kind).with_client(client_id, Some("App"))
}

#[test]
fn stream_ids_step_back_by_one() {
    assert_eq!(id_before("5-3").as_deref(), Some("5-2"));
    assert_eq!(id_before("5-0"), Some(format!("4-{}", u64::MAX)));
    assert_eq!(id_before("0-0"), None);
    assert_eq!(id_before("junk"), None);
}

#[tokio::test]
async fn entries_hold_the_compact_form_and_entries_holding_whole_events_still_read() {
    // Arrange: one entry as the log writes it now, one as it did before the compact form.
    let server = RedisServer::start();
    let log = AuditLog::redis(server.log_connection(), "test:", 1000).expect("inside a runtime");
    let whole = event(EventType::RegistrationDelete, "old")
        .with_origin(Some("192.0.2.9".into()), None)
        .with_details(Details::new().with("kept", true));
    let _: String = redis::cmd("XADD")
        .arg("test:audit")
        .arg("*")
        .arg("type")
        .arg("sdcrd")
        .arg("client_id")
        .arg("old")
        .arg("event")
        .arg(serde_json::to_string(&whole).unwrap())
        .query(&mut server.connection())
        .expect("XADD");
    let compact =
        event(EventType::RegistrationRead, "new").with_origin(Some("192.0.2.8".into()), None);
    log.record(compact.clone());
    flushed(&log).await;

    // Act
    let all = page(&log, LogQuery::default()).await;
    let entries: Vec<(String, Vec<(String, String)>)> = redis::cmd("XREVRANGE")
        .arg("test:audit")
        .arg("+")
        .arg("-")
        .arg("COUNT")
        .arg(1)
        .query(&mut server.connection())
        .expect("XREVRANGE");

    // Assert
    let read: Vec<Event> = all.events.iter().map(|stored| stored.event.clone()).collect();
    assert_eq!(read, [compact.clone(), whole]);
    let stored: serde_json::Value = entries[0]
        .1
        .iter()
        .find(|(field, _)| field == "event")
        .map(|(_, json)| serde_json::from_str(json).unwrap())
        .expect("an event field");
    assert_eq!(stored, json!({ "date": compact.date(), "client_name": "App", "ip": "192.0.2.8" }));
}

#[tokio::test]
async fn recorded_events_read_back_newest_first_with_paging_and_filters() {
    // Arrange
    let server = RedisServer::start();
    let log = AuditLog::redis(server.log_connection(), "test:", 1000).expect("inside a runtime");
    let first = event(EventType::Registration, "a")
        .with_origin(Some("192.0.2.7".into()), Some("curl/8"))
        .with_details(Details::new().with("redirect_uris", json!(["https://a.example/cb"])));
    let recorded = [
        first.clone(),
        event(EventType::RegistrationRead, "a"),
        event(EventType::Registration, "b"),
        Event::new(EventType::AdminTokenFailure),
        event(EventType::ManagementRotateSecret, "a"),
    ];

    // Act
    for event in recorded.iter().cloned() {
        log.record(event);
    }
    flushed(&log).await;

    // Assert
    let all = page(&log, LogQuery { include_totals: true, ..LogQuery::default() }).await;
    let newest_first: Vec<Event> = recorded.iter().rev().cloned().collect();
    let read: Vec<Event> = all.events.iter().map(|stored| stored.event.clone()).collect();
    assert_eq!(read, newest_first, "every field survives the round trip");
    assert_eq!(all.total, Some(5));
    let ids: Vec<&str> = all.events.iter().map(|stored| stored.log_id.as_str()).collect();
    assert!(ids.iter().all(|id| id.contains('-')), "log IDs are stream IDs: {ids:?}");
    assert_eq!(stream_length(&server), 5, "one entry per event in {{prefix}}audit");

    let second_page = page(&log, LogQuery { page: 1, per_page: 2, ..LogQuery::default() }).await;
    assert_eq!(second_page.events.iter().map(|s| s.log_id.as_str()).collect::<Vec<_>>(), ids[2..4]);
    assert_eq!((second_page.start, second_page.limit, second_page.total), (2, 2, None));

    let about_a =
        LogQuery { include_totals: true, client_id: Some("a".to_owned()), ..LogQuery::default() };
    let about_a = page(&log, about_a).await;
    let kinds: Vec<EventType> = about_a.events.iter().map(|s| s.event.kind()).collect();
    let expected =
        [EventType::ManagementRotateSecret, EventType::RegistrationRead, EventType::Registration];
    assert_eq!(kinds, expected);
    assert_eq!(about_a.total, Some(3));

    let registrations = LogQuery {
        per_page: 1,
        include_totals: true,
        r#type: Some(EventType::Registration),
        ..LogQuery::default()
    };
    let registrations = page(&log, registrations).await;
    assert_eq!(registrations.events.len(), 1);
    assert_eq!(registrations.events[0].event.client_id(), Some("b"));
    assert_eq!(registrations.total, Some(2));
    assert_eq!(log.failures(), 0);
}

#[tokio::test]
async fn the_stream_is_capped_near_max_len_and_keeps_the_newest() {
    // Arrange
    let server = RedisServer::start();
    let log = AuditLog::redis(server.log_connection(), "test:", 100).expect("inside a runtime");

    // Act
    for n in 0..1000 {
        log.record(event(EventType::ManagementUpdate, &format!("c{n}")));
    }
    flushed(&log).await;

    // Assert
    let length = stream_length(&server);
    assert!((100..=300).contains(&length), "MAXLEN ~ 100 kept {length} entries");
    let newest = page(&log, LogQuery { per_page: 1, include_totals: true, ..LogQuery::default() });
    let newest = newest.await;
    assert_eq!(newest.events[0].event.client_id(), Some("c999"));
    assert_eq!(newest.total, Some(length));
    let last_page = LogQuery { page: length - 1, per_page: 1, ..LogQuery::default() };
    let oldest = page(&log, last_page).await;
    let expected_oldest = format!("c{}", 1000 - length);
    assert_eq!(oldest.events[0].event.client_id(), Some(expected_oldest.as_str()));
    assert_eq!(log.failures(), 0);
}

#[tokio::test]
async fn a_redis_outage_costs_counted_events_never_a_blocked_request_and_writing_resumes() {
    // Arrange: a small queue, so the outage fills it quickly.
    let mut server = RedisServer::start();
    let queue = 16;
    let log = log_with_queue(&server, 1000, queue);
    log.record(event(EventType::Registration, "before"));
    flushed(&log).await;
    assert_eq!(stream_length(&server), 1);

    // Act: Redis dies, requests go on recording.
    server.kill();
    let started = Instant::now();
    for n in 0..200 {
        log.record(event(EventType::RegistrationRead, &format!("during{n}")));
    }
    let recording_took = started.elapsed();

    // Assert: nothing waited on Redis; what did not fit was counted.
    assert!(recording_took < Duration::from_millis(500), "record blocked for {recording_took:?}");
    let lost = log.failures();
    assert!(lost >= 200usize.saturating_sub(queue + BATCH) as u64, "only {lost} failures counted");
    assert!(lost < 200, "the queue keeps the first events");
    let query = tokio::time::timeout(PATIENCE, log.query(&LogQuery::default())).await;
    let query = query.expect("a query during the outage fails, it does not hang");
    assert!(matches!(query, Err(AuditError::Unavailable(_))), "{query:?}");

    // Act: Redis comes back (empty: it kept nothing on disk).
    server.restart();
    flushed(&log).await;
    log.record(event(EventType::RegistrationDelete, "after"));
    flushed(&log).await;

    // Assert: the events held through the outage were written, then the new one.
    let kept = page(&log, LogQuery { per_page: 100, include_totals: true, ..LogQuery::default() });
    let kept = kept.await;
    assert_eq!(kept.total, Some(200 - lost as usize + 1), "held events + the new one");
    assert_eq!(kept.events[0].event.client_id(), Some("after"));
    let newest_held = format!("during{}", 200 - lost - 1);
    assert_eq!(kept.events[1].event.client_id(), Some(newest_held.as_str()));
    assert_eq!(log.failures(), lost, "no further losses once Redis is back");
}

#[tokio::test]
async fn worker_threads_with_their_own_runtime_record_and_query_through_the_log_runtime() {
    // Arrange: like an actix worker, a thread with a runtime of its own.
    let server = RedisServer::start();
    let log = AuditLog::redis(server.log_connection(), "test:", 1000).expect("inside a runtime");
    let worker_log = log.clone();

    // Act
    let worker = tokio::task::spawn_blocking(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            worker_log.record(event(EventType::ManagementCreate, "w"));
            worker_log.flush().await;
            worker_log.query(&LogQuery::default()).await
        })
    });
    let page = tokio::time::timeout(PATIENCE, worker).await.expect("no hang").unwrap();

    // Assert
    let page = page.expect("Redis answers");
    assert_eq!(page.events.len(), 1);
    assert_eq!(page.events[0].event.kind(), EventType::ManagementCreate);
}
