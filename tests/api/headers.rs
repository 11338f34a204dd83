//! Caching headers and media types on every answer of both endpoints (checklist item 5).

use reqwest::Method;
use serde_json::json;

use crate::helpers::{
    minimal, minimal_with, spawn_app_with, update_body_from, Backend, Reply, TestApp,
};

/// One exchange of each status the two endpoints produce.
async fn one_reply_per_status(app: &TestApp) -> Vec<(u16, &'static str, Reply)> {
    let created = app.register(&minimal()).await;
    let client = created.registered();
    let rcu = app.local(&client.rcu);
    let endpoint = app.registration_endpoint();
    let json_body = |body: String| Some((body, Some("application/json")));
    let oversized = minimal_with(json!({ "x_padding": "a".repeat(2048) })).to_string();
    let mut replies = vec![(201, "POST register", created)];
    let exchanges = [
        (200, "GET client", Method::GET, rcu.clone(), Some(client.rat.as_str()), None),
        (
            200,
            "PUT client",
            Method::PUT,
            rcu.clone(),
            Some(client.rat.as_str()),
            json_body(update_body_from(&client.body).to_string()),
        ),
        (
            400,
            "POST invalid metadata",
            Method::POST,
            endpoint.clone(),
            None,
            json_body(r#"{"redirect_uris":"x"}"#.to_owned()),
        ),
        (400, "POST broken JSON", Method::POST, endpoint.clone(), None, json_body("{".to_owned())),
        (
            400,
            "PUT invalid metadata",
            Method::PUT,
            rcu.clone(),
            Some(client.rat.as_str()),
            json_body(json!({ "client_id": client.client_id, "redirect_uris": ["x"] }).to_string()),
        ),
        (401, "GET without token", Method::GET, rcu.clone(), None, None),
        (401, "GET wrong token", Method::GET, rcu.clone(), Some("wrong"), None),
        (401, "DELETE wrong token", Method::DELETE, rcu.clone(), Some("wrong"), None),
        (405, "GET register", Method::GET, endpoint.clone(), None, None),
        (405, "PATCH client", Method::PATCH, rcu.clone(), Some(client.rat.as_str()), None),
        (413, "POST too large", Method::POST, endpoint.clone(), None, json_body(oversized.clone())),
        (
            413,
            "PUT too large",
            Method::PUT,
            rcu.clone(),
            Some(client.rat.as_str()),
            json_body(oversized),
        ),
        (
            415,
            "POST text/plain",
            Method::POST,
            endpoint.clone(),
            None,
            Some((minimal().to_string(), Some("text/plain"))),
        ),
        (204, "DELETE client", Method::DELETE, rcu, Some(client.rat.as_str()), None),
    ];
    for (status, what, method, url, token, body) in exchanges {
        replies.push((status, what, app.send(method, &url, token, body).await));
    }
    replies
}

async fn every_answer_of_both_endpoints_forbids_caching(backend: Backend<'_>) {
    // Arrange
    let app = spawn_app_with(backend, &["--max-body-bytes", "1024"]).await;

    // Act
    let replies = one_reply_per_status(&app).await;

    // Assert
    for (status, what, reply) in replies {
        assert_eq!(reply.status, status, "{what}\n{reply}");
        reply.assert_no_store();
        if status != 204 {
            reply.assert_json_content_type();
        }
    }
}

#[tokio::test]
async fn every_answer_of_both_endpoints_forbids_caching_on_the_memory_store() {
    every_answer_of_both_endpoints_forbids_caching(Backend::Memory).await;
}

#[tokio::test]
async fn every_answer_of_both_endpoints_forbids_caching_on_the_redis_store() {
    let redis = crate::redis_server::RedisServer::start();
    every_answer_of_both_endpoints_forbids_caching(Backend::Redis(&redis)).await;
}

#[tokio::test]
async fn a_registration_answers_201_exactly_with_a_json_object() {
    // Arrange (checklist item 70: the suite fails anything but 201)
    let app = crate::helpers::spawn_app().await;

    // Act
    let reply = app.register(&minimal()).await;

    // Assert
    reply.assert_status(201).assert_json_content_type();
    assert!(reply.json().is_object(), "{reply}");
}
