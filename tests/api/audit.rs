//! The audit log (issue 4): every registration, RFC 7592 read / update / delete, management
//! create / update / rotate-secret / delete and every refused token becomes an event in
//! seed 002's shape, `GET /api/v2/logs` pages through them newest first and filters by type
//! and client, and no secret or token ever appears in an event.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{json, Value};

use crate::admin_helpers::{
    assert_management_error, client_id_of, secret_of, spawn_admin_app, spawn_admin_app_with,
    AdminApp,
};
use crate::helpers::{minimal_with, update_body_from, Backend, Reply};
use crate::redis_server::RedisServer;

/// The events of a plain (array) log page.
#[track_caller]
fn events(page: &Value) -> &Vec<Value> {
    page.as_array().unwrap_or_else(|| panic!("the log page is not an array: {page:#}"))
}

fn types(page: &Value) -> Vec<&str> {
    events(page).iter().map(|e| e["type"].as_str().unwrap_or("?")).collect()
}

fn has(count: usize) -> impl Fn(&Value) -> bool {
    move |page: &Value| page.as_array().is_some_and(|events| events.len() >= count)
}

/// What the lifecycle left behind, to look for in the log.
struct Lifecycle {
    registered: String,
    created: String,
    /// Every secret and token the lifecycle handled, which must never be logged.
    secrets: Vec<String>,
}

/// Register, read, update, present a wrong token, delete (RFC 7591/7592); create, update,
/// rotate-secret, refuse a missing token and a scope, delete (management API): 11 events.
async fn run_a_lifecycle(app: &AdminApp) -> Lifecycle {
    let wrong_token = "wrong-registration-token-0123456789abcdefgh";
    let malformed = "not.a.jwt-but-a-distinctive-string";
    let registered = app.register_ok(&minimal_with(json!({ "client_name": "Self" }))).await;
    app.get_client(&registered.rcu, &registered.rat).await.assert_status(200);
    app.put_client(&registered.rcu, &registered.rat, &update_body_from(&registered.body))
        .await
        .assert_status(200);
    app.get_client(&registered.rcu, wrong_token).await.assert_status(401);
    app.delete_client(&registered.rcu, &registered.rat).await.assert_status(204);

    let created = app.management_create_ok(&json!({ "name": "Managed" })).await;
    let id = client_id_of(&created);
    app.management_patch_ok(&id, &json!({ "description": "changed" })).await;
    let rotated = app.rotate_secret(app.tokens.all(), &id).await;
    rotated.assert_status(200);
    app.management(Method::GET, "/clients", None, None).await.assert_status(401);
    app.management_list(malformed, "").await.assert_status(401);
    let refused = app.tokens.with(&["read:clients"]);
    app.management_delete(refused, &id).await.assert_status(403);
    app.management_delete(app.tokens.all(), &id).await.assert_status(204);

    let mut secrets = vec![
        registered.rat.clone(),
        registered.client_secret.clone().expect("a confidential client has a secret"),
        secret_of(&created),
        secret_of(&rotated.json()),
        wrong_token.to_owned(),
        malformed.to_owned(),
    ];
    secrets.extend(app.tokens.every().map(str::to_owned));
    Lifecycle { registered: registered.client_id, created: id, secrets }
}

/// Newest first: the lifecycle's events in reverse, with the client each concerns.
fn expected_trail(life: &Lifecycle) -> Vec<(&'static str, Option<&str>)> {
    let (r, m) = (Some(life.registered.as_str()), Some(life.created.as_str()));
    vec![
        ("smcd", m),
        ("fmas", None),
        ("fmat", None),
        ("fmat", None),
        ("smcrs", m),
        ("smcu", m),
        ("smcc", m),
        ("sdcrd", r),
        ("fdcrt", r),
        ("sdcru", r),
        ("sdcrr", r),
        ("sdcr", r),
    ]
}

async fn a_full_lifecycle_leaves_an_audit_trail_newest_first(app: AdminApp) {
    // Arrange
    let life = run_a_lifecycle(&app).await;
    let expected = expected_trail(&life);

    // Act
    let (reply, page) = app.logs_when("", has(expected.len())).await;

    // Assert
    reply.assert_no_store();
    let got: Vec<(&str, Option<&str>)> = events(&page)
        .iter()
        .map(|e| (e["type"].as_str().unwrap_or("?"), e["client_id"].as_str()))
        .collect();
    assert_eq!(got, expected, "the trail, newest first\n{page:#}");
    for event in events(&page) {
        let keys: BTreeSet<&str> = event.as_object().unwrap().keys().map(String::as_str).collect();
        let shape = [
            "log_id",
            "date",
            "type",
            "description",
            "client_id",
            "client_name",
            "ip",
            "user_agent",
            "details",
        ];
        assert_eq!(keys, BTreeSet::from(shape), "seed 002's shape plus log_id: {event:#}");
        assert_eq!(event["ip"], "127.0.0.1", "{event:#}");
        assert!(event["date"].as_str().is_some_and(|d| d.ends_with('Z')), "{event:#}");
        assert!(event["description"].as_str().is_some_and(|d| !d.is_empty()), "{event:#}");
    }
    let by_type = |t: &str| events(&page).iter().find(|e| e["type"] == t).unwrap().clone();
    assert_eq!(by_type("smcc")["details"]["admin"], "registrar-embedded");
    assert_eq!(by_type("smcc")["client_name"], "Managed");
    assert_eq!(by_type("fmas")["details"]["required_scope"], "delete:clients");
    assert_no_secrets(&reply, &life.secrets);
}

#[track_caller]
fn assert_no_secrets(reply: &Reply, secrets: &[String]) {
    for secret in secrets {
        assert!(!reply.body.contains(secret.as_str()), "{secret:?} is in the log:\n{}", reply.body);
        // Also no recognisable part of one (a JWT's signature, half a secret).
        let tail = &secret[secret.len() - 20..];
        assert!(!reply.body.contains(tail), "part of {secret:?} is in the log:\n{}", reply.body);
    }
}

async fn the_log_pages_newest_first_and_filters_by_type_and_client(app: AdminApp) {
    // Arrange
    let life = run_a_lifecycle(&app).await;
    let expected = expected_trail(&life);
    let (_, full) = app.logs_when("per_page=100", has(expected.len())).await;
    let all: Vec<Value> = events(&full).clone();

    // Act: pages of 5, with totals.
    let mut walked = Vec::new();
    for page in 0..3 {
        let (reply, body) =
            app.logs_when(&format!("per_page=5&page={page}&include_totals=true"), |_| true).await;
        reply.assert_status(200);
        let length = expected.len().saturating_sub(page * 5).min(5);
        let logs = body["logs"].clone();
        let (start, total) = (page * 5, expected.len());
        assert_eq!(
            body,
            json!({ "start": start, "limit": 5, "length": length, "total": total, "logs": logs }),
            "page {page}"
        );
        walked.extend(events(&logs).iter().cloned());
    }

    // Assert
    assert_eq!(walked, all, "the pages, in order, are the whole log");
    let ids: BTreeSet<&str> = all.iter().filter_map(|e| e["log_id"].as_str()).collect();
    assert_eq!(ids.len(), all.len(), "log ids are unique");
    let cases: [(String, Vec<&str>); 5] = [
        ("type=fmat".into(), vec!["fmat", "fmat"]),
        ("type=sdcrr".into(), vec!["sdcrr"]),
        (
            format!("client_id={}", life.registered),
            vec!["sdcrd", "fdcrt", "sdcru", "sdcrr", "sdcr"],
        ),
        (format!("client_id={}&type=smcu", life.created), vec!["smcu"]),
        (format!("client_id={}&type=smcu", life.registered), vec![]),
    ];
    for (query, expected) in cases {
        let (_, page) = app.logs_when(&query, |_| true).await;
        assert_eq!(types(&page), expected, "{query}\n{page:#}");
    }
    let (_, totals) = app.logs_when("type=fmat&include_totals=true&per_page=1", |_| true).await;
    assert_eq!(totals["total"], 2, "{totals:#}");
    assert_eq!(totals["length"], 1, "{totals:#}");
}

#[tokio::test]
async fn bad_log_queries_are_refused_in_the_management_format() {
    // Arrange
    let app = spawn_admin_app().await;
    let cases = [
        ("per_page=0", "per_page", "an empty page"),
        ("per_page=101", "per_page", "more than 100 per page"),
        ("page=-1", "page", "a negative page"),
        ("type=nope", "nope", "an unknown event type"),
        ("type=SDCR", "SDCR", "a type code in capitals"),
        ("include_totals=yes", "include_totals", "a boolean spelt yes"),
        ("foo=1", "foo", "an unknown parameter, refused as GET /api/v2/clients does"),
    ];

    for (query, named, why) in cases {
        // Act
        let reply = app.logs(app.tokens.with(&["read:logs"]), query).await;

        // Assert
        assert_eq!(reply.status, 400, "{why}: expected 400\n{reply}");
        assert_management_error(&reply, 400, "invalid_query_string", named);
    }
}

#[tokio::test]
async fn reading_the_log_is_not_itself_logged_but_a_refused_read_is() {
    // Arrange
    let app = spawn_admin_app().await;
    app.logs(app.tokens.with(&["read:logs"]), "").await.assert_status(200);
    app.logs(app.tokens.all_but("read:logs"), "").await.assert_status(403);

    // Act
    let (_, page) = app.logs_when("", has(1)).await;

    // Assert
    assert_eq!(types(&page), ["fmas"], "{page:#}");
    assert_eq!(events(&page)[0]["details"]["required_scope"], "read:logs", "{page:#}");
}

/// `--audit-skip`: reads and refused tokens go unrecorded, everything else as before.
async fn skipped_event_types_are_not_recorded(backend: Backend<'_>) {
    // Arrange
    let app = spawn_admin_app_with(backend, &["--audit-skip", "sdcrr,fdcrt"]).await;
    let registered = app.register_ok(&minimal_with(json!({ "client_name": "Polling" }))).await;
    app.get_client(&registered.rcu, &registered.rat).await.assert_status(200);
    app.get_client(&registered.rcu, "wrong-registration-token-0123456789abcdef")
        .await
        .assert_status(401);
    app.put_client(&registered.rcu, &registered.rat, &update_body_from(&registered.body))
        .await
        .assert_status(200);
    app.get_client(&registered.rcu, &registered.rat).await.assert_status(200);

    // Act
    let (_, page) = app.logs_when("", has(2)).await;

    // Assert
    assert_eq!(types(&page), ["sdcru", "sdcr"], "{page:#}");
}

#[tokio::test]
async fn skipped_event_types_are_not_recorded_with_the_memory_store() {
    skipped_event_types_are_not_recorded(Backend::Memory).await;
}

#[tokio::test]
async fn skipped_event_types_are_not_recorded_with_the_redis_store() {
    let redis = RedisServer::start();
    skipped_event_types_are_not_recorded(Backend::Redis(&redis)).await;
}

admin_tests_on_both_stores!(
    a_full_lifecycle_leaves_an_audit_trail_newest_first,
    the_log_pages_newest_first_and_filters_by_type_and_client,
);
