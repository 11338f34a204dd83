//! Initial access tokens (RFC 7591 §3): create one (shown once), list, revoke, through
//! the management API's own functions (`routes::iat`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;
use serde_json::{Map, Value};

use super::error::ConsoleError;
use super::form::Form;
use super::layout::{self, Section};
use super::redirect;
use super::session::{admin, Admin};
use crate::http::error::ManagementError;
use crate::http::iat as api;
use crate::service::state::AppState;

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ConsoleError> {
    let admin = admin(&req, &state).await?;
    let notice = (req.query_string() == "notice=revoked").then_some("The token was revoked.");
    page(&state, &admin, StatusCode::OK, Shown { notice, ..Shown::default() }).await
}

#[derive(Default)]
struct Shown<'a> {
    notice: Option<&'a str>,
    created: Option<&'a str>,
    error: Option<&'a str>,
}

async fn page(
    state: &AppState,
    admin: &Admin,
    status: StatusCode,
    shown: Shown<'_>,
) -> Result<HttpResponse, ConsoleError> {
    let tokens = api::listing(state).await?;
    let number = |t: &Map<String, Value>, k: &str| t.get(k).and_then(Value::as_i64).unwrap_or(0);
    let body = html! {
        h1 { "Initial access tokens" }
        p.muted { "With registration mode " code { "token" } ", only holders of one of these tokens may register a client." }
        @if let Some(notice) = shown.notice { (layout::notice(notice)) }
        @if let Some(token) = shown.created {
            div.card {
                h2 { "New token" }
                p role="status" { strong { "Copy it now: it is shown this once." } " Only its hash is kept." }
                (layout::copyable("new_token", "Initial access token", token))
            }
        }
        form.card method="post" action="/console/initial-access-tokens" novalidate {
            (layout::csrf(admin))
            h2 { "Create a token" }
            @if let Some(error) = shown.error { (layout::alert(error)) }
            div.grid2 {
                div.field {
                    label for="expires_in" { "Expires in (seconds)" }
                    input #expires_in type="text" inputmode="numeric" name="expires_in" aria-describedby="expires_in-hint";
                    p.hint #expires_in-hint { "Empty: never expires." }
                }
                div.field {
                    label for="max_uses" { "Registrations allowed" }
                    input #max_uses type="text" inputmode="numeric" name="max_uses" value="1" aria-describedby="max_uses-hint";
                    p.hint #max_uses-hint { "0: unlimited." }
                }
                div.field {
                    label for="policy" { "Registration policy" }
                    input #policy type="text" name="policy" aria-describedby="policy-hint";
                    p.hint #policy-hint { "Optional: a policy name from " code { "--policies" } "." }
                }
            }
            button type="submit" { "Create token" }
        }
        @if tokens.is_empty() {
            div.card.empty { p { "No initial access tokens." } }
        } @else {
            div.table-wrap {
                table {
                    thead { tr {
                        th scope="col" { "ID" } th scope="col" { "Created" } th scope="col" { "Expires" }
                        th scope="col" { "Uses" } th scope="col" { "Policy" } th scope="col" { "Actions" }
                    } }
                    tbody {
                        @for token in &tokens {
                            @let id = token.get("id").and_then(Value::as_str).unwrap_or_default();
                            tr {
                                td { code { (id) } }
                                td { (layout::date(number(token, "created_at"))) }
                                td { @match number(token, "expires_at") { 0 => "Never", at => (layout::date(at)) } }
                                td { (number(token, "uses")) " of "
                                    @match number(token, "max_uses") { 0 => "unlimited", n => (n) } }
                                td { (token.get("policy").and_then(Value::as_str).unwrap_or("–")) }
                                td {
                                    form method="post" action={ "/console/initial-access-tokens/" (id) "/revoke" }
                                        data-confirm="Revoke this token? Registrations with it stop at once." {
                                        (layout::csrf(admin))
                                        button.danger type="submit" aria-label={ "Revoke token " (id) } { "Revoke" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page_with(status, admin, Section::Tokens, "Initial access tokens", body))
}

/// A number field as JSON: empty is unset; anything else not a number goes as text, so
/// the API's message explains the rule.
fn number(form: &Form, name: &str, body: &mut Map<String, Value>) {
    match form.get(name).map(str::trim).unwrap_or_default() {
        "" => {}
        raw => {
            body.insert(name.into(), raw.parse::<u64>().map_or_else(|_| raw.into(), Value::from));
        }
    }
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ConsoleError> {
    let admin = admin(&req, &state).await?;
    let form = Form::parse(&body);
    admin.check(&form)?;
    let mut request = Map::new();
    number(&form, "expires_in", &mut request);
    number(&form, "max_uses", &mut request);
    if let Some(policy) = form.get("policy").map(str::trim).filter(|p| !p.is_empty()) {
        request.insert("policy".into(), policy.into());
    }
    match api::issue(&state, &request).await {
        Ok(view) => {
            let token = view.get("token").and_then(Value::as_str).unwrap_or_default();
            page(
                &state,
                &admin,
                StatusCode::CREATED,
                Shown { created: Some(token), ..Shown::default() },
            )
            .await
        }
        Err(ManagementError::BadRequest { message, .. }) => {
            page(
                &state,
                &admin,
                StatusCode::BAD_REQUEST,
                Shown { error: Some(&message), ..Shown::default() },
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn revoke(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ConsoleError> {
    let admin = admin(&req, &state).await?;
    admin.check(&Form::parse(&body))?;
    api::revoke_token(&state, &path).await?;
    Ok(redirect("/console/initial-access-tokens?notice=revoked"))
}
