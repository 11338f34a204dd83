//! The extension members on the settings model (Auth0's client object, seed 004): derived
//! from the registered metadata for the management view, and written back to the metadata
//! when an administrator edits them, so that both views stay one client.

use serde_json::{json, Map, Value};

use super::mtls::{TlsSubject, SUBJECT_MEMBERS};
use super::{Capabilities, Capability};
use crate::domain::uri::check_https_uri;
use crate::domain::vocab::AuthMethod;

/// Settings whose parts named here live in the registration metadata; the rest of the
/// object is the administrator's, laid over the derived part.
pub const METADATA_OWNED: &[(&str, &str)] =
    &[("oidc_logout", "backchannel_logout_urls"), ("signed_request_object", "required")];

/// Settings held only in the registration metadata: an administrator's value stored
/// before they moved there is not laid over them.
pub const METADATA_ONLY: &[&str] =
    &["require_pushed_authorization_requests", "require_proof_of_possession"];

fn flag(meta: &Map<String, Value>, key: &str) -> bool {
    meta.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// `require_pushed_authorization_requests` (RFC 9126 §6 member of the same name).
pub fn par_required(meta: &Map<String, Value>) -> bool {
    flag(meta, "require_pushed_authorization_requests")
}

/// Auth0's one proof-of-possession switch covers both sender-constraining methods
/// (RFC 9449 §5.2, RFC 8705 §3.4).
pub fn pop_required(meta: &Map<String, Value>) -> bool {
    flag(meta, "dpop_bound_access_tokens")
        || flag(meta, "tls_client_certificate_bound_access_tokens")
}

/// The settings these members map to, for the management view.
pub fn derive(meta: &Map<String, Value>, view: &mut Map<String, Value>) {
    if let Some(uri) = meta.get("backchannel_logout_uri").and_then(Value::as_str) {
        view.insert("oidc_logout".into(), json!({ "backchannel_logout_urls": [uri] }));
    }
    if let Some(required) = meta.get("require_signed_request_object").and_then(Value::as_bool) {
        view.insert("signed_request_object".into(), json!({ "required": required }));
    }
    let method = meta.get("token_endpoint_auth_method").and_then(Value::as_str);
    if let Some(method) = method.and_then(AuthMethod::parse).filter(|m| m.is_mtls()) {
        let credentials: Vec<Value> = SUBJECT_MEMBERS
            .iter()
            .filter_map(|member| {
                let value = meta.get(*member)?.as_str()?;
                Some(json!({ "credential_type": "cert_subject", "member": member, "value": value }))
            })
            .collect();
        view.insert("token_endpoint_auth_method".into(), Value::Null);
        view.insert(
            "client_authentication_methods".into(),
            json!({ method.as_str(): { "credentials": credentials } }),
        );
    }
}

/// A management API change to a mapped setting: the metadata members it sets (`null`
/// removes one) and what remains for the administrator's settings. `None`: not a mapped
/// setting. The error is (field, message).
pub type Mapped = (Map<String, Value>, Option<Value>);

pub fn patch(
    field: &str,
    value: &Value,
    meta: &Map<String, Value>,
) -> Option<Result<Mapped, (String, String)>> {
    let fail = |path: &str, message: &str| Some(Err((path.to_owned(), message.to_owned())));
    let mut changes = Map::new();
    match field {
        "require_pushed_authorization_requests" => {
            let Some(on) = value.as_bool() else { return fail(field, "must be a boolean") };
            changes.insert(field.into(), on.into());
            Some(Ok((changes, None)))
        }
        "require_proof_of_possession" => {
            let Some(on) = value.as_bool() else { return fail(field, "must be a boolean") };
            let bound = ["dpop_bound_access_tokens", "tls_client_certificate_bound_access_tokens"];
            if !on {
                for key in bound.into_iter().filter(|k| meta.contains_key(*k)) {
                    changes.insert(key.into(), false.into());
                }
            } else if !bound.iter().any(|k| flag(meta, k)) {
                // A client that authenticates with a certificate binds tokens to it;
                // any other gets DPoP.
                let mtls = meta
                    .get("token_endpoint_auth_method")
                    .and_then(Value::as_str)
                    .and_then(AuthMethod::parse)
                    .is_some_and(AuthMethod::is_mtls);
                changes.insert(bound[usize::from(mtls)].into(), true.into());
            }
            Some(Ok((changes, None)))
        }
        "oidc_logout" | "signed_request_object" => {
            if value.is_null() {
                let key = match field {
                    "oidc_logout" => "backchannel_logout_uri",
                    _ => "require_signed_request_object",
                };
                changes.insert(key.into(), Value::Null);
                return Some(Ok((changes, Some(Value::Null))));
            }
            let Some(object) = value.as_object() else { return fail(field, "must be an object") };
            let mut rest = object.clone();
            if field == "oidc_logout" {
                if let Some(urls) = rest.remove("backchannel_logout_urls") {
                    let path = "oidc_logout.backchannel_logout_urls";
                    let Some(urls) = urls.as_array() else { return fail(path, "must be an array") };
                    let uri = match urls.as_slice() {
                        [] => Value::Null,
                        [Value::String(raw)] => match check_https_uri(raw, false) {
                            Ok(_) => raw.as_str().into(),
                            Err(why) => return fail(path, why),
                        },
                        [_] => return fail(path, "must be an array of strings"),
                        _ => {
                            return fail(
                                path,
                                "at most one URL: the registration metadata holds one backchannel_logout_uri",
                            )
                        }
                    };
                    changes.insert("backchannel_logout_uri".into(), uri);
                }
            } else if let Some(required) = rest.remove("required") {
                let path = "signed_request_object.required";
                let Some(required) = required.as_bool() else {
                    return fail(path, "must be a boolean");
                };
                changes.insert("require_signed_request_object".into(), required.into());
            }
            Some(Ok((changes, Some(Value::Object(rest)))))
        }
        CAM if value.as_object().is_some_and(|m| m.keys().any(|k| is_mtls_key(k))) => {
            Some(mtls_methods(value, meta).map(|changes| (changes, Some(Value::Null))))
        }
        _ => None,
    }
}

const CAM: &str = "client_authentication_methods";

fn is_mtls_key(key: &str) -> bool {
    AuthMethod::parse(key).is_some_and(AuthMethod::is_mtls)
}

/// `client_authentication_methods` naming a mutual-TLS method, in the shape the view
/// shows: `{"tls_client_auth": {"credentials": [{"credential_type": "cert_subject",
/// "member": "<subject member>", "value": "..."}]}}` (exactly one credential), or
/// `{"self_signed_tls_client_auth": {"credentials": []}}` for a client whose registered
/// keys hold its certificates (RFC 8705 §2.2.2). Written as the registration members.
fn mtls_methods(
    value: &Value,
    meta: &Map<String, Value>,
) -> Result<Map<String, Value>, (String, String)> {
    let fail = |path: String, message: &str| Err((path, message.to_owned()));
    let methods = value.as_object().into_iter().flatten().collect::<Vec<_>>();
    let [(name, config)] = methods.as_slice() else {
        return fail(CAM.into(), "configure exactly one method");
    };
    let path = format!("{CAM}.{name}");
    let Some(method) = AuthMethod::parse(name).filter(|m| m.is_mtls()) else {
        return fail(path, "unsupported method");
    };
    let credentials = config
        .as_object()
        .filter(|c| c.len() == 1)
        .and_then(|c| c.get("credentials"))
        .and_then(Value::as_array);
    let Some(credentials) = credentials else {
        return fail(path, "must be {\"credentials\": [...]}");
    };
    let mut changes = Map::new();
    changes.insert("token_endpoint_auth_method".into(), method.as_str().into());
    for member in SUBJECT_MEMBERS {
        changes.insert(member.into(), Value::Null);
    }
    let credentials_path = format!("{path}.credentials");
    match (method, credentials.as_slice()) {
        (AuthMethod::SelfSignedTlsClientAuth, []) => {
            if !meta.contains_key("jwks") && !meta.contains_key("jwks_uri") {
                return fail(
                    path,
                    "needs the client's certificates in its registered jwks or jwks_uri",
                );
            }
        }
        (AuthMethod::SelfSignedTlsClientAuth, _) => {
            return fail(
                credentials_path,
                "must be empty: the certificates are the client's registered keys",
            );
        }
        (_, [credential]) => {
            let field = |key: &str| credential.get(key).and_then(Value::as_str);
            let shape = credential.as_object().is_some_and(|c| c.len() == 3)
                && field("credential_type") == Some("cert_subject");
            let (Some(member), Some(raw), true) = (field("member"), field("value"), shape) else {
                return fail(
                    credentials_path,
                    "must hold one {\"credential_type\": \"cert_subject\", \"member\": ..., \"value\": ...}",
                );
            };
            if !SUBJECT_MEMBERS.contains(&member) {
                return fail(credentials_path, "member must name a tls_client_auth subject member");
            }
            TlsSubject::parse(member, raw)
                .map_err(|why| (credentials_path.clone(), why.to_owned()))?;
            changes.insert(member.into(), raw.into());
        }
        _ => return fail(credentials_path, "must hold exactly one certificate subject"),
    }
    Ok(changes)
}

/// After a management change: every mapped member the metadata holds must be one the
/// deployment honours, as registration requires. The error is (setting, message).
pub fn check_capabilities(
    meta: &Map<String, Value>,
    caps: &Capabilities,
) -> Result<(), (String, String)> {
    let checks = [
        (
            "backchannel_logout_uri",
            "oidc_logout",
            Capability::BackchannelLogout,
            meta.contains_key("backchannel_logout_uri"),
        ),
        (
            "require_pushed_authorization_requests",
            "require_pushed_authorization_requests",
            Capability::Par,
            flag(meta, "require_pushed_authorization_requests"),
        ),
        (
            "dpop_bound_access_tokens",
            "require_proof_of_possession",
            Capability::Dpop,
            flag(meta, "dpop_bound_access_tokens"),
        ),
        (
            "tls_client_certificate_bound_access_tokens",
            "require_proof_of_possession",
            Capability::Mtls,
            flag(meta, "tls_client_certificate_bound_access_tokens"),
        ),
    ];
    for (_, setting, capability, used) in checks {
        if used && !caps.has(capability) {
            return Err((
                setting.into(),
                format!("{} is not enabled on this server", capability.feature()),
            ));
        }
    }
    let method = meta.get("token_endpoint_auth_method").and_then(Value::as_str);
    if method.and_then(AuthMethod::parse).is_some_and(|m| !caps.allows_method(m)) {
        return Err((CAM.into(), "mutual-TLS client certificates do not reach this server".into()));
    }
    if meta.get("require_signed_request_object") == Some(&Value::Bool(true))
        && meta.get("request_object_signing_alg").and_then(Value::as_str) == Some("none")
    {
        return Err((
            "signed_request_object.required".into(),
            "cannot be true while the client registered request_object_signing_alg none".into(),
        ));
    }
    Ok(())
}
