//! Observability (issue 6): Prometheus metrics at `/metrics`, `X-Request-Id` on every
//! response, and JSON logs that name each request's ID and never a credential.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::json;

use crate::helpers::{
    minimal, spawn_app, spawn_app_with, update_body_from, Backend, Reply, TestApp,
};

/// The real binary's JSON logs.
mod logs;

/// Every series docs/operations.md documents.
const SERIES: [&str; 7] = [
    "http_requests_total",
    "http_request_duration_seconds",
    "registrations_total",
    "store_errors_total",
    "rate_limit_refusals_total",
    "initial_access_token_refusals_total",
    "audit_events_dropped_total",
];

/// The parsed exposition: `name{label="value",...}` (labels sorted) -> value.
struct Exposition(BTreeMap<String, f64>);

impl Exposition {
    #[track_caller]
    fn parse(reply: &Reply) -> Exposition {
        let mut samples = BTreeMap::new();
        for line in reply.body.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let (series, value) = line
                .rsplit_once(' ')
                .unwrap_or_else(|| panic!("not a sample line: {line:?}\n{reply}"));
            let value: f64 =
                value.parse().unwrap_or_else(|_| panic!("not a sample value: {line:?}\n{reply}"));
            samples.insert(normalize(series), value);
        }
        Exposition(samples)
    }

    /// The value of `name` with exactly `labels`; 0 when the series does not exist yet.
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.0.get(&key(name, labels)).copied().unwrap_or(0.0)
    }
}

fn key(name: &str, labels: &[(&str, &str)]) -> String {
    let mut labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
    labels.sort();
    if labels.is_empty() {
        name.to_owned()
    } else {
        format!("{name}{{{}}}", labels.join(","))
    }
}

/// `name{b="2",a="1"}` -> `name{a="1",b="2"}` (our label values hold no `",`).
fn normalize(series: &str) -> String {
    match series.split_once('{') {
        None => series.to_owned(),
        Some((name, rest)) => {
            let inner = rest.strip_suffix('}').unwrap_or(rest);
            let pairs: Vec<(&str, &str)> = inner
                .split("\",")
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap_or((p, ""));
                    (k, v.trim_matches('"'))
                })
                .collect();
            key(name, &pairs)
        }
    }
}

async fn scrape(app: &TestApp) -> Exposition {
    let reply = app.get("/metrics").await;
    reply.assert_status(200);
    Exposition::parse(&reply)
}

/// `http_requests_total` for one route pattern, method and status.
fn requests(metrics: &Exposition, route: &str, method: &str, status: &str) -> f64 {
    metrics
        .value("http_requests_total", &[("route", route), ("method", method), ("status", status)])
}

#[tokio::test]
async fn metrics_are_served_in_the_prometheus_text_format_with_every_documented_series() {
    // Arrange
    let app = spawn_app().await;
    app.register(&minimal()).await.registered();

    // Act
    let reply = app.get("/metrics").await;

    // Assert
    reply.assert_status(200);
    assert_eq!(
        reply.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8"),
        "{reply}"
    );
    for name in SERIES {
        assert!(reply.body.contains(&format!("# TYPE {name} ")), "{name} is missing\n{reply}");
    }
    assert!(reply.body.contains("# TYPE http_request_duration_seconds histogram"), "{reply}");
    if cfg!(target_os = "linux") {
        assert!(reply.body.contains("# TYPE process_resident_memory_bytes gauge"), "{reply}");
    }
    let metrics = Exposition::parse(&reply);
    let count = metrics.value(
        "http_request_duration_seconds_count",
        &[("route", "/oidc/register"), ("method", "POST")],
    );
    assert_eq!(count, 1.0, "{reply}");
}

#[tokio::test]
async fn counters_move_after_a_registration_a_400_a_401_and_a_429() {
    // Arrange: a burst of 3 per address; each attempt below takes one.
    let app = spawn_app_with(Backend::Memory, &["--rate-limit-per-ip", "3/min"]).await;

    // Act
    app.register(&minimal()).await.assert_status(201);
    app.register(&json!({ "redirect_uris": "not a list" })).await.assert_status(400);
    app.register_with_token("no-such-initial-access-token", &minimal()).await.assert_status(401);
    app.register(&minimal()).await.assert_status(429);
    let metrics = scrape(&app).await;

    // Assert
    for status in ["201", "400", "401", "429"] {
        assert_eq!(requests(&metrics, "/oidc/register", "POST", status), 1.0, "status {status}");
    }
    assert_eq!(metrics.value("registrations_total", &[("outcome", "created")]), 1.0);
    assert_eq!(metrics.value("registrations_total", &[("outcome", "refused")]), 3.0);
    assert_eq!(metrics.value("registrations_total", &[("outcome", "failed")]), 0.0);
    assert_eq!(metrics.value("rate_limit_refusals_total", &[("scope", "per_ip")]), 1.0);
    assert_eq!(metrics.value("rate_limit_refusals_total", &[("scope", "global")]), 0.0);
    assert_eq!(metrics.value("initial_access_token_refusals_total", &[]), 1.0);
    assert_eq!(metrics.value("store_errors_total", &[]), 0.0);
    assert_eq!(metrics.value("audit_events_dropped_total", &[]), 0.0);
}

#[tokio::test]
async fn the_global_rate_limit_is_counted_under_its_own_scope() {
    // Arrange
    let app = spawn_app_with(Backend::Memory, &["--rate-limit-global", "1/min"]).await;
    app.register(&minimal()).await.assert_status(201);

    // Act
    app.register(&minimal()).await.assert_status(429);
    let metrics = scrape(&app).await;

    // Assert
    assert_eq!(metrics.value("rate_limit_refusals_total", &[("scope", "global")]), 1.0);
    assert_eq!(metrics.value("rate_limit_refusals_total", &[("scope", "per_ip")]), 0.0);
}

#[tokio::test]
async fn route_labels_are_route_patterns_never_raw_paths() {
    // Arrange
    let app = spawn_app().await;
    let client = app.register(&minimal()).await.registered();

    // Act
    app.get_client(&client.rcu, &client.rat).await.assert_status(200);
    app.get("/no/such/path?client_secret=leak").await.assert_status(404);
    let reply = app.get("/metrics").await;

    // Assert
    let metrics = Exposition::parse(&reply);
    assert_eq!(requests(&metrics, "/oidc/register/{client_id}", "GET", "200"), 1.0, "{reply}");
    assert_eq!(requests(&metrics, "other", "GET", "404"), 1.0, "{reply}");
    for raw in [client.client_id.as_str(), "/no/such/path", "leak"] {
        assert!(!reply.body.contains(raw), "{raw:?} appears in the metrics\n{reply}");
    }
}

#[tokio::test]
async fn a_store_error_is_counted_when_redis_is_gone() {
    // Arrange
    let mut redis = crate::redis_server::RedisServer::start();
    let flags = ["--redis-timeout-ms", "300"];
    let app = spawn_app_with(Backend::Redis(&redis), &flags).await;
    app.register(&minimal()).await.assert_status(201);
    redis.stop();

    // Act
    app.register(&minimal()).await.assert_status(503);
    let metrics = scrape(&app).await;

    // Assert
    assert_eq!(metrics.value("store_errors_total", &[]), 1.0);
    assert_eq!(metrics.value("registrations_total", &[("outcome", "failed")]), 1.0);
    assert_eq!(requests(&metrics, "/oidc/register", "POST", "503"), 1.0);
}

#[tokio::test]
async fn the_metrics_token_is_required_when_one_is_configured() {
    // Arrange
    let token = "metrics-scraper-token-0123456789";
    let app = spawn_app_with(Backend::Memory, &["--metrics-token", token]).await;
    let url = format!("{}/metrics", app.address);

    // Act
    let without = app.get("/metrics").await;
    let wrong = app.send(Method::GET, &url, Some("metrics-scraper-token-0123456788"), None).await;
    let right = app.send(Method::GET, &url, Some(token), None).await;

    // Assert
    without.assert_status(401);
    assert!(without.header("www-authenticate").is_some_and(|c| c.starts_with("Bearer")));
    wrong.assert_status(401);
    right.assert_status(200);
    assert!(right.body.contains("http_requests_total"), "{right}");
    assert!(!right.body.contains(token), "{right}");
}

#[tokio::test]
async fn no_metrics_turns_the_endpoint_off() {
    // Arrange
    let app = spawn_app_with(Backend::Memory, &["--no-metrics"]).await;

    // Act
    let reply = app.get("/metrics").await;

    // Assert
    reply.assert_status(404);
}

/// 32 hex digits: a generated ID.
#[track_caller]
fn assert_generated_id(reply: &Reply) -> String {
    let id = reply.header("x-request-id").unwrap_or_else(|| panic!("no X-Request-Id\n{reply}"));
    assert!(
        id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
        "expected a generated request ID, got {id:?}\n{reply}"
    );
    id.to_owned()
}

#[tokio::test]
async fn a_safe_request_id_is_echoed_and_any_other_is_replaced() {
    // Arrange
    let app = spawn_app().await;
    let url = format!("{}/healthz", app.address);
    let longest = "i".repeat(128);
    let too_long = "i".repeat(129);
    let cases = [
        ("abc-123", true, "letters, digits and a dash"),
        ("trace.1_2:3-4", true, "every allowed punctuation"),
        (longest.as_str(), true, "128 characters"),
        (too_long.as_str(), false, "129 characters"),
        ("a b", false, "a space"),
        ("a/b", false, "a slash"),
        ("a\"b", false, "a quote"),
        ("<script>", false, "markup"),
    ];

    for (incoming, kept, why) in cases {
        // Act
        let reply =
            app.send_with_headers(Method::GET, &url, &[("X-Request-Id", incoming)], None).await;

        // Assert
        reply.assert_status(200);
        if kept {
            assert_eq!(reply.header("x-request-id"), Some(incoming), "{why}\n{reply}");
        } else {
            assert_generated_id(&reply);
        }
    }
    let first = assert_generated_id(&app.get("/healthz").await);
    let second = assert_generated_id(&app.get("/healthz").await);
    assert_ne!(first, second, "each request gets its own ID");
}

#[tokio::test]
async fn every_response_carries_a_request_id_errors_included() {
    // Arrange
    let app = spawn_app_with(Backend::Memory, &["--max-body-bytes", "64"]).await;
    let register = app.registration_endpoint();
    let big = json!({ "redirect_uris": ["https://rp.example/cb"], "client_name": "x".repeat(100) });
    let preflight = [("Origin", "https://app.example"), ("Access-Control-Request-Method", "POST")];

    // Act
    let replies = [
        (404, app.get("/no-such-path").await),
        (405, app.get("/oidc/register").await),
        (413, app.register(&big).await),
        (415, app.register_raw(minimal().to_string(), Some("text/plain")).await),
        (400, app.register_raw("{", Some("application/json")).await),
        (401, app.get_client(&format!("{register}/nobody"), "wrong").await),
        (401, app.get("/api/v2/clients").await),
        (200, app.send_with_headers(Method::OPTIONS, &register, &preflight, None).await),
        (201, app.register(&minimal()).await),
    ];

    // Assert
    for (status, reply) in &replies {
        reply.assert_status(*status);
        assert_generated_id(reply);
    }
}

#[tokio::test]
async fn the_management_routes_are_labelled_with_their_scope() {
    // Arrange
    let app = crate::admin_helpers::spawn_admin_app().await;
    let view = app.management_create_ok(&json!({ "name": "Labelled" })).await;
    let id = crate::admin_helpers::client_id_of(&view);

    // Act
    app.management_get(app.tokens.all(), &id).await.assert_status(200);
    let metrics = scrape(&app).await;

    // Assert
    assert_eq!(requests(&metrics, "/api/v2/clients", "POST", "201"), 1.0);
    assert_eq!(requests(&metrics, "/api/v2/clients/{client_id}", "GET", "200"), 1.0);
}

/// An RFC 7592 update of a registered client through the helpers, for the label test of
/// PUT (kept apart so the log test below stays readable).
#[tokio::test]
async fn rfc_7592_updates_and_deletes_are_labelled_by_pattern() {
    // Arrange
    let app = spawn_app().await;
    let client = app.register(&minimal()).await.registered();

    // Act
    let update = update_body_from(&client.body);
    app.put_client(&client.rcu, &client.rat, &update).await.assert_status(200);
    app.delete_client(&client.rcu, &client.rat).await.assert_status(204);
    let metrics = scrape(&app).await;

    // Assert
    assert_eq!(requests(&metrics, "/oidc/register/{client_id}", "PUT", "200"), 1.0);
    assert_eq!(requests(&metrics, "/oidc/register/{client_id}", "DELETE", "204"), 1.0);
}
