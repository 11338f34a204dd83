//! Listing across the buckets against a real `redis-server`: pages and chunked reads give
//! the order one sorted set would, creation time first, then client ID.

use super::*;
use crate::store::audit::test_server::RedisServer;

fn store(server: &RedisServer) -> RedisStore {
    RedisStore {
        conn: server.log_connection(),
        keys: Layout::new("test:"),
        create: Script::new(CREATE),
        replace: Script::new(REPLACE_IF_UNCHANGED),
        delete: Script::new(DELETE_IF_UNCHANGED),
        set_once: Script::new(SET_ONCE_AND_GET),
    }
}

#[tokio::test]
async fn pages_and_chunks_merge_the_buckets_in_creation_order() {
    // Arrange: 60 clients over 4 creation times, so most order is decided by the ID.
    let server = RedisServer::start();
    let store = store(&server);
    let mut expected: Vec<(i64, String)> =
        (0..60).map(|i| (1000 + i % 4, format!("client-{i:02}"))).collect();
    for (created, id) in &expected {
        assert!(store.create(id, *created, id.as_bytes()).await.expect("Redis answers"));
    }
    expected.sort();
    let expected: Vec<Vec<u8>> = expected.into_iter().map(|(_, id)| id.into_bytes()).collect();

    // Act
    let mut paged = Vec::new();
    for page in 0..7 {
        let (records, total) = store.list(page * 9, 9).await.expect("Redis answers");
        assert_eq!(total, 60);
        paged.extend(records);
    }
    let (mut chunked, mut cursor) = (Vec::new(), Some(ListCursor::default()));
    while let Some(at) = cursor {
        let (records, next) = store.list_from(&at, 7).await.expect("Redis answers");
        chunked.extend(records);
        cursor = next;
    }

    // Assert
    assert_eq!(paged, expected, "pages");
    assert_eq!(chunked, expected, "chunks");
    let (none, total) = store.list(0, 0).await.expect("Redis answers");
    assert!(none.is_empty() && total == 60);
}
