//! Admin tokens: JWTs signed with the server's own key (RS256, the JWKS key), audience
//! `{issuer}/api/v2/`, with a space-separated `scope` claim, as Auth0's Management API
//! tokens are. Verification refuses any other algorithm, key, issuer or audience.

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use josekit::jws::JwsHeader;
use josekit::jwt::{self, JwtPayload, JwtPayloadValidator};

use crate::service::keys::ServerKeys;

/// The management API's scopes (issue 4), each guarding one kind of operation.
pub const SCOPES: &[&str] = &[
    "read:clients",
    "create:clients",
    "update:clients",
    "delete:clients",
    "update:client_keys",
    "read:client_keys",
    "update:client_credentials",
    "read:logs",
    "create:initial_access_tokens",
    "read:initial_access_tokens",
    "delete:initial_access_tokens",
    "read:resource_servers",
    "create:resource_servers",
    "update:resource_servers",
    "delete:resource_servers",
    "read:client_grants",
    "create:client_grants",
    "update:client_grants",
    "delete:client_grants",
];

/// Longest lifetime the CLI will mint; admin tokens are bearer credentials.
pub const MAX_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("unknown scope {0:?}; known scopes: {known}", known = SCOPES.join(" "))]
    UnknownScope(String),
    #[error("a token needs at least one scope")]
    NoScope,
    #[error("the lifetime must be between 1 second and 30 days")]
    BadTtl,
    #[error("could not sign the token: {0}")]
    Signing(String),
    /// Any verification failure; the reason is logged, not sent, so forgers learn nothing.
    #[error("the token is invalid: {0}")]
    Invalid(String),
}

/// What a verified token allows.
#[derive(Debug, Clone)]
pub struct AdminGrant {
    pub subject: String,
    scopes: BTreeSet<String>,
}

impl AdminGrant {
    /// A grant made by the server itself: the console's, for a signed-in administrator.
    pub fn new(subject: &str, scopes: &[&str]) -> AdminGrant {
        AdminGrant {
            subject: subject.to_owned(),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    pub fn has(&self, scope: &str) -> bool {
        self.scopes.contains(scope)
    }
}

/// The audience of admin tokens for an issuer.
pub fn audience(issuer: &str) -> String {
    format!("{issuer}/api/v2/")
}

pub fn mint(
    keys: &ServerKeys,
    issuer: &str,
    subject: &str,
    scopes: &[&str],
    ttl: Duration,
    now: SystemTime,
) -> Result<String, TokenError> {
    if scopes.is_empty() {
        return Err(TokenError::NoScope);
    }
    if let Some(unknown) = scopes.iter().find(|s| !SCOPES.contains(s)) {
        return Err(TokenError::UnknownScope((*unknown).to_owned()));
    }
    if ttl.is_zero() || ttl > MAX_TTL {
        return Err(TokenError::BadTtl);
    }
    let mut header = JwsHeader::new();
    header.set_token_type("at+jwt");
    let mut payload = JwtPayload::new();
    payload.set_issuer(issuer);
    payload.set_audience(vec![audience(issuer)]);
    payload.set_subject(subject);
    // Integer NumericDates: RFC 7519 allows fractions, josekit writes them, and many
    // libraries choke on them.
    let issued = unix(now);
    let claim = |e: josekit::JoseError| TokenError::Signing(e.to_string());
    payload.set_claim("iat", Some(issued.into())).map_err(claim)?;
    payload.set_claim("exp", Some((issued + ttl.as_secs()).into())).map_err(claim)?;
    payload.set_jwt_id(
        crate::credentials::generate_access_token()
            .map_err(|e| TokenError::Signing(e.to_string()))?
            .expose(),
    );
    payload
        .set_claim("scope", Some(scopes.join(" ").into()))
        .map_err(|e| TokenError::Signing(e.to_string()))?;
    jwt::encode_with_signer(&payload, &header, keys.signer())
        .map_err(|e| TokenError::Signing(e.to_string()))
}

pub fn verify(
    keys: &ServerKeys,
    issuer: &str,
    token: &str,
    now: SystemTime,
) -> Result<AdminGrant, TokenError> {
    let invalid = |e: josekit::JoseError| TokenError::Invalid(e.to_string());
    let (payload, _) = jwt::decode_with_verifier(token, keys.verifier()).map_err(invalid)?;
    let mut validator = JwtPayloadValidator::new();
    validator.set_base_time(now);
    validator.set_issuer(issuer);
    validator.set_audience(audience(issuer));
    validator.validate(&payload).map_err(invalid)?;
    // josekit only checks `exp` when present; an admin token must expire.
    if payload.expires_at().is_none() {
        return Err(TokenError::Invalid("no exp claim".into()));
    }
    let scopes = match payload.claim("scope") {
        Some(serde_json::Value::String(s)) => s.split(' ').map(str::to_owned).collect(),
        _ => return Err(TokenError::Invalid("no scope claim".into())),
    };
    Ok(AdminGrant { subject: payload.subject().unwrap_or_default().to_owned(), scopes })
}

/// Parses `30s`, `15m`, `1h`, `1d` (or plain seconds) for `registrar token --ttl`.
pub fn parse_ttl(text: &str) -> Result<Duration, TokenError> {
    let text = text.trim();
    let (number, unit) =
        text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let number: u64 = number.parse().map_err(|_| TokenError::BadTtl)?;
    let seconds = match unit {
        "" | "s" => number,
        "m" => number.saturating_mul(60),
        "h" => number.saturating_mul(3600),
        "d" => number.saturating_mul(86_400),
        _ => return Err(TokenError::BadTtl),
    };
    Ok(Duration::from_secs(seconds))
}

/// Seconds since the epoch, for logs.
pub fn unix(now: SystemTime) -> u64 {
    now.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::seal::Sealer;
    use crate::store::memory::MemoryStore;

    async fn keys() -> ServerKeys {
        let sealer = Sealer::from_keys(&Sealer::generate_key().unwrap(), &[]).unwrap();
        ServerKeys::load_or_create(&MemoryStore::default(), &sealer).await.unwrap()
    }

    #[tokio::test]
    async fn minted_tokens_verify_with_their_scopes_and_nothing_else_does() {
        let keys = keys().await;
        let now = SystemTime::now();
        let ttl = Duration::from_secs(60);
        let token = mint(&keys, "https://id.example", "cli", &["read:clients"], ttl, now).unwrap();
        let grant = verify(&keys, "https://id.example", &token, now).unwrap();
        assert!(grant.has("read:clients") && !grant.has("update:clients"));

        let later = now + Duration::from_secs(3600);
        assert!(verify(&keys, "https://id.example", &token, later).is_err(), "expired");
        assert!(verify(&keys, "https://other.example", &token, now).is_err(), "foreign issuer");
        let foreign = self::keys().await;
        assert!(verify(&foreign, "https://id.example", &token, now).is_err(), "foreign key");
        let unsigned = format!("{}.", token.rsplit_once('.').unwrap().0);
        assert!(verify(&keys, "https://id.example", &unsigned, now).is_err(), "no signature");
        assert!(verify(&keys, "https://id.example", "garbage", now).is_err());
    }

    #[tokio::test]
    async fn minting_refuses_unknown_scopes_and_silly_lifetimes() {
        let keys = keys().await;
        let now = SystemTime::now();
        let err = mint(&keys, "i", "s", &["root"], Duration::from_secs(60), now).unwrap_err();
        assert_eq!(err, TokenError::UnknownScope("root".into()));
        assert!(mint(&keys, "i", "s", &[], Duration::from_secs(60), now).is_err());
        assert!(mint(&keys, "i", "s", &["read:logs"], Duration::ZERO, now).is_err());
        assert_eq!(parse_ttl("1h").unwrap(), Duration::from_secs(3600));
        assert_eq!(parse_ttl("90").unwrap(), Duration::from_secs(90));
        assert!(parse_ttl("1w").is_err() && parse_ttl("h").is_err());
    }
}
