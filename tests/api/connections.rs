//! Connection hardening: no server banner, request head timeout against slow clients,
//! and the cap on concurrent connections. Raw sockets, so nothing in a client library
//! retries or pools behind the test's back.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::helpers::{spawn_app_with, Backend};
use crate::server_process::ServerProcess;

const HEALTH: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

/// One response (head and a `Content-Length` body), or what came before the server
/// closed the connection.
async fn read_response(stream: &mut TcpStream) -> std::io::Result<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|value| value.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                return Ok(String::from_utf8_lossy(&buf).into_owned());
            }
        }
        let read = stream.read(&mut chunk).await?;
        if read == 0 {
            return Ok(String::from_utf8_lossy(&buf).into_owned());
        }
        buf.extend_from_slice(&chunk[..read]);
    }
}

/// A new connection that has sent one health check and read its 200.
async fn served_connection(port: u16) -> TcpStream {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
    stream.write_all(HEALTH).await.expect("write");
    let reply = timeout(Duration::from_secs(10), read_response(&mut stream))
        .await
        .expect("no answer within 10 s")
        .expect("read");
    assert!(reply.starts_with("HTTP/1.1 200"), "expected 200, got:\n{reply}");
    stream
}

#[tokio::test]
async fn no_server_banner_is_sent() {
    // Arrange
    let app = spawn_app_with(Backend::Memory, &[]).await;

    // Act
    let replies = [app.get("/healthz").await, app.discovery().await, app.get("/nope").await];

    // Assert
    for reply in replies {
        assert!(reply.status < 500, "{reply}");
        assert_eq!(reply.header("server"), None, "no Server header expected\n{reply}");
    }
}

#[tokio::test]
async fn a_client_trickling_its_request_head_is_cut_off_while_others_are_served() {
    // Arrange: one byte of a never-ending header every 100 ms, for at most 10 s.
    let app = spawn_app_with(Backend::Memory, &["--client-request-timeout-ms", "1000"]).await;
    let mut slow = TcpStream::connect(("127.0.0.1", app.port)).await.expect("connect");
    let head =
        format!("POST /oidc/register HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: {}", "a".repeat(50));
    let mut answer = None;
    let mut others = Vec::new();

    // Act
    for (sent, byte) in head.bytes().enumerate() {
        if slow.write_all(&[byte]).await.is_err() {
            answer = Some(String::new());
            break;
        }
        if sent % 4 == 0 {
            others.push(app.get("/healthz").await.status);
        }
        let mut buf = [0u8; 512];
        match timeout(Duration::from_millis(100), slow.read(&mut buf)).await {
            Err(_) => continue,
            Ok(Ok(read)) => answer = Some(String::from_utf8_lossy(&buf[..read]).into_owned()),
            Ok(Err(_)) => answer = Some(String::new()),
        }
        break;
    }

    // Assert
    let answer = answer.expect("the slow client was still connected after 10 s");
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "the slow client should get 408 or a closed connection, got:\n{answer}"
    );
    assert!(!others.is_empty() && others.iter().all(|s| *s == 200), "others: {others:?}");
    assert_eq!(app.get("/healthz").await.status, 200);
}

#[tokio::test]
async fn connections_over_the_cap_wait_until_one_closes() {
    // Arrange: one worker, two connections at most, kept alive while idle.
    let flags = ["--workers", "1", "--max-connections", "2", "--keep-alive-secs", "30"];
    let app = spawn_app_with(Backend::Memory, &flags).await;
    let first = served_connection(app.port).await;
    let mut second = served_connection(app.port).await;

    // Act: the kernel completes the third connection, but the server does not take it.
    let mut third = TcpStream::connect(("127.0.0.1", app.port)).await.expect("connect");
    third.write_all(HEALTH).await.expect("write");
    let while_full = timeout(Duration::from_secs(1), read_response(&mut third)).await;
    drop(first);
    let after_close = timeout(Duration::from_secs(10), read_response(&mut third)).await;

    // Assert
    assert!(while_full.is_err(), "served over the cap: {while_full:?}");
    let reply = after_close.expect("not served within 10 s of a slot freeing").expect("read");
    assert!(reply.starts_with("HTTP/1.1 200"), "expected 200, got:\n{reply}");
    second.write_all(HEALTH).await.expect("write");
    let again = read_response(&mut second).await.expect("read");
    assert!(again.starts_with("HTTP/1.1 200"), "kept-alive connection: {again}");
}

/// Sends a full head announcing 100 bytes of body, then one byte, and waits up to `wait`
/// for the server to answer and close. Returns what came back and whether it closed.
async fn stall_body(port: u16, head: &str, wait: Duration) -> (String, bool) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
    let request = format!("{head}Host: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{{");
    stream.write_all(request.as_bytes()).await.expect("write");
    let reply = timeout(wait, read_response(&mut stream)).await;
    let reply = reply.map(|r| r.unwrap_or_default()).unwrap_or_default();
    let mut rest = [0u8; 64];
    let closed = matches!(timeout(wait, stream.read(&mut rest)).await, Ok(Ok(0) | Err(_)));
    (reply, closed)
}

#[tokio::test]
async fn a_body_that_never_finishes_gets_408_and_a_closed_connection() {
    // Arrange (issue 15: one byte of a 100-byte body held the connection for good)
    let app = spawn_app_with(Backend::Memory, &["--client-body-timeout-ms", "1000"]).await;
    let heads = [
        "POST /oidc/register HTTP/1.1\r\nContent-Type: application/json\r\n",
        "POST /api/v2/clients HTTP/1.1\r\nContent-Type: application/json\r\n\
         Authorization: Bearer x\r\n",
        "GET /healthz HTTP/1.1\r\n",
    ];

    for head in heads {
        // Act
        let (reply, closed) = stall_body(app.port, head, Duration::from_secs(8)).await;

        // Assert
        assert!(closed, "{head:?}: the connection was still open after 8 s; got:\n{reply}");
        if head.starts_with("POST /oidc/register") {
            assert!(reply.starts_with("HTTP/1.1 408"), "{head:?}: expected 408, got:\n{reply}");
            assert!(reply.contains("invalid_request"), "{reply}");
        }
    }
    assert_eq!(app.get("/healthz").await.status, 200);
}

#[tokio::test]
async fn stalled_bodies_do_not_starve_the_server() {
    // Arrange: more stalled bodies than connections allowed.
    let flags = ["--client-body-timeout-ms", "500", "--max-connections", "40", "--workers", "1"];
    let app = spawn_app_with(Backend::Memory, &flags).await;
    let head = "POST /oidc/register HTTP/1.1\r\nContent-Type: application/json\r\n";
    let stalled: Vec<_> = (0..60)
        .map(|_| tokio::spawn(stall_body(app.port, head, Duration::from_secs(15))))
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Act
    let health = timeout(Duration::from_secs(10), app.get("/healthz")).await;

    // Assert
    assert_eq!(health.expect("/healthz did not answer within 10 s").status, 200);
    for task in stalled {
        let (reply, closed) = task.await.expect("task");
        assert!(closed && reply.starts_with("HTTP/1.1 408"), "got:\n{reply}");
    }
}

#[tokio::test]
async fn a_connection_cap_above_the_open_file_limit_is_lowered_with_a_warning() {
    // Arrange: more connections than any open-file limit allows (issue 15: the default
    // 25,000 was above this machine's 20,000).
    let mut server = ServerProcess::start(&["--max-connections", "4000000000"]);

    // Act
    let health =
        server.send(reqwest::Method::GET, &format!("{}/healthz", server.address), None, None).await;
    let log = server.stop().join("\n");

    // Assert
    assert_eq!(health.status, Some(200), "{health:?}");
    let warning = log
        .lines()
        .find(|line| line.contains("open-file limit"))
        .unwrap_or_else(|| panic!("no open-file limit warning in:\n{log}"));
    assert!(warning.contains("\"serving_at_most\""), "{warning}");
}
