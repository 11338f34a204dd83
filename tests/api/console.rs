//! The web console (`/console`, docs/console.md) over HTTP: one-time sign-in URLs,
//! session cookies, CSRF refusals, changes through the management API's rules and audit
//! trail, escaping, and `--no-console`. The browser walk-through is scripts/browser.sh.

use std::time::Duration;

use reqwest::header::{CONTENT_SECURITY_POLICY, COOKIE, LOCATION, SET_COOKIE};
use serde_json::{json, Value};

use crate::helpers::{http_client, SECRET_KEY};
use crate::redis_server::RedisServer;

struct Console {
    address: String,
    sign_in_url: String,
    admin_token: String,
    client: reqwest::Client,
    handle: actix_web::dev::ServerHandle,
}

fn redis_flags(redis: &RedisServer) -> Vec<String> {
    vec!["--redis-url".into(), redis.url(), "--secret-key".into(), SECRET_KEY.into()]
}

async fn spawn(flags: &[String]) -> Console {
    let mut all = vec!["--listen".to_owned(), "127.0.0.1:0".to_owned()];
    all.extend(flags.iter().cloned());
    let settings = registrar::app::config::Settings::from_flags(all).expect("flags accepted");
    let app = registrar::app::startup::Application::build(settings).await.expect("server builds");
    let sign_in_url = app.console_sign_in_url("alice").await.unwrap().unwrap_or_default();
    let scopes = ["read:clients", "read:logs", "create:clients", "read:initial_access_tokens"];
    let admin_token = app.mint_admin_token(&scopes, Duration::from_secs(600)).unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    Console { address, sign_in_url, admin_token, client: http_client(), handle }
}

/// A signed-in browser, reduced to its cookie and the page's CSRF token.
struct Session {
    cookie: String,
    csrf: String,
}

fn token_of(url: &str) -> String {
    url.split("token=").nth(1).expect("a token in the sign-in URL").to_owned()
}

/// The value of the first `name="<name>" value="..."` on a page.
fn field(page: &str, name: &str) -> Option<String> {
    let start = page.find(&format!("name=\"{name}\" value=\""))? + name.len() + 15;
    Some(page[start..].split('"').next()?.to_owned())
}

impl Console {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    async fn sign_in_with(&self, url: &str) -> reqwest::Response {
        let form = [("token", token_of(url))];
        self.client.post(self.url("/console/sign-in")).form(&form).send().await.unwrap()
    }

    async fn sign_in(&self) -> Session {
        let reply = self.sign_in_with(&self.sign_in_url).await;
        assert_eq!(reply.status(), 303);
        let set = reply.headers()[SET_COOKIE].to_str().unwrap().to_owned();
        let cookie = set.split(';').next().unwrap().to_owned();
        let page = self.page(&cookie, "/console/clients").await;
        Session { csrf: field(&page, "csrf").expect("a CSRF field on the page"), cookie }
    }

    async fn page(&self, cookie: &str, path: &str) -> String {
        let reply = self.client.get(self.url(path)).header(COOKIE, cookie).send().await.unwrap();
        assert_eq!(reply.status(), 200, "GET {path}");
        reply.text().await.unwrap()
    }

    async fn post(
        &self,
        session: &Session,
        path: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        let request = self.client.post(self.url(path)).header(COOKIE, &session.cookie);
        request.form(form).send().await.unwrap()
    }

    async fn api(&self, path: &str) -> Value {
        let request = self.client.get(self.url(path)).bearer_auth(&self.admin_token);
        request.send().await.unwrap().json().await.unwrap()
    }
}

async fn sign_in_works_once_and_sets_a_strict_http_only_cookie(flags: Vec<String>) {
    let console = spawn(&flags).await;
    let page = console.client.get(&console.sign_in_url).send().await.unwrap();
    assert_eq!(page.status(), 200, "the link's GET only shows a button");
    let csp = page.headers()[CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");

    let reply = console.sign_in_with(&console.sign_in_url).await;
    assert_eq!(reply.status(), 303);
    assert_eq!(reply.headers()[LOCATION], "/console/clients");
    let cookie = reply.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/console"] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http: no Secure: {cookie}");

    let again = console.sign_in_with(&console.sign_in_url).await;
    assert_eq!(again.status(), 401, "a used link signs nobody in");
    assert!(again.headers().get(SET_COOKIE).is_none());
    let forged = console.sign_in_with("x?token=forged").await;
    assert_eq!(forged.status(), 401);

    let signed_out = console.client.get(console.url("/console/clients")).send().await.unwrap();
    assert_eq!(signed_out.status(), 401, "no cookie, no console");
    console.handle.stop(true).await;
}

async fn changes_need_the_csrf_token_and_go_through_the_management_rules(flags: Vec<String>) {
    let console = spawn(&flags).await;
    let session = console.sign_in().await;

    let forged = Session { cookie: session.cookie.clone(), csrf: "wrong".into() };
    for csrf in [None, Some(&forged.csrf)] {
        let mut form = vec![("name", "Forged"), ("app_type", "spa")];
        if let Some(csrf) = csrf {
            form.push(("csrf", csrf));
        }
        let reply = console.post(&session, "/console/clients", &form).await;
        assert_eq!(reply.status(), 403, "no or wrong CSRF token");
    }
    assert_eq!(console.api("/api/v2/clients").await, json!([]), "nothing was created");

    let form = [("csrf", session.csrf.as_str()), ("name", "Shop"), ("app_type", "spa")];
    let reply = console.post(&session, "/console/clients", &form).await;
    assert_eq!(reply.status(), 303);
    let location = reply.headers()[LOCATION].to_str().unwrap().to_owned();
    let id = location.trim_start_matches("/console/clients/").split('?').next().unwrap().to_owned();
    let client = console.api(&format!("/api/v2/clients/{id}")).await;
    assert_eq!(client["name"], "Shop");
    assert_eq!(client["app_type"], "spa");
    assert_eq!(client["token_endpoint_auth_method"], "none");

    // A bad callback: the management API's message, next to its field; nothing saved.
    let form = [
        ("csrf", session.csrf.as_str()),
        ("name", "Shop renamed"),
        ("callbacks", "https://shop.example/cb, javascript:alert(1)"),
    ];
    let reply = console.post(&session, &format!("/console/clients/{id}"), &form).await;
    assert_eq!(reply.status(), 400);
    let page = reply.text().await.unwrap();
    assert!(page.contains("callbacks: item 1"), "the API's message: {page}");
    assert!(page.contains("id=\"callbacks-error\""), "shown at the field");
    assert_eq!(console.api(&format!("/api/v2/clients/{id}")).await["name"], "Shop", "not saved");

    let form =
        [("csrf", session.csrf.as_str()), ("name", "Shop renamed"), ("jwt_lifetime", "3600")];
    let reply = console.post(&session, &format!("/console/clients/{id}"), &form).await;
    assert_eq!(reply.status(), 303);
    let client = console.api(&format!("/api/v2/clients/{id}")).await;
    assert_eq!(client["name"], "Shop renamed");
    assert_eq!(client["jwt_configuration"]["lifetime_in_seconds"], 3600);

    let logs = console.api("/api/v2/logs?type=smcu").await;
    assert_eq!(logs[0]["client_id"], id.as_str());
    assert_eq!(logs[0]["details"]["admin"], "alice", "the audit trail names the administrator");
    let logs = console.api("/api/v2/logs?type=smcc").await;
    assert_eq!(logs[0]["details"]["admin"], "alice");

    // The secret is only sent when revealed.
    let page = console.page(&session.cookie, &format!("/console/clients/{id}")).await;
    assert!(!page.contains("client_secret\""), "SPA: no secret field");
    console.handle.stop(true).await;
}

async fn sign_out_ends_the_session(flags: Vec<String>) {
    let console = spawn(&flags).await;
    let session = console.sign_in().await;
    let reply = console.post(&session, "/console/sign-out", &[("csrf", &session.csrf)]).await;
    assert_eq!(reply.status(), 200);
    assert!(reply.headers()[SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
    let after = console.client.get(console.url("/console/clients")).header(COOKIE, &session.cookie);
    assert_eq!(after.send().await.unwrap().status(), 401, "the old cookie is dead");
    console.handle.stop(true).await;
}

async fn client_controlled_text_is_escaped(flags: Vec<String>) {
    let console = spawn(&flags).await;
    let session = console.sign_in().await;
    // Registration refuses '<' and '>' in names, so the name tries quotes and entities;
    // software_id and software_version take markup itself.
    let name = "Evil\" autofocus onfocus=\"alert(1) &lt;script&gt;alert(2)&lt;/script&gt;";
    let body = json!({ "redirect_uris": ["https://evil.example/cb"], "client_name": name,
        "software_id": "<svg onload=alert(3)>", "software_version": "<script>alert(4)</script>" });
    let reply =
        console.client.post(console.url("/oidc/register")).json(&body).send().await.unwrap();
    assert_eq!(reply.status(), 201);
    let id = reply.json::<Value>().await.unwrap()["client_id"].as_str().unwrap().to_owned();
    for path in
        ["/console/clients".to_owned(), format!("/console/clients/{id}"), "/console/logs".into()]
    {
        let page = console.page(&session.cookie, &path).await;
        assert!(!page.contains("<svg") && !page.contains("<script>"), "{path}: {page}");
        assert!(!page.contains("\" autofocus"), "{path}: quotes stay inside attributes");
    }
    let list = console.page(&session.cookie, "/console/clients").await;
    assert!(
        list.contains("Evil&quot; autofocus onfocus=&quot;alert(1) &amp;lt;script&amp;gt;"),
        "{list}"
    );
    assert!(list.contains("&lt;svg onload=alert(3)&gt;"), "shown as text");
    assert!(list.contains("Third-party"), "self-registered clients are marked");
    console.handle.stop(true).await;
}

macro_rules! on_both {
    ($($test:ident),+ $(,)?) => {$(
        mod $test {
            #[tokio::test]
            async fn with_the_memory_store() {
                super::$test(Vec::new()).await;
            }

            #[tokio::test]
            async fn with_the_redis_store() {
                let redis = crate::redis_server::RedisServer::start();
                super::$test(super::redis_flags(&redis)).await;
            }
        }
    )+};
}

on_both!(
    sign_in_works_once_and_sets_a_strict_http_only_cookie,
    changes_need_the_csrf_token_and_go_through_the_management_rules,
    sign_out_ends_the_session,
    client_controlled_text_is_escaped,
);

#[tokio::test]
async fn a_link_from_the_cli_signs_in_on_any_instance_and_sign_out_ends_it_on_all() {
    let redis = RedisServer::start();
    let one = spawn(&redis_flags(&redis)).await;
    let two = spawn(&redis_flags(&redis)).await;
    // `registrar console-url` with the first server's settings.
    let mut flags =
        vec!["--listen".to_owned(), one.address.trim_start_matches("http://").to_owned()];
    flags.extend(redis_flags(&redis));
    let settings = registrar::app::config::Settings::from_flags(flags.clone()).unwrap();
    let url = registrar::app::startup::console_sign_in_url(&settings, "bob").await.unwrap();
    assert!(url.starts_with(&format!("{}/console/sign-in?token=", one.address)), "{url}");

    let session = Console { sign_in_url: url, ..spawn(&redis_flags(&redis)).await };
    let session = Console { address: two.address.clone(), ..session }.sign_in().await;
    flags.extend(["--console-link-ttl".into(), "1s".into()]);
    let settings = registrar::app::config::Settings::from_flags(flags).unwrap();
    let page = one.page(&session.cookie, "/console/clients").await;
    assert!(page.contains("bob"), "the session holds on the other instance");
    let reply = two.post(&session, "/console/sign-out", &[("csrf", &session.csrf)]).await;
    assert_eq!(reply.status(), 200);
    let after = one.client.get(one.url("/console/clients")).header(COOKIE, &session.cookie);
    assert_eq!(after.send().await.unwrap().status(), 401, "signed out on every instance");

    let expired = registrar::app::startup::console_sign_in_url(&settings, "bob").await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(one.sign_in_with(&expired).await.status(), 401, "an expired link is refused");

    let memory = registrar::app::config::Settings::from_flags(["--listen", "127.0.0.1:0"]).unwrap();
    assert!(
        registrar::app::startup::console_sign_in_url(&memory, "x").await.is_err(),
        "no shared store"
    );
    one.handle.stop(true).await;
    two.handle.stop(true).await;
}

#[tokio::test]
async fn the_cookie_is_secure_under_an_https_issuer() {
    let console = spawn(&["--issuer".to_owned(), "https://id.example".to_owned()]).await;
    assert!(console.sign_in_url.starts_with("https://id.example/console/sign-in?token="));
    let reply = console.sign_in_with(&console.sign_in_url).await;
    assert_eq!(reply.status(), 303);
    let cookie = reply.headers()[SET_COOKIE].to_str().unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
    console.handle.stop(true).await;
}

#[tokio::test]
async fn the_console_is_off_with_no_console() {
    let console = spawn(&["--no-console".to_owned()]).await;
    assert!(console.sign_in_url.is_empty(), "no sign-in URL is made");
    for path in ["/console", "/console/clients", "/console/sign-in?token=x"] {
        let reply = console.client.get(console.url(path)).send().await.unwrap();
        assert_eq!(reply.status(), 404, "{path}");
    }
    console.handle.stop(true).await;
}

#[tokio::test]
async fn serve_on_the_in_process_store_prints_a_sign_in_url() {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_registrar"))
        .args(["serve", "--listen", "127.0.0.1:0", "--workers", "1"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("registrar starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let line = tokio::task::spawn_blocking(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .find(|l| l.contains("/console/sign-in"))
    });
    let line = tokio::time::timeout(Duration::from_secs(30), line).await;
    let line = line.ok().and_then(Result::ok).flatten();
    let signed_in = match line.as_deref().and_then(|l| l.split_whitespace().last()) {
        Some(url) => {
            let origin = url.split("/console/").next().unwrap_or_default();
            let form = [("token", token_of(url))];
            let reply = http_client().post(format!("{origin}/console/sign-in")).form(&form);
            reply.send().await.map(|r| r.status().as_u16()).ok()
        }
        None => None,
    };
    let _ = child.kill();
    let _ = child.wait();
    assert!(line.is_some(), "no sign-in URL on stdout");
    assert_eq!(signed_in, Some(303), "the printed URL signs in: {line:?}");
}
