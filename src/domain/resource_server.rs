//! Resource servers (Auth0's "APIs") and client grants, in the shapes of Auth0's
//! Management API: what an API is called, which scopes it defines, how long its access
//! tokens live and how they are signed; and which client may get which of those scopes.
//! Bodies are checked member by member so that every refusal names its member.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Auth0's default API token lifetime: one day.
pub const DEFAULT_TOKEN_LIFETIME: u64 = 86_400;
/// Auth0's upper bound: 30 days.
pub const MAX_TOKEN_LIFETIME: u64 = 2_592_000;
const MAX_SCOPES: usize = 100;
const MAX_IDENTIFIER_CHARS: usize = 600;
const MAX_NAME_CHARS: usize = 200;
const MAX_SCOPE_CHARS: usize = 280;
const MAX_DESCRIPTION_CHARS: usize = 500;
const MAX_INTROSPECTORS: usize = 50;

/// The algorithms an API's access tokens may be signed with (`crate::keys::TOKEN_ALGS`).
pub const SIGNING_ALGS: [&str; 3] = ["RS256", "ES256", "EdDSA"];

/// Why a body was refused; the message names the member.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BodyError(pub String);

fn bad(field: &str, problem: impl std::fmt::Display) -> BodyError {
    BodyError(format!("{field}: {problem}"))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiScope {
    pub value: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceServer {
    pub id: String,
    /// The audience: an absolute URI, fixed once created.
    pub identifier: String,
    pub name: String,
    pub scopes: Vec<ApiScope>,
    pub token_lifetime: u64,
    pub signing_alg: String,
    /// Clients (the API's own backends) that may introspect tokens issued for it.
    #[serde(default)]
    pub introspection_client_ids: Vec<String>,
}

impl ResourceServer {
    /// A new API from a `POST /api/v2/resource-servers` body.
    pub fn create(id: String, body: &Map<String, Value>) -> Result<ResourceServer, BodyError> {
        known_members(
            body,
            &[
                "identifier",
                "name",
                "scopes",
                "token_lifetime",
                "signing_alg",
                "introspection_client_ids",
            ],
        )?;
        let identifier = match body.get("identifier") {
            Some(Value::String(s)) => identifier(s)?,
            Some(_) => return Err(bad("identifier", "must be a string")),
            None => return Err(bad("identifier", "is required")),
        };
        let mut api = ResourceServer {
            id,
            name: identifier.clone(),
            identifier,
            scopes: Vec::new(),
            token_lifetime: DEFAULT_TOKEN_LIFETIME,
            signing_alg: "RS256".into(),
            introspection_client_ids: Vec::new(),
        };
        api.apply(body)?;
        Ok(api)
    }

    /// A `PATCH` body: every member but `identifier` may change.
    pub fn patch(&mut self, body: &Map<String, Value>) -> Result<(), BodyError> {
        known_members(
            body,
            &["name", "scopes", "token_lifetime", "signing_alg", "introspection_client_ids"],
        )
        .map_err(|e| {
            if body.contains_key("identifier") {
                bad("identifier", "cannot be changed")
            } else {
                e
            }
        })?;
        self.apply(body)
    }

    fn apply(&mut self, body: &Map<String, Value>) -> Result<(), BodyError> {
        if let Some(name) = body.get("name") {
            self.name = text("name", name, MAX_NAME_CHARS)?;
        }
        if let Some(scopes) = body.get("scopes") {
            self.scopes = api_scopes(scopes)?;
        }
        if let Some(lifetime) = body.get("token_lifetime") {
            self.token_lifetime = lifetime
                .as_u64()
                .filter(|s| (1..=MAX_TOKEN_LIFETIME).contains(s))
                .ok_or_else(|| {
                    bad(
                        "token_lifetime",
                        format_args!("must be an integer from 1 to {MAX_TOKEN_LIFETIME} (seconds)"),
                    )
                })?;
        }
        if let Some(alg) = body.get("signing_alg") {
            self.signing_alg = alg
                .as_str()
                .filter(|a| SIGNING_ALGS.contains(a))
                .ok_or_else(|| {
                    bad("signing_alg", format_args!("must be one of {}", SIGNING_ALGS.join(", ")))
                })?
                .to_owned();
        }
        if let Some(ids) = body.get("introspection_client_ids") {
            self.introspection_client_ids =
                strings("introspection_client_ids", ids, MAX_INTROSPECTORS, 128)?;
        }
        Ok(())
    }

    pub fn defines(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s.value == scope)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientGrant {
    pub id: String,
    pub client_id: String,
    pub audience: String,
    pub scope: Vec<String>,
}

/// The members of a `POST /api/v2/client-grants` body, before the client and API are
/// known to exist.
pub struct GrantRequest {
    pub client_id: String,
    pub audience: String,
    pub scope: Vec<String>,
}

impl GrantRequest {
    pub fn parse(body: &Map<String, Value>) -> Result<GrantRequest, BodyError> {
        known_members(body, &["client_id", "audience", "scope"])?;
        let required = |field: &str| match body.get(field) {
            Some(Value::String(s)) if !s.is_empty() && s.len() <= MAX_IDENTIFIER_CHARS => {
                Ok(s.clone())
            }
            Some(_) => Err(bad(field, "must be a non-empty string")),
            None => Err(bad(field, "is required")),
        };
        let scope = match body.get("scope") {
            Some(v) => grant_scopes(v)?,
            None => return Err(bad("scope", "is required (an array of the API's scope values)")),
        };
        Ok(GrantRequest {
            client_id: required("client_id")?,
            audience: required("audience")?,
            scope,
        })
    }
}

/// `PATCH /api/v2/client-grants/{id}`: only `scope` changes.
pub fn grant_patch(body: &Map<String, Value>) -> Result<Vec<String>, BodyError> {
    known_members(body, &["scope"])?;
    body.get("scope").map(grant_scopes).unwrap_or_else(|| Err(bad("scope", "is required")))
}

/// Every granted scope must be one the API defines.
pub fn check_scopes(api: &ResourceServer, scope: &[String]) -> Result<(), BodyError> {
    match scope.iter().find(|s| !api.defines(s)) {
        Some(unknown) => Err(bad(
            "scope",
            format_args!("{unknown:?} is not a scope of the API {}", api.identifier),
        )),
        None => Ok(()),
    }
}

fn grant_scopes(value: &Value) -> Result<Vec<String>, BodyError> {
    let scopes = strings("scope", value, MAX_SCOPES, MAX_SCOPE_CHARS)?;
    if let Some(bad_value) = scopes.iter().find(|s| !is_scope_token(s)) {
        return Err(bad(
            "scope",
            format_args!("{bad_value:?} is not a scope token (RFC 6749 3.3)"),
        ));
    }
    Ok(dedup(scopes))
}

fn known_members(body: &Map<String, Value>, known: &[&str]) -> Result<(), BodyError> {
    match body.keys().find(|k| !known.contains(&k.as_str())) {
        Some(unknown) => {
            Err(bad(&crate::domain::fields::printable_ascii(unknown, 64), "unknown member"))
        }
        None => Ok(()),
    }
}

fn identifier(value: &str) -> Result<String, BodyError> {
    if value.len() > MAX_IDENTIFIER_CHARS {
        return Err(bad("identifier", format_args!("at most {MAX_IDENTIFIER_CHARS} characters")));
    }
    let url = url::Url::parse(value)
        .map_err(|_| bad("identifier", "must be an absolute URI (the audience)"))?;
    if url.fragment().is_some() || !value.is_ascii() || value.contains(' ') {
        return Err(bad("identifier", "must be an absolute URI without a fragment"));
    }
    Ok(value.to_owned())
}

fn text(field: &str, value: &Value, max: usize) -> Result<String, BodyError> {
    match value {
        Value::String(s)
            if !s.trim().is_empty()
                && s.chars().count() <= max
                && !s.chars().any(char::is_control) =>
        {
            Ok(s.clone())
        }
        _ => {
            Err(bad(field, format_args!("must be a non-empty string of at most {max} characters")))
        }
    }
}

fn strings(
    field: &str,
    value: &Value,
    max_items: usize,
    max_chars: usize,
) -> Result<Vec<String>, BodyError> {
    let Value::Array(items) = value else { return Err(bad(field, "must be an array of strings")) };
    if items.len() > max_items {
        return Err(bad(field, format_args!("at most {max_items} values")));
    }
    items
        .iter()
        .map(|item| match item {
            Value::String(s) if !s.is_empty() && s.len() <= max_chars => Ok(s.clone()),
            _ => Err(bad(
                field,
                format_args!("values must be non-empty strings of at most {max_chars} characters"),
            )),
        })
        .collect()
}

fn api_scopes(value: &Value) -> Result<Vec<ApiScope>, BodyError> {
    let Value::Array(items) = value else {
        return Err(bad("scopes", "must be an array of {value, description}"));
    };
    if items.len() > MAX_SCOPES {
        return Err(bad("scopes", format_args!("at most {MAX_SCOPES} scopes")));
    }
    let mut scopes: Vec<ApiScope> = Vec::with_capacity(items.len());
    for item in items {
        let Value::Object(item) = item else {
            return Err(bad("scopes", "each scope must be an object {value, description}"));
        };
        if let Some(unknown) = item.keys().find(|k| *k != "value" && *k != "description") {
            return Err(bad(
                "scopes",
                format_args!(
                    "unknown member {:?} in a scope",
                    crate::domain::fields::printable_ascii(unknown, 64)
                ),
            ));
        }
        let value = match item.get("value") {
            Some(Value::String(v)) if v.len() <= MAX_SCOPE_CHARS && is_scope_token(v) => v.clone(),
            _ => {
                return Err(bad(
                    "scopes",
                    "each value must be a scope token (RFC 6749 3.3: printable, no spaces)",
                ))
            }
        };
        let description = match item.get("description") {
            None | Some(Value::Null) => String::new(),
            Some(v) => text("scopes.description", v, MAX_DESCRIPTION_CHARS)?,
        };
        if scopes.iter().any(|s| s.value == value) {
            return Err(bad("scopes", format_args!("{value:?} is defined twice")));
        }
        scopes.push(ApiScope { value, description });
    }
    Ok(scopes)
}

/// RFC 6749 §3.3 `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`.
pub fn is_scope_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
}

fn dedup(values: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    for v in values {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn an_api_takes_defaults_and_refuses_bad_members_by_name() {
        let api = ResourceServer::create(
            "a".into(),
            &object(json!({"identifier": "https://api.example/"})),
        )
        .unwrap();
        assert_eq!(
            (api.token_lifetime, api.signing_alg.as_str()),
            (DEFAULT_TOKEN_LIFETIME, "RS256")
        );
        for (body, field) in [
            (json!({}), "identifier"),
            (json!({"identifier": "relative/path"}), "identifier"),
            (json!({"identifier": "https://a/", "token_lifetime": 0}), "token_lifetime"),
            (json!({"identifier": "https://a/", "signing_alg": "HS256"}), "signing_alg"),
            (json!({"identifier": "https://a/", "scopes": [{"value": "a b"}]}), "scopes"),
            (
                json!({"identifier": "https://a/", "scopes": [{"value": "x"}, {"value": "x"}]}),
                "scopes",
            ),
            (json!({"identifier": "https://a/", "colour": 1}), "colour"),
        ] {
            let err = ResourceServer::create("a".into(), &object(body.clone())).unwrap_err();
            assert!(err.0.starts_with(field), "{body}: {err}");
        }
        let mut api = api;
        assert!(api
            .patch(&object(json!({"identifier": "https://b/"})))
            .unwrap_err()
            .0
            .contains("cannot be changed"));
    }

    #[test]
    fn grants_name_scope_tokens_and_check_them_against_the_api() {
        let api = ResourceServer::create(
            "a".into(),
            &object(json!({"identifier": "https://a/", "scopes": [{"value": "read:x"}]})),
        )
        .unwrap();
        let grant = GrantRequest::parse(&object(
            json!({"client_id": "c", "audience": "https://a/", "scope": ["read:x", "read:x"]}),
        ))
        .unwrap();
        assert_eq!(grant.scope, ["read:x"]);
        assert!(check_scopes(&api, &grant.scope).is_ok());
        assert!(check_scopes(&api, &["write:x".into()]).is_err());
        assert!(GrantRequest::parse(&object(json!({"client_id": "c", "audience": "https://a/"})))
            .is_err());
        assert!(grant_patch(&object(json!({"scope": ["a\"b"]}))).is_err());
    }
}
