//! One client: its settings (saved through `management::update`), the secret (revealed
//! on request, rotated through `management::rotate_secret`), the endpoints a developer
//! needs, and the Danger Zone (`management::delete`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde_json::{Map, Value};

use super::error::ConsoleError;
use super::form::Form;
use super::layout::{self, Section};
use super::redirect;
use super::session::{admin, Admin};
use super::settings_form::{self, FieldError};
use super::settings_patch;
use crate::http::error::ManagementError;
use crate::http::management::{record, record_delete};
use crate::service::management;
use crate::service::state::AppState;
use crate::store::audit::EventType;

/// What the page shows besides the settings.
#[derive(Default)]
struct Extras<'a> {
    notice: Option<&'a str>,
    secret: Option<&'a str>,
    error: Option<FieldError>,
}

fn text<'a>(view: &'a Map<String, Value>, key: &str) -> &'a str {
    view.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn render(
    state: &AppState,
    admin: &Admin,
    status: StatusCode,
    view: &Map<String, Value>,
    extras: Extras<'_>,
) -> HttpResponse {
    let id = text(view, "client_id");
    let name = text(view, "name");
    let type_label = super::clients::type_label(text(view, "app_type"));
    let first_party = view.get("is_first_party").and_then(Value::as_bool).unwrap_or(false);
    let body = html! {
        p { a href="/console/clients" { "← Clients" } }
        div.title-row {
            h1 { (name) }
            span { (type_label) @if !first_party { span.badge.third { "Third-party · dynamically registered" } } }
        }
        @if let Some(notice) = extras.notice { (layout::notice(notice)) }
        @if let Some(error) = &extras.error {
            div.alert role="alert" {
                "Nothing was saved. " a href={ "#" (error.field) } { (error.message) }
            }
        }
        section.card aria-labelledby="credentials" {
            h2 #credentials { "Credentials" }
            (layout::copyable("client_id", "Client ID", id))
            (secret_block(admin, id, view, extras.secret))
        }
        (settings_form::render(admin, view, extras.error.as_ref()))
        (endpoints(state))
        (danger_zone(id, uses_secret(view)))
    };
    layout::page_with(status, admin, Section::Clients, name, body)
}

/// Whether the client authenticates with its secret (a secret method, or
/// `client_secret_jwt`), so revealing and rotating it mean something.
fn uses_secret(view: &Map<String, Value>) -> bool {
    let methods = view.get("client_authentication_methods");
    match view.get("token_endpoint_auth_method").and_then(Value::as_str) {
        Some(method) => method != "none",
        None => methods.is_some_and(|m| m.get("client_secret_jwt").is_some()),
    }
}

fn secret_block(
    admin: &Admin,
    id: &str,
    view: &Map<String, Value>,
    secret: Option<&str>,
) -> Markup {
    let uses_secret = uses_secret(view);
    html! {
        @if let Some(secret) = secret {
            (layout::copyable("client_secret", "Client Secret", secret))
            p.hint { "Keep it secret. It is shown because you asked; reload the page to hide it." }
        } @else if uses_secret {
            div.field {
                span.label-like { strong { "Client Secret" } }
                form method="post" action={ "/console/clients/" (id) "/reveal" } {
                    (layout::csrf(admin))
                    button.secondary type="submit" { "Reveal Client Secret" }
                }
            }
        } @else {
            p.muted { "This client authenticates without a secret." }
        }
    }
}

/// Where a developer points their library: from the discovery document itself.
fn endpoints(state: &AppState) -> Markup {
    let discovery: Map<String, Value> =
        serde_json::from_str(&state.shared.discovery).unwrap_or_default();
    let issuer = &state.shared.issuer;
    let jwks = serde_json::from_str::<Value>(state.shared.server_keys.public_jwks())
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_default();
    let rows = [
        (
            "ep_discovery",
            "OpenID Configuration (discovery)",
            Some(format!("{issuer}/.well-known/openid-configuration")),
        ),
        ("ep_issuer", "Issuer", Some(issuer.clone())),
        (
            "ep_authorization",
            "Authorization endpoint",
            discovery.get("authorization_endpoint").and_then(Value::as_str).map(str::to_owned),
        ),
        (
            "ep_token",
            "Token endpoint",
            discovery.get("token_endpoint").and_then(Value::as_str).map(str::to_owned),
        ),
        (
            "ep_jwks",
            "JSON Web Key Set (signing keys)",
            discovery.get("jwks_uri").and_then(Value::as_str).map(str::to_owned),
        ),
        (
            "ep_registration",
            "Registration endpoint",
            discovery.get("registration_endpoint").and_then(Value::as_str).map(str::to_owned),
        ),
    ];
    html! {
        section.card aria-labelledby="endpoints" {
            h2 #endpoints { "Endpoints" }
            @for (id, label, url) in rows {
                @if let Some(url) = url { (layout::copyable(id, label, &url)) }
            }
            details {
                summary { "Signing keys (the public JWKS ID tokens are verified with)" }
                pre { (jwks) }
            }
        }
    }
}

fn danger_zone(id: &str, uses_secret: bool) -> Markup {
    html! {
        section.card.danger aria-labelledby="danger" {
            h2 #danger { "Danger Zone" }
            div.actions {
                @if uses_secret {
                    a.button.secondary href={ "/console/clients/" (id) "/rotate" } { "Rotate secret" }
                }
                a.button.danger href={ "/console/clients/" (id) "/delete" } { "Delete this client" }
            }
        }
    }
}

pub async fn show(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ConsoleError> {
    let admin = admin(&req, &state).await?;
    let view = management::get(&state, &admin.grant(false), &path).await?;
    let notice = match req.query_string() {
        "notice=created" => Some("The client was created."),
        "notice=saved" => Some("Changes saved."),
        _ => None,
    };
    Ok(render(&state, &admin, StatusCode::OK, &view, Extras { notice, ..Extras::default() }))
}

pub async fn save(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ConsoleError> {
    let admin = admin(&req, &state).await?;
    let form = Form::parse(&body);
    admin.check(&form)?;
    let grant = admin.grant(false);
    let current = management::get(&state, &grant, &path).await?;
    let changes = settings_patch::patch(&form, &current);
    if changes.is_empty() {
        let extras =
            Extras { notice: Some("Nothing to save: no setting changed."), ..Extras::default() };
        return Ok(render(&state, &admin, StatusCode::OK, &current, extras));
    }
    match management::update(&state, &grant, &path, &changes).await {
        Ok(client) => {
            record(&state, &req, EventType::ManagementUpdate, &client, &grant);
            Ok(redirect(&format!("/console/clients/{}?notice=saved", path.as_str())))
        }
        Err(ManagementError::BadRequest { message, .. }) => {
            let shown = settings_patch::with_changes(&current, &changes);
            let extras =
                Extras { error: Some(FieldError::from_message(&message)), ..Extras::default() };
            Ok(render(&state, &admin, StatusCode::BAD_REQUEST, &shown, extras))
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn reveal(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ConsoleError> {
    let admin = admin(&req, &state).await?;
    admin.check(&Form::parse(&body))?;
    let view = management::get(&state, &admin.grant(true), &path).await?;
    let secret = view.get("client_secret").and_then(Value::as_str);
    let extras = Extras { secret, ..Extras::default() };
    Ok(render(&state, &admin, StatusCode::OK, &view, extras))
}

/// A confirmation page with one form; the typed name must match where `name` is given.
fn confirm_page(
    admin: &Admin,
    title: &str,
    warning: Markup,
    action: String,
    button: &str,
    name: Option<&str>,
) -> HttpResponse {
    let body = html! {
        h1 { (title) }
        div.card.danger {
            (warning)
            form method="post" action=(action) {
                (layout::csrf(admin))
                @if let Some(name) = name {
                    div.field {
                        label for="confirm" { "Type the client's name to confirm" }
                        input #confirm type="text" name="confirm" autocomplete="off"
                            data-confirm-text=(name) data-confirm-button="confirm-button";
                    }
                }
                div.actions {
                    button.danger #confirm-button type="submit" { (button) }
                    a href="/console/clients" { "Cancel" }
                }
            }
        }
    };
    layout::page(admin, Section::Clients, title, body)
}

pub async fn confirm_rotate(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ConsoleError> {
    let admin = admin(&req, &state).await?;
    let view = management::get(&state, &admin.grant(false), &path).await?;
    let warning = html! {
        p { "Rotate the secret of " strong { (text(&view, "name")) } "?" }
        p role="alert" { strong { "The current secret stops working now." }
            " Every application using it fails to authenticate until it has the new one." }
    };
    let action = format!("/console/clients/{}/rotate", path.as_str());
    Ok(confirm_page(&admin, "Rotate client secret", warning, action, "Rotate secret", None))
}

pub async fn rotate(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ConsoleError> {
    let admin = admin(&req, &state).await?;
    admin.check(&Form::parse(&body))?;
    let grant = admin.grant(true);
    let view = management::rotate_secret(&state, &grant, &path).await?;
    record(&state, &req, EventType::ManagementRotateSecret, &view, &grant);
    let secret = view.get("client_secret").and_then(Value::as_str);
    let notice = Some("The secret was rotated: the old one no longer works. Copy the new one now.");
    Ok(render(
        &state,
        &admin,
        StatusCode::OK,
        &view,
        Extras { notice, secret, ..Extras::default() },
    ))
}

pub async fn confirm_delete(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ConsoleError> {
    let admin = admin(&req, &state).await?;
    let view = management::get(&state, &admin.grant(false), &path).await?;
    let name = text(&view, "name");
    let warning = html! {
        p { "Delete " strong { (name) } " (" code { (path.as_str()) } ")?" }
        p role="alert" { "Applications using it stop working at once. This cannot be undone." }
    };
    let action = format!("/console/clients/{}/delete", path.as_str());
    Ok(confirm_page(&admin, "Delete client", warning, action, "Delete", Some(name)))
}

pub async fn delete(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ConsoleError> {
    let admin = admin(&req, &state).await?;
    let form = Form::parse(&body);
    admin.check(&form)?;
    let grant = admin.grant(false);
    let view = management::get(&state, &grant, &path).await?;
    if form.get("confirm") != Some(text(&view, "name")) {
        return Err(ConsoleError::BadRequest(
            "The typed name does not match the client's name; nothing was deleted.".into(),
        ));
    }
    management::delete(&state, &path).await?;
    record_delete(&state, &req, &path, &grant);
    Ok(redirect("/console/clients?notice=deleted"))
}
