//! Software statements (RFC 7591 §2.3, §3.1.1): a JWS, signed by an issuer the operator
//! trusts, whose claims are client metadata that take precedence over the request body.
//!
//! Only public-key signatures are accepted: an HMAC would mean sharing the issuer's secret
//! with this server, and the trusted key sets are public keys. The statement is parsed by
//! hand (three base64url parts) so that the issuer can be looked up before any key is
//! tried, and `jku` / `x5u` header members are never dereferenced: keys come from
//! configuration only.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use josekit::jwk::{Jwk, JwkSet};
use josekit::jws::{self, JwsVerifier};
use serde_json::{Map, Value};

use super::jwks::{JwksError, PublicJwkSet};
use super::MetadataError;

const FIELD: &str = "software_statement";

/// Longest statement read. Real statements are a few KiB; this bounds base64 and JSON work
/// on an unauthenticated request.
pub const MAX_STATEMENT_BYTES: usize = 32 * 1024;

/// Default clock skew tolerated on `exp` and `nbf`.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);

/// Registered JWT claims (RFC 7519 §4.1): they describe the statement, not the client, so
/// they are not copied into the metadata. `software_statement` itself is skipped too, so a
/// claim cannot replace the statement the response must echo (RFC 7591 §3.2.1).
const NOT_METADATA: [&str; 8] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti", FIELD];

/// An issuer whose statements are accepted, with the keys they are signed with.
#[derive(Debug, Clone)]
pub struct TrustedIssuer {
    /// Compared exactly with the statement's `iss`.
    pub issuer: String,
    pub keys: JwkSet,
}

impl TrustedIssuer {
    /// Builds an issuer from a JWK Set document (a JWKS file, or one fetched from the
    /// issuer's JWKS URL), held to the same rules as a client `jwks`: public keys only.
    pub fn from_jwks(issuer: impl Into<String>, jwks: &Value) -> Result<TrustedIssuer, JwksError> {
        let checked = PublicJwkSet::parse(jwks)?;
        let mut keys = JwkSet::new();
        let listed = checked.as_value().get("keys").and_then(Value::as_array);
        for (index, key) in listed.into_iter().flatten().enumerate() {
            let map = key.as_object().cloned().ok_or(JwksError::KeyNotObject { index })?;
            keys.push_key(Jwk::from_map(map).map_err(|_| JwksError::InvalidJwk { index })?);
        }
        Ok(TrustedIssuer { issuer: issuer.into(), keys })
    }
}

/// The operator's statement settings.
#[derive(Debug, Clone)]
pub struct StatementPolicy {
    pub trusted: Vec<TrustedIssuer>,
    /// Every registration must carry a statement (spec checklist item 69).
    pub required: bool,
    /// Clock skew tolerated on `exp` and `nbf`.
    pub leeway: Duration,
}

impl Default for StatementPolicy {
    fn default() -> Self {
        StatementPolicy { trusted: Vec::new(), required: false, leeway: DEFAULT_LEEWAY }
    }
}

fn invalid(problem: &str) -> MetadataError {
    MetadataError::InvalidSoftwareStatement(format!("{FIELD}: {problem}"))
}

/// Verifies a compact JWS statement and returns its claims.
///
/// `invalid_software_statement`: malformed, unsigned (`alg: none`), HMAC-signed, no `iss`,
/// bad signature, expired or not yet valid. `unapproved_software_statement`: a well-formed
/// statement from an issuer that is not trusted here (RFC 7591 §3.2.2).
pub fn verify_statement(
    statement: &str,
    policy: &StatementPolicy,
    now: SystemTime,
) -> Result<Map<String, Value>, MetadataError> {
    let jws = CompactJws::parse(statement)?;
    let alg = accepted_alg(&jws.header)?;
    if jws.header.contains_key("crit") {
        // RFC 7515 §4.1.11: extensions we do not implement must make the JWS invalid.
        return Err(invalid("the crit header member is not supported"));
    }
    let iss = match jws.claims.get("iss") {
        Some(Value::String(iss)) if !iss.is_empty() => iss,
        Some(_) => return Err(invalid("iss must be a non-empty string")),
        None => return Err(invalid("the iss claim is required")),
    };
    let Some(issuer) = policy.trusted.iter().find(|t| t.issuer == *iss) else {
        return Err(MetadataError::UnapprovedSoftwareStatement(format!(
            "{FIELD}: the issuer is not trusted by this server"
        )));
    };
    verify_signature(&jws, alg, &issuer.keys)?;
    check_validity(&jws.claims, policy.leeway, now)?;
    Ok(jws.claims)
}

/// Reads `software_statement` from a registration body: `Ok(None)` when there is none
/// and none is required, the verified claims otherwise.
pub fn verify_body_statement(
    body: &Map<String, Value>,
    policy: &StatementPolicy,
    now: SystemTime,
) -> Result<Option<Map<String, Value>>, MetadataError> {
    match body.get(FIELD) {
        None if policy.required => Err(invalid("a software statement is required")),
        None => Ok(None),
        Some(Value::String(statement)) => verify_statement(statement, policy, now).map(Some),
        Some(_) => Err(invalid("must be a string")),
    }
}

/// Copies the statement's claims into the request body, replacing members of the same name
/// (RFC 7591 §2.3: statement values take precedence). Registered JWT claims are skipped.
pub fn apply_statement(body: &mut Map<String, Value>, claims: &Map<String, Value>) {
    for (name, value) in claims {
        if !NOT_METADATA.contains(&name.as_str()) {
            body.insert(name.clone(), value.clone());
        }
    }
}

/// The three parts of a compact JWS (RFC 7515 §7.1), decoded but not yet trusted.
struct CompactJws<'a> {
    header: Map<String, Value>,
    claims: Map<String, Value>,
    signing_input: &'a str,
    signature: Vec<u8>,
}

impl<'a> CompactJws<'a> {
    fn parse(statement: &'a str) -> Result<CompactJws<'a>, MetadataError> {
        if statement.len() > MAX_STATEMENT_BYTES {
            return Err(invalid("is longer than 32768 bytes"));
        }
        let mut parts = statement.split('.');
        let (Some(header_b64), Some(payload_b64), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid("must be a JWS in compact serialization (three parts)"));
        };
        let header =
            json_object(header_b64).ok_or_else(|| invalid("the JWS header is malformed"))?;
        let claims = json_object(payload_b64)
            .ok_or_else(|| invalid("the claims are not a base64url JSON object"))?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| invalid("the signature is not base64url"))?;
        // RFC 7515 §5.2: the signature covers `header.payload` exactly as sent.
        let signing_input = &statement[..header_b64.len() + 1 + payload_b64.len()];
        Ok(CompactJws { header, claims, signing_input, signature })
    }
}

fn json_object(part: &str) -> Option<Map<String, Value>> {
    let bytes = URL_SAFE_NO_PAD.decode(part).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// JWS algorithms with public verification keys (RFC 7518 §3.1, RFC 8037 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Alg {
    Rs256,
    Rs384,
    Rs512,
    Ps256,
    Ps384,
    Ps512,
    Es256,
    Es384,
    Es512,
    EdDsa,
}

fn accepted_alg(header: &Map<String, Value>) -> Result<Alg, MetadataError> {
    let Some(Value::String(alg)) = header.get("alg") else {
        return Err(invalid("the JWS header has no alg"));
    };
    Ok(match alg.as_str() {
        "RS256" => Alg::Rs256,
        "RS384" => Alg::Rs384,
        "RS512" => Alg::Rs512,
        "PS256" => Alg::Ps256,
        "PS384" => Alg::Ps384,
        "PS512" => Alg::Ps512,
        "ES256" => Alg::Es256,
        "ES384" => Alg::Es384,
        "ES512" => Alg::Es512,
        "EdDSA" => Alg::EdDsa,
        "none" => return Err(invalid("must be signed; alg none is not accepted")),
        "HS256" | "HS384" | "HS512" => {
            return Err(invalid("HMAC (HS*) signatures are not accepted; use a public key alg"))
        }
        _ => return Err(invalid("alg is not supported; use RS*, PS*, ES* or EdDSA")),
    })
}

fn boxed<V: JwsVerifier + 'static>(verifier: V) -> Box<dyn JwsVerifier> {
    Box::new(verifier)
}

/// A verifier for `alg` from `jwk`; josekit refuses keys of the wrong type or curve and
/// keys whose `use`, `key_ops` or `alg` rule the algorithm out (RFC 7517 §4.2-4.4).
fn verifier(alg: Alg, jwk: &Jwk) -> Option<Box<dyn JwsVerifier>> {
    let built = match alg {
        Alg::Rs256 => jws::RS256.verifier_from_jwk(jwk).map(boxed),
        Alg::Rs384 => jws::RS384.verifier_from_jwk(jwk).map(boxed),
        Alg::Rs512 => jws::RS512.verifier_from_jwk(jwk).map(boxed),
        Alg::Ps256 => jws::PS256.verifier_from_jwk(jwk).map(boxed),
        Alg::Ps384 => jws::PS384.verifier_from_jwk(jwk).map(boxed),
        Alg::Ps512 => jws::PS512.verifier_from_jwk(jwk).map(boxed),
        Alg::Es256 => jws::ES256.verifier_from_jwk(jwk).map(boxed),
        Alg::Es384 => jws::ES384.verifier_from_jwk(jwk).map(boxed),
        Alg::Es512 => jws::ES512.verifier_from_jwk(jwk).map(boxed),
        Alg::EdDsa => jws::EdDSA.verifier_from_jwk(jwk).map(boxed),
    };
    built.ok()
}

/// Tries the issuer's keys: the one named by `kid` when the header has one, all of them
/// otherwise (issuers with a single key often omit `kid`).
fn verify_signature(jws: &CompactJws<'_>, alg: Alg, keys: &JwkSet) -> Result<(), MetadataError> {
    let candidates = match jws.header.get("kid") {
        None => keys.keys(),
        Some(Value::String(kid)) => keys.get(kid),
        Some(_) => return Err(invalid("the JWS header kid must be a string")),
    };
    if candidates.is_empty() {
        return Err(invalid("no key of the issuer matches the JWS header kid"));
    }
    let verified = candidates
        .into_iter()
        .filter_map(|jwk| verifier(alg, jwk))
        .any(|v| v.verify(jws.signing_input.as_bytes(), &jws.signature).is_ok());
    if verified {
        Ok(())
    } else {
        Err(invalid("the signature does not verify with the issuer's keys"))
    }
}

/// `exp` and `nbf` (RFC 7519 §4.1.4-4.1.5), each with `leeway` of clock skew.
fn check_validity(
    claims: &Map<String, Value>,
    leeway: Duration,
    now: SystemTime,
) -> Result<(), MetadataError> {
    let now = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs_f64();
    let leeway = leeway.as_secs_f64();
    if let Some(exp) = numeric_date(claims, "exp")? {
        if now >= exp + leeway {
            return Err(invalid("the statement has expired (exp)"));
        }
    }
    if let Some(nbf) = numeric_date(claims, "nbf")? {
        if now + leeway < nbf {
            return Err(invalid("the statement is not valid yet (nbf)"));
        }
    }
    Ok(())
}

fn numeric_date(claims: &Map<String, Value>, name: &str) -> Result<Option<f64>, MetadataError> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(_) => Err(MetadataError::InvalidSoftwareStatement(format!(
            "{FIELD}: {name} must be a number of seconds"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use josekit::jwk::{Ed25519, KeyPair as _};
    use josekit::jws::JwsSigner;
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    const ISS: &str = "https://issuer.example";
    /// 2023-11-14T22:13:20Z, a fixed "now" for every test.
    const NOW: u64 = 1_700_000_000;

    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(NOW)
    }

    /// Private JWKs, generated once: RSA key generation is slow in debug builds.
    struct Keys {
        rsa: Jwk,
        ec: Jwk,
        ed: Jwk,
        stranger: Jwk,
    }

    fn keys() -> &'static Keys {
        static KEYS: OnceLock<Keys> = OnceLock::new();
        KEYS.get_or_init(|| {
            let with_kid = |mut jwk: Jwk, kid: &str| {
                jwk.set_key_id(kid);
                jwk
            };
            let rsa = jws::RS256.generate_key_pair(2048).expect("rsa").to_jwk_key_pair();
            let ec = jws::ES256.generate_key_pair().expect("ec").to_jwk_key_pair();
            let ed = jws::EdDSA.generate_key_pair(Ed25519).expect("ed").to_jwk_key_pair();
            let other = jws::RS256.generate_key_pair(2048).expect("rsa").to_jwk_key_pair();
            // Without `alg` the one RSA key serves both RS256 and PS384 (RFC 7517 §4.4).
            let mut rsa = rsa;
            rsa.set_parameter("alg", None).expect("unset alg");
            Keys {
                rsa: with_kid(rsa, "rsa-1"),
                ec: with_kid(ec, "ec-1"),
                ed: with_kid(ed, "ed-1"),
                stranger: with_kid(other, "rsa-1"),
            }
        })
    }

    fn public(jwk: &Jwk) -> Jwk {
        let mut map = jwk.as_ref().clone();
        for member in ["d", "p", "q", "dp", "dq", "qi"] {
            map.remove(member);
        }
        Jwk::from_map(map).expect("public jwk")
    }

    fn policy() -> StatementPolicy {
        let k = keys();
        let mut set = JwkSet::new();
        for jwk in [&k.rsa, &k.ec, &k.ed] {
            set.push_key(public(jwk));
        }
        StatementPolicy {
            trusted: vec![TrustedIssuer { issuer: ISS.into(), keys: set }],
            ..StatementPolicy::default()
        }
    }

    fn b64(value: &Value) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).expect("json"))
    }

    /// Signs exactly the header given, so tests control `alg`, `kid` and `crit`.
    fn sign_with(header: Value, claims: &Value, signer: &dyn JwsSigner) -> String {
        let input = format!("{}.{}", b64(&header), b64(claims));
        let signature = signer.sign(input.as_bytes()).expect("sign");
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    fn signer(alg: &str, jwk: &Jwk) -> Box<dyn JwsSigner> {
        match alg {
            "RS256" => Box::new(jws::RS256.signer_from_jwk(jwk).expect("signer")),
            "PS384" => Box::new(jws::PS384.signer_from_jwk(jwk).expect("signer")),
            "ES256" => Box::new(jws::ES256.signer_from_jwk(jwk).expect("signer")),
            "EdDSA" => Box::new(jws::EdDSA.signer_from_jwk(jwk).expect("signer")),
            other => panic!("no test signer for {other}"),
        }
    }

    fn sign(alg: &str, jwk: &Jwk, claims: &Value) -> String {
        let kid = jwk.key_id().expect("kid");
        sign_with(json!({ "alg": alg, "kid": kid, "typ": "JWT" }), claims, &*signer(alg, jwk))
    }

    fn claims() -> Value {
        json!({
            "iss": ISS,
            "iat": NOW - 10,
            "exp": NOW + 3600,
            "software_id": "4NRB1-0XZABZI9E6-5SM3R",
            "client_name": "Signed",
            "redirect_uris": ["https://client.example/cb"],
        })
    }

    /// The error code and message; every message names the field and is ASCII.
    fn refusal(statement: &str) -> (&'static str, String) {
        let err = verify_statement(statement, &policy(), now()).expect_err(statement);
        let (code, message) = match err {
            MetadataError::InvalidSoftwareStatement(m) => ("invalid_software_statement", m),
            MetadataError::UnapprovedSoftwareStatement(m) => ("unapproved_software_statement", m),
            other => panic!("unexpected {other:?}"),
        };
        assert!(message.starts_with("software_statement: ") && message.is_ascii(), "{message}");
        (code, message)
    }

    fn invalid_because(statement: &str, reason: &str) {
        let (code, message) = refusal(statement);
        assert_eq!(code, "invalid_software_statement", "{message}");
        assert!(message.contains(reason), "{message} should mention {reason}");
    }

    #[test]
    fn a_statement_signed_by_a_trusted_issuer_yields_its_claims() {
        let k = keys();
        for (alg, jwk) in [("RS256", &k.rsa), ("PS384", &k.rsa), ("ES256", &k.ec), ("EdDSA", &k.ed)]
        {
            let got = verify_statement(&sign(alg, jwk, &claims()), &policy(), now());
            assert_eq!(got, Ok(claims().as_object().cloned().unwrap()), "{alg}");
        }
    }

    #[test]
    fn without_kid_every_issuer_key_is_tried() {
        let statement =
            sign_with(json!({ "alg": "ES256" }), &claims(), &*signer("ES256", &keys().ec));

        assert!(verify_statement(&statement, &policy(), now()).is_ok());
    }

    #[test]
    fn statement_claims_override_the_body_but_registered_claims_are_not_copied() {
        let mut body = json!({
            "client_name": "Body",
            "software_statement": "the.original.jws",
            "contacts": ["ops@client.example"],
        })
        .as_object()
        .cloned()
        .unwrap();
        let mut claims = claims().as_object().cloned().unwrap();
        claims.insert("software_statement".into(), json!("nested"));

        apply_statement(&mut body, &claims);

        assert_eq!(body["client_name"], "Signed");
        assert_eq!(body["software_id"], "4NRB1-0XZABZI9E6-5SM3R");
        assert_eq!(body["contacts"], json!(["ops@client.example"]));
        assert_eq!(body["software_statement"], "the.original.jws");
        for registered in ["iss", "iat", "exp"] {
            assert!(!body.contains_key(registered), "{registered}");
        }
    }

    #[test]
    fn an_unsigned_statement_is_invalid() {
        let unsigned = format!("{}.{}.", b64(&json!({ "alg": "none" })), b64(&claims()));

        invalid_because(&unsigned, "alg none");
    }

    #[test]
    fn an_hmac_signed_statement_is_invalid() {
        let hmac = jws::HS256.signer_from_bytes([7u8; 32]).expect("hmac");

        let statement = sign_with(json!({ "alg": "HS256" }), &claims(), &hmac);

        invalid_because(&statement, "HMAC");
    }

    #[test]
    fn a_statement_signed_with_another_key_is_invalid() {
        let forged = sign("RS256", &keys().stranger, &claims());

        invalid_because(&forged, "signature does not verify");
    }

    #[test]
    fn claims_changed_after_signing_are_invalid() {
        let statement = sign("ES256", &keys().ec, &claims());
        let mut parts: Vec<&str> = statement.split('.').collect();
        let mut altered = claims();
        altered["client_name"] = json!("Evil");
        let altered = b64(&altered);
        parts[1] = &altered;

        invalid_because(&parts.join("."), "signature does not verify");
    }

    #[test]
    fn a_kid_the_issuer_does_not_have_is_invalid() {
        let mut stranger = keys().stranger.clone();
        stranger.set_key_id("unknown");

        invalid_because(&sign("RS256", &stranger, &claims()), "kid");
    }

    #[test]
    fn a_statement_from_an_untrusted_issuer_is_unapproved() {
        let mut claims = claims();
        claims["iss"] = json!("https://elsewhere.example");

        let (code, _) = refusal(&sign("RS256", &keys().rsa, &claims));

        assert_eq!(code, "unapproved_software_statement");
    }

    #[test]
    fn a_statement_without_a_usable_iss_is_invalid() {
        for iss in [Value::Null, json!(""), json!(42)] {
            let mut claims = claims();
            match iss {
                Value::Null => claims.as_object_mut().unwrap().remove("iss"),
                other => claims.as_object_mut().unwrap().insert("iss".into(), other),
            };
            invalid_because(&sign("RS256", &keys().rsa, &claims), "iss");
        }
    }

    #[test]
    fn expiry_and_not_before_are_enforced_with_leeway() {
        let k = &keys().ec;
        let with = |name: &str, at: i64| {
            let mut claims = claims();
            claims[name] = json!(at);
            sign("ES256", k, &claims)
        };
        let at = NOW as i64;

        invalid_because(&with("exp", at - 61), "expired");
        invalid_because(&with("nbf", at + 61), "not valid yet");
        invalid_because(&with("exp", at - 3600), "expired");
        assert!(verify_statement(&with("exp", at - 30), &policy(), now()).is_ok());
        assert!(verify_statement(&with("nbf", at + 30), &policy(), now()).is_ok());

        let mut wrong_type = claims();
        wrong_type["exp"] = json!("tomorrow");
        invalid_because(&sign("ES256", k, &wrong_type), "exp must be a number");
    }

    #[test]
    fn critical_header_extensions_are_invalid() {
        let header = json!({ "alg": "ES256", "kid": "ec-1", "crit": ["exp"], "exp": 1 });

        let statement = sign_with(header, &claims(), &*signer("ES256", &keys().ec));

        invalid_because(&statement, "crit");
    }

    #[test]
    fn malformed_statements_are_invalid() {
        let header = b64(&json!({ "alg": "RS256" }));
        let payload = b64(&claims());
        let cases = [
            String::new(),
            "a.b".into(),
            "a.b.c.d".into(),
            "a.b.c.d.e".into(),
            "!!!.@@@.###".into(),
            "....".into(),
            format!("{header}.{payload}.%%%"),
            format!("{}.{payload}.", b64(&json!(["alg", "RS256"]))),
            format!("{header}.{}.", b64(&json!("just a string"))),
            format!("{header}=.{payload}.c2ln"),
            format!("eyJhbGciOiJSUzI1NiJ9.{payload}x.c2ln"),
            format!("{}.{payload}.", b64(&json!({ "typ": "JWT" }))),
            format!("{}.{payload}.", b64(&json!({ "alg": "RSA-OAEP" }))),
            "x".repeat(MAX_STATEMENT_BYTES + 1),
        ];
        for statement in cases {
            let (code, message) = refusal(&statement);
            assert_eq!(code, "invalid_software_statement", "{statement}: {message}");
        }
    }

    #[test]
    fn the_body_statement_is_optional_unless_required() {
        let k = keys();
        let mut required = policy();
        required.required = true;
        let empty = Map::new();
        let mut with = Map::new();
        with.insert(FIELD.into(), json!(sign("RS256", &k.rsa, &claims())));
        let mut not_string = Map::new();
        not_string.insert(FIELD.into(), json!({ "iss": ISS }));

        assert_eq!(verify_body_statement(&empty, &policy(), now()), Ok(None));
        assert!(matches!(
            verify_body_statement(&empty, &required, now()),
            Err(MetadataError::InvalidSoftwareStatement(m)) if m.contains("required")
        ));
        assert!(matches!(verify_body_statement(&with, &required, now()), Ok(Some(_))));
        assert!(matches!(
            verify_body_statement(&not_string, &policy(), now()),
            Err(MetadataError::InvalidSoftwareStatement(_))
        ));
    }

    #[test]
    fn trusted_issuers_load_public_jwk_sets_only() {
        let k = keys();
        let public_set = json!({ "keys": [public(&k.rsa).as_ref(), public(&k.ec).as_ref()] });
        let private_set = json!({ "keys": [k.rsa.as_ref()] });

        let issuer = TrustedIssuer::from_jwks(ISS, &public_set).expect("public set");
        let policy = StatementPolicy { trusted: vec![issuer], ..StatementPolicy::default() };

        assert!(verify_statement(&sign("ES256", &k.ec, &claims()), &policy, now()).is_ok());
        assert!(matches!(
            TrustedIssuer::from_jwks(ISS, &private_set),
            Err(JwksError::PrivateMember { index: 0, .. })
        ));
    }

    proptest! {
        #[test]
        fn verification_never_panics_on_arbitrary_input(s in ".{0,300}") {
            let _ = verify_statement(&s, &policy(), now());
        }

        #[test]
        fn verification_never_panics_on_jws_shaped_input(
            parts in prop::collection::vec("[A-Za-z0-9_-]{0,80}", 0..5)
        ) {
            let _ = verify_statement(&parts.join("."), &policy(), now());
        }
    }
}
