//! The settings form (seed 001's Settings tab): drawn from a client's management view,
//! and read back into a management PATCH body holding only what changed, so a client
//! with settings the form cannot show (e.g. `private_key_jwt`) keeps them.

use maud::{html, Markup};
use serde_json::{Map, Value};

use super::clients::TYPES;
use super::form::Form;
use super::layout;
use super::session::Admin;

/// Grant types offered as checkboxes; others a client has are kept as they are.
const GRANTS: [(&str, &str); 5] = [
    ("authorization_code", "Authorization Code"),
    ("implicit", "Implicit"),
    ("refresh_token", "Refresh Token"),
    ("client_credentials", "Client Credentials"),
    ("password", "Password"),
];
/// Checkbox settings: (name, label, hint).
const SWITCHES: [(&str, &str, &str); 4] = [
    ("sso", "Use Registrar instead of the identity provider to do single sign-on", ""),
    ("cross_origin_auth", "Allow cross-origin authentication", ""),
    ("oidc_conformant", "OIDC conformant", "Strict OpenID Connect conformance."),
    (
        "is_token_endpoint_ip_header_trusted",
        "Trust the token endpoint IP header",
        "Take the client IP from the forwarded header on token requests.",
    ),
];
const URL_LISTS: [(&str, &str, &str, &str); 4] = [
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

fn strings(view: &Map<String, Value>, key: &str) -> Vec<String> {
    view.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

fn jwt<'a>(view: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
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

fn list(text: &str) -> Vec<Value> {
    text.split([',', '\n', '\r'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(Value::from)
        .collect()
}

/// The management PATCH body for what the form changed in `current`.
pub fn patch(form: &Form, current: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    let mut set = |key: &str, value: Value| {
        if current.get(key).unwrap_or(&Value::Null) != &value {
            out.insert(key.to_owned(), value);
        }
    };
    set("name", form.get("name").unwrap_or_default().into());
    // An emptied optional text goes back to its default.
    for key in ["description", "initiate_login_uri"] {
        match form.get(key).map(str::trim).unwrap_or_default() {
            "" => set(key, Value::Null),
            value => set(key, value.into()),
        }
    }
    if let Some(app_type) = form.get("app_type") {
        set("app_type", app_type.into());
    }
    if let Some(method) = form.get("token_endpoint_auth_method") {
        set("token_endpoint_auth_method", method.into());
    }
    for (name, _, _, _) in URL_LISTS {
        if form.has(name) {
            set(name, Value::Array(list(form.get(name).unwrap_or_default())));
        }
    }
    for (name, _, _) in SWITCHES.iter().filter(|(name, _, _)| form.has(name)) {
        set(name, form.all(name).any(|v| v == "true").into());
    }
    if let Some(grants) = grant_change(form, current) {
        out.insert("grant_types".into(), grants);
    }
    if let Some(jwt) = jwt_change(form, current) {
        out.insert("jwt_configuration".into(), Value::Object(jwt));
    }
    if let Some(metadata) = metadata_change(form, current) {
        out.insert("client_metadata".into(), Value::Object(metadata));
    }
    out
}

/// Grant types, when the form had them: the ticked ones, and any the form cannot show.
fn grant_change(form: &Form, current: &Map<String, Value>) -> Option<Value> {
    if !form.has("grant_types") {
        return None;
    }
    let current_grants = strings(current, "grant_types");
    let mut grants: Vec<Value> = current_grants
        .iter()
        .filter(|g| !GRANTS.iter().any(|(v, _)| v == g))
        .map(|g| Value::from(g.as_str()))
        .collect();
    grants.extend(
        form.all("grant_types").filter(|g| GRANTS.iter().any(|(v, _)| v == g)).map(Value::from),
    );
    let same = grants.len() == current_grants.len()
        && grants.iter().all(|g| current_grants.iter().any(|c| g == c));
    (!same).then_some(Value::Array(grants))
}

fn jwt_change(form: &Form, current: &Map<String, Value>) -> Option<Map<String, Value>> {
    let mut jwt = Map::new();
    if let Some(raw) = form.get("jwt_lifetime").map(str::trim) {
        // Not a number: sent as text, so the API's own message explains the rule.
        let value = raw.parse::<u64>().map_or_else(|_| Value::from(raw), Value::from);
        if Some(&value) != self::jwt(current, "lifetime_in_seconds") {
            jwt.insert("lifetime_in_seconds".into(), value);
        }
    }
    if let Some(alg) = form.get("jwt_alg") {
        if Some(alg) != self::jwt(current, "alg").and_then(Value::as_str) {
            jwt.insert("alg".into(), alg.into());
        }
    }
    (!jwt.is_empty()).then_some(jwt)
}

fn metadata_change(form: &Form, current: &Map<String, Value>) -> Option<Map<String, Value>> {
    if !form.has("meta_key") {
        return None;
    }
    let empty = Map::new();
    let current = current.get("client_metadata").and_then(Value::as_object).unwrap_or(&empty);
    let mut wanted = Map::new();
    for (key, value) in form.all("meta_key").zip(form.all("meta_value")) {
        let key = key.trim();
        if !key.is_empty() || !value.is_empty() {
            wanted.insert(key.to_owned(), value.into());
        }
    }
    let mut change = Map::new();
    for key in current.keys().filter(|k| !wanted.contains_key(*k)) {
        change.insert(key.clone(), Value::Null);
    }
    for (key, value) in wanted {
        if current.get(&key) != Some(&value) {
            change.insert(key, value);
        }
    }
    (!change.is_empty()).then_some(change)
}

/// What the page shows after a refused save: the saved view with the sent changes on top.
pub fn with_changes(
    current: &Map<String, Value>,
    changes: &Map<String, Value>,
) -> Map<String, Value> {
    let mut view = current.clone();
    for (key, value) in changes {
        match (view.get_mut(key), value) {
            (Some(Value::Object(base)), Value::Object(extra)) => {
                for (k, v) in extra {
                    match v {
                        Value::Null => base.remove(k),
                        v => base.insert(k.clone(), v.clone()),
                    };
                }
            }
            _ => {
                view.insert(key.clone(), value.clone());
            }
        }
    }
    view
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::web::Bytes;
    use serde_json::json;

    fn view() -> Map<String, Value> {
        json!({
            "client_id": "c", "name": "Shop", "app_type": "regular_web",
            "callbacks": ["https://a.example/cb"], "allowed_logout_urls": [],
            "allowed_origins": [], "web_origins": [],
            "token_endpoint_auth_method": "client_secret_post",
            "grant_types": ["authorization_code", "urn:ietf:params:oauth:grant-type:device_code"],
            "jwt_configuration": { "alg": "RS256", "lifetime_in_seconds": 36000 },
            "client_metadata": { "team": "x" },
            "sso": false, "cross_origin_auth": false, "oidc_conformant": true,
            "is_token_endpoint_ip_header_trusted": false,
        })
        .as_object()
        .unwrap()
        .clone()
    }

    fn form(body: &str) -> Form {
        Form::parse(&Bytes::copy_from_slice(body.as_bytes()))
    }

    #[test]
    fn an_unchanged_form_changes_nothing_and_unknown_grants_stay() {
        let body = "name=Shop&app_type=regular_web&token_endpoint_auth_method=client_secret_post\
            &callbacks=https%3A%2F%2Fa.example%2Fcb&allowed_logout_urls=&web_origins=&allowed_origins=\
            &jwt_lifetime=36000&jwt_alg=RS256&sso=false&oidc_conformant=false&oidc_conformant=true\
            &grant_types=&grant_types=authorization_code\
            &meta_key=team&meta_value=x&meta_key=&meta_value=";
        assert_eq!(patch(&form(body), &view()), Map::new());
    }

    #[test]
    fn changes_are_sent_in_the_management_api_shape() {
        let body = "name=Shop+2&callbacks=https%3A%2F%2Fa.example%2Fcb%2C+https%3A%2F%2Fb.example%2Fcb\
            &jwt_lifetime=ten&jwt_alg=RS256&sso=false&sso=true&oidc_conformant=true\
            &grant_types=&grant_types=authorization_code&grant_types=refresh_token&meta_key=&meta_value=&meta_key=env&meta_value=prod";
        let p = patch(&form(body), &view());
        assert_eq!(p["name"], "Shop 2");
        assert_eq!(p["callbacks"], json!(["https://a.example/cb", "https://b.example/cb"]));
        assert_eq!(p["jwt_configuration"], json!({ "lifetime_in_seconds": "ten" }));
        assert_eq!(p["sso"], true);
        assert_eq!(
            p["grant_types"],
            json!([
                "urn:ietf:params:oauth:grant-type:device_code",
                "authorization_code",
                "refresh_token"
            ])
        );
        assert_eq!(p["client_metadata"], json!({ "team": null, "env": "prod" }));
        let shown = with_changes(&view(), &p);
        assert_eq!(shown["client_metadata"], json!({ "env": "prod" }));
        assert_eq!(shown["jwt_configuration"]["alg"], "RS256");
    }

    #[test]
    fn errors_find_their_field() {
        assert_eq!(FieldError::from_message("callbacks: item 1: bad").field, "callbacks");
        assert_eq!(FieldError::from_message("jwt_configuration.alg: no").field, "jwt_alg");
        assert_eq!(FieldError::from_message("client_metadata.k: long").field, "client_metadata");
    }
}
