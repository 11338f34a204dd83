//! Registration rate limits (issue 5; checklist item 6): per source IP and global, 429 JSON
//! with `Retry-After`, shared across instances through Redis, and the client address taken
//! from a forwarded header only when the socket peer is a trusted proxy.

use crate::helpers::{minimal, spawn_app_with, Backend, Reply, TestApp};
use crate::redis_server::RedisServer;

/// 429, JSON with an `error` code, `no-store`, and `Retry-After` in whole seconds, at least
/// 1 and no more than `max` (the time the bucket needs to let one more request through).
#[track_caller]
fn assert_rate_limited(reply: &Reply, max: u64) {
    reply.assert_status(429).assert_json_content_type().assert_no_store();
    assert!(reply.json()["error"].is_string(), "a 429 carries an error code\n{reply}");
    let retry_after = reply.header("retry-after").unwrap_or("");
    let seconds: u64 = retry_after.parse().unwrap_or_else(|_| {
        panic!("Retry-After must be whole seconds, got {retry_after:?}\n{reply}")
    });
    assert!((1..=max).contains(&seconds), "Retry-After {seconds} is not in 1..={max}\n{reply}");
}

/// Registers from `forwarded` (an `X-Forwarded-For` value, or none) and returns the reply.
async fn register_from(app: &TestApp, forwarded: Option<&str>) -> Reply {
    match forwarded {
        Some(ip) => app.register_with_headers(&[("X-Forwarded-For", ip)], &minimal()).await,
        None => app.register(&minimal()).await,
    }
}

async fn the_fourth_registration_from_one_address_is_refused_with_retry_after(
    backend: Backend<'_>,
) {
    // Arrange: 3/min is a burst of 3, then one every 20 s.
    let app = spawn_app_with(backend, &["--rate-limit-per-ip", "3/min"]).await;
    for _ in 0..3 {
        app.register(&minimal()).await.registered();
    }

    // Act
    let fourth = app.register(&minimal()).await;
    let fifth = app.register(&minimal()).await;

    // Assert
    assert_rate_limited(&fourth, 20);
    assert_rate_limited(&fifth, 20);
}

async fn the_global_limit_counts_every_address(backend: Backend<'_>) {
    // Arrange: every request names another client address through a trusted proxy.
    let flags = ["--trusted-proxies", "127.0.0.1", "--rate-limit-global", "2/min"];
    let app = spawn_app_with(backend, &flags).await;
    register_from(&app, Some("203.0.113.1")).await.registered();
    register_from(&app, Some("203.0.113.2")).await.registered();

    // Act
    let third = register_from(&app, Some("203.0.113.3")).await;

    // Assert
    assert_rate_limited(&third, 30);
}

async fn a_generous_global_limit_lets_registrations_through(backend: Backend<'_>) {
    // Arrange
    let app = spawn_app_with(backend, &["--rate-limit-global", "100/s"]).await;

    // Act + Assert
    for _ in 0..5 {
        app.register(&minimal()).await.registered();
    }
}

async fn behind_a_trusted_proxy_each_forwarded_address_has_its_own_bucket(backend: Backend<'_>) {
    // Arrange
    let flags = ["--trusted-proxies", "127.0.0.1", "--rate-limit-per-ip", "2/min"];
    let app = spawn_app_with(backend, &flags).await;
    let a = "203.0.113.10";
    let b = "2001:db8::10";

    // Act + Assert
    register_from(&app, Some(a)).await.registered();
    register_from(&app, Some(a)).await.registered();
    assert_rate_limited(&register_from(&app, Some(a)).await, 30);
    register_from(&app, Some(b)).await.registered();
    // The rightmost address not a trusted proxy is the client: a spoofed first hop
    // does not buy a fresh bucket.
    register_from(&app, Some(&format!("198.51.100.77, {b}"))).await.registered();
    assert_rate_limited(&register_from(&app, Some(b)).await, 30);
    // The proxy itself, without a header, is one more address.
    register_from(&app, None).await.registered();
}

async fn forwarded_headers_from_untrusted_peers_are_ignored(backend: Backend<'_>) {
    for (trusted, prefix) in [(None, "untrusted-a:"), (Some("10.0.0.0/8"), "untrusted-b:")] {
        // Arrange: the socket peer (127.0.0.1) is not a trusted proxy. A prefix of its
        // own keeps each server's buckets apart on the shared Redis.
        let mut flags = vec!["--rate-limit-per-ip", "2/min", "--redis-prefix", prefix];
        if let Some(range) = trusted {
            flags.extend(["--trusted-proxies", range]);
        }
        let app = spawn_app_with(backend, &flags).await;

        // Act
        let first = register_from(&app, Some("203.0.113.1")).await;
        let second = register_from(&app, Some("203.0.113.2")).await;
        let third = register_from(&app, Some("203.0.113.3")).await;

        // Assert: one bucket, the socket address's.
        first.registered();
        second.registered();
        assert_rate_limited(&third, 30);
        app.stop().await;
    }
}

async fn the_client_ip_header_can_be_configured(backend: Backend<'_>) {
    // Arrange
    let flags = [
        "--trusted-proxies",
        "127.0.0.0/8",
        "--client-ip-header",
        "Auth0-Forwarded-For",
        "--rate-limit-per-ip",
        "1/min",
    ];
    let app = spawn_app_with(backend, &flags).await;
    let from = |ip: &'static str| [("auth0-forwarded-for", ip), ("x-forwarded-for", "192.0.2.1")];

    // Act + Assert: X-Forwarded-For is just another header now.
    app.register_with_headers(&from("203.0.113.1"), &minimal()).await.registered();
    app.register_with_headers(&from("203.0.113.2"), &minimal()).await.registered();
    assert_rate_limited(&app.register_with_headers(&from("203.0.113.1"), &minimal()).await, 60);
}

on_both_backends!(
    the_fourth_registration_from_one_address_is_refused_with_retry_after,
    the_global_limit_counts_every_address,
    a_generous_global_limit_lets_registrations_through,
    behind_a_trusted_proxy_each_forwarded_address_has_its_own_bucket,
    forwarded_headers_from_untrusted_peers_are_ignored,
    the_client_ip_header_can_be_configured,
);

#[tokio::test]
async fn two_instances_on_one_redis_share_the_per_ip_limit() {
    // Arrange
    let redis = RedisServer::start();
    let flags = ["--rate-limit-per-ip", "3/min"];
    let a = spawn_app_with(Backend::Redis(&redis), &flags).await;
    let b = spawn_app_with(Backend::Redis(&redis), &flags).await;

    // Act
    let replies = [
        a.register(&minimal()).await,
        a.register(&minimal()).await,
        b.register(&minimal()).await,
        b.register(&minimal()).await,
    ];

    // Assert
    for reply in &replies[..3] {
        reply.registered();
    }
    assert_rate_limited(&replies[3], 20);
}

#[tokio::test]
async fn two_instances_on_one_redis_share_the_global_limit() {
    // Arrange
    let redis = RedisServer::start();
    let flags = ["--rate-limit-global", "2/min"];
    let a = spawn_app_with(Backend::Redis(&redis), &flags).await;
    let b = spawn_app_with(Backend::Redis(&redis), &flags).await;

    // Act
    let first = a.register(&minimal()).await;
    let second = b.register(&minimal()).await;
    let third = a.register(&minimal()).await;

    // Assert
    first.registered();
    second.registered();
    assert_rate_limited(&third, 30);
}
