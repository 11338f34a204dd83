//! Client credentials: generated from the OS CSPRNG, compared in constant time, stored as
//! hashes (tokens) or sealed (secrets). Their `Debug` never prints them. The bottom layer
//! beside `domain/`: it imports neither framework nor store.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::rngs::OsRng;
use rand::TryRngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Sealing client secrets at rest.
pub mod seal;

/// 128 bits: unguessable, though client IDs are not secret (RFC 7591 §3.2.1).
const CLIENT_ID_BYTES: usize = 16;
/// 384 bits, 64 characters: the secret is also the HMAC key for HS512 and
/// `client_secret_jwt`, which needs a key at least as long as the hash (RFC 7518 §3.2).
const CLIENT_SECRET_BYTES: usize = 48;
/// 256 bits (RFC 7592 §5, RFC 6819 §5.1.4.2.2).
const ACCESS_TOKEN_BYTES: usize = 32;

/// The three credentials of a new registration, drawn in one read of the OS CSPRNG.
pub struct NewCredentials {
    pub client_id: String,
    pub client_secret: ClientSecret,
    pub registration_access_token: AccessToken,
}

#[derive(Debug, thiserror::Error)]
#[error("the operating system's random number generator failed: {0}")]
pub struct RandomnessError(String);

impl NewCredentials {
    pub fn generate() -> Result<NewCredentials, RandomnessError> {
        let mut buf = [0u8; CLIENT_ID_BYTES + CLIENT_SECRET_BYTES + ACCESS_TOKEN_BYTES];
        OsRng.try_fill_bytes(&mut buf).map_err(|e| RandomnessError(e.to_string()))?;
        let (id, rest) = buf.split_at(CLIENT_ID_BYTES);
        let (secret, token) = rest.split_at(CLIENT_SECRET_BYTES);
        Ok(NewCredentials {
            client_id: URL_SAFE_NO_PAD.encode(id),
            client_secret: ClientSecret(URL_SAFE_NO_PAD.encode(secret)),
            registration_access_token: AccessToken(URL_SAFE_NO_PAD.encode(token)),
        })
    }
}

/// A fresh secret alone, for rotation and for clients that newly need one.
pub fn generate_secret() -> Result<ClientSecret, RandomnessError> {
    Ok(ClientSecret(random_string::<CLIENT_SECRET_BYTES>()?))
}

/// A fresh registration access token alone, for rotation.
pub fn generate_access_token() -> Result<AccessToken, RandomnessError> {
    Ok(AccessToken(random_string::<ACCESS_TOKEN_BYTES>()?))
}

fn random_string<const N: usize>() -> Result<String, RandomnessError> {
    let mut buf = [0u8; N];
    OsRng.try_fill_bytes(&mut buf).map_err(|e| RandomnessError(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(buf))
}

/// A client secret in clear, on its way to the client or to the sealer.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientSecret(String);

impl ClientSecret {
    pub fn from_plaintext(secret: String) -> Self {
        ClientSecret(secret)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// RFC 7592 §2.2: a secret sent on update must equal the current one.
    pub fn matches(&self, candidate: &str) -> bool {
        self.0.as_bytes().ct_eq(candidate.as_bytes()).into()
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret(<redacted>)")
    }
}

/// A bearer token in clear (registration access token). Only its hash is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    pub fn from_presented(token: String) -> Self {
        AccessToken(token)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash(URL_SAFE_NO_PAD.encode(Sha256::digest(self.0.as_bytes())))
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

/// SHA-256 of a token, base64url. A plain hash suffices: the tokens carry 256 bits of
/// entropy, so there is nothing for a slow hash to protect against.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct TokenHash(String);

impl TokenHash {
    /// Constant time, so response timing says nothing about how much of a guess matched.
    pub fn verify(&self, presented: &AccessToken) -> bool {
        self.0.as_bytes().ct_eq(presented.hash().0.as_bytes()).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_credentials_are_url_safe_long_enough_and_distinct() {
        let a = NewCredentials::generate().unwrap();
        let b = NewCredentials::generate().unwrap();
        assert_eq!(a.client_id.len(), 22);
        assert_eq!(a.client_secret.expose().len(), 64);
        assert_eq!(a.registration_access_token.expose().len(), 43);
        let url_safe =
            |s: &str| s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
        assert!(url_safe(&a.client_id) && url_safe(a.client_secret.expose()));
        assert_ne!(a.client_id, b.client_id);
        assert_ne!(a.client_secret, b.client_secret);
    }

    #[test]
    fn token_hashes_verify_only_their_token() {
        let token = generate_access_token().unwrap();
        let hash = token.hash();
        assert!(hash.verify(&token));
        assert!(!hash.verify(&AccessToken::from_presented("nope".into())));
        assert!(!format!("{token:?}").contains(token.expose()));
    }
}
