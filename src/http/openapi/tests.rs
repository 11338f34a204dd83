//! The document against the route table, both ways.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde_json::Value;

use super::*;
use crate::app::config::Settings;
use crate::app::startup::Application;

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

fn served() -> Value {
    serde_json::from_str(document_json()).expect("the served document is JSON")
}

/// `(METHOD, path template)` -> the documented status codes.
fn documented_operations() -> BTreeMap<(String, String), Vec<String>> {
    let doc = served();
    let mut out = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            let statuses = operation["responses"].as_object().expect("responses");
            out.insert((method.to_uppercase(), path.clone()), statuses.keys().cloned().collect());
        }
    }
    out
}

/// The server as `registrar serve` builds it (in-process store, loopback port 0), and
/// an admin token that carries every scope.
async fn spawn() -> (String, String, actix_web::dev::ServerHandle) {
    let settings =
        Settings::from_flags(["--listen", "127.0.0.1:0", "--workers", "1"]).expect("default flags");
    let app = Application::build(settings).await.expect("the application builds");
    let token = app.mint_admin_token(ADMIN_SCOPES, Duration::from_secs(300)).expect("a token");
    let base = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    (base, token, handle)
}

fn concrete(path: &str) -> String {
    path.replace("{client_id}", "no-such-client").replace("{id}", "no-such-id")
}

/// What an unknown path answers (`routes::not_found`): no route took the request.
fn unrouted(status: reqwest::StatusCode, body: &str) -> bool {
    status == reqwest::StatusCode::NOT_FOUND
        && serde_json::from_str::<Value>(body).is_ok_and(|b| b["error"] == "not_found")
}

async fn call(
    client: &reqwest::Client,
    method: &str,
    url: &str,
    bearer: Option<&str>,
) -> (reqwest::StatusCode, String) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("an HTTP method");
    let mut request = client.request(method, url);
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    (status, response.text().await.expect("a body"))
}

/// Every documented operation is routed (neither the unknown-path answer nor 405), and
/// what it answers, without credentials and with an all-scope admin token, is one of
/// its documented status codes.
#[tokio::test]
async fn every_documented_operation_is_routed_and_answers_a_documented_status() {
    let (base, token, handle) = spawn().await;
    let client = reqwest::Client::new();
    let operations = documented_operations();
    assert!(operations.len() >= 17, "{operations:?}");
    for ((method, path), statuses) in &operations {
        for bearer in [None, Some(token.as_str())] {
            let url = format!("{base}{}", concrete(path));
            let (status, body) = call(&client, method, &url, bearer).await;
            assert!(!unrouted(status, &body), "{method} {path} is documented but not routed");
            assert_ne!(status, reqwest::StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert!(
                statuses.contains(&status.as_u16().to_string()),
                "{method} {path} answered {status}, documented only {statuses:?}: {body}"
            );
        }
    }
    handle.stop(true).await;
}

/// Methods a documented path does not document reach no handler there.
#[tokio::test]
async fn undocumented_methods_of_documented_paths_reach_no_handler() {
    let (base, token, handle) = spawn().await;
    let client = reqwest::Client::new();
    let operations = documented_operations();
    let paths: BTreeSet<&String> = operations.keys().map(|(_, p)| p).collect();
    for path in paths {
        for method in METHODS {
            if operations.contains_key(&(method.to_owned(), path.clone())) {
                continue;
            }
            let url = format!("{base}{}", concrete(path));
            let (status, body) = call(&client, method, &url, Some(&token)).await;
            // Every path is a resource whose other methods answer 405.
            assert!(
                status == reqwest::StatusCode::METHOD_NOT_ALLOWED || unrouted(status, &body),
                "{method} {path} is routed ({status}) but not documented"
            );
        }
    }
    handle.stop(true).await;
}

/// Every route `routes::configure` registers is documented: as many operations per
/// method as the route table registers, and every path literal of the table is part
/// of a documented path (a route's tail or a scope's head). Read from the source, as
/// actix-web cannot list its routes.
#[test]
fn every_route_of_the_route_table_is_documented() {
    let source = include_str!("../mod.rs");
    let start = source.find("pub fn configure").expect("routes::configure");
    let end = start + source[start..].find("\n}\n").expect("the end of configure");
    let table = &source[start..end];
    let operations = documented_operations();
    for method in METHODS {
        let lower = method.to_lowercase();
        // `web::get()` routes, and the `web::resource(..).get(handler)` shorthand.
        let routed = table.matches(&format!("web::{lower}()")).count()
            + table.matches(&format!(".{lower}(")).count();
        let documented = operations.keys().filter(|(m, _)| m == method).count();
        assert_eq!(
            routed, documented,
            "routes::configure registers {routed} {method} routes, the document has \
             {documented}: annotate the new handler with #[utoipa::path] and list it \
             in openapi::operations!"
        );
    }
    let paths: Vec<&String> = operations.keys().map(|(_, p)| p).collect();
    for literal in table.split('"').skip(1).step_by(2).filter(|l| l.starts_with('/')) {
        assert!(
            paths.iter().any(|p| p.ends_with(literal) || p.starts_with(literal)),
            "route table path {literal} is not in the document"
        );
    }
}

#[test]
fn the_document_is_openapi_3_1_and_every_reference_resolves() {
    let doc = served();
    assert_eq!(doc["openapi"], "3.1.0");
    fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    out.push(r);
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(!found.is_empty());
    for reference in found {
        let pointer = reference.strip_prefix('#').expect("a local reference");
        assert!(doc.pointer(pointer).is_some(), "{reference} does not resolve");
    }
}

#[test]
fn links_use_openapi_names_and_target_documented_operations() {
    let doc = served();
    let ids: Vec<&str> = doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| item.as_object().expect("a path item").values())
        .filter_map(|operation| operation["operationId"].as_str())
        .collect();
    let mut seen = 0;
    for operation_id in ["register", "createClient"] {
        let operation = doc["paths"]
            .as_object()
            .expect("paths")
            .values()
            .flat_map(|item| item.as_object().expect("a path item").values())
            .find(|operation| operation["operationId"] == operation_id)
            .expect("the operation");
        let links = operation["responses"]["201"]["links"].as_object().expect("links");
        for link in links.values() {
            let target = link["operationId"].as_str().expect("operationId");
            assert!(ids.contains(&target), "link to unknown operation {target}");
            assert!(link.get("operation_id").is_none() && link.get("request_body").is_none());
            assert_eq!(link["parameters"]["client_id"], "$response.body#/client_id");
            seen += 1;
        }
    }
    assert_eq!(seen, 7);
}

/// Limits and vocabularies stated in annotations as literals match the code's.
#[test]
fn documented_limits_match_the_code() {
    let doc = served();
    let param = |path: &str, name: &str| -> Value {
        doc["paths"][path]["get"]["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{path} has no parameter {name}"))["schema"]
            .clone()
    };
    assert_eq!(
        param("/api/v2/clients", "per_page")["maximum"],
        crate::service::management::MAX_PER_PAGE
    );
    assert_eq!(param("/api/v2/logs", "per_page")["maximum"], crate::store::audit::MAX_PER_PAGE);
    // Any documented page times any documented per_page fits (LogQuery::validate).
    let max_page = param("/api/v2/logs", "page")["maximum"].as_u64().expect("a maximum");
    assert_eq!(max_page, usize::MAX as u64 / crate::store::audit::MAX_PER_PAGE as u64);
    assert_eq!(param("/api/v2/clients", "page")["maximum"], 1_000_000);
    let scopes: Vec<&str> = doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| item.as_object().expect("a path item").values())
        .filter_map(|operation| operation["security"][0][ADMIN_TOKEN].as_array())
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for scope in &scopes {
        assert!(ADMIN_SCOPES.contains(scope), "unknown scope {scope}");
    }
    let types = param("/api/v2/logs", "type")["enum"].clone();
    assert_eq!(types.as_array().expect("enum").len(), EventType::ALL.len());
}

/// The body schemas list exactly the members the management parser takes: a member added
/// to one and not the other fails here.
#[test]
fn management_body_schemas_list_exactly_the_writable_members() {
    let doc = served();
    let accepted: BTreeSet<String> =
        crate::domain::client_patch::writable_members().map(str::to_owned).collect();
    for schema in ["ManagementClientUpdate", "ManagementClientCreate"] {
        let body = resolve(&doc, &doc["components"]["schemas"][schema]);
        let documented: BTreeSet<String> = properties(&doc, &body).into_iter().collect();
        let undocumented: Vec<_> = accepted.difference(&documented).collect();
        let unaccepted: Vec<_> = documented.difference(&accepted).collect();
        assert!(
            undocumented.is_empty() && unaccepted.is_empty(),
            "{schema}: accepted but not documented {undocumented:?}; documented but refused {unaccepted:?}"
        );
    }
}

/// A `$ref` followed to its component.
fn resolve(doc: &Value, schema: &Value) -> Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.rsplit('/').next().expect("a named component");
            resolve(doc, &doc["components"]["schemas"][name])
        }
        None => schema.clone(),
    }
}

/// The property names of an object schema, through `allOf`.
fn properties(doc: &Value, schema: &Value) -> Vec<String> {
    let mut names: Vec<String> =
        schema["properties"].as_object().map(|p| p.keys().cloned().collect()).unwrap_or_default();
    for part in schema["allOf"].as_array().into_iter().flatten() {
        names.extend(properties(doc, &resolve(doc, part)));
    }
    names
}
