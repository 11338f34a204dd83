//! Client assertions (RFC 7523 §2.2, §3; OIDC Core §9): a JWT the client signs with its
//! secret (`client_secret_jwt`) or its private key (`private_key_jwt`). `iss` and `sub`
//! are the client_id, `aud` names this server, `exp` is required and near, `jti` is used
//! once (the caller records it), and `alg` is the registered one when there is one.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use josekit::jwk::{Jwk, JwkSet};
use josekit::jws::{self, JwsVerifier};
use serde_json::{Map, Value};

use super::OAuthError;
use crate::domain::vocab::{AuthMethod, JwsAlg};

/// Largest assertion read.
const MAX_ASSERTION_BYTES: usize = 8192;
/// Clock skew allowed on `exp`, `nbf` and `iat`.
const LEEWAY_SECONDS: i64 = 60;
/// How far ahead `exp` may be: an assertion is for one request, not a credential to keep,
/// and its `jti` is remembered until `exp`. One hour is Authlib's default lifetime (the
/// longest among common client libraries; openid-client signs for 60 s).
pub const MAX_LIFETIME_SECONDS: i64 = 3600;

/// A parsed, not yet verified assertion.
pub struct Assertion {
    pub client_id: String,
    pub jti: String,
    pub exp: i64,
    alg: String,
    kid: Option<String>,
    claims: Map<String, Value>,
    signing_input_len: usize,
    raw: String,
    signature: Vec<u8>,
}

/// What the signature is checked with.
pub enum Keys {
    /// The client secret (HMAC).
    Secret(Vec<u8>),
    Public(std::sync::Arc<JwkSet>),
}

fn refuse(why: impl std::fmt::Display) -> OAuthError {
    OAuthError::invalid_client(format!("client_assertion: {why}"), false)
}

impl Assertion {
    pub fn parse(jwt: &str) -> Result<Assertion, OAuthError> {
        if jwt.len() > MAX_ASSERTION_BYTES {
            return Err(refuse(format_args!("longer than {MAX_ASSERTION_BYTES} bytes")));
        }
        let mut parts = jwt.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(refuse("not a compact JWS (header.payload.signature)"));
        };
        let decode = |part: &str| -> Result<Map<String, Value>, OAuthError> {
            let bytes = URL_SAFE_NO_PAD.decode(part).map_err(|_| refuse("not base64url"))?;
            serde_json::from_slice(&bytes).map_err(|_| refuse("a part is not a JSON object"))
        };
        let header = decode(header)?;
        let claims = decode(payload)?;
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| refuse("not base64url"))?;
        if header.contains_key("crit") {
            return Err(refuse("crit headers are not supported"));
        }
        let alg = header.get("alg").and_then(Value::as_str).ok_or_else(|| refuse("no alg"))?;
        let kid = header.get("kid").and_then(Value::as_str).map(str::to_owned);
        let text = |name: &str| claims.get(name).and_then(Value::as_str).filter(|s| !s.is_empty());
        let client_id =
            text("sub").ok_or_else(|| refuse("sub is required (the client_id)"))?.to_owned();
        let jti = text("jti").ok_or_else(|| refuse("jti is required"))?.to_owned();
        if jti.len() > 256 {
            return Err(refuse("jti is longer than 256 characters"));
        }
        let exp =
            claims.get("exp").and_then(Value::as_i64).ok_or_else(|| refuse("exp is required"))?;
        Ok(Assertion {
            client_id,
            jti,
            exp,
            alg: alg.to_owned(),
            kid,
            signing_input_len: jwt.rfind('.').unwrap_or_default(),
            raw: jwt.to_owned(),
            claims,
            signature,
        })
    }

    /// Signature, algorithm and claims; `jti` uniqueness is the caller's.
    pub fn verify(
        &self,
        keys: &Keys,
        method: AuthMethod,
        registered: Option<JwsAlg>,
        audiences: &[String],
        now: i64,
    ) -> Result<(), OAuthError> {
        let alg = JwsAlg::parse(&self.alg).ok_or_else(|| refuse("unsupported alg"))?;
        if alg == JwsAlg::None {
            return Err(refuse("alg none is never accepted"));
        }
        match method {
            AuthMethod::ClientSecretJwt if !alg.is_symmetric() => {
                return Err(refuse("client_secret_jwt needs an HMAC alg (HS256, HS384, HS512)"))
            }
            AuthMethod::PrivateKeyJwt if !alg.is_asymmetric() => {
                return Err(refuse("private_key_jwt needs an asymmetric alg"))
            }
            _ => {}
        }
        if registered.is_some_and(|r| r != alg) {
            return Err(refuse(format_args!(
                "alg must be the registered token_endpoint_auth_signing_alg {}",
                registered.map(JwsAlg::as_str).unwrap_or_default()
            )));
        }
        self.check_signature(alg, keys)?;
        let text = |name: &str| self.claims.get(name).and_then(Value::as_str);
        if text("iss") != Some(self.client_id.as_str()) {
            return Err(refuse("iss and sub must both be the client_id"));
        }
        let aud_ok = match self.claims.get("aud") {
            Some(Value::String(aud)) => audiences.contains(aud),
            Some(Value::Array(list)) => {
                list.iter().filter_map(Value::as_str).any(|a| audiences.iter().any(|x| x == a))
            }
            _ => false,
        };
        if !aud_ok {
            return Err(refuse("aud must be the token endpoint or the issuer"));
        }
        if self.exp + LEEWAY_SECONDS <= now {
            return Err(refuse("expired (exp)"));
        }
        if self.exp > now + MAX_LIFETIME_SECONDS + LEEWAY_SECONDS {
            return Err(refuse(format_args!("exp is more than {MAX_LIFETIME_SECONDS} s ahead")));
        }
        if self
            .claims
            .get("nbf")
            .and_then(Value::as_i64)
            .is_some_and(|nbf| nbf > now + LEEWAY_SECONDS)
        {
            return Err(refuse("not valid yet (nbf)"));
        }
        if self
            .claims
            .get("iat")
            .and_then(Value::as_i64)
            .is_some_and(|iat| iat > now + LEEWAY_SECONDS)
        {
            return Err(refuse("issued in the future (iat)"));
        }
        Ok(())
    }

    fn check_signature(&self, alg: JwsAlg, keys: &Keys) -> Result<(), OAuthError> {
        let input = &self.raw.as_bytes()[..self.signing_input_len];
        let verified = match keys {
            Keys::Secret(secret) => {
                hmac_verifier(alg, secret).is_some_and(|v| v.verify(input, &self.signature).is_ok())
            }
            Keys::Public(set) => {
                let candidates: Vec<&Jwk> = match &self.kid {
                    Some(kid) => set.get(kid),
                    None => set.keys(),
                };
                candidates
                    .into_iter()
                    .filter_map(|jwk| public_verifier(alg, jwk))
                    .any(|v| v.verify(input, &self.signature).is_ok())
            }
        };
        if verified {
            Ok(())
        } else {
            Err(refuse("the signature does not verify with the client's keys"))
        }
    }
}

fn hmac_verifier(alg: JwsAlg, secret: &[u8]) -> Option<Box<dyn JwsVerifier>> {
    let built: Result<Box<dyn JwsVerifier>, _> = match alg {
        JwsAlg::HS256 => jws::HS256.verifier_from_bytes(secret).map(|v| Box::new(v) as _),
        JwsAlg::HS384 => jws::HS384.verifier_from_bytes(secret).map(|v| Box::new(v) as _),
        JwsAlg::HS512 => jws::HS512.verifier_from_bytes(secret).map(|v| Box::new(v) as _),
        _ => return None,
    };
    built.ok()
}

/// josekit refuses keys of the wrong type or curve, and keys whose `use`, `key_ops` or
/// `alg` rule the algorithm out.
fn public_verifier(alg: JwsAlg, jwk: &Jwk) -> Option<Box<dyn JwsVerifier>> {
    let built: Result<Box<dyn JwsVerifier>, _> = match alg {
        JwsAlg::RS256 => jws::RS256.verifier_from_jwk(jwk).map(|v| Box::new(v) as _),
        JwsAlg::RS384 => jws::RS384.verifier_from_jwk(jwk).map(|v| Box::new(v) as _),
        JwsAlg::RS512 => jws::RS512.verifier_from_jwk(jwk).map(|v| Box::new(v) as _),
        JwsAlg::PS256 => jws::PS256.verifier_from_jwk(jwk).map(|v| Box::new(v) as _),
        JwsAlg::PS384 => jws::PS384.verifier_from_jwk(jwk).map(|v| Box::new(v) as _),
        JwsAlg::PS512 => jws::PS512.verifier_from_jwk(jwk).map(|v| Box::new(v) as _),
        JwsAlg::ES256 => jws::ES256.verifier_from_jwk(jwk).map(|v| Box::new(v) as _),
        JwsAlg::ES384 => jws::ES384.verifier_from_jwk(jwk).map(|v| Box::new(v) as _),
        JwsAlg::ES512 => jws::ES512.verifier_from_jwk(jwk).map(|v| Box::new(v) as _),
        JwsAlg::EdDSA => jws::EdDSA.verifier_from_jwk(jwk).map(|v| Box::new(v) as _),
        _ => return None,
    };
    built.ok()
}

/// The algorithms assertions may use, for discovery.
pub fn supported_algs() -> Vec<&'static str> {
    JwsAlg::ALL.iter().filter(|a| **a != JwsAlg::None).map(|a| a.as_str()).collect()
}
