//! The server's signing keys, published at `/.well-known/jwks.json`. Made on the first
//! start against a store and kept there, sealed, so every instance serves and signs with
//! the same set.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use josekit::jwk::Jwk;
use josekit::jws::alg::rsassa::{RsassaJwsSigner, RsassaJwsVerifier};
use josekit::jws::RS256;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::credentials::seal::Sealer;
use crate::store::{ClientStore, StoreError};

/// RSA modulus size: RS256 is what every OIDC relying party can verify.
const RSA_BITS: u32 = 2048;
/// Associated data for sealed server keys, so no client record can pose as one.
const SEAL_OWNER: &str = "server-signing-keys";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("could not create or read the server signing keys: {0}")]
    Broken(String),
}

#[derive(Serialize, Deserialize)]
struct StoredKeys {
    keys: Vec<StoredKey>,
}

#[derive(Serialize, Deserialize)]
struct StoredKey {
    kid: String,
    /// The private JWK, sealed with the at-rest key.
    sealed: String,
}

pub struct ServerKeys {
    /// `{"keys":[...]}` with public members only, serialized once.
    public_jwks: String,
    // Built once: no key parsing or setup per request.
    signer: RsassaJwsSigner,
    verifier: RsassaJwsVerifier,
}

impl ServerKeys {
    pub async fn load_or_create(
        store: &impl ClientStore,
        sealer: &Sealer,
    ) -> Result<Self, KeyError> {
        let candidate = new_key_set(sealer)?;
        let stored = store.init_server_keys(&candidate).await?;
        let stored: StoredKeys = serde_json::from_slice(&stored).map_err(broken)?;
        let mut public = Vec::with_capacity(stored.keys.len());
        let mut signing = None;
        for key in &stored.keys {
            let private = sealer.open(&key.sealed, SEAL_OWNER).map_err(broken)?;
            let private = Jwk::from_bytes(private).map_err(broken)?;
            // josekit's public view drops kid and alg; relying parties select keys by kid.
            let mut public_key = private.to_public_key().map_err(broken)?;
            public_key.set_key_id(&key.kid);
            public_key.set_algorithm("RS256");
            public_key.set_key_use("sig");
            public.push(serde_json::Value::from(public_key.as_ref().clone()));
            signing.get_or_insert(private);
        }
        let signing =
            signing.ok_or_else(|| KeyError::Broken("the stored key set is empty".into()))?;
        let mut verifier_key = signing.to_public_key().map_err(broken)?;
        verifier_key.set_key_id(signing.key_id().unwrap_or_default());
        let signer = RS256.signer_from_jwk(&signing).map_err(broken)?;
        let verifier = RS256.verifier_from_jwk(&verifier_key).map_err(broken)?;
        let public_jwks = serde_json::json!({ "keys": public }).to_string();
        Ok(ServerKeys { public_jwks, signer, verifier })
    }

    pub fn public_jwks(&self) -> &str {
        &self.public_jwks
    }

    /// Signs tokens the server issues (admin tokens), with the current key's kid.
    pub fn signer(&self) -> &RsassaJwsSigner {
        &self.signer
    }

    /// Verifies tokens the server issued; refuses other algorithms and kids.
    pub fn verifier(&self) -> &RsassaJwsVerifier {
        &self.verifier
    }
}

fn new_key_set(sealer: &Sealer) -> Result<Vec<u8>, KeyError> {
    let pair = RS256.generate_key_pair(RSA_BITS).map_err(broken)?;
    let mut jwk = pair.to_jwk_key_pair();
    // RFC 7638-style: the kid is derived from the public key, so it is stable and unique.
    let public_n = jwk.parameter("n").map(|n| n.to_string()).unwrap_or_default();
    let kid = URL_SAFE_NO_PAD.encode(&Sha256::digest(public_n.as_bytes())[..12]);
    jwk.set_key_id(&kid);
    jwk.set_algorithm("RS256");
    jwk.set_key_use("sig");
    let sealed = sealer.seal(jwk.to_string().as_bytes(), SEAL_OWNER).map_err(broken)?;
    serde_json::to_vec(&StoredKeys { keys: vec![StoredKey { kid, sealed }] }).map_err(broken)
}

fn broken(e: impl std::fmt::Display) -> KeyError {
    KeyError::Broken(e.to_string())
}
