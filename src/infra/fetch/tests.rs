//! The fetcher against throwaway HTTP/1.1 servers on 127.0.0.1.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::*;
use crate::domain::MetadataError;

/// What the test server does once it has read a request head.
#[derive(Clone)]
enum Reply {
    /// Writes these bytes and closes.
    Now(Vec<u8>),
    /// Waits, then writes and closes.
    After(Duration, Vec<u8>),
    /// Sends a 200 head without Content-Length, then body bytes until the client leaves.
    Endless,
    /// Sends a 200 head at once, then one body byte every 100 ms.
    Trickle,
}

struct TestServer {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<String>>>,
}

impl TestServer {
    async fn start(reply: Reply) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(answer(stream, reply.clone(), Arc::clone(&seen)));
            }
        });
        TestServer { addr, requests }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.addr.port())
    }

    fn first_request(&self) -> String {
        self.requests.lock().expect("lock").first().cloned().unwrap_or_default()
    }
}

async fn answer(mut stream: TcpStream, reply: Reply, seen: Arc<Mutex<Vec<String>>>) {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    seen.lock().expect("lock").push(String::from_utf8_lossy(&head).into_owned());
    match reply {
        Reply::Now(bytes) => {
            let _ = stream.write_all(&bytes).await;
        }
        Reply::After(delay, bytes) => {
            tokio::time::sleep(delay).await;
            let _ = stream.write_all(&bytes).await;
        }
        Reply::Endless => {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n").await;
            let chunk = [b' '; 4096];
            while stream.write_all(&chunk).await.is_ok() {}
        }
        Reply::Trickle => {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n").await;
            for _ in 0..100 {
                tokio::time::sleep(Duration::from_millis(100)).await;
                if stream.write_all(b" ").await.is_err() {
                    return;
                }
            }
        }
    }
    let _ = stream.shutdown().await;
}

fn http(status: &str, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n", body.len());
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("Connection: close\r\n\r\n");
    out.push_str(body);
    out.into_bytes()
}

fn json_reply(body: &str) -> Reply {
    Reply::Now(http("200 OK", &[("Content-Type", "application/json")], body))
}

/// Plain http to 127.0.0.1 through the allow-list, as tests and local suites run.
fn local_fetcher() -> Fetcher {
    Fetcher::new(FetchPolicy {
        allow_hosts: vec!["127.0.0.1".into(), "localhost".into()],
        allow_http: true,
        connect_timeout: Duration::from_secs(2),
        total_timeout: Duration::from_secs(2),
        max_body_bytes: 1024,
    })
    .expect("fetcher")
}

fn production_fetcher() -> Fetcher {
    Fetcher::new(FetchPolicy::default()).expect("fetcher")
}

#[tokio::test]
async fn fetches_json_from_an_allow_listed_address() {
    let server = TestServer::start(json_reply(r#"{"keys":[]}"#)).await;

    let got = local_fetcher().get_json(&server.url("/jwks")).await;

    assert_eq!(got, Ok(json!({ "keys": [] })));
    let request = server.first_request().to_ascii_lowercase();
    assert!(request.starts_with("get /jwks http/1.1\r\n"), "{request}");
    assert!(!request.contains("cookie") && !request.contains("authorization"), "{request}");
}

#[tokio::test]
async fn an_allow_listed_host_name_is_resolved_and_sent_as_host() {
    let server = TestServer::start(json_reply("[1]")).await;
    let url = format!("http://localhost:{}/", server.addr.port());

    // localhost may also resolve to ::1 where nothing listens; either way the name passed
    // the resolver, and when 127.0.0.1 answered it saw the original Host.
    match local_fetcher().get_json(&url).await {
        Ok(body) => {
            assert_eq!(body, json!([1]));
            let host = format!("host: localhost:{}\r\n", server.addr.port());
            assert!(server.first_request().to_ascii_lowercase().contains(&host));
        }
        Err(err) => assert_eq!(err, FetchError::Connect),
    }
}

#[tokio::test]
async fn the_content_type_is_not_required_to_be_json() {
    let reply = Reply::Now(http("200 OK", &[("Content-Type", "text/plain")], r#"["a"]"#));
    let server = TestServer::start(reply).await;

    assert_eq!(local_fetcher().get_json(&server.url("/")).await, Ok(json!(["a"])));
}

#[tokio::test]
async fn loopback_private_and_metadata_addresses_are_refused_without_the_allow_list() {
    let fetcher = production_fetcher();
    let refused = [
        "https://127.0.0.1/",
        "https://127.0.0.1:8443/x",
        "https://10.0.0.1/",
        "https://172.16.5.4/",
        "https://192.168.0.10/",
        "https://169.254.169.254/latest/meta-data/",
        "https://100.64.0.1/",
        "https://0.0.0.0/",
        "https://[::1]/",
        "https://[::ffff:127.0.0.1]/",
        "https://[fd00::1]/",
        "https://[fe80::1]/",
        "https://2130706433/",
        "https://0x7f.1/",
        "https://localhost/",
    ];
    for url in refused {
        assert_eq!(fetcher.get_json(url).await, Err(FetchError::ForbiddenAddress), "{url}");
    }
}

#[tokio::test]
async fn a_host_name_resolving_to_loopback_is_refused_even_over_allowed_http() {
    let server = TestServer::start(json_reply("{}")).await;
    let fetcher =
        Fetcher::new(FetchPolicy { allow_http: true, ..FetchPolicy::default() }).expect("fetcher");
    let url = format!("http://localhost:{}/", server.addr.port());

    assert_eq!(fetcher.get_json(&url).await, Err(FetchError::ForbiddenAddress));
    assert_eq!(fetcher.get_json(&server.url("/")).await, Err(FetchError::ForbiddenAddress));
    assert!(server.requests.lock().expect("lock").is_empty());
}

#[tokio::test]
async fn urls_that_are_not_https_or_carry_credentials_are_refused() {
    let fetcher = production_fetcher();
    let cases = [
        ("http://example.com/", FetchError::NotHttps),
        ("ftp://example.com/", FetchError::BadUrl),
        ("file:///etc/passwd", FetchError::BadUrl),
        ("https://user:pw@example.com/", FetchError::BadUrl),
        ("https://user@example.com/", FetchError::BadUrl),
        ("/relative", FetchError::BadUrl),
        ("", FetchError::BadUrl),
    ];
    for (url, want) in cases {
        assert_eq!(fetcher.get_json(url).await, Err(want), "{url}");
    }
}

#[tokio::test]
async fn a_body_over_the_cap_is_too_large() {
    let big = format!("[\"{}\"]", "x".repeat(2048));
    let declared = TestServer::start(json_reply(&big)).await;
    let undeclared = TestServer::start(Reply::Endless).await;
    let fetcher = local_fetcher();

    assert_eq!(fetcher.get_json(&declared.url("/")).await, Err(FetchError::TooLarge));
    assert_eq!(fetcher.get_json(&undeclared.url("/")).await, Err(FetchError::TooLarge));
}

#[tokio::test]
async fn a_slow_server_times_out_whether_it_stalls_the_head_or_the_body() {
    let stalled = TestServer::start(Reply::After(Duration::from_secs(3), b"x".to_vec())).await;
    let trickling = TestServer::start(Reply::Trickle).await;
    let fetcher = Fetcher::new(FetchPolicy {
        allow_hosts: vec!["127.0.0.0/8".into()],
        allow_http: true,
        connect_timeout: Duration::from_millis(200),
        total_timeout: Duration::from_millis(300),
        max_body_bytes: 1024,
    })
    .expect("fetcher");

    for server in [stalled, trickling] {
        let started = std::time::Instant::now();
        assert_eq!(fetcher.get_json(&server.url("/")).await, Err(FetchError::Timeout));
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let target = TestServer::start(json_reply("{}")).await;
    let location = target.url("/");
    let reply = Reply::Now(http("302 Found", &[("Location", &location)], ""));
    let server = TestServer::start(reply).await;

    assert_eq!(local_fetcher().get_json(&server.url("/")).await, Err(FetchError::Redirect));
    assert!(target.requests.lock().expect("lock").is_empty());
}

#[tokio::test]
async fn a_non_success_status_is_reported_by_code_only() {
    let reply = Reply::Now(http("404 Not Found", &[], "secret internal page"));
    let server = TestServer::start(reply).await;

    let err = local_fetcher().get_json(&server.url("/")).await.unwrap_err();

    assert_eq!(err, FetchError::Status(404));
    assert!(!err.to_string().contains("secret"));
}

#[tokio::test]
async fn a_body_that_is_not_json_is_refused() {
    let reply = Reply::Now(http("200 OK", &[("Content-Type", "application/json")], "<html>"));
    let server = TestServer::start(reply).await;

    assert_eq!(local_fetcher().get_json(&server.url("/")).await, Err(FetchError::NotJson));
}

#[tokio::test]
async fn a_closed_port_is_a_connect_failure() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);

    let got = local_fetcher().get_json(&format!("http://127.0.0.1:{port}/")).await;

    assert_eq!(got, Err(FetchError::Connect));
}

#[test]
fn every_message_is_ascii() {
    let all = [
        FetchError::NotHttps,
        FetchError::BadUrl,
        FetchError::Resolve,
        FetchError::ForbiddenAddress,
        FetchError::Redirect,
        FetchError::Timeout,
        FetchError::TooLarge,
        FetchError::Status(500),
        FetchError::NotJson,
        FetchError::Connect,
        FetchError::Setup,
    ];
    for err in all {
        assert!(err.to_string().is_ascii(), "{err:?}");
    }
}

mod sector_identifier {
    use super::*;

    const CB: &str = "https://rp.example/cb";
    const CB2: &str = "https://rp.example/cb2";

    async fn check(reply: Reply, redirect_uris: &[&str]) -> Result<(), MetadataError> {
        let server = TestServer::start(reply).await;
        check_sector_identifier(&local_fetcher(), &server.url("/sector.json"), redirect_uris).await
    }

    fn message(result: Result<(), MetadataError>) -> String {
        match result {
            Err(MetadataError::InvalidClientMetadata(message)) => message,
            other => panic!("expected invalid_client_metadata, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_file_listing_every_redirect_uri_passes() {
        let body = json!([CB, "https://other.example/x", CB2]).to_string();

        assert_eq!(check(json_reply(&body), &[CB, CB2]).await, Ok(()));
    }

    #[tokio::test]
    async fn a_missing_redirect_uri_is_named_by_index() {
        let body = json!([CB]).to_string();

        let got = message(check(json_reply(&body), &[CB, CB2]).await);

        assert_eq!(got, "sector_identifier_uri: the document does not list redirect_uris[1]");
    }

    #[tokio::test]
    async fn comparison_is_exact_without_normalization() {
        let body = json!(["https://RP.example/cb", "https://rp.example/cb/"]).to_string();

        let got = message(check(json_reply(&body), &[CB]).await);

        assert!(got.ends_with("redirect_uris[0]"), "{got}");
    }

    #[tokio::test]
    async fn bodies_that_are_not_an_array_of_strings_are_refused() {
        let cases = [
            (json!({ "redirect_uris": [CB] }).to_string(), "is not a JSON array of URIs"),
            (json!([CB, 7]).to_string(), "element 1 is not a string"),
            ("\"https://rp.example/cb\"".to_owned(), "is not a JSON array of URIs"),
        ];
        for (body, want) in cases {
            let got = message(check(json_reply(&body), &[CB]).await);
            assert!(got.starts_with("sector_identifier_uri: ") && got.contains(want), "{got}");
        }
    }

    #[tokio::test]
    async fn fetch_failures_name_the_field_and_the_reason() {
        let not_found = message(check(Reply::Now(http("404 Not Found", &[], "")), &[CB]).await);
        let not_json = message(check(json_reply("nope"), &[CB]).await);

        assert_eq!(
            not_found,
            "sector_identifier_uri: fetch refused: server answered with HTTP status 404"
        );
        assert_eq!(not_json, "sector_identifier_uri: fetch refused: response body is not JSON");
    }

    #[tokio::test]
    async fn http_and_internal_urls_are_refused_in_production() {
        let fetcher = production_fetcher();

        let http = check_sector_identifier(&fetcher, "http://rp.example/s.json", &[CB]).await;
        let internal = check_sector_identifier(&fetcher, "https://10.1.1.1/s.json", &[CB]).await;

        assert_eq!(message(http), "sector_identifier_uri: must be an https URL");
        assert!(message(internal).starts_with("sector_identifier_uri: fetch refused: host"));
    }
}
