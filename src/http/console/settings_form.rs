//! The settings form (seed 001's Settings tab), drawn from a client's management view.
//! `settings_patch` reads it back.

use maud::{html, Markup};
use serde_json::{Map, Value};

use super::clients::TYPES;
use super::layout;
use super::session::Admin;

/// Grant types offered as checkboxes; others a client has are kept as they are.
pub(super) const GRANTS: [(&str, &str); 5] = [
    ("authorization_code", "Authorization Code"),
    ("implicit", "Implicit"),
    ("refresh_token", "Refresh Token"),
    ("client_credentials", "Client Credentials"),
    ("password", "Password"),
];
/// Checkbox settings: (name, label, hint).
pub(super) const SWITCHES: [(&str, &str, &str); 4] = [
    ("sso", "Use Registrar instead of the identity provider to do single sign-on", ""),
    ("cross_origin_auth", "Allow cross-origin authentication", ""),
    ("oidc_conformant", "OIDC conformant", "Strict OpenID Connect conformance."),
    (
        "is_token_endpoint_ip_header_trusted",
        "Trust the token endpoint IP header",
        "Take the client IP from the forwarded header on token requests.",
    ),
];
pub(super) const URL_LISTS: [(&str, &str, &str, &str); 4] = [
    (
        "callbacks",
        "Allowed Callback URLs",
        "After the user authenticates we only call back to these URLs.",
        "native spa regular_web",
    ),
    (
        "allowed_logout_urls",
        "Allowed Logout URLs",
        "URLs users may be sent to after they log out.",
        "native spa regular_web",
    ),
    (
        "web_origins",
        "Allowed Web Origins",
        "Origins allowed for web message and silent authentication.",
        "spa",
    ),
    (
        "allowed_origins",
        "Allowed Origins (CORS)",
        "Origins allowed to make cross-origin requests.",
        "native spa regular_web non_interactive",
    ),
];
/// Client metadata: Auth0's limit of 10 keys (seed 004).
const METADATA_ROWS: usize = crate::domain::settings::MAX_CLIENT_METADATA_KEYS;

/// A management error, and the form control it is about.
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    /// `callbacks: item 1: ...` is about `callbacks`; `jwt_configuration.alg` about the alg.
    pub fn from_message(message: &str) -> FieldError {
        let field = message.split(':').next().unwrap_or_default();
        let field = field.split('[').next().unwrap_or_default();
        let field = match field {
            f if f.starts_with("client_metadata") => "client_metadata",
            "jwt_configuration" | "jwt_configuration.lifetime_in_seconds" => "jwt_lifetime",
            "jwt_configuration.alg" => "jwt_alg",
            f => f,
        };
        FieldError { field: field.to_owned(), message: message.to_owned() }
    }

    fn on(error: Option<&FieldError>, field: &str) -> Option<String> {
        error.filter(|e| e.field == field).map(|e| e.message.clone())
    }
}

fn text<'a>(view: &'a Map<String, Value>, key: &str) -> &'a str {
    view.get(key).and_then(Value::as_str).unwrap_or_default()
}

pub(super) fn strings(view: &Map<String, Value>, key: &str) -> Vec<String> {
    view.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

pub(super) fn jwt<'a>(view: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    view.get("jwt_configuration").and_then(|j| j.get(key))
}

/// One labelled control with its hint and error, wired with `aria-describedby`.
fn control(id: &str, label: &str, hint: &str, error: Option<String>, input: Markup) -> Markup {
    html! {
        div.field {
            label for=(id) { (label) }
            (input)
            @if !hint.is_empty() { p.hint #{ (id) "-hint" } { (hint) } }
            @if let Some(message) = error { p.error #{ (id) "-error" } { (message) } }
        }
    }
}

fn described(id: &str, hint: &str, error: &Option<String>) -> Option<String> {
    let mut ids = Vec::new();
    if !hint.is_empty() {
        ids.push(format!("{id}-hint"));
    }
    if error.is_some() {
        ids.push(format!("{id}-error"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// The form, filled from `view` (the saved settings, or what was just sent).
pub fn render(admin: &Admin, view: &Map<String, Value>, errors: Option<&FieldError>) -> Markup {
    let id = text(view, "client_id");
    let app_type = text(view, "app_type");
    let input = |name: &str, label: &str, hint: &str, kind: &str, value: &str| {
        let error = FieldError::on(errors, name);
        let describedby = described(name, hint, &error);
        let invalid = error.as_ref().map(|_| "true");
        control(
            name,
            label,
            hint,
            error,
            html! {
                input #(name) type=(kind) name=(name) value=(value)
                    aria-invalid=[invalid] aria-describedby=[describedby];
            },
        )
    };
    let lifetime = jwt(view, "lifetime_in_seconds").map(|v| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    let alg = jwt(view, "alg").and_then(Value::as_str).unwrap_or("RS256");
    let method = view.get("token_endpoint_auth_method").and_then(Value::as_str);
    let grants = strings(view, "grant_types");
    let metadata: Vec<(String, String)> = view
        .get("client_metadata")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
                .collect()
        })
        .unwrap_or_default();
    let blank_rows = METADATA_ROWS.saturating_sub(metadata.len()).min(3);
    html! {
        form method="post" action={ "/console/clients/" (id) } novalidate {
            (layout::csrf(admin))
            section.card aria-labelledby="basic" {
                h2 #basic { "Basic Information" }
                (input("name", "Name", "", "text", text(view, "name")))
                (input("description", "Description", "A free text description of the client. Max 140 characters.", "text", text(view, "description")))
            }
            section.card aria-labelledby="type-heading" {
                h2 #type-heading { "Client type" }
                div.field {
                    label for="app_type" { "Application Type" }
                    select #app_type name="app_type" aria-describedby="app_type-hint" {
                        @if !TYPES.iter().any(|(t, _, _)| *t == app_type) {
                            option value=(app_type) selected { (app_type) }
                        }
                        @for (value, label, _) in TYPES {
                            option value=(value) selected[value == app_type] { (label) }
                        }
                    }
                    p.hint #app_type-hint { "The settings below follow the type." }
                    @if let Some(message) = FieldError::on(errors, "app_type") { p.error { (message) } }
                }
                div data-types="regular_web non_interactive" hidden[!matches!(app_type, "regular_web" | "non_interactive")] {
                    @let error = FieldError::on(errors, "token_endpoint_auth_method");
                    @match method {
                        Some(method) => {
                            div.field {
                                label for="token_endpoint_auth_method" { "Token Endpoint Authentication Method" }
                                select #token_endpoint_auth_method name="token_endpoint_auth_method" aria-invalid=[error.as_ref().map(|_| "true")] {
                                    @for (value, label) in [("none", "None"), ("client_secret_post", "Post"), ("client_secret_basic", "Basic")] {
                                        option value=(value) selected[value == method] { (label) }
                                    }
                                }
                                @if let Some(message) = error { p.error { (message) } }
                            }
                        }
                        None => {
                            p { "Token Endpoint Authentication Method: " strong { "Private Key JWT" }
                                span.muted { " (set through the management API)" } }
                        }
                    }
                }
            }
            section.card aria-labelledby="uris" {
                h2 #uris { "Application URIs" }
                (input("initiate_login_uri", "Application Login URI", "An https URL to start a login at this client.", "url", text(view, "initiate_login_uri")))
                @for (name, label, hint, types) in URL_LISTS {
                    @let error = FieldError::on(errors, name);
                    @let describedby = described(name, hint, &error);
                    div data-types=(types) hidden[!types.split(' ').any(|t| t == app_type)] {
                        (control(name, label, hint, error.clone(), html! {
                            textarea #(name) name=(name) rows="3" aria-invalid=[error.as_ref().map(|_| "true")]
                                aria-describedby=[describedby] { (strings(view, name).join(",\n")) }
                        }))
                    }
                }
                p.hint { "Separate URLs with commas or new lines." }
            }
            section.card aria-labelledby="tokens" {
                h2 #tokens { "ID Token" }
                div.grid2 {
                    (input("jwt_lifetime", "ID Token Expiration (seconds)", "", "text", lifetime.as_deref().unwrap_or_default()))
                    @let alg_error = FieldError::on(errors, "jwt_alg");
                    div.field {
                        label for="jwt_alg" { "JSON Web Token Signature Algorithm" }
                        select #jwt_alg name="jwt_alg" aria-invalid=[alg_error.as_ref().map(|_| "true")] {
                            @for value in ["HS256", "RS256", "PS256"] {
                                option value=(value) selected[value == alg] { (value) }
                            }
                        }
                        @if let Some(message) = alg_error { p.error { (message) } }
                    }
                }
                @for (name, label, hint) in SWITCHES {
                    // The hidden field says the switch was on the form, so unticked reads as false.
                    input type="hidden" name=(name) value="false";
                    label.check {
                        input type="checkbox" name=(name) value="true" checked[view.get(name) == Some(&Value::Bool(true))];
                        span { (label) @if !hint.is_empty() { br; span.muted { (hint) } } }
                    }
                }
                @if let Some(message) = FieldError::on(errors, "sso").or(FieldError::on(errors, "oidc_conformant")) { p.error { (message) } }
            }
            section.card aria-labelledby="advanced" {
                h2 #advanced { "Advanced Settings" }
                fieldset aria-describedby="metadata-hint" {
                    legend { "Client metadata" }
                    p.hint #metadata-hint { "Up to 10 keys; values up to 255 characters. Clear a key to remove it." }
                    @for (i, (key, value)) in metadata.iter().map(|(k, v)| (k.as_str(), v.as_str())).chain(std::iter::repeat_n(("", ""), blank_rows)).enumerate() {
                        div.meta-row {
                            div { label for={ "meta_key_" (i) } { "Key " (i + 1) }
                                input #{ "meta_key_" (i) } type="text" name="meta_key" value=(key); }
                            div { label for={ "meta_value_" (i) } { "Value " (i + 1) }
                                input #{ "meta_value_" (i) } type="text" name="meta_value" value=(value); }
                        }
                    }
                    @if let Some(message) = FieldError::on(errors, "client_metadata") { p.error role="alert" { (message) } }
                }
                fieldset {
                    legend { "Grant Types" }
                    input type="hidden" name="grant_types" value="";
                    @for (value, label) in GRANTS {
                        label.check {
                            input type="checkbox" name="grant_types" value=(value) checked[grants.iter().any(|g| g == value)];
                            span { (label) }
                        }
                    }
                    @for other in grants.iter().filter(|g| !GRANTS.iter().any(|(v, _)| v == g)) {
                        p.muted { "Also: " code { (other) } }
                    }
                    @if let Some(message) = FieldError::on(errors, "grant_types") { p.error role="alert" { (message) } }
                }
            }
            div.actions { button type="submit" { "Save Changes" } }
        }
    }
}
