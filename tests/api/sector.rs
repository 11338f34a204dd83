//! `sector_identifier_uri` through the guarded fetcher (issue 5; OIDC DCR §5; checklist
//! items 54-57), against a local HTTP server: allowed through the allow-list, refused when
//! the file does not list every redirect URI, is no JSON array, is missing, too large, too
//! slow or a redirect, and refused before any connection for private addresses.

use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{assert_oauth_error, minimal_with, spawn_app_with, Backend, Reply, TestApp};
use crate::http_fixture::{Canned, FixtureServer};

const FIELD: &str = "sector_identifier_uri";
const A: &str = "https://a.rp.example/cb";
const B: &str = "https://b.rp.example/cb";

/// Fetches over http to 127.0.0.1 allowed, as in the test deployments.
const ALLOWED: [&str; 3] = ["--fetch-allow-http", "--fetch-allow-hosts", "127.0.0.1"];

async fn spawn(flags: &[&str]) -> TestApp {
    spawn_app_with(Backend::Memory, flags).await
}

/// A pairwise registration of `redirect_uris` with the sector file at `sector`.
fn pairwise(redirect_uris: &[&str], sector: &str) -> Value {
    minimal_with(json!({
        "redirect_uris": redirect_uris,
        "subject_type": "pairwise",
        FIELD: sector,
    }))
}

/// 400 `invalid_client_metadata` naming the field, whose description says `why`
/// (any of the fragments, case-insensitive) so that a refusal for another reason fails.
#[track_caller]
fn assert_refused(reply: &Reply, why: &[&str]) {
    assert_oauth_error(reply, 400, "invalid_client_metadata", FIELD);
    let description = reply.json()["error_description"].as_str().unwrap_or("").to_ascii_lowercase();
    assert!(
        why.iter().any(|fragment| description.contains(&fragment.to_ascii_lowercase())),
        "the description should give the reason ({why:?}), got {description:?}\n{reply}"
    );
}

#[tokio::test]
async fn a_sector_file_listing_the_redirect_uri_allows_pairwise() {
    // Arrange
    let fixture = FixtureServer::start().await;
    fixture.set("/sector.json", Canned::json(&json!([A, "https://other.example/cb"])));
    let app = spawn(&ALLOWED).await;
    let sector = fixture.url("/sector.json");

    // Act
    let reply = app.register(&pairwise(&[A], &sector)).await;

    // Assert
    let client = reply.registered();
    assert_eq!(client.body[FIELD], json!(sector), "{reply}");
    assert_eq!(client.body["subject_type"], json!("pairwise"), "{reply}");
    assert_eq!(fixture.requests(), ["/sector.json"], "the file is fetched at registration");
}

#[tokio::test]
async fn pairwise_with_redirect_uris_on_two_hosts_needs_a_file_listing_both() {
    // Arrange
    let fixture = FixtureServer::start().await;
    fixture.set("/both.json", Canned::json(&json!([A, B])));
    fixture.set("/one.json", Canned::json(&json!([A])));
    let app = spawn(&ALLOWED).await;

    // Act
    let both = app.register(&pairwise(&[A, B], &fixture.url("/both.json"))).await;
    let one = app.register(&pairwise(&[A, B], &fixture.url("/one.json"))).await;
    let other = app.register(&pairwise(&[A], &fixture.url("/elsewhere.json"))).await;

    // Assert
    let client = both.registered();
    assert_eq!(client.body["redirect_uris"], json!([A, B]), "{both}");
    assert_refused(&one, &["redirect_uris[1]", "does not list"]);
    assert_refused(&other, &["404"]);
}

#[tokio::test]
async fn a_sector_file_missing_the_redirect_uri_is_refused() {
    // Arrange: the conformance suite's oidcc-registration-sector-bad.
    let fixture = FixtureServer::start().await;
    fixture.set("/sector.json", Canned::json(&json!(["https://example.com/op"])));
    let app = spawn(&ALLOWED).await;

    // Act
    let reply = app.register(&pairwise(&[A], &fixture.url("/sector.json"))).await;

    // Assert
    assert_refused(&reply, &["does not list", "redirect_uris"]);
}

#[tokio::test]
async fn a_sector_file_must_be_a_json_array_of_strings() {
    // Arrange
    let fixture = FixtureServer::start().await;
    fixture.set("/object.json", Canned::json(&json!({ "redirect_uris": [A] })));
    fixture.set("/numbers.json", Canned::json(&json!([A, 42])));
    fixture.set("/text.json", Canned::raw(200, A));
    let app = spawn(&ALLOWED).await;

    // Act
    let object = app.register(&pairwise(&[A], &fixture.url("/object.json"))).await;
    let numbers = app.register(&pairwise(&[A], &fixture.url("/numbers.json"))).await;
    let text = app.register(&pairwise(&[A], &fixture.url("/text.json"))).await;

    // Assert
    assert_refused(&object, &["not a json array"]);
    assert_refused(&numbers, &["element 1", "not a string"]);
    assert_refused(&text, &["not json"]);
}

#[tokio::test]
async fn a_missing_or_failing_sector_file_is_refused() {
    // Arrange
    let fixture = FixtureServer::start().await;
    fixture.set("/broken.json", Canned::raw(500, "[]"));
    let app = spawn(&ALLOWED).await;

    // Act
    let missing = app.register(&pairwise(&[A], &fixture.url("/missing.json"))).await;
    let broken = app.register(&pairwise(&[A], &fixture.url("/broken.json"))).await;

    // Assert
    assert_refused(&missing, &["404"]);
    assert_refused(&broken, &["500"]);
}

#[tokio::test]
async fn an_oversized_sector_file_is_refused_with_or_without_content_length() {
    // Arrange: a valid array listing the redirect URI, padded past 64 KiB.
    let mut list = vec![Value::from(A)];
    list.extend((0..2000).map(|i| Value::from(format!("https://padding.example/{i:040}"))));
    let big = json!(list).to_string();
    assert!(big.len() > 64 * 1024, "the file must exceed the 64 KiB cap");
    let fixture = FixtureServer::start().await;
    fixture.set("/announced.json", Canned::raw(200, big.clone()));
    fixture.set("/streamed.json", Canned::raw(200, big).without_content_length());
    let app = spawn(&ALLOWED).await;

    // Act
    let announced = app.register(&pairwise(&[A], &fixture.url("/announced.json"))).await;
    let streamed = app.register(&pairwise(&[A], &fixture.url("/streamed.json"))).await;

    // Assert
    assert_refused(&announced, &["larger than allowed", "too large"]);
    assert_refused(&streamed, &["larger than allowed", "too large"]);
}

#[tokio::test]
async fn a_redirecting_sector_uri_is_refused() {
    // Arrange: even to a good file on the same host.
    let fixture = FixtureServer::start().await;
    fixture.set("/sector.json", Canned::json(&json!([A])));
    fixture.set("/moved.json", Canned::redirect(&fixture.url("/sector.json")));
    let app = spawn(&ALLOWED).await;

    // Act
    let reply = app.register(&pairwise(&[A], &fixture.url("/moved.json"))).await;

    // Assert
    assert_refused(&reply, &["redirect"]);
    assert_eq!(fixture.requests(), ["/moved.json"], "redirects are not followed");
}

#[tokio::test]
async fn a_sector_server_that_does_not_answer_in_time_is_refused() {
    // Arrange: the fetch gives up after 5 s; this server answers after 7.
    let fixture = FixtureServer::start().await;
    fixture.set("/slow.json", Canned::json(&json!([A])).delayed(Duration::from_secs(7)));
    let app = spawn(&ALLOWED).await;

    // Act
    let reply = app.register(&pairwise(&[A], &fixture.url("/slow.json"))).await;

    // Assert
    assert_refused(&reply, &["in time", "timed out", "timeout"]);
    assert!(reply.elapsed < Duration::from_secs(7), "the fetch must give up first\n{reply}");
}

#[tokio::test]
async fn a_private_address_is_refused_without_the_allow_list_and_never_contacted() {
    // Arrange: http allowed, but no --fetch-allow-hosts.
    let fixture = FixtureServer::start().await;
    fixture.set("/sector.json", Canned::json(&json!([A])));
    let app = spawn(&["--fetch-allow-http"]).await;

    // Act
    let reply = app.register(&pairwise(&[A], &fixture.url("/sector.json"))).await;

    // Assert
    assert_refused(&reply, &["loopback", "private"]);
    assert!(fixture.requests().is_empty(), "a refused address is never contacted");
}

#[tokio::test]
async fn loopback_private_link_local_and_metadata_addresses_are_refused() {
    // Arrange: production settings (https only, no allow-list); the addresses are refused
    // before any connection is attempted, so nothing needs to listen there.
    let app = spawn(&[]).await;
    let targets = [
        "https://127.0.0.1/sector.json",
        "https://localhost/sector.json",
        "https://10.1.2.3/sector.json",
        "https://192.168.0.1/sector.json",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/sector.json",
        "https://[fd00::1]/sector.json",
        "https://0.0.0.0/sector.json",
    ];

    // Act + Assert
    for target in targets {
        let reply = app.register(&pairwise(&[A], target)).await;
        assert_eq!(reply.status, 400, "{target} must be refused\n{reply}");
        assert_refused(&reply, &["loopback", "private", "reserved", "resolve"]);
    }
}

#[tokio::test]
async fn a_plain_http_sector_uri_is_refused_in_production() {
    // Arrange
    let fixture = FixtureServer::start().await;
    fixture.set("/sector.json", Canned::json(&json!([A])));
    let app = spawn(&["--fetch-allow-hosts", "127.0.0.1"]).await;

    // Act
    let reply = app.register(&pairwise(&[A], &fixture.url("/sector.json"))).await;

    // Assert
    assert_refused(&reply, &["https"]);
    assert!(fixture.requests().is_empty(), "an http URL is never fetched");
}

#[tokio::test]
async fn an_update_fetches_the_sector_file_again() {
    // Arrange: registered while the file listed A; the file then changes.
    let fixture = FixtureServer::start().await;
    fixture.set("/sector.json", Canned::json(&json!([A])));
    let app = spawn(&ALLOWED).await;
    let body = pairwise(&[A], &fixture.url("/sector.json"));
    let client = app.register_ok(&body).await;
    fixture.set("/sector.json", Canned::json(&json!([B])));

    // Act
    let update = merge_client_id(&body, &client.client_id);
    let reply = app.put_client(&client.rcu, &client.rat, &update).await;

    // Assert
    assert_refused(&reply, &["does not list"]);
    assert_eq!(fixture.requests().len(), 2, "fetched at registration and at update");
}

fn merge_client_id(body: &Value, client_id: &str) -> Value {
    crate::helpers::merge(body.clone(), json!({ "client_id": client_id }))
}
