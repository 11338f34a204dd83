//! Issue 15, found from outside: invisible characters in names, audit and log abuse,
//! duplicated credentials.

use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::admin_helpers::{assert_invalid_body, spawn_admin_app};
use crate::helpers::{assert_oauth_error, minimal_with};
use crate::server_process::ServerProcess;

/// Invisible or direction-changing characters, each hidden inside an innocent name.
const HIDDEN: [char; 9] = [
    '\u{200B}',
    '\u{200D}',
    '\u{2060}',
    '\u{FEFF}',
    '\u{00AD}',
    '\u{202E}',
    '\u{2066}',
    '\u{061C}',
    '\u{E0041}',
];

#[tokio::test]
async fn names_with_invisible_format_characters_are_refused_by_both_apis() {
    // Arrange
    let app = spawn_admin_app().await;

    for hidden in HIDDEN {
        let name = format!("Pay{hidden}Pal");

        // Act
        let registered = app.register(&minimal_with(json!({ "client_name": name }))).await;
        let created = app.management_create(app.tokens.all(), &json!({ "name": name })).await;

        // Assert
        assert_oauth_error(&registered, 400, "invalid_client_metadata", "client_name");
        assert_eq!(created.status, 400, "U+{:04X}\n{created}", hidden as u32);
        assert_invalid_body(&created, "name");
    }
    let plain = app.register(&minimal_with(json!({ "client_name": "Café ❤️ Ünïcode" }))).await;
    plain.assert_status(201);
}

#[tokio::test]
async fn two_authorization_headers_are_refused_as_an_invalid_request() {
    // Arrange
    let app = spawn_admin_app().await;
    let client = app.register_ok(&minimal_with(json!({}))).await;
    let auth = format!("Bearer {}", client.rat);
    let admin = format!("Bearer {}", app.tokens.all());
    let client_url = format!("{}/oidc/register/{}", app.address, client.client_id);
    let management_url = format!("{}/api/v2/clients/{}", app.address, client.client_id);

    for (url, first, management) in [(&client_url, &auth, false), (&management_url, &admin, true)] {
        // Act: the valid credential first, as the header a lenient server would pick.
        let reply = app
            .client
            .get(url.as_str())
            .header("Authorization", first.as_str())
            .header("Authorization", "Bearer other")
            .send()
            .await
            .expect("request");

        // Assert
        assert_eq!(reply.status().as_u16(), 400, "{url}");
        let body: serde_json::Value = reply.json().await.expect("json body");
        let code = if management { &body["errorCode"] } else { &body["error"] };
        assert_eq!(code, &json!("invalid_request"), "{url}: {body}");
    }
}

#[tokio::test]
async fn unparsable_request_heads_write_no_error_lines() {
    // Arrange
    let mut server = ServerProcess::start(&[]);
    let port = server.address.rsplit(':').next().and_then(|p| p.parse::<u16>().ok()).expect("port");

    // Act
    for _ in 0..20 {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
        let head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n";
        stream.write_all(head).await.expect("write");
        let mut reply = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut reply)).await;
    }
    let log = server.stop();

    // Assert
    let errors: Vec<&String> = log.iter().filter(|l| l.contains("ERROR")).collect();
    assert!(errors.is_empty(), "error lines for peers' malformed heads:\n{errors:#?}");
}

#[tokio::test]
async fn a_client_id_that_cannot_exist_is_recorded_cut_and_escaped() {
    // Arrange (issue 15: a 60,000-character path was recorded whole, CR/LF included)
    let app = spawn_admin_app().await;
    let long = format!("evil%0D%0Aforged{}", "x".repeat(30_000));

    // Act
    let reply = app
        .client
        .get(format!("{}/oidc/register/{long}", app.address))
        .header("Authorization", "Bearer whatever")
        .send()
        .await
        .expect("request");
    let status = reply.status().as_u16();
    let (_, page) =
        app.logs_when("", |page| page.as_array().is_some_and(|events| !events.is_empty())).await;

    // Assert
    assert_eq!(status, 401);
    let serialized = page.to_string();
    assert!(serialized.len() < 4_000, "the event is not bounded: {} bytes", serialized.len());
    let client_id = page[0]["client_id"].as_str().unwrap_or_default();
    assert!(client_id.chars().count() <= 64 + 2 * 9, "{client_id:?}");
    assert!(!client_id.contains(['\r', '\n']), "{client_id:?}");
}

#[tokio::test]
async fn a_line_break_in_a_logged_value_cannot_forge_a_log_line() {
    // Arrange (issue 15: an admin JWT whose `kid` holds "\n" wrote a forged text line)
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_registrar"))
        .args(["serve", "--log-format", "text", "--listen", &format!("127.0.0.1:{port}")])
        .env("RUST_LOG", "debug")
        .env_remove("REDIS_URL")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start registrar");
    let address = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut up = false;
    for _ in 0..100 {
        if client.get(format!("{address}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let b64 = |v: serde_json::Value| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let header = b64(json!({ "alg": "RS256", "typ": "JWT", "kid": "k\nFORGED ERROR line" }));
    let token = format!("{header}.{}.c2ln", b64(json!({ "sub": "x" })));

    // Act
    let reply = client
        .get(format!("{address}/api/v2/clients"))
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await
        .expect("request");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _ = child.kill();
    let output = child.wait_with_output().expect("log");
    let log = String::from_utf8_lossy(&output.stderr);

    // Assert
    assert!(up, "the server did not start:\n{log}");
    assert_eq!(reply.status().as_u16(), 401);
    assert!(log.contains("FORGED"), "the refusal should be logged at debug:\n{log}");
    for line in log.lines() {
        assert!(!line.starts_with("FORGED"), "a forged line:\n{log}");
    }
}
