//! The settings form read back into a management PATCH body holding only what changed,
//! so a client with settings the form cannot show (e.g. `private_key_jwt`, other grant
//! types) keeps them, and the audit trail shows real changes only.

use serde_json::{Map, Value};

use super::form::Form;
use super::settings_form::{jwt, strings, GRANTS, SWITCHES, URL_LISTS};

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
    let mut change = Map::new();
    if let Some(raw) = form.get("jwt_lifetime").map(str::trim) {
        // Not a number: sent as text, so the API's own message explains the rule.
        let value = raw.parse::<u64>().map_or_else(|_| Value::from(raw), Value::from);
        if Some(&value) != jwt(current, "lifetime_in_seconds") {
            change.insert("lifetime_in_seconds".into(), value);
        }
    }
    if let Some(alg) = form.get("jwt_alg") {
        if Some(alg) != jwt(current, "alg").and_then(Value::as_str) {
            change.insert("alg".into(), alg.into());
        }
    }
    (!change.is_empty()).then_some(change)
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
    use crate::http::console::settings_form::FieldError;
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
