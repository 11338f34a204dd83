//! Client authentication at the token, introspection and revocation endpoints: the
//! method the client registered, and only that one (RFC 6749 §2.3, OIDC Core §9).
//! Every failure that could tell an unknown client from a known one with a wrong secret
//! reads the same and costs the same: a store read, opening a sealed secret, and a
//! constant-time comparison.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Deserialize;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::assertion::{self, Assertion};
use super::OAuthError;
use crate::domain::vocab::{AuthMethod, GrantType, JwsAlg, DEFAULT_AUTH_METHOD};
use crate::service::clients::ClientRecord;
use crate::service::state::AppState;
use crate::store::ClientStore;

/// The client authentication methods Registrar's own endpoints (token, introspection,
/// revocation) verify, as discovery advertises them. Mutual TLS is not among them yet.
pub const METHODS: [AuthMethod; 4] = [
    AuthMethod::ClientSecretBasic,
    AuthMethod::ClientSecretPost,
    AuthMethod::ClientSecretJwt,
    AuthMethod::PrivateKeyJwt,
];

/// RFC 7523 §2.2.
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Longest client_id or secret worth reading.
const MAX_CREDENTIAL_BYTES: usize = 512;
/// One answer for every credential mismatch.
const FAILED: &str = "client authentication failed";

/// How the client presented itself.
pub enum Presented {
    /// `Authorization: Basic` (RFC 6749 §2.3.1).
    Basic { client_id: String, secret: String },
    /// `client_id` and `client_secret` in the body.
    Post { client_id: String, secret: String },
    /// `client_assertion` (RFC 7523 §2.2); the client_id is the assertion's `sub`.
    Assertion(Assertion),
}

impl Presented {
    pub fn client_id(&self) -> &str {
        match self {
            Presented::Basic { client_id, .. } | Presented::Post { client_id, .. } => client_id,
            Presented::Assertion(a) => &a.client_id,
        }
    }

    pub fn http_auth(&self) -> bool {
        matches!(self, Presented::Basic { .. })
    }

    fn method(&self) -> &'static str {
        match self {
            Presented::Basic { .. } => "client_secret_basic",
            Presented::Post { .. } => "client_secret_post",
            Presented::Assertion(_) => "a client assertion",
        }
    }
}

/// The registered metadata the endpoints need.
#[derive(Deserialize)]
struct Registered {
    #[serde(default)]
    token_endpoint_auth_method: Option<String>,
    #[serde(default)]
    token_endpoint_auth_signing_alg: Option<String>,
    #[serde(default)]
    grant_types: Option<Vec<String>>,
    #[serde(default)]
    jwks: Option<Box<RawValue>>,
    #[serde(default)]
    jwks_uri: Option<String>,
    #[serde(default)]
    client_name: Option<String>,
}

/// An authenticated client.
pub struct Client {
    pub client_id: String,
    pub name: Option<String>,
    pub grant_types: Vec<GrantType>,
    /// Changes whenever the client's secret does (`credential_epoch`).
    pub epoch: String,
    /// The registration policy the client was registered under.
    pub policy: Option<String>,
}

impl Client {
    pub fn may_use(&self, grant: GrantType) -> bool {
        self.grant_types.contains(&grant)
    }
}

/// Reads the client's credentials from the `Authorization` header and the form. Exactly
/// one method may be used (RFC 6749 §2.3).
pub fn present(
    authorization: Option<&str>,
    form: &super::form::Form,
) -> Result<Presented, OAuthError> {
    let secret = form.get("client_secret");
    let assertion = form.get("client_assertion");
    let assertion_type = form.get("client_assertion_type");
    let basic = authorization.and_then(|h| {
        let (scheme, rest) = h.split_once(' ')?;
        scheme.eq_ignore_ascii_case("basic").then(|| rest.trim())
    });
    let used = [basic.is_some(), secret.is_some(), assertion.is_some()];
    if used.iter().filter(|u| **u).count() > 1 {
        return Err(OAuthError::InvalidRequest(
            "the client used more than one authentication method (RFC 6749 2.3)".into(),
        ));
    }
    if let Some(encoded) = basic {
        let (client_id, secret) = basic_credentials(encoded).ok_or_else(|| {
            OAuthError::invalid_client("the Basic credentials are malformed (RFC 6749 2.3.1)", true)
        })?;
        if form.get("client_id").is_some_and(|id| id != client_id) {
            return Err(OAuthError::InvalidRequest(
                "client_id: differs from the one in the Authorization header".into(),
            ));
        }
        return Ok(Presented::Basic { client_id, secret });
    }
    if let Some(jwt) = assertion {
        if assertion_type != Some(ASSERTION_TYPE) {
            return Err(OAuthError::InvalidRequest(format!(
                "client_assertion_type: must be {ASSERTION_TYPE}"
            )));
        }
        let parsed = Assertion::parse(jwt)?;
        if form.get("client_id").is_some_and(|id| id != parsed.client_id) {
            return Err(OAuthError::invalid_client(
                "client_id: differs from the assertion's sub",
                false,
            ));
        }
        return Ok(Presented::Assertion(parsed));
    }
    match (form.get("client_id"), secret) {
        (Some(client_id), Some(secret)) => Ok(Presented::Post {
            client_id: bounded(client_id)?.to_owned(),
            secret: bounded(secret)?.to_owned(),
        }),
        (None, Some(_)) => Err(OAuthError::InvalidRequest("client_id: required with client_secret".into())),
        _ => Err(OAuthError::invalid_client(
            "client authentication is required: HTTP Basic, client_secret_post, or a client assertion",
            false,
        )),
    }
}

fn bounded(value: &str) -> Result<&str, OAuthError> {
    if value.is_empty() || value.len() > MAX_CREDENTIAL_BYTES {
        return Err(OAuthError::invalid_client(FAILED, false));
    }
    Ok(value)
}

/// RFC 6749 §2.3.1: base64 of `id:secret`, each form-urlencoded first.
fn basic_credentials(encoded: &str) -> Option<(String, String)> {
    if encoded.len() > 2 * MAX_CREDENTIAL_BYTES {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let decode = |s: &str| -> Option<String> {
        let plus_as_space = s.replace('+', " ");
        let bytes: Vec<u8> = url::form_urlencoded::parse(format!("x={plus_as_space}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned().into_bytes())?;
        String::from_utf8(bytes).ok()
    };
    let (id, secret) = (decode(id)?, decode(secret)?);
    (!id.is_empty()).then_some((id, secret))
}

/// Checks the presented credentials against the client's registration.
pub async fn authenticate(
    state: &AppState,
    presented: &Presented,
    now: i64,
) -> Result<Client, OAuthError> {
    let http_auth = presented.http_auth();
    let fail = |description: &str| OAuthError::invalid_client(description, http_auth);
    let oauth = &state.shared.oauth;
    let snapshot = state.store.get(presented.client_id()).await?;
    let mut record = match &snapshot {
        Some(bytes) => {
            serde_json::from_slice::<ClientRecord>(bytes).map_err(OAuthError::internal)?
        }
        None => {
            // Same work as a wrong secret, then the same answer.
            let decoy = state.shared.sealer.open(&oauth.decoy, "decoy").unwrap_or_default();
            let _ = decoy.ct_eq(b"never matches");
            return Err(fail(FAILED));
        }
    };
    let registered: Registered =
        serde_json::from_str(record.metadata.get()).map_err(OAuthError::internal)?;
    let method = registered
        .token_endpoint_auth_method
        .as_deref()
        .and_then(AuthMethod::parse)
        .unwrap_or(DEFAULT_AUTH_METHOD);
    let secret = open_secret(state, &record)?;
    let matches_method = matches!(
        (method, presented),
        (AuthMethod::ClientSecretBasic, Presented::Basic { .. })
            | (AuthMethod::ClientSecretPost, Presented::Post { .. })
            | (AuthMethod::ClientSecretJwt | AuthMethod::PrivateKeyJwt, Presented::Assertion(_))
    );
    if !matches_method {
        return Err(fail(&format!(
            "the client is registered for {method}, not {}",
            presented.method()
        )));
    }
    match presented {
        Presented::Basic { secret: given, .. } | Presented::Post { secret: given, .. } => {
            let ok: bool =
                secret.as_deref().unwrap_or_default().as_bytes().ct_eq(given.as_bytes()).into();
            if !ok || secret.is_none() {
                return Err(fail(FAILED));
            }
        }
        Presented::Assertion(jwt) => {
            let registered_alg =
                registered.token_endpoint_auth_signing_alg.as_deref().and_then(JwsAlg::parse);
            let keys = match method {
                AuthMethod::ClientSecretJwt => assertion::Keys::Secret(
                    secret.as_deref().ok_or_else(|| fail(FAILED))?.as_bytes().to_vec(),
                ),
                _ => assertion::Keys::Public(
                    client_keys(state, registered.jwks.as_deref(), registered.jwks_uri.as_deref())
                        .await?,
                ),
            };
            jwt.verify(&keys, method, registered_alg, &oauth.assertion_audiences, now)?;
            if !oauth.facts.first_use(&jwt.client_id, &jwt.jti, jwt.exp, now).await? {
                return Err(fail("the client assertion was used before (jti)"));
            }
        }
    }
    // RFC 7591 §3.2.1: an expired secret no longer authenticates.
    if method.uses_secret() && record.secret_expires_at > 0 && now >= record.secret_expires_at {
        return Err(fail(FAILED));
    }
    if record.awaiting_first_use {
        // A token request is a use: `--cleanup-unused-after` must not remove a machine
        // client that never reads its registration. A lost race leaves it to the next one.
        record.awaiting_first_use = false;
        let bytes = serde_json::to_vec(&record).map_err(OAuthError::internal)?;
        let expected = snapshot.as_deref().unwrap_or_default();
        state.store.replace(&record.client_id, expected, &bytes).await?;
    }
    let grant_types = match &registered.grant_types {
        Some(list) => list.iter().filter_map(|g| GrantType::parse(g)).collect(),
        None => crate::domain::vocab::DEFAULT_GRANT_TYPES.to_vec(),
    };
    Ok(Client {
        epoch: credential_epoch(&record.client_id, secret.as_deref()),
        client_id: record.client_id,
        name: registered.client_name,
        grant_types,
        policy: record.policy.map(|place| place.policy),
    })
}

/// The client's current epoch, for introspection: `None` when the client is gone.
pub async fn current_epoch(
    state: &AppState,
    client_id: &str,
) -> Result<Option<String>, OAuthError> {
    let Some(bytes) = state.store.get(client_id).await? else { return Ok(None) };
    let record: ClientRecord = serde_json::from_slice(&bytes).map_err(OAuthError::internal)?;
    let secret = open_secret(state, &record)?;
    Ok(Some(credential_epoch(client_id, secret.as_deref())))
}

/// A short digest of the client's secret: tokens carry it (in their `jti`), so a token
/// issued before the secret was rotated stops being active. The digest of a 384-bit
/// random secret says nothing about the secret.
pub fn credential_epoch(client_id: &str, secret: Option<&str>) -> String {
    let mut hash = Sha256::new();
    hash.update(b"registrar credential epoch\0");
    hash.update(client_id.as_bytes());
    hash.update(b"\0");
    hash.update(secret.unwrap_or_default().as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&hash.finalize()[..8])
}

fn open_secret(state: &AppState, record: &ClientRecord) -> Result<Option<String>, OAuthError> {
    let Some(sealed) = &record.secret else { return Ok(None) };
    let plain =
        state.shared.sealer.open(sealed, &record.client_id).map_err(OAuthError::internal)?;
    String::from_utf8(plain).map(Some).map_err(OAuthError::internal)
}

/// The client's public keys: registered by value, or behind its `jwks_uri`.
async fn client_keys(
    state: &AppState,
    jwks: Option<&RawValue>,
    jwks_uri: Option<&str>,
) -> Result<std::sync::Arc<josekit::jwk::JwkSet>, OAuthError> {
    if let Some(jwks) = jwks {
        let set = josekit::jwk::JwkSet::from_bytes(jwks.get().as_bytes()).map_err(|_| {
            OAuthError::invalid_client("the client's registered jwks cannot be read", false)
        })?;
        return Ok(std::sync::Arc::new(set));
    }
    let Some(uri) = jwks_uri else {
        return Err(OAuthError::invalid_client(
            "the client registered private_key_jwt without jwks or jwks_uri",
            false,
        ));
    };
    state.shared.oauth.jwks.get(&state.shared.access.fetcher, uri).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_decoded() {
        let encoded = STANDARD.encode("my%3Aclient:p%40ss+word%25");
        assert_eq!(basic_credentials(&encoded), Some(("my:client".into(), "p@ss word%".into())));
        assert_eq!(basic_credentials(&STANDARD.encode("no-colon")), None);
        assert_eq!(basic_credentials("%%%"), None);
    }

    #[test]
    fn epochs_change_with_the_secret() {
        assert_ne!(credential_epoch("c", Some("a")), credential_epoch("c", Some("b")));
        assert_eq!(credential_epoch("c", Some("a")).len(), 11);
    }
}
