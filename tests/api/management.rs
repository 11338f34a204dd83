//! The management API's endpoints (issue 4, Auth0's `/api/v2/clients`): create, list with
//! paging, totals, field selection and filters, read, update, delete and rotate-secret,
//! and their errors in the management format.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{json, Value};

use crate::admin_helpers::{
    assert_invalid_body, assert_management_error, assert_management_error_code, client_id_of,
    secret_of, spawn_admin_app, AdminApp,
};
use crate::helpers::{assert_url_safe_token, minimal_with};

/// The `client_id`s of a listing (a plain array, or `clients` of a totals object).
#[track_caller]
fn ids(listing: &Value) -> BTreeSet<String> {
    let clients = listing.get("clients").unwrap_or(listing);
    let clients =
        clients.as_array().unwrap_or_else(|| panic!("the listing is not an array: {listing:#}"));
    let ids: BTreeSet<String> = clients.iter().map(client_id_of).collect();
    assert_eq!(ids.len(), clients.len(), "a client appears twice in {listing:#}");
    ids
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

async fn creating_a_client_answers_201_with_a_first_party_client(app: AdminApp) {
    // Arrange
    let body = json!({
        "name": "Shop",
        "app_type": "spa",
        "callbacks": ["https://shop.example/cb"],
    });

    // Act
    let created = app.management_create(app.tokens.with(&["create:clients"]), &body).await;

    // Assert
    created.assert_status(201).assert_json_content_type().assert_no_store();
    let view = created.json();
    assert_url_safe_token(&client_id_of(&view), 16, "client_id");
    assert_eq!(view["name"], "Shop", "{created}");
    assert_eq!(view["is_first_party"], true, "first-party by default\n{created}");
    assert_eq!(view["app_type"], "spa", "{created}");
    assert_eq!(view["callbacks"], json!(["https://shop.example/cb"]), "{created}");
    assert!(view.get("client_secret").is_none(), "no read:client_keys, no secret\n{created}");
    let read = app.management_get(app.tokens.with(&["read:clients"]), &client_id_of(&view)).await;
    read.assert_status(200).assert_json_content_type().assert_no_store();
    assert_eq!(read.json(), view, "reading the client back gives the creation response");
}

async fn a_client_can_be_created_third_party_with_a_secret_for_read_client_keys(app: AdminApp) {
    // Act
    let token = app.tokens.with(&["create:clients", "read:client_keys"]);
    let created =
        app.management_create(token, &json!({ "name": "Partner", "is_first_party": false })).await;

    // Assert
    created.assert_status(201);
    let view = created.json();
    assert_eq!(view["is_first_party"], false, "{created}");
    assert_url_safe_token(&secret_of(&view), 32, "client_secret");
    let read = app.management_get_ok(&client_id_of(&view)).await;
    assert_eq!(read["client_secret"], view["client_secret"], "the secret is kept");
}

#[tokio::test]
async fn creating_a_client_refuses_bodies_that_break_the_rules() {
    // Arrange
    let app = spawn_admin_app().await;
    let cases = [
        (json!({}), "name", "no name"),
        (json!({ "name": "<b>Shop</b>" }), "name", "a name with < and >"),
        (
            json!({ "name": "Shop", "redirect_uris": ["https://a.example/cb"] }),
            "redirect_uris",
            "an RFC 7591 member",
        ),
        (
            json!({ "name": "Shop", "callbacks": ["https://*.com/cb"] }),
            "callbacks",
            "a wildcard over a public suffix",
        ),
        (json!({ "name": "Shop", "client_id": "mine" }), "client_id", "a chosen client_id"),
        (
            json!({ "name": "Shop", "description": "x".repeat(141) }),
            "description",
            "a long description",
        ),
    ];

    for (body, field, why) in cases {
        // Act
        let reply = app.management_create(app.tokens.all(), &body).await;

        // Assert
        assert_eq!(reply.status, 400, "{why}: expected 400\n{reply}");
        assert_invalid_body(&reply, field);
    }
    let listing = app.management_list_ok("").await;
    assert_eq!(listing, json!([]), "no refused body created a client");
}

#[tokio::test]
async fn bodies_that_are_not_json_objects_are_refused_in_the_management_format() {
    // Arrange
    let app = spawn_admin_app().await;
    let client = app.management_create_ok(&json!({ "name": "A" })).await;
    let url = format!("{}/api/v2/clients/{}", app.address, client_id_of(&client));
    let cases: [(&str, Option<&str>, u16, &str); 4] = [
        ("{\"name\": ", Some("application/json"), 400, "truncated JSON"),
        ("[1, 2]", Some("application/json"), 400, "an array"),
        ("name=x", Some("application/x-www-form-urlencoded"), 415, "a form"),
        ("{\"name\": \"x\"}", None, 415, "no content type"),
    ];

    for (body, content_type, status, why) in cases {
        // Act
        let token = Some(app.tokens.all());
        let reply =
            app.send(Method::PATCH, &url, token, Some((body.to_owned(), content_type))).await;

        // Assert
        assert_eq!(reply.status, status, "{why}\n{reply}");
        let code = reply.json()["errorCode"].as_str().unwrap_or_default().to_owned();
        assert_management_error_code(&reply, status, &code);
    }
    assert_eq!(app.management_get_ok(&client_id_of(&client)).await, client, "nothing changed");
}

async fn listing_pages_through_the_clients_with_totals_on_request(app: AdminApp) {
    // Arrange
    let mut all = BTreeSet::new();
    for i in 0..5 {
        all.insert(client_id_of(
            &app.management_create_ok(&json!({ "name": format!("C{i}") })).await,
        ));
    }

    // Act
    let plain = app.management_list_ok("").await;
    let pages = [
        app.management_list_ok("include_totals=true&per_page=2&page=0").await,
        app.management_list_ok("include_totals=true&per_page=2&page=1").await,
        app.management_list_ok("include_totals=true&per_page=2&page=2").await,
        app.management_list_ok("include_totals=true&per_page=2&page=3").await,
    ];
    let without_totals = app.management_list_ok("per_page=2&page=1").await;

    // Assert
    assert_eq!(ids(&plain), all, "without paging parameters, every client as an array");
    let mut seen = BTreeSet::new();
    for (page, (body, length)) in pages.iter().zip([2, 2, 1, 0]).enumerate() {
        let expected = json!({
            "start": page * 2,
            "limit": 2,
            "length": length,
            "total": 5,
            "clients": body["clients"].clone(),
        });
        assert_eq!(body, &expected, "page {page}");
        for id in ids(body) {
            assert!(seen.insert(id.clone()), "{id} appears on two pages");
        }
    }
    assert_eq!(seen, all, "the pages together hold every client once");
    assert_eq!(ids(&without_totals), ids(&pages[1]), "per_page works without include_totals");
}

#[tokio::test]
async fn fields_and_include_fields_choose_the_members_shown() {
    // Arrange
    let app = spawn_admin_app().await;
    let client = app.management_create_ok(&json!({ "name": "A", "description": "d" })).await;
    let id = client_id_of(&client);
    let all_keys: BTreeSet<String> = client.as_object().unwrap().keys().cloned().collect();
    let keys = |view: &Value| -> BTreeSet<String> {
        view.as_object()
            .unwrap_or_else(|| panic!("not an object: {view}"))
            .keys()
            .cloned()
            .collect()
    };

    // Act
    let only = app.management_list_ok("fields=client_id,name").await;
    let without = app.management_list_ok("fields=client_id,name&include_fields=false").await;
    let one_only =
        app.management_get(app.tokens.all(), &format!("{id}?fields=name,description")).await;
    let one_without = app
        .management_get(app.tokens.all(), &format!("{id}?fields=name&include_fields=false"))
        .await;
    let with_totals = app.management_list_ok("fields=client_id&include_totals=true").await;

    // Assert
    assert_eq!(keys(&only[0]), set(&["client_id", "name"]), "{only:#}");
    let mut rest = all_keys.clone();
    rest.remove("client_id");
    rest.remove("name");
    assert_eq!(keys(&without[0]), rest, "include_fields=false leaves the fields out");
    one_only.assert_status(200);
    assert_eq!(one_only.json(), json!({ "name": "A", "description": "d" }), "{one_only}");
    one_without.assert_status(200);
    let mut rest = all_keys;
    rest.remove("name");
    assert_eq!(keys(&one_without.json()), rest, "{one_without}");
    assert_eq!(with_totals["total"], 1, "{with_totals:#}");
    assert_eq!(with_totals["clients"], json!([{ "client_id": id }]), "{with_totals:#}");
}

async fn app_type_and_is_first_party_filter_the_listing(app: AdminApp) {
    // Arrange: administrators' clients are first-party unless told otherwise, and
    // self-registered ones are third-party, with an app_type derived from their metadata.
    let admin = &app;
    let create =
        |body: Value| async move { client_id_of(&admin.management_create_ok(&body).await) };
    let spa = create(json!({ "name": "spa", "app_type": "spa" })).await;
    let native =
        create(json!({ "name": "native", "app_type": "native", "is_first_party": false })).await;
    let m2m = create(json!({ "name": "m2m", "app_type": "non_interactive" })).await;
    let web = app.register_ok(&minimal_with(json!({ "client_name": "web" }))).await.client_id;
    let public = app
        .register_ok(&minimal_with(json!({ "token_endpoint_auth_method": "none" })))
        .await
        .client_id;
    let cases = [
        ("app_type=spa", vec![&spa, &public]),
        ("app_type=spa,native", vec![&spa, &public, &native]),
        ("app_type=non_interactive", vec![&m2m]),
        ("app_type=regular_web", vec![&web]),
        ("app_type=zoom", vec![]),
        ("is_first_party=true", vec![&spa, &m2m]),
        ("is_first_party=false", vec![&native, &web, &public]),
        ("app_type=spa&is_first_party=false", vec![&public]),
        ("app_type=spa,native&is_first_party=true", vec![&spa]),
    ];

    for (query, expected) in cases {
        // Act
        let listing = app.management_list_ok(query).await;
        let totals =
            app.management_list_ok(&format!("{query}&include_totals=true&per_page=1")).await;

        // Assert
        let expected: BTreeSet<String> = expected.into_iter().cloned().collect();
        assert_eq!(ids(&listing), expected, "{query}");
        assert_eq!(
            totals["total"],
            json!(expected.len()),
            "{query}: total counts matches\n{totals:#}"
        );
        assert_eq!(totals["length"], json!(expected.len().min(1)), "{query}: {totals:#}");
    }
}

#[tokio::test]
async fn invalid_list_queries_are_refused_naming_the_parameter() {
    // Arrange
    let app = spawn_admin_app().await;
    app.management_create_ok(&json!({ "name": "A" })).await;
    let cases = [
        ("foo=1", "foo", "an unknown parameter"),
        ("q=name:A", "q", "a search query this server does not support"),
        ("page=-1", "page", "a negative page"),
        ("page=one", "page", "a page that is not a number"),
        ("per_page=0", "per_page", "an empty page"),
        ("per_page=101", "per_page", "more than 100 per page"),
        ("per_page=2.5", "per_page", "a fractional page size"),
        ("include_totals=yes", "include_totals", "a boolean spelt yes"),
        ("is_first_party=1", "is_first_party", "a boolean spelt 1"),
        ("include_fields=maybe", "include_fields", "include_fields not a boolean"),
    ];

    for (query, parameter, why) in cases {
        // Act
        let reply = app.management_list(app.tokens.all(), query).await;

        // Assert
        assert_eq!(reply.status, 400, "{why}: expected 400\n{reply}");
        assert_management_error(&reply, 400, "invalid_query_string", parameter);
    }
}

#[tokio::test]
async fn reading_one_client_refuses_unknown_query_parameters() {
    // Arrange
    let app = spawn_admin_app().await;
    let id = client_id_of(&app.management_create_ok(&json!({ "name": "A" })).await);

    // Act
    let reply = app.management_get(app.tokens.all(), &format!("{id}?foo=1")).await;
    let bad_boolean = app.management_get(app.tokens.all(), &format!("{id}?include_fields=1")).await;

    // Assert: as the listing does, a misspelt parameter is an error, not a silent no-op.
    assert_management_error(&reply, 400, "invalid_query_string", "foo");
    assert_management_error(&bad_boolean, 400, "invalid_query_string", "include_fields");
}

async fn patching_changes_only_the_fields_sent(app: AdminApp) {
    // Arrange
    let client = app
        .management_create_ok(&json!({
            "name": "A",
            "description": "first",
            "callbacks": ["https://a.example/cb"],
            "client_metadata": { "team": "blue" },
        }))
        .await;
    let id = client_id_of(&client);

    // Act
    let patched = app
        .management_patch(
            app.tokens.with(&["update:clients"]),
            &id,
            &json!({ "description": "second" }),
        )
        .await;

    // Assert
    patched.assert_status(200).assert_json_content_type().assert_no_store();
    let mut expected = client.clone();
    expected["description"] = json!("second");
    expected.as_object_mut().unwrap().remove("client_secret");
    assert_eq!(patched.json(), expected, "only the description changed");
    let read = app.management_get_ok(&id).await;
    assert_eq!(read["description"], "second");
    assert_eq!(read["client_secret"], client["client_secret"], "the secret is kept");

    // Act: null returns an optional setting to its default, and metadata merges by key.
    let reset = app
        .management_patch_ok(
            &id,
            &json!({ "description": null, "client_metadata": { "tier": "gold" } }),
        )
        .await;

    // Assert
    assert!(reset.get("description").is_none(), "description removed: {reset:#}");
    assert_eq!(reset["client_metadata"]["team"], "blue", "{reset:#}");
    assert_eq!(reset["client_metadata"]["tier"], "gold", "{reset:#}");
}

async fn deleting_a_client_answers_204_and_then_it_is_gone(app: AdminApp) {
    // Arrange
    let keep = client_id_of(&app.management_create_ok(&json!({ "name": "Keep" })).await);
    let id = client_id_of(&app.management_create_ok(&json!({ "name": "Doomed" })).await);

    // Act
    let deleted = app.management_delete(app.tokens.with(&["delete:clients"]), &id).await;

    // Assert
    deleted.assert_status(204).assert_no_store();
    assert!(deleted.body.is_empty(), "204 has no body\n{deleted}");
    let all = app.tokens.all();
    let after = [
        app.management_get(all, &id).await,
        app.management_patch(all, &id, &json!({ "description": "x" })).await,
        app.management_delete(all, &id).await,
        app.rotate_secret(all, &id).await,
    ];
    for reply in &after {
        assert_management_error(reply, 404, "inexistent_client", "client");
    }
    assert_eq!(ids(&app.management_list_ok("").await), set(&[&keep]), "only the other is left");
}

#[tokio::test]
async fn unknown_client_ids_get_a_404_in_the_management_format() {
    // Arrange
    let app = spawn_admin_app().await;
    let all = app.tokens.all();
    let unknown = "A".repeat(22);

    // Act
    let replies = [
        ("GET", app.management_get(all, &unknown).await),
        ("PATCH", app.management_patch(all, &unknown, &json!({ "description": "x" })).await),
        ("DELETE", app.management_delete(all, &unknown).await),
        ("rotate-secret", app.rotate_secret(all, &unknown).await),
    ];

    // Assert
    for (what, reply) in &replies {
        assert_eq!(reply.status, 404, "{what}\n{reply}");
        assert_management_error(reply, 404, "inexistent_client", "client");
        reply.assert_no_store();
    }
}

async fn rotating_the_secret_issues_a_new_one_at_once(app: AdminApp) {
    // Arrange
    let client = app.management_create_ok(&json!({ "name": "A" })).await;
    let id = client_id_of(&client);
    let old = secret_of(&client);

    // Act
    let token = app.tokens.with(&["update:client_keys", "read:client_keys"]);
    let rotated = app.rotate_secret(token, &id).await;

    // Assert
    rotated.assert_status(200).assert_json_content_type().assert_no_store();
    let new = secret_of(&rotated.json());
    assert_ne!(new, old, "a new secret\n{rotated}");
    assert_url_safe_token(&new, 32, "the rotated client_secret");
    let read = app.management_get_ok(&id).await;
    assert_eq!(secret_of(&read), new, "the new secret is the current one");
    assert!(!read.to_string().contains(&old), "the old secret is nowhere in {read:#}");
    let mut unchanged = client.clone();
    unchanged["client_secret"] = json!(new);
    assert_eq!(read, unchanged, "rotation changes the secret and nothing else");
}

admin_tests_on_both_stores!(
    creating_a_client_answers_201_with_a_first_party_client,
    a_client_can_be_created_third_party_with_a_secret_for_read_client_keys,
    listing_pages_through_the_clients_with_totals_on_request,
    app_type_and_is_first_party_filter_the_listing,
    patching_changes_only_the_fields_sent,
    deleting_a_client_answers_204_and_then_it_is_gone,
    rotating_the_secret_issues_a_new_one_at_once,
);
