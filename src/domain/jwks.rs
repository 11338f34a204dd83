//! Validation of the client `jwks` metadata member.
//!
//! RFC 7591 §2 lets a client register its public keys by value as a JWK Set
//! (RFC 7517 §5). OpenID Connect Dynamic Client Registration 1.0 §2 adds that
//! the set must hold public keys only and that, when it holds both signing
//! and encryption keys, every key must carry `use`. The set is kept verbatim
//! so the registration response (RFC 7591 §3.2.1) returns what was sent.

use std::collections::HashMap;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use josekit::jwk::Jwk;
use openssl::bn::BigNum;
use openssl::ec::{EcGroup, EcKey};
use openssl::nid::Nid;
use openssl::pkey::{Id, PKey, Public};
use openssl::rsa::Rsa;
use openssl::x509::X509;
use serde_json::{Map, Value};

/// Most keys accepted in one set; real clients send one to a handful, and
/// each key costs an openssl parse.
pub const MAX_KEYS: usize = 32;
/// RSA moduli below this are refused (NIST SP 800-57 / RFC 7518 §3.3 and
/// §4.2 require at least 2048 bits for RS*/PS*/RSA-OAEP).
pub const MIN_RSA_BITS: u32 = 2048;
/// Largest RSA modulus accepted; matches openssl's verification limit and
/// bounds the cost of using the key later.
pub const MAX_RSA_BITS: u32 = 16384;

/// Members that only private or symmetric keys carry (RFC 7518 §6.2.2,
/// §6.3.2, §6.4.1; RFC 8037 §2). OIDC DCR §2 forbids them in `jwks`.
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// Why a `jwks` value is refused. Messages are ASCII, never echo client
/// input, and read well after a `jwks: ` prefix.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum JwksError {
    #[error("must be a JSON object")]
    NotAnObject,
    #[error("must have a keys member")]
    MissingKeys,
    #[error("keys must be an array")]
    KeysNotArray,
    #[error("keys must not be empty")]
    NoKeys,
    #[error("keys must hold at most 32 keys")]
    TooManyKeys,
    #[error("keys[{index}] must be a JSON object")]
    KeyNotObject { index: usize },
    #[error("keys[{index}] has no kty")]
    MissingKty { index: usize },
    #[error("keys[{index}] has an unsupported kty; use RSA, EC or OKP")]
    UnsupportedKty { index: usize },
    #[error("keys[{index}] is a symmetric (oct) key; only public keys are allowed")]
    SymmetricKey { index: usize },
    #[error("keys[{index}] contains private key member {member}; only public keys are allowed")]
    PrivateMember { index: usize, member: &'static str },
    #[error("keys[{index}].use must be sig or enc")]
    InvalidUse { index: usize },
    #[error("keys[{index}].kid must be a string")]
    InvalidKid { index: usize },
    #[error("keys[{index}].alg must be a string")]
    InvalidAlg { index: usize },
    #[error("keys[{index}].key_ops must be an array of strings")]
    InvalidKeyOps { index: usize },
    #[error("keys[{index}].x5c must be a non-empty array of base64 strings")]
    InvalidX5c { index: usize },
    #[error("keys[{index}] is not a valid JWK")]
    InvalidJwk { index: usize },
    #[error("keys[{index}] is missing required member {member}")]
    MissingMember { index: usize, member: &'static str },
    #[error("keys[{index}].{member} must be a base64url string")]
    NotBase64Url { index: usize, member: &'static str },
    #[error("keys[{index}] has an unsupported crv for its kty")]
    UnsupportedCurve { index: usize },
    #[error("keys[{index}] is not a valid public key")]
    InvalidPublicKey { index: usize },
    #[error("keys[{index}] RSA modulus has {bits} bits; at least 2048 are required")]
    RsaKeyTooSmall { index: usize, bits: u32 },
    #[error("keys[{index}] RSA modulus has {bits} bits; at most 16384 are allowed")]
    RsaKeyTooLarge { index: usize, bits: u32 },
    #[error("keys[{index}].x5c[{cert}] is not a DER X.509 certificate")]
    InvalidCertificate { index: usize, cert: usize },
    #[error("keys[{index}].x5c[0] certificate key does not match the JWK")]
    X5cMismatch { index: usize },
    #[error("keys[{index}] repeats the kid of keys[{first}]")]
    DuplicateKid { index: usize, first: usize },
    #[error("keys[{index}] has no use while other keys do; every key needs use")]
    MissingUse { index: usize },
}

/// JWS algorithm names (RFC 7518 §3.1, RFC 8037 §3.1, RFC 8812 §3.2,
/// RFC 9864). Any other `alg` is taken to be a JWE key-management algorithm.
const JWS_ALGS: [&str; 17] = [
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "ES256K",
    "PS256", "PS384", "PS512", "EdDSA", "Ed25519", "Ed448", "none",
];

/// What `has_signing_key` / `has_encryption_key` need to know about a key.
#[derive(Debug, Clone, PartialEq, Eq)]
struct KeyInfo {
    /// Whether the key type and curve can sign at all / encrypt at all:
    /// Ed25519/Ed448 only sign (RFC 8037 §3.1), X25519/X448 only agree keys
    /// (RFC 8037 §3.2).
    can: (bool, bool),
    key_use: Option<String>,
    key_ops: Option<Vec<String>>,
    alg: Option<String>,
}

impl KeyInfo {
    /// RFC 7517 §4.2 (`use`), §4.3 (`key_ops`) and §4.4 (`alg`) each narrow
    /// what a key may be used for; a key is usable only if none rules it out.
    fn usable_for(&self, wanted_use: &str, ops: &[&str], sign: bool) -> bool {
        let can = if sign { self.can.0 } else { self.can.1 };
        let use_ok = self.key_use.as_deref().is_none_or(|u| u == wanted_use);
        let ops_ok = self
            .key_ops
            .as_ref()
            .is_none_or(|list| list.iter().any(|op| ops.contains(&op.as_str())));
        let alg_ok = self.alg.as_deref().is_none_or(|a| JWS_ALGS.contains(&a) == sign);
        can && use_ok && ops_ok && alg_ok
    }
}

/// A validated client JWK Set holding public keys only.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicJwkSet {
    value: Value,
    keys: Vec<KeyInfo>,
}

impl PublicJwkSet {
    /// Validates `value` as a client `jwks` (RFC 7591 §2, OIDC DCR §2,
    /// RFC 7517 §4-5) and keeps it verbatim.
    pub fn parse(value: &Value) -> Result<PublicJwkSet, JwksError> {
        let obj = value.as_object().ok_or(JwksError::NotAnObject)?;
        let keys = match obj.get("keys") {
            None => return Err(JwksError::MissingKeys),
            Some(Value::Array(keys)) => keys,
            Some(_) => return Err(JwksError::KeysNotArray),
        };
        if keys.is_empty() {
            return Err(JwksError::NoKeys);
        }
        if keys.len() > MAX_KEYS {
            return Err(JwksError::TooManyKeys);
        }

        let mut infos = Vec::with_capacity(keys.len());
        let mut kids: HashMap<&str, usize> = HashMap::new();
        for (index, key) in keys.iter().enumerate() {
            let map = key.as_object().ok_or(JwksError::KeyNotObject { index })?;
            infos.push(check_key(index, map)?);
            // RFC 7517 §4.5: kid lets a verifier pick the key; repeats make
            // that choice ambiguous.
            if let Some(Value::String(kid)) = map.get("kid") {
                if let Some(&first) = kids.get(kid.as_str()) {
                    return Err(JwksError::DuplicateKid { index, first });
                }
                kids.insert(kid.as_str(), index);
            }
        }

        // OIDC DCR §2: "When both signing and encryption keys are made
        // available, a use (Key Use) parameter value is REQUIRED for all
        // keys". A set where some key has `use` signals such a mix.
        if infos.iter().any(|k| k.key_use.is_some()) {
            if let Some(index) = infos.iter().position(|k| k.key_use.is_none()) {
                return Err(JwksError::MissingUse { index });
            }
        }

        Ok(PublicJwkSet { value: value.clone(), keys: infos })
    }

    /// The set exactly as the client sent it.
    pub fn as_value(&self) -> &Value {
        &self.value
    }

    /// Whether some key can verify signatures (e.g. `request_object`,
    /// `private_key_jwt`): `use` absent or `sig`, `key_ops` absent or
    /// allowing `verify`, `alg` absent or a JWS algorithm, and not an
    /// X25519/X448 key.
    pub fn has_signing_key(&self) -> bool {
        self.keys.iter().any(|k| k.usable_for("sig", &["verify"], true))
    }

    /// Whether some key can encrypt to the client (e.g. encrypted ID tokens):
    /// `use` absent or `enc`, `key_ops` absent or allowing encrypt, wrapKey,
    /// deriveKey or deriveBits (ECDH-ES), `alg` absent or not a JWS
    /// algorithm, and not an Ed25519/Ed448 key.
    pub fn has_encryption_key(&self) -> bool {
        let ops = ["encrypt", "wrapKey", "deriveKey", "deriveBits"];
        self.keys.iter().any(|k| k.usable_for("enc", &ops, false))
    }

    /// Number of keys in the set.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Always false for a parsed set (empty sets are refused); kept for API
    /// symmetry with `len`.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Checks one key and returns what the usability queries need.
fn check_key(index: usize, map: &Map<String, Value>) -> Result<KeyInfo, JwksError> {
    let kty = match map.get("kty") {
        None => return Err(JwksError::MissingKty { index }),
        Some(Value::String(kty)) => kty.as_str(),
        Some(_) => return Err(JwksError::UnsupportedKty { index }),
    };
    match kty {
        "RSA" | "EC" | "OKP" => {}
        "oct" => return Err(JwksError::SymmetricKey { index }),
        _ => return Err(JwksError::UnsupportedKty { index }),
    }
    if let Some(member) = PRIVATE_MEMBERS.iter().find(|m| map.contains_key(**m)) {
        return Err(JwksError::PrivateMember { index, member });
    }

    let key_use = match map.get("use") {
        None => None,
        Some(Value::String(u)) if u == "sig" || u == "enc" => Some(u.clone()),
        Some(_) => return Err(JwksError::InvalidUse { index }),
    };
    if map.get("kid").is_some_and(|kid| !kid.is_string()) {
        return Err(JwksError::InvalidKid { index });
    }
    let alg = match map.get("alg") {
        None => None,
        Some(Value::String(a)) => Some(a.clone()),
        Some(_) => return Err(JwksError::InvalidAlg { index }),
    };
    let key_ops = match map.get("key_ops") {
        None => None,
        Some(Value::Array(ops)) => Some(
            ops.iter()
                .map(|op| op.as_str().map(str::to_owned))
                .collect::<Option<Vec<String>>>()
                .ok_or(JwksError::InvalidKeyOps { index })?,
        ),
        Some(_) => return Err(JwksError::InvalidKeyOps { index }),
    };
    let certs = x5c_certificates(index, map)?;

    let (public_key, can) = match kty {
        "RSA" => (rsa_key(index, map)?, (true, true)),
        "EC" => (ec_key(index, map)?, (true, true)),
        _ => okp_key(index, map)?,
    };
    // josekit checks the remaining registered members (x5u, x5t, ...); it
    // runs last so the checks above report the more specific error.
    Jwk::from_map(map.clone()).map_err(|_| JwksError::InvalidJwk { index })?;

    // RFC 7517 §4.7: the first certificate must hold the same key.
    if let Some(first) = certs.first() {
        let matches = first.public_key().is_ok_and(|cert_key| cert_key.public_eq(&public_key));
        if !matches {
            return Err(JwksError::X5cMismatch { index });
        }
    }

    Ok(KeyInfo { can, key_use, key_ops, alg })
}

/// Parses `x5c` (RFC 7517 §4.7): standard base64 (not base64url) DER
/// certificates, the first one holding the key.
fn x5c_certificates(index: usize, map: &Map<String, Value>) -> Result<Vec<X509>, JwksError> {
    let Some(x5c) = map.get("x5c") else {
        return Ok(Vec::new());
    };
    let chain =
        x5c.as_array().filter(|chain| !chain.is_empty()).ok_or(JwksError::InvalidX5c { index })?;
    chain
        .iter()
        .enumerate()
        .map(|(cert, entry)| {
            let b64 = entry.as_str().ok_or(JwksError::InvalidX5c { index })?;
            let der = STANDARD.decode(b64).map_err(|_| JwksError::InvalidX5c { index })?;
            X509::from_der(&der).map_err(|_| JwksError::InvalidCertificate { index, cert })
        })
        .collect()
}

/// Reads a required base64url member (RFC 7518 §2 `Base64urlUInt`).
fn b64_member(
    index: usize,
    map: &Map<String, Value>,
    member: &'static str,
) -> Result<Vec<u8>, JwksError> {
    let value = map.get(member).ok_or(JwksError::MissingMember { index, member })?;
    value
        .as_str()
        .and_then(|s| URL_SAFE_NO_PAD.decode(s).ok())
        .filter(|bytes| !bytes.is_empty())
        .ok_or(JwksError::NotBase64Url { index, member })
}

/// RSA public key from `n` and `e` (RFC 7518 §6.3.1).
fn rsa_key(index: usize, map: &Map<String, Value>) -> Result<PKey<Public>, JwksError> {
    let n = b64_member(index, map, "n")?;
    let e = b64_member(index, map, "e")?;
    let invalid = |_| JwksError::InvalidPublicKey { index };
    let n = BigNum::from_slice(&n).map_err(invalid)?;
    let e = BigNum::from_slice(&e).map_err(invalid)?;
    let bits = u32::try_from(n.num_bits()).unwrap_or(0);
    if bits < MIN_RSA_BITS {
        return Err(JwksError::RsaKeyTooSmall { index, bits });
    }
    if bits > MAX_RSA_BITS {
        return Err(JwksError::RsaKeyTooLarge { index, bits });
    }
    // An even or tiny exponent (or modulus) cannot be a working RSA key.
    if !n.is_bit_set(0) || !e.is_bit_set(0) || e.num_bits() < 2 || e.num_bits() > n.num_bits() {
        return Err(JwksError::InvalidPublicKey { index });
    }
    let rsa = Rsa::from_public_components(n, e).map_err(invalid)?;
    PKey::from_rsa(rsa).map_err(invalid)
}

/// EC public key from `crv`, `x`, `y` (RFC 7518 §6.2.1). openssl refuses a
/// point that is not on the curve.
fn ec_key(index: usize, map: &Map<String, Value>) -> Result<PKey<Public>, JwksError> {
    let (nid, len) = match curve(index, map)? {
        "P-256" => (Nid::X9_62_PRIME256V1, 32),
        "P-384" => (Nid::SECP384R1, 48),
        "P-521" => (Nid::SECP521R1, 66),
        _ => return Err(JwksError::UnsupportedCurve { index }),
    };
    let x = b64_member(index, map, "x")?;
    let y = b64_member(index, map, "y")?;
    // RFC 7518 §6.2.1.2-3: coordinates are the full field size.
    if x.len() != len || y.len() != len {
        return Err(JwksError::InvalidPublicKey { index });
    }
    let invalid = |_| JwksError::InvalidPublicKey { index };
    let group = EcGroup::from_curve_name(nid).map_err(invalid)?;
    let x = BigNum::from_slice(&x).map_err(invalid)?;
    let y = BigNum::from_slice(&y).map_err(invalid)?;
    let key = EcKey::from_public_key_affine_coordinates(&group, &x, &y).map_err(invalid)?;
    key.check_key().map_err(invalid)?;
    PKey::from_ec_key(key).map_err(invalid)
}

/// OKP public key from `crv` and `x` (RFC 8037 §2).
fn okp_key(
    index: usize,
    map: &Map<String, Value>,
) -> Result<(PKey<Public>, (bool, bool)), JwksError> {
    let (id, can) = match curve(index, map)? {
        "Ed25519" => (Id::ED25519, (true, false)),
        "Ed448" => (Id::ED448, (true, false)),
        "X25519" => (Id::X25519, (false, true)),
        "X448" => (Id::X448, (false, true)),
        _ => return Err(JwksError::UnsupportedCurve { index }),
    };
    let x = b64_member(index, map, "x")?;
    let key = PKey::public_key_from_raw_bytes(&x, id)
        .map_err(|_| JwksError::InvalidPublicKey { index })?;
    Ok((key, can))
}

fn curve(index: usize, map: &Map<String, Value>) -> Result<&str, JwksError> {
    match map.get("crv") {
        None => Err(JwksError::MissingMember { index, member: "crv" }),
        Some(Value::String(crv)) => Ok(crv),
        Some(_) => Err(JwksError::UnsupportedCurve { index }),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use josekit::jwk::alg::ec::EcCurve;
    use josekit::jwk::alg::ecx::EcxCurve;
    use josekit::jwk::alg::ed::EdCurve;
    use openssl::asn1::Asn1Time;
    use openssl::bn::BigNumContext;
    use openssl::hash::MessageDigest;
    use openssl::pkey::Private;
    use openssl::x509::{X509Builder, X509NameBuilder};
    use proptest::prelude::*;
    use serde_json::json;
    use std::sync::OnceLock;

    /// The JWK as JSON, without the `alg` josekit adds, so each test says
    /// which optional members it wants.
    fn jwk_value(jwk: Jwk) -> Value {
        let mut map: Map<String, Value> = jwk.into();
        map.remove("alg");
        Value::Object(map)
    }

    /// One 2048-bit RSA public JWK, generated once (RSA keygen is slow).
    pub(crate) fn rsa_public() -> Value {
        static KEY: OnceLock<Value> = OnceLock::new();
        KEY.get_or_init(|| {
            let pair = josekit::jws::RS256.generate_key_pair(2048).unwrap();
            jwk_value(pair.to_jwk_public_key())
        })
        .clone()
    }

    pub(crate) fn ec_public() -> Value {
        let pair = josekit::jws::ES256.generate_key_pair().unwrap();
        jwk_value(pair.to_jwk_public_key())
    }

    fn with(mut key: Value, extra: Value) -> Value {
        if let (Some(map), Value::Object(extra)) = (key.as_object_mut(), extra) {
            map.extend(extra);
        }
        key
    }

    fn self_signed(key: &PKey<Private>) -> X509 {
        let mut name = X509NameBuilder::new().unwrap();
        name.append_entry_by_text("CN", "registrar test").unwrap();
        let name = name.build();
        let mut b = X509Builder::new().unwrap();
        b.set_version(2).unwrap();
        b.set_subject_name(&name).unwrap();
        b.set_issuer_name(&name).unwrap();
        b.set_pubkey(key).unwrap();
        b.set_not_before(&Asn1Time::days_from_now(0).unwrap()).unwrap();
        b.set_not_after(&Asn1Time::days_from_now(1).unwrap()).unwrap();
        b.sign(key, MessageDigest::sha256()).unwrap();
        b.build()
    }

    fn x5c(cert: &X509) -> Value {
        json!([STANDARD.encode(cert.to_der().unwrap())])
    }

    fn rsa_jwk_from(rsa: &Rsa<Private>) -> Value {
        json!({
            "kty": "RSA",
            "n": URL_SAFE_NO_PAD.encode(rsa.n().to_vec()),
            "e": URL_SAFE_NO_PAD.encode(rsa.e().to_vec()),
        })
    }

    fn parse_err(v: Value) -> JwksError {
        PublicJwkSet::parse(&v).unwrap_err()
    }

    #[test]
    fn accepts_conformance_suite_style_rsa_key_without_kid() {
        let key = with(rsa_public(), json!({"use": "sig", "alg": "RS256"}));
        let set = json!({"keys": [key]});
        let parsed = PublicJwkSet::parse(&set).unwrap();
        assert_eq!(parsed.as_value(), &set);
        assert_eq!(parsed.len(), 1);
        assert!(!parsed.is_empty());
        assert!(parsed.has_signing_key());
        assert!(!parsed.has_encryption_key());
    }

    #[test]
    fn key_without_use_serves_both_purposes() {
        let set = PublicJwkSet::parse(&json!({"keys": [rsa_public()]})).unwrap();
        assert!(set.has_signing_key() && set.has_encryption_key());
    }

    #[test]
    fn accepts_mixed_set_with_use_everywhere() {
        let ed = josekit::jws::EdDSA.generate_key_pair(EdCurve::Ed25519).unwrap();
        let x = Jwk::generate_ecx_key(EcxCurve::X25519).unwrap();
        let p384 = josekit::jws::ES384.generate_key_pair().unwrap();
        let set = json!({"keys": [
            with(rsa_public(), json!({"use": "sig", "kid": "rsa-1"})),
            with(ec_public(), json!({"use": "enc", "kid": "ec-1"})),
            with(jwk_value(ed.to_jwk_public_key()), json!({"use": "sig", "kid": "ed"})),
            with(jwk_value(x.to_public_key().unwrap()), json!({"use": "enc", "kid": "x"})),
            with(jwk_value(p384.to_jwk_public_key()), json!({"use": "sig", "kid": "p384"})),
        ]});
        let parsed = PublicJwkSet::parse(&set).unwrap();
        assert_eq!(parsed.len(), 5);
        assert!(parsed.has_signing_key() && parsed.has_encryption_key());
        assert_eq!(parsed.as_value(), &set);
    }

    #[test]
    fn usability_follows_key_ops_alg_and_curve() {
        let only = |key: Value| PublicJwkSet::parse(&json!({"keys": [key]})).unwrap();
        let verify = only(with(rsa_public(), json!({"key_ops": ["verify"]})));
        assert!(verify.has_signing_key() && !verify.has_encryption_key());
        let wrap = only(with(rsa_public(), json!({"key_ops": ["wrapKey"]})));
        assert!(!wrap.has_signing_key() && wrap.has_encryption_key());
        let oaep = only(with(rsa_public(), json!({"alg": "RSA-OAEP-256"})));
        assert!(!oaep.has_signing_key() && oaep.has_encryption_key());
        let ed = josekit::jws::EdDSA.generate_key_pair(EdCurve::Ed448).unwrap();
        let ed = only(jwk_value(ed.to_jwk_public_key()));
        assert!(ed.has_signing_key() && !ed.has_encryption_key());
        let x = Jwk::generate_ecx_key(EcxCurve::X448).unwrap();
        let x = only(jwk_value(x.to_public_key().unwrap()));
        assert!(!x.has_signing_key() && x.has_encryption_key());
    }

    #[test]
    fn refuses_bad_set_shapes() {
        assert_eq!(parse_err(json!({"foo": 1})), JwksError::MissingKeys);
        assert_eq!(parse_err(json!("x")), JwksError::NotAnObject);
        assert_eq!(parse_err(json!({"keys": []})), JwksError::NoKeys);
        assert_eq!(parse_err(json!({"keys": {}})), JwksError::KeysNotArray);
        assert_eq!(parse_err(json!({"keys": [1]})), JwksError::KeyNotObject { index: 0 });
        let many: Vec<Value> = (0..33).map(|_| rsa_public()).collect();
        assert_eq!(parse_err(json!({ "keys": many })), JwksError::TooManyKeys);
    }

    #[test]
    fn refuses_bad_kty_and_private_keys() {
        let one = |key: Value| parse_err(json!({ "keys": [key] }));
        assert_eq!(one(json!({"kty": "XYZ"})), JwksError::UnsupportedKty { index: 0 });
        assert_eq!(one(json!({"n": "AQAB"})), JwksError::MissingKty { index: 0 });
        assert_eq!(
            one(json!({"kty": "oct", "k": "c2VjcmV0"})),
            JwksError::SymmetricKey { index: 0 }
        );
        let private = josekit::jws::RS256.generate_key_pair(2048).unwrap();
        assert_eq!(
            one(jwk_value(private.to_jwk_private_key())),
            JwksError::PrivateMember { index: 0, member: "d" }
        );
        let ec_private = josekit::jwk::Jwk::generate_ec_key(EcCurve::P256).unwrap();
        assert_eq!(one(jwk_value(ec_private)), JwksError::PrivateMember { index: 0, member: "d" });
    }

    #[test]
    fn refuses_missing_or_bad_members() {
        let one = |key: Value| parse_err(json!({ "keys": [key] }));
        let mut no_n = rsa_public();
        no_n.as_object_mut().unwrap().remove("n");
        assert_eq!(one(no_n), JwksError::MissingMember { index: 0, member: "n" });
        let bad_e = with(rsa_public(), json!({"e": "AQ=B"}));
        assert_eq!(one(bad_e), JwksError::NotBase64Url { index: 0, member: "e" });
        let mut no_y = ec_public();
        no_y.as_object_mut().unwrap().remove("y");
        assert_eq!(one(no_y), JwksError::MissingMember { index: 0, member: "y" });
        let off_curve = with(ec_public(), json!({"y": URL_SAFE_NO_PAD.encode([7u8; 32])}));
        assert_eq!(one(off_curve), JwksError::InvalidPublicKey { index: 0 });
        let bad_crv = with(ec_public(), json!({"crv": "P-192"}));
        assert_eq!(one(bad_crv), JwksError::UnsupportedCurve { index: 0 });
        let okp = json!({"kty": "OKP", "crv": "Ed25519", "x": "AAAA"});
        assert_eq!(one(okp), JwksError::InvalidPublicKey { index: 0 });
        assert_eq!(
            one(with(rsa_public(), json!({"use": "both"}))),
            JwksError::InvalidUse { index: 0 }
        );
        assert_eq!(one(with(rsa_public(), json!({"kid": 5}))), JwksError::InvalidKid { index: 0 });
        assert_eq!(one(with(rsa_public(), json!({"alg": []}))), JwksError::InvalidAlg { index: 0 });
        assert_eq!(
            one(with(rsa_public(), json!({"key_ops": ["verify", 1]}))),
            JwksError::InvalidKeyOps { index: 0 }
        );
        assert_eq!(one(with(rsa_public(), json!({"x5u": 1}))), JwksError::InvalidJwk { index: 0 });
    }

    #[test]
    fn refuses_small_rsa_modulus() {
        let small = Rsa::generate(1024).unwrap();
        assert_eq!(
            parse_err(json!({"keys": [rsa_jwk_from(&small)]})),
            JwksError::RsaKeyTooSmall { index: 0, bits: 1024 }
        );
    }

    #[test]
    fn refuses_mixed_use_and_duplicate_kid() {
        let set = json!({"keys": [with(rsa_public(), json!({"use": "sig"})), ec_public()]});
        assert_eq!(parse_err(set), JwksError::MissingUse { index: 1 });
        let set = json!({"keys": [
            with(rsa_public(), json!({"kid": "k1"})),
            with(ec_public(), json!({"kid": "k2"})),
            with(ec_public(), json!({"kid": "k1"})),
        ]});
        assert_eq!(parse_err(set), JwksError::DuplicateKid { index: 2, first: 0 });
        // Sets with no `use` at all are fine (OIDC DCR §2 only binds mixes).
        let set = json!({"keys": [rsa_public(), ec_public()]});
        assert!(PublicJwkSet::parse(&set).is_ok());
    }

    #[test]
    fn checks_x5c_against_the_key() {
        let rsa = Rsa::generate(2048).unwrap();
        let pkey = PKey::from_rsa(rsa.clone()).unwrap();
        let cert = self_signed(&pkey);
        let good = with(rsa_jwk_from(&rsa), json!({ "x5c": x5c(&cert) }));
        assert!(PublicJwkSet::parse(&json!({ "keys": [good] })).is_ok());

        let other = Rsa::generate(2048).unwrap();
        let bad = with(rsa_jwk_from(&other), json!({ "x5c": x5c(&cert) }));
        assert_eq!(parse_err(json!({ "keys": [bad] })), JwksError::X5cMismatch { index: 0 });

        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
        let ec = EcKey::generate(&group).unwrap();
        let (mut x, mut y) = (BigNum::new().unwrap(), BigNum::new().unwrap());
        let mut ctx = BigNumContext::new().unwrap();
        ec.public_key().affine_coordinates(&group, &mut x, &mut y, &mut ctx).unwrap();
        let ec_cert = self_signed(&PKey::from_ec_key(ec).unwrap());
        let ec_jwk = json!({
            "kty": "EC", "crv": "P-256",
            "x": URL_SAFE_NO_PAD.encode(x.to_vec_padded(32).unwrap()),
            "y": URL_SAFE_NO_PAD.encode(y.to_vec_padded(32).unwrap()),
            "x5c": x5c(&ec_cert),
        });
        assert!(PublicJwkSet::parse(&json!({ "keys": [ec_jwk.clone()] })).is_ok());
        // An EC certificate on an RSA key is a mismatch too.
        let cross = with(rsa_jwk_from(&rsa), json!({ "x5c": x5c(&ec_cert) }));
        assert_eq!(parse_err(json!({ "keys": [cross] })), JwksError::X5cMismatch { index: 0 });

        let junk = with(rsa_jwk_from(&rsa), json!({ "x5c": ["AAAA"] }));
        assert_eq!(
            parse_err(json!({ "keys": [junk] })),
            JwksError::InvalidCertificate { index: 0, cert: 0 }
        );
        let url_b64 = with(rsa_jwk_from(&rsa), json!({ "x5c": ["-_-_"] }));
        assert_eq!(parse_err(json!({ "keys": [url_b64] })), JwksError::InvalidX5c { index: 0 });
        let empty = with(rsa_jwk_from(&rsa), json!({ "x5c": [] }));
        assert_eq!(parse_err(json!({ "keys": [empty] })), JwksError::InvalidX5c { index: 0 });
    }

    #[test]
    fn messages_are_ascii() {
        let samples = [
            json!("日本"),
            json!({"keys": [{"kty": "日本"}]}),
            json!({"keys": [{"kty": "EC", "crv": "日本", "x": "AA", "y": "AA"}]}),
            json!({"keys": [{"kty": "RSA", "n": "日本", "e": "AQAB"}]}),
            json!({"keys": [{"kty": "RSA", "kid": "日本", "n": "AQAB", "e": "AQAB"}]}),
        ];
        for v in samples {
            let msg = parse_err(v).to_string();
            assert!(msg.is_ascii() && !msg.contains("日本"), "{msg}");
        }
    }

    pub(crate) fn b64ish() -> impl Strategy<Value = Value> + Clone {
        prop_oneof![
            "[A-Za-z0-9_-]{0,100}".prop_map(Value::String),
            Just(Value::String("AQAB".into())),
            prop::sample::select(vec!["P-256", "P-384", "P-521", "Ed25519", "X448", "P-1"])
                .prop_map(|s| Value::String(s.into())),
            any::<i64>().prop_map(Value::from),
        ]
    }

    pub(crate) fn jwk_like() -> impl Strategy<Value = Value> {
        let kty = prop::sample::select(vec!["RSA", "EC", "OKP", "oct", "", "rsa"]);
        let field = prop::option::of(b64ish());
        let usage = prop::option::of(prop::sample::select(vec!["sig", "enc", "x"]));
        let kid = prop::option::of("[a-c]{0,1}");
        (kty, field.clone(), field.clone(), field.clone(), field.clone(), field, usage, kid)
            .prop_map(|(kty, n, e, x, y, crv, usage, kid)| {
                let mut m = Map::new();
                m.insert("kty".into(), Value::String(kty.into()));
                for (k, v) in [("n", n), ("e", e), ("x", x), ("y", y), ("crv", crv)] {
                    if let Some(v) = v {
                        m.insert(k.into(), v);
                    }
                }
                if let Some(u) = usage {
                    m.insert("use".into(), Value::String(u.into()));
                }
                if let Some(k) = kid {
                    m.insert("kid".into(), Value::String(k));
                }
                Value::Object(m)
            })
    }

    pub(crate) fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            "\\PC{0,16}".prop_map(Value::String),
            jwk_like(),
        ];
        let key = prop_oneof![
            "\\PC{0,6}",
            prop::sample::select(vec![
                "keys", "kty", "n", "e", "x", "y", "crv", "use", "kid", "x5c", "key_ops", "alg",
                "d", "k",
            ])
            .prop_map(String::from),
        ];
        leaf.prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((key.clone(), inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn parse_never_panics(v in any_json()) {
            if let Err(e) = PublicJwkSet::parse(&v) {
                prop_assert!(e.to_string().is_ascii());
            }
        }

        #[test]
        fn parse_never_panics_on_mutated_real_keys(
            rsa in any::<bool>(),
            member in prop::sample::select(vec!["kty", "n", "e", "x", "y", "crv", "use", "x5c"]),
            replacement in prop::option::of(b64ish()),
        ) {
            let mut key = if rsa { rsa_public() } else { ec_public() };
            if let Some(map) = key.as_object_mut() {
                match replacement {
                    Some(v) => map.insert(member.into(), v),
                    None => map.remove(member),
                };
            }
            let v = json!({ "keys": [key] });
            match PublicJwkSet::parse(&v) {
                Ok(set) => prop_assert_eq!(set.as_value(), &v),
                Err(e) => prop_assert!(e.to_string().is_ascii()),
            }
        }

        #[test]
        fn parse_never_panics_on_key_sets(keys in prop::collection::vec(jwk_like(), 0..5)) {
            let v = json!({ "keys": keys });
            match PublicJwkSet::parse(&v) {
                Ok(set) => prop_assert_eq!(set.as_value(), &v),
                Err(e) => prop_assert!(e.to_string().is_ascii()),
            }
        }
    }
}
