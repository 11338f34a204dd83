//! JWT access tokens (RFC 9068): `typ: at+jwt`, signed with the server's key for the
//! API's algorithm (`crate::keys`), verifiable by anyone with the server's `jwks_uri`.
//! The header is encoded once per key; a token costs one small JSON encoding and one
//! signature.
//!
//! The `jti` is 22 random characters followed by the client's credential epoch (11
//! characters, `client_auth::credential_epoch`): opaque to everyone else, it lets
//! introspection tell a token issued before the client's secret was rotated.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use super::OAuthError;
use crate::service::keys::ServerKeys;

const RANDOM_JTI_CHARS: usize = 22;
/// Largest token introspection or revocation will read.
pub const MAX_TOKEN_BYTES: usize = 8192;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub client_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub scope: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

impl Claims {
    /// The credential epoch the token was issued under.
    pub fn epoch(&self) -> &str {
        self.jti.get(RANDOM_JTI_CHARS..).unwrap_or_default()
    }
}

/// What a token is made of.
pub struct Issue<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub audience: &'a str,
    pub scope: &'a str,
    pub lifetime: u64,
    pub epoch: &'a str,
    pub alg: &'a str,
}

pub fn mint(keys: &ServerKeys, issue: &Issue<'_>, now: i64) -> Result<String, OAuthError> {
    let signer = keys.token_signer(issue.alg).ok_or_else(|| {
        OAuthError::Internal(format!("the server's key set has no {} key", issue.alg))
    })?;
    let mut random = [0u8; 16];
    rand::TryRngCore::try_fill_bytes(&mut rand::rngs::OsRng, &mut random)
        .map_err(OAuthError::internal)?;
    let mut jti = URL_SAFE_NO_PAD.encode(random);
    jti.push_str(issue.epoch);
    let claims = Claims {
        iss: issue.issuer.to_owned(),
        sub: issue.client_id.to_owned(),
        aud: issue.audience.to_owned(),
        client_id: issue.client_id.to_owned(),
        scope: issue.scope.to_owned(),
        iat: now,
        exp: now.saturating_add(issue.lifetime as i64),
        jti,
    };
    let payload = serde_json::to_vec(&claims).map_err(OAuthError::internal)?;
    let mut token = String::with_capacity(signer.header_prefix.len() + payload.len() * 2 + 400);
    token.push_str(&signer.header_prefix);
    URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
    let signature = signer.signer.sign(token.as_bytes()).map_err(OAuthError::internal)?;
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(signature, &mut token);
    Ok(token)
}

/// Why a token is not one of ours, or no longer good; introspection answers every one
/// with `active: false`.
#[derive(Debug, PartialEq, Eq)]
pub enum Inactive {
    Malformed,
    ForeignKey,
    BadSignature,
    ForeignIssuer,
    Expired,
}

/// Signature, `typ`, issuer and expiry.
pub fn verify(keys: &ServerKeys, issuer: &str, token: &str, now: i64) -> Result<Claims, Inactive> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(Inactive::Malformed);
    }
    let (input, signature) = token.rsplit_once('.').ok_or(Inactive::Malformed)?;
    let (header, payload) = input.split_once('.').ok_or(Inactive::Malformed)?;
    #[derive(Deserialize)]
    struct Header {
        alg: String,
        kid: Option<String>,
        typ: Option<String>,
    }
    let header: Header = URL_SAFE_NO_PAD
        .decode(header)
        .ok()
        .and_then(|h| serde_json::from_slice(&h).ok())
        .ok_or(Inactive::Malformed)?;
    if !header.typ.is_some_and(|t| t.eq_ignore_ascii_case("at+jwt")) {
        return Err(Inactive::Malformed);
    }
    let verifier = keys
        .verifier_of(header.kid.as_deref().unwrap_or_default(), &header.alg)
        .ok_or(Inactive::ForeignKey)?;
    let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| Inactive::Malformed)?;
    verifier.verify(input.as_bytes(), &signature).map_err(|_| Inactive::BadSignature)?;
    let claims: Claims = URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|p| serde_json::from_slice(&p).ok())
        .ok_or(Inactive::Malformed)?;
    if claims.iss != issuer {
        return Err(Inactive::ForeignIssuer);
    }
    if claims.exp <= now {
        return Err(Inactive::Expired);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::seal::Sealer;
    use crate::store::memory::MemoryStore;

    #[tokio::test]
    async fn tokens_of_every_algorithm_verify_and_expire() {
        let sealer = Sealer::from_keys(&Sealer::generate_key().unwrap(), &[]).unwrap();
        let keys = ServerKeys::load_or_create(&MemoryStore::default(), &sealer).await.unwrap();
        for alg in crate::service::keys::TOKEN_ALGS {
            let issue = Issue {
                issuer: "https://id.example",
                client_id: "c1",
                audience: "https://api.example/",
                scope: "read:x",
                lifetime: 60,
                epoch: "AAAAAAAAAAA",
                alg,
            };
            let token = mint(&keys, &issue, 1000).unwrap();
            let claims = verify(&keys, "https://id.example", &token, 1001).unwrap();
            assert_eq!(
                (claims.sub.as_str(), claims.exp, claims.epoch()),
                ("c1", 1060, "AAAAAAAAAAA")
            );
            assert_eq!(
                verify(&keys, "https://id.example", &token, 1060).unwrap_err(),
                Inactive::Expired
            );
            assert_eq!(
                verify(&keys, "https://other", &token, 1001).unwrap_err(),
                Inactive::ForeignIssuer
            );
            let mut forged = token.clone();
            forged.insert(token.find('.').unwrap() + 3, 'x');
            assert!(verify(&keys, "https://id.example", &forged, 1001).is_err(), "{alg}");
        }
    }
}
