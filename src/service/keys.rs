//! The server's signing keys, published at `/.well-known/jwks.json`. Made on the first
//! start against a store and kept there, sealed, so every instance serves and signs with
//! the same set: an RSA key (RS256: admin tokens, and access tokens of APIs that ask for
//! it), a P-256 key (ES256) and an Ed25519 key (EdDSA), the two fast ones. Every signer
//! and verifier is built once, here.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use josekit::jwk::Jwk;
use josekit::jws::alg::eddsa::EddsaJwsAlgorithm;
use josekit::jws::alg::rsassa::{RsassaJwsSigner, RsassaJwsVerifier};
use josekit::jws::{JwsSigner, JwsVerifier, ES256, RS256};
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
    /// One signer per algorithm the set holds a key for (the first key of each).
    token_signers: Vec<TokenSigner>,
    /// Every key's verifier, by kid.
    verifiers: Vec<(String, &'static str, Box<dyn JwsVerifier>)>,
}

/// Signs access tokens with one key: the JWS header (with `typ`, `alg`, `kid`) is
/// encoded once, so a token costs one payload encoding and one signature.
#[derive(Debug)]
pub struct TokenSigner {
    pub alg: &'static str,
    pub kid: String,
    /// `base64url({"alg","kid","typ":"at+jwt"})` followed by `.`.
    pub header_prefix: String,
    pub signer: Box<dyn JwsSigner>,
}

/// The access-token algorithms this server offers, fastest first.
pub const TOKEN_ALGS: [&str; 3] = ["ES256", "EdDSA", "RS256"];

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
        let mut token_signers: Vec<TokenSigner> = Vec::new();
        let mut verifiers = Vec::with_capacity(stored.keys.len());
        for key in &stored.keys {
            let private = sealer.open(&key.sealed, SEAL_OWNER).map_err(broken)?;
            let private = Jwk::from_bytes(private).map_err(broken)?;
            // Sets made before ES256 and EdDSA keys existed hold RSA keys without `alg`.
            let alg =
                TOKEN_ALGS.into_iter().find(|a| private.algorithm() == Some(*a)).unwrap_or("RS256");
            // josekit's public view drops kid and alg; relying parties select keys by kid.
            let mut public_key = private.to_public_key().map_err(broken)?;
            public_key.set_key_id(&key.kid);
            public_key.set_algorithm(alg);
            public_key.set_key_use("sig");
            public.push(serde_json::Value::from(public_key.as_ref().clone()));
            verifiers.push((key.kid.clone(), alg, verifier_for(alg, &public_key)?));
            if !token_signers.iter().any(|s| s.alg == alg) {
                token_signers.push(TokenSigner::new(alg, &key.kid, &private)?);
            }
            if alg == "RS256" {
                signing.get_or_insert(private);
            }
        }
        let signing =
            signing.ok_or_else(|| KeyError::Broken("the stored key set has no RSA key".into()))?;
        let mut verifier_key = signing.to_public_key().map_err(broken)?;
        verifier_key.set_key_id(signing.key_id().unwrap_or_default());
        let signer = RS256.signer_from_jwk(&signing).map_err(broken)?;
        let verifier = RS256.verifier_from_jwk(&verifier_key).map_err(broken)?;
        let public_jwks = serde_json::json!({ "keys": public }).to_string();
        Ok(ServerKeys { public_jwks, signer, verifier, token_signers, verifiers })
    }

    /// The access-token signer for `alg`; `None` when the stored set has no such key (a
    /// set made by a version before ES256 and EdDSA keys).
    pub fn token_signer(&self, alg: &str) -> Option<&TokenSigner> {
        self.token_signers.iter().find(|s| s.alg == alg)
    }

    /// The verifier of the key named `kid`, if it is one of ours and signs with `alg`.
    pub fn verifier_of(&self, kid: &str, alg: &str) -> Option<&dyn JwsVerifier> {
        self.verifiers.iter().find(|(k, a, _)| k == kid && *a == alg).map(|(_, _, v)| v.as_ref())
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

impl TokenSigner {
    fn new(alg: &'static str, kid: &str, private: &Jwk) -> Result<TokenSigner, KeyError> {
        let signer: Box<dyn JwsSigner> = match alg {
            "ES256" => Box::new(ES256.signer_from_jwk(private).map_err(broken)?),
            "EdDSA" => Box::new(EDDSA.signer_from_jwk(private).map_err(broken)?),
            _ => Box::new(RS256.signer_from_jwk(private).map_err(broken)?),
        };
        // RFC 9068 §2.1: `typ` is `at+jwt`.
        let header = serde_json::json!({ "alg": alg, "kid": kid, "typ": "at+jwt" });
        let mut header_prefix = URL_SAFE_NO_PAD.encode(header.to_string());
        header_prefix.push('.');
        Ok(TokenSigner { alg, kid: kid.to_owned(), header_prefix, signer })
    }
}

const EDDSA: EddsaJwsAlgorithm = EddsaJwsAlgorithm::Eddsa;

fn verifier_for(alg: &str, public: &Jwk) -> Result<Box<dyn JwsVerifier>, KeyError> {
    Ok(match alg {
        "ES256" => Box::new(ES256.verifier_from_jwk(public).map_err(broken)?),
        "EdDSA" => Box::new(EDDSA.verifier_from_jwk(public).map_err(broken)?),
        _ => Box::new(RS256.verifier_from_jwk(public).map_err(broken)?),
    })
}

/// A fresh set: RSA first (the admin-token key), then ES256 and EdDSA.
fn new_key_set(sealer: &Sealer) -> Result<Vec<u8>, KeyError> {
    let rsa = RS256.generate_key_pair(RSA_BITS).map_err(broken)?.to_jwk_key_pair();
    let ec = ES256.generate_key_pair().map_err(broken)?.to_jwk_key_pair();
    let ed = EDDSA
        .generate_key_pair(josekit::jwk::alg::ed::EdCurve::Ed25519)
        .map_err(broken)?
        .to_jwk_key_pair();
    let mut keys = Vec::with_capacity(3);
    for (mut jwk, alg, member) in [(rsa, "RS256", "n"), (ec, "ES256", "x"), (ed, "EdDSA", "x")] {
        // RFC 7638-style: the kid is derived from the public key, so it is stable and unique.
        let public = jwk.parameter(member).map(|v| v.to_string()).unwrap_or_default();
        let kid = URL_SAFE_NO_PAD.encode(&Sha256::digest(public.as_bytes())[..12]);
        jwk.set_key_id(&kid);
        jwk.set_algorithm(alg);
        jwk.set_key_use("sig");
        let sealed = sealer.seal(jwk.to_string().as_bytes(), SEAL_OWNER).map_err(broken)?;
        keys.push(StoredKey { kid, sealed });
    }
    serde_json::to_vec(&StoredKeys { keys }).map_err(broken)
}

fn broken(e: impl std::fmt::Display) -> KeyError {
    KeyError::Broken(e.to_string())
}
