//! Paging through many clients (issue 4): clients registered concurrently through the API,
//! then walked page by page, alone and with a filter; each client is seen exactly once and
//! the totals add up.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};
use tokio::task::JoinSet;

use crate::admin_helpers::{client_id_of, spawn_admin_app, spawn_admin_app_with, AdminApp};
use crate::helpers::{Backend, REDIRECT_URI};
use crate::redis_server::RedisServer;

/// Registrations in flight at once.
const CONCURRENCY: usize = 32;

/// Registers `count` clients through `POST /oidc/register`, `CONCURRENCY` at a time; every
/// fourth is a public client (`token_endpoint_auth_method` none, so its app_type is spa).
/// Returns (every client_id, the public ones).
async fn register_many(app: &AdminApp, count: usize) -> (BTreeSet<String>, BTreeSet<String>) {
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = JoinSet::new();
    for _ in 0..CONCURRENCY {
        let (client, url, next) = (app.client.clone(), app.registration_endpoint(), next.clone());
        workers.spawn(async move {
            let mut registered = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return registered;
                }
                let public = i % 4 == 0;
                let name = format!("client {i}");
                let mut body = json!({ "redirect_uris": [REDIRECT_URI], "client_name": name });
                if public {
                    body["token_endpoint_auth_method"] = json!("none");
                }
                let response = client.post(&url).json(&body).send().await.expect("request failed");
                let status = response.status().as_u16();
                let text = response.text().await.unwrap_or_default();
                assert_eq!(status, 201, "registration {i} failed: {text}");
                let body: Value = serde_json::from_str(&text).expect("not JSON");
                registered.push((client_id_of(&body), public));
            }
        });
    }
    let (mut all, mut public) = (BTreeSet::new(), BTreeSet::new());
    while let Some(done) = workers.join_next().await {
        for (id, is_public) in done.expect("a registration worker panicked") {
            if is_public {
                public.insert(id.clone());
            }
            assert!(all.insert(id.clone()), "client_id {id} was issued twice");
        }
    }
    assert_eq!(all.len(), count);
    (all, public)
}

/// Walks `query` with `per_page` until an empty page; asserts the totals object of every
/// page and that no client appears twice. Returns the clients seen.
async fn walk(
    app: &AdminApp,
    query: &str,
    per_page: usize,
    expected_total: usize,
) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut page = 0;
    loop {
        let q = format!(
            "{query}&fields=client_id,app_type&include_totals=true&per_page={per_page}&page={page}"
        );
        let body = app.management_list_ok(&q).await;
        let clients = body["clients"].as_array().unwrap_or_else(|| panic!("{q}: {body:#}")).clone();
        let length = expected_total.saturating_sub(page * per_page).min(per_page);
        assert_eq!(
            (&body["start"], &body["limit"], &body["length"], &body["total"]),
            (&json!(page * per_page), &json!(per_page), &json!(length), &json!(expected_total)),
            "{q}: start, limit, length, total"
        );
        assert_eq!(clients.len(), length, "{q}");
        if clients.is_empty() {
            return seen;
        }
        for client in &clients {
            let id = client_id_of(client);
            assert!(seen.insert(id.clone()), "{q}: {id} was already on an earlier page");
        }
        page += 1;
    }
}

pub(crate) async fn every_client_is_seen_exactly_once_across_the_pages(
    app: AdminApp,
    count: usize,
    per_page: usize,
) {
    // Arrange
    let (all, public) = register_many(&app, count).await;

    // Act
    let everything = walk(&app, "", per_page, count).await;
    let spas = walk(&app, "app_type=spa", per_page, public.len()).await;
    let third_party = walk(&app, "is_first_party=false", per_page, count).await;
    let first_party = app.management_list_ok("is_first_party=true&include_totals=true").await;

    // Assert
    assert_eq!(everything, all, "every client, each once");
    assert_eq!(spas, public, "the filter keeps exactly the public clients");
    assert_eq!(third_party, all, "self-registered clients are third-party");
    assert_eq!(first_party["total"], 0, "{first_party:#}");
}

#[tokio::test]
async fn paging_through_a_thousand_clients_sees_each_exactly_once() {
    every_client_is_seen_exactly_once_across_the_pages(spawn_admin_app().await, 1000, 100).await;
}

#[tokio::test]
async fn paging_through_clients_in_redis_sees_each_exactly_once() {
    let redis = RedisServer::start();
    let app = spawn_admin_app_with(Backend::Redis(&redis), &[]).await;
    every_client_is_seen_exactly_once_across_the_pages(app, 150, 40).await;
}
