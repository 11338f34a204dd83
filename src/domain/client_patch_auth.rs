//! The settings that change how a client authenticates and what it may do: grant types
//! (with the response types that follow from them), `token_endpoint_auth_method`,
//! `client_authentication_methods` and `jwt_configuration`.

use serde_json::{Map, Value};

use super::values::{boolean, err, many_of, object, one_of, string};
use super::vocab::{GrantType, JwtAlg, Vocabulary};
use super::PatchError;
use crate::domain::vocab::ResponseType;

pub const CAM: &str = "client_authentication_methods";
const CREDENTIALS: &str = "client_authentication_methods.private_key_jwt.credentials";

/// The new `grant_types` and the `response_types` that go with them: registration metadata
/// must stay coherent (OIDC DCR §2: `code` needs authorization_code, `id_token` and
/// `token` need implicit), so types whose grant is gone are dropped and a grant that sends
/// the user agent to a redirect URI gets its plain response type.
pub fn grant_types(
    value: &Value,
    current: &Map<String, Value>,
) -> Result<(Value, Value), PatchError> {
    let grants = many_of::<GrantType>("grant_types", value)?;
    let code = grants.contains(&GrantType::AuthorizationCode);
    let implicit = grants.contains(&GrantType::Implicit);
    let mut types: Vec<ResponseType> = Vec::new();
    if code || implicit {
        types = current
            .get("response_types")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| ResponseType::parse(v.as_str()?))
            .filter(|t| {
                (code || !t.needs_authorization_code()) && (implicit || !t.needs_implicit())
            })
            .collect();
        if code && !types.iter().any(ResponseType::needs_authorization_code) {
            types.extend(ResponseType::parse("code"));
        }
        if implicit && !types.iter().any(ResponseType::needs_implicit) {
            types.extend(ResponseType::parse("id_token"));
        }
    }
    let types = Value::from_iter(types.iter().map(ResponseType::as_str));
    Ok((Value::from_iter(grants.iter().map(|g| g.as_str())), types))
}

/// `client_authentication_methods` (seed 004): only `private_key_jwt`, whose credentials
/// must already exist on the client. Credentials here are the client's registered keys
/// (metadata `jwks`), and a credential id is a key's `kid`. mTLS methods are refused:
/// this server does not terminate TLS client authentication.
pub fn authentication_methods(
    value: &Value,
    current: &Map<String, Value>,
) -> Result<(), PatchError> {
    let methods = object(CAM, value)?;
    if let Some(other) = methods.keys().find(|k| *k != "private_key_jwt") {
        return Err(err(format!("{CAM}.{other}"), "unsupported method; use private_key_jwt"));
    }
    let method =
        methods.get("private_key_jwt").ok_or_else(|| err(CAM, "must configure private_key_jwt"))?;
    let method = object(&format!("{CAM}.private_key_jwt"), method)?;
    if let Some(other) = method.keys().find(|k| *k != "credentials") {
        return Err(err(format!("{CAM}.private_key_jwt.{other}"), "unknown field"));
    }
    let credentials = method
        .get("credentials")
        .and_then(Value::as_array)
        .ok_or_else(|| err(CREDENTIALS, "must be an array of {\"id\": ...} objects"))?;
    if credentials.is_empty() {
        return Err(err(CREDENTIALS, "needs at least one credential"));
    }
    let known: Vec<&str> = current
        .get("jwks")
        .and_then(|jwks| jwks.get("keys"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|key| key.get("kid")?.as_str())
        .collect();
    let mut seen: Vec<&str> = Vec::new();
    for credential in credentials {
        let id = match credential.as_object() {
            Some(c) if c.len() == 1 => c.get("id").and_then(Value::as_str),
            _ => None,
        }
        .ok_or_else(|| err(CREDENTIALS, "must be an array of {\"id\": ...} objects"))?;
        if !known.contains(&id) {
            return Err(err(CREDENTIALS, "unknown credential id: not the kid of a client key"));
        }
        if seen.contains(&id) {
            return Err(err(CREDENTIALS, "repeats a credential id"));
        }
        seen.push(id);
    }
    Ok(())
}

/// `jwt_configuration`: checked member by member, then laid over the current one, so that
/// changing the lifetime keeps the algorithm. Returns the merged object and the new `alg`.
pub fn jwt_configuration(
    value: &Value,
    current: Option<&Value>,
) -> Result<(Value, Option<JwtAlg>), PatchError> {
    let field = "jwt_configuration";
    let changes = object(field, value)?;
    let mut alg = None;
    for (key, item) in changes {
        let path = format!("{field}.{key}");
        match key.as_str() {
            "alg" => alg = Some(one_of::<JwtAlg>(&path, item)?),
            "lifetime_in_seconds" if item.as_u64().is_some_and(|n| n > 0) => {}
            "lifetime_in_seconds" => return Err(err(path, "must be a positive integer")),
            "scopes" => {
                object(&path, item)?;
            }
            "secret_encoded" => {
                boolean(&path, item)?;
            }
            _ => return Err(err(path, "unknown field")),
        }
    }
    let mut merged = current.and_then(Value::as_object).cloned().unwrap_or_default();
    merged.extend(changes.clone());
    Ok((Value::Object(merged), alg))
}

/// The algorithm a view's `jwt_configuration` names, if it names a known one.
pub fn view_alg(view: &Map<String, Value>) -> Option<JwtAlg> {
    let alg = view.get("jwt_configuration")?.get("alg")?;
    string("jwt_configuration.alg", alg).ok().and_then(JwtAlg::parse)
}
