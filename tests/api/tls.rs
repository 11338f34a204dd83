//! Native TLS on the listener (RFC 7591 §5, RFC 7592 §5) and production mode: a
//! self-signed certificate made at test time, trusted by the test client alone.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::helpers::{minimal, spawn_app_with, Backend, TestApp, SECRET_KEY};
use crate::redis_server::RedisServer;

/// A certificate for `localhost` and `127.0.0.1` and its key, as PEM files.
struct SelfSigned {
    dir: TempDir,
    cert: PathBuf,
    key: PathBuf,
    cert_pem: String,
}

impl SelfSigned {
    fn new() -> SelfSigned {
        let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
        let made = rcgen::generate_simple_self_signed(names).expect("rcgen made no certificate");
        let dir = tempfile::tempdir().expect("no temporary directory");
        let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
        let cert_pem = made.cert.pem();
        std::fs::write(&cert, &cert_pem).expect("cannot write the certificate");
        std::fs::write(&key, made.signing_key.serialize_pem()).expect("cannot write the key");
        SelfSigned { dir, cert, key, cert_pem }
    }

    /// `--tls-cert PATH --tls-key PATH`
    fn flags(&self) -> Vec<String> {
        vec![
            "--tls-cert".into(),
            self.cert.display().to_string(),
            "--tls-key".into(),
            self.key.display().to_string(),
        ]
    }

    /// An HTTPS client whose only trust anchor is this certificate.
    fn client(&self) -> reqwest::Client {
        let root = reqwest::Certificate::from_pem(self.cert_pem.as_bytes())
            .expect("reqwest refused the PEM certificate");
        reqwest::Client::builder()
            .tls_built_in_root_certs(false)
            .add_root_certificate(root)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(15))
            .build()
            .expect("failed to build the HTTPS client")
    }
}

/// The application serving HTTPS with `certs`, and a client that trusts them.
async fn spawn_tls_app(certs: &SelfSigned, backend: Backend<'_>, extra: &[&str]) -> TestApp {
    let mut flags = certs.flags();
    flags.extend(extra.iter().map(|f| (*f).to_owned()));
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let mut app = spawn_app_with(backend, &flags).await;
    app.address = format!("https://127.0.0.1:{}", app.port);
    app.client = certs.client();
    app
}

#[tokio::test]
async fn registration_and_read_work_over_https_with_an_https_issuer() {
    // Arrange
    let certs = SelfSigned::new();
    let app = spawn_tls_app(&certs, Backend::Memory, &[]).await;

    // Act
    let client = app.register_ok(&minimal()).await;
    let read = app.get_client(&client.rcu, &client.rat).await;

    // Assert
    let expected = format!("https://127.0.0.1:{}/oidc/register/", app.port);
    assert!(client.rcu.starts_with(&expected), "{} should start with {expected}", client.rcu);
    read.assert_status(200);
    assert_eq!(read.json()["client_id"], client.body["client_id"], "{read}");
    assert_eq!(read.header("server"), None, "no server banner over TLS either\n{read}");
    let discovery = app.discovery_doc().await;
    assert_eq!(discovery["issuer"], format!("https://127.0.0.1:{}", app.port));
}

#[tokio::test]
async fn plain_http_to_the_tls_port_gets_no_http_answer() {
    // Arrange
    let certs = SelfSigned::new();
    let app = spawn_tls_app(&certs, Backend::Memory, &[]).await;
    let plain = format!("http://127.0.0.1:{}/.well-known/openid-configuration", app.port);

    // Act
    let outcome = crate::helpers::http_client().get(&plain).send().await;

    // Assert
    assert!(outcome.is_err(), "plain HTTP must not be served on the TLS port: {outcome:?}");
}

#[tokio::test]
async fn a_client_that_does_not_trust_the_certificate_is_refused() {
    // Arrange: another self-signed certificate as the client's only anchor.
    let certs = SelfSigned::new();
    let app = spawn_tls_app(&certs, Backend::Memory, &[]).await;
    let stranger = SelfSigned::new().client();

    // Act
    let outcome = stranger.get(format!("{}/healthz", app.address)).send().await;

    // Assert: the trusted client's success above is real verification, not luck.
    assert!(outcome.is_err(), "an untrusted certificate must fail verification: {outcome:?}");
    let trusted = app.get("/healthz").await;
    trusted.assert_status(200);
}

/// (ALPN protocol selected, TLS version) of a handshake offering `alpn` with at most
/// `max_version`, through OpenSSL (an independent TLS stack).
fn handshake(
    certs: &SelfSigned,
    port: u16,
    alpn: &[u8],
    max_version: openssl::ssl::SslVersion,
) -> (Vec<u8>, String) {
    use openssl::ssl::{SslConnector, SslMethod};
    let mut builder = SslConnector::builder(SslMethod::tls_client()).expect("OpenSSL builder");
    let root = openssl::x509::X509::from_pem(certs.cert_pem.as_bytes()).expect("PEM cert");
    builder.cert_store_mut().add_cert(root).expect("trust the test certificate");
    builder.set_alpn_protos(alpn).expect("ALPN list");
    builder.set_max_proto_version(Some(max_version)).expect("max TLS version");
    let tcp = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let stream = builder.build().connect("localhost", tcp).expect("TLS handshake");
    let ssl = stream.ssl();
    (ssl.selected_alpn_protocol().unwrap_or_default().to_vec(), ssl.version_str().to_owned())
}

#[tokio::test]
async fn alpn_offers_h2_and_http1_over_tls_1_2_and_1_3() {
    use openssl::ssl::SslVersion;
    // Arrange
    let certs = SelfSigned::new();
    let app = spawn_tls_app(&certs, Backend::Memory, &[]).await;
    let port = app.port;

    // Act
    let results = tokio::task::spawn_blocking(move || {
        [
            handshake(&certs, port, b"\x02h2\x08http/1.1", SslVersion::TLS1_3),
            handshake(&certs, port, b"\x08http/1.1", SslVersion::TLS1_3),
            handshake(&certs, port, b"\x08http/1.1", SslVersion::TLS1_2),
        ]
    })
    .await
    .expect("the handshake thread panicked");

    // Assert
    let expected: [(&[u8], &str); 3] =
        [(b"h2", "TLSv1.3"), (b"http/1.1", "TLSv1.3"), (b"http/1.1", "TLSv1.2")];
    for ((alpn, version), (want_alpn, want_version)) in results.iter().zip(expected) {
        assert_eq!(alpn.as_slice(), want_alpn, "ALPN {:?}", String::from_utf8_lossy(alpn));
        assert_eq!(version, want_version);
    }
}

#[tokio::test]
async fn production_mode_starts_with_tls_redis_and_a_secret_key() {
    // Arrange
    let certs = SelfSigned::new();
    let redis = RedisServer::start();

    // Act
    let app = spawn_tls_app(&certs, Backend::Redis(&redis), &["--production"]).await;

    // Assert
    let client = app.register_ok(&minimal()).await;
    app.get_client(&client.rcu, &client.rat).await.assert_status(200);
}

/// Runs `registrar serve` with `args` and a clean environment (plus `env`); returns (exit
/// success, stderr). A server that starts after all is killed after a while and counts as
/// started.
async fn serve(args: Vec<String>, env: &[(&'static str, String)]) -> (bool, String) {
    let env = env.to_vec();
    tokio::task::spawn_blocking(move || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_registrar"));
        command.arg("serve").args(["--listen", "127.0.0.1:0"]).args(&args);
        for (name, _) in std::env::vars() {
            if name == "REDIS_URL" || name.starts_with("REGISTRAR_") {
                command.env_remove(name);
            }
        }
        command.envs(env);
        let mut child = command
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run registrar: {e}"));
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            match child.try_wait().expect("cannot wait for registrar") {
                Some(status) => break Some(status),
                None if Instant::now() > deadline => break None,
                None => std::thread::sleep(Duration::from_millis(20)),
            }
        };
        if status.is_none() {
            let _ = child.kill();
        }
        let output = child.wait_with_output().expect("cannot read registrar's stderr");
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        (status.is_some_and(|s| s.success()) || status.is_none(), stderr)
    })
    .await
    .expect("the process thread panicked")
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test]
async fn production_mode_refuses_each_unsafe_configuration_with_a_clear_message() {
    // Arrange: Redis is never contacted, every refusal comes first.
    let certs = SelfSigned::new();
    let tls = certs.flags();
    let store = strings(&["--redis-url", "redis://127.0.0.1:1", "--secret-key", SECRET_KEY]);
    let with = |parts: &[&[String]]| -> Vec<String> {
        let mut args = strings(&["--production"]);
        parts.iter().for_each(|p| args.extend_from_slice(p));
        args
    };
    let https = strings(&["--issuer", "https://id.example"]);
    let http = strings(&["--issuer", "http://id.example"]);
    let proxy = strings(&["--tls-terminated-by-proxy", "--trusted-proxies", "10.0.0.1"]);
    let cases: Vec<(Vec<String>, &str, &str)> = vec![
        (with(&[&https, &store]), "the listener serves plain HTTP", "no TLS anywhere"),
        (with(&[&http, &tls, &store]), "is http://", "an http issuer with TLS"),
        (with(&[&proxy, &store]), "is http://", "a proxy but the http default issuer"),
        (with(&[&tls, &strings(&["--secret-key", SECRET_KEY])]), "no --redis-url", "no Redis"),
        (with(&[&tls]), "no --secret-key", "no at-rest key"),
    ];

    for (args, message, why) in cases {
        // Act
        let (started, stderr) = serve(args.clone(), &[]).await;

        // Assert
        assert!(!started, "{why}: {args:?} must not start");
        assert!(
            stderr.contains("--production refuses to start") && stderr.contains(message),
            "{why}: stderr should say {message:?}, got:\n{stderr}"
        );
    }
}

#[tokio::test]
async fn production_mode_and_tls_files_can_come_from_the_environment() {
    // Arrange: TLS from the environment, but no Redis and no key.
    let certs = SelfSigned::new();
    let env = [
        ("REGISTRAR_PRODUCTION", "true".to_owned()),
        ("REGISTRAR_TLS_CERT", certs.cert.display().to_string()),
        ("REGISTRAR_TLS_KEY", certs.key.display().to_string()),
    ];

    // Act
    let (started, stderr) = serve(Vec::new(), &env).await;

    // Assert: refused for the store and the key only, so TLS was taken from the environment.
    assert!(!started, "production mode without Redis must not start");
    assert!(stderr.contains("no --redis-url") && stderr.contains("no --secret-key"), "{stderr}");
    assert!(!stderr.contains("plain HTTP") && !stderr.contains("is http://"), "{stderr}");
}

#[tokio::test]
async fn a_connection_that_never_completes_the_tls_handshake_is_closed() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // Arrange: the first bytes of a TLS record header, then silence.
    let certs = SelfSigned::new();
    let app = spawn_tls_app(&certs, Backend::Memory, &["--tls-handshake-timeout-ms", "500"]).await;
    let mut stalled =
        tokio::net::TcpStream::connect(("127.0.0.1", app.port)).await.expect("connect");
    stalled.write_all(&[0x16, 0x03, 0x01]).await.expect("write");

    // Act
    let mut buf = [0u8; 64];
    let outcome = tokio::time::timeout(Duration::from_secs(10), stalled.read(&mut buf)).await;

    // Assert: closed (EOF or reset) long before the client would give up.
    match outcome {
        Ok(Ok(0)) | Ok(Err(_)) => {}
        other => panic!("the stalled handshake should be closed, got {other:?}"),
    }
    app.get("/healthz").await.assert_status(200);
}

#[tokio::test]
async fn bad_tls_settings_stop_the_server_at_startup_in_any_mode() {
    // Arrange
    let certs = SelfSigned::new();
    let other = SelfSigned::new();
    let garbage = certs.dir.path().join("garbage.pem");
    std::fs::write(&garbage, "-----BEGIN CERTIFICATE-----\nnot base64!\n").expect("write");
    let path = |p: &PathBuf| p.display().to_string();
    let pair = |cert: String, key: String| vec!["--tls-cert".into(), cert, "--tls-key".into(), key];
    let cases: Vec<(Vec<String>, &str, &str)> = vec![
        (strings(&["--tls-cert", &path(&certs.cert)]), "go together", "a certificate alone"),
        (strings(&["--tls-key", &path(&certs.key)]), "go together", "a key alone"),
        (pair("/no/such/cert.pem".into(), path(&certs.key)), "cannot read", "a missing file"),
        (pair(path(&garbage), path(&certs.key)), "not valid PEM", "a broken PEM file"),
        (pair(path(&certs.key), path(&certs.key)), "no PEM CERTIFICATE", "a key as certificate"),
        (pair(path(&certs.cert), path(&certs.cert)), "no PEM PRIVATE KEY", "a cert as key"),
        (pair(path(&certs.cert), path(&other.key)), "usable pair", "another certificate's key"),
        (strings(&["--tls-terminated-by-proxy"]), "needs --trusted-proxies", "no trusted proxy"),
    ];

    for (args, message, why) in cases {
        // Act
        let (started, stderr) = serve(args.clone(), &[]).await;

        // Assert
        assert!(!started, "{why}: {args:?} must not start");
        assert!(stderr.contains(message), "{why}: stderr should say {message:?}, got:\n{stderr}");
    }
}
