//! Registration policies: named rules an operator writes in a JSON file (`--policies`) and
//! that every registration and RFC 7592 update under them must follow. A policy applies to
//! anonymous registrations (the file's `anonymous` entry) or to registrations made with an
//! initial access token that names it; the client keeps its policy for later updates.
//!
//! Each refusal names the field, the value and what the policy allows, so the caller knows
//! what to change.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::Arc;

use serde::Deserialize;
use url::Host;

use super::metadata::ClientMetadata;
use super::uri::CheckedUri;
use super::vocab::{ApplicationType, AuthMethod, GrantType};
use super::MetadataError;

/// The file as written. Unknown members are refused: a misspelt rule must not silently
/// allow everything.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    #[serde(default)]
    anonymous: Option<String>,
    policies: BTreeMap<String, PolicySpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicySpec {
    #[serde(default)]
    #[expect(dead_code, reason = "documentation for the operator, kept in the file only")]
    description: Option<String>,
    #[serde(default)]
    redirect_hosts: Vec<String>,
    #[serde(default)]
    redirect_uri_prefixes: Vec<String>,
    #[serde(default)]
    grant_types: Option<Vec<String>>,
    #[serde(default)]
    token_endpoint_auth_methods: Option<Vec<String>>,
    #[serde(default)]
    scopes: Option<Vec<String>>,
    #[serde(default)]
    max_clients: Option<u64>,
    #[serde(default)]
    max_clients_per_ip: Option<u64>,
    #[serde(default)]
    first_party: bool,
    #[serde(default)]
    api_grants: Vec<ApiGrantSpec>,
}

/// An API (by its identifier) and the scopes of it a client under the policy receives.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiGrantSpec {
    audience: String,
    scope: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PolicyError {
    #[error("policies file: {0}")]
    File(String),
    #[error("policy {policy}: {problem}")]
    Rule { policy: String, problem: String },
}

/// A host a redirect URI may point at: exactly, or any name below a domain (`*.rp.example`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    Exact(String),
    /// Stored with its leading dot: `.rp.example`.
    Below(String),
}

impl HostPattern {
    fn parse(raw: &str) -> Result<HostPattern, String> {
        let lower = raw.to_ascii_lowercase();
        let (wildcard, name) = match lower.strip_prefix("*.") {
            Some(parent) => (true, parent),
            None => (false, lower.as_str()),
        };
        let is_ip = name.parse::<IpAddr>().is_ok()
            || name
                .strip_prefix('[')
                .and_then(|n| n.strip_suffix(']'))
                .is_some_and(|n| n.parse::<std::net::Ipv6Addr>().is_ok());
        let is_name = !name.is_empty()
            && name.split('.').all(|l| {
                (1..=63).contains(&l.len())
                    && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && !l.starts_with('-')
                    && !l.ends_with('-')
            });
        match (wildcard, is_name, is_ip) {
            (false, true, _) | (false, _, true) => Ok(HostPattern::Exact(name.to_owned())),
            // A wildcard over a public suffix (`*.com`, `*.github.io`) would allow anyone.
            (true, true, false) if psl::domain(name.as_bytes()).is_some() => {
                Ok(HostPattern::Below(format!(".{name}")))
            }
            (true, true, false) => Err(format!("redirect_hosts: {raw} covers a public suffix")),
            _ => Err(format!("redirect_hosts: {raw} is not a host name, IP address or *.domain")),
        }
    }

    fn matches(&self, host: &str) -> bool {
        match self {
            HostPattern::Exact(name) => host.eq_ignore_ascii_case(name),
            HostPattern::Below(suffix) => {
                host.len() > suffix.len() && host.to_ascii_lowercase().ends_with(suffix.as_str())
            }
        }
    }

    fn display(&self) -> String {
        match self {
            HostPattern::Exact(name) => name.clone(),
            HostPattern::Below(suffix) => format!("*{suffix}"),
        }
    }
}

/// One checked policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub name: String,
    hosts: Vec<HostPattern>,
    prefixes: Vec<String>,
    grant_types: Option<Vec<GrantType>>,
    auth_methods: Option<Vec<AuthMethod>>,
    scopes: Option<Vec<String>>,
    /// Clients that may exist under this policy at once.
    pub max_clients: Option<u64>,
    /// Clients that may exist under this policy per source IP address.
    pub max_clients_per_ip: Option<u64>,
    /// Clients registered under this policy are first-party; by default a self-registered
    /// client is third-party, which in the Auth0 model means users must consent.
    pub first_party: bool,
    /// Client grants every client under this policy holds, as (audience, scopes): a
    /// self-registered client gets tokens without an administrator. Resolved at the token
    /// endpoint, so a changed policy applies to its clients at once.
    api_grants: Vec<(String, Vec<String>)>,
}

/// Every configured policy, by name, and the one anonymous registrations follow.
#[derive(Debug, Clone, Default)]
pub struct Policies {
    by_name: HashMap<String, Arc<Policy>>,
    anonymous: Option<Arc<Policy>>,
}

impl Policies {
    pub fn parse(json: &str) -> Result<Policies, PolicyError> {
        let file: PolicyFile =
            serde_json::from_str(json).map_err(|e| PolicyError::File(e.to_string()))?;
        let mut by_name = HashMap::new();
        for (name, spec) in file.policies {
            let policy = Policy::build(&name, spec)
                .map_err(|problem| PolicyError::Rule { policy: name.clone(), problem })?;
            by_name.insert(name, Arc::new(policy));
        }
        let anonymous = match file.anonymous {
            None => None,
            Some(name) => Some(by_name.get(&name).cloned().ok_or_else(|| {
                PolicyError::File(format!("anonymous: no policy is named {name}"))
            })?),
        };
        Ok(Policies { by_name, anonymous })
    }

    pub fn get(&self, name: &str) -> Option<&Arc<Policy>> {
        self.by_name.get(name)
    }

    /// The policy of registrations made without an initial access token.
    pub fn anonymous(&self) -> Option<&Arc<Policy>> {
        self.anonymous.as_ref()
    }
}

/// Policy names travel in tokens, records and error messages: keep them plain.
fn check_name(name: &str) -> Result<(), String> {
    let plain = (1..=64).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if plain {
        Ok(())
    } else {
        Err("name: 1 to 64 letters, digits, '-', '_' or '.'".into())
    }
}

impl Policy {
    fn build(name: &str, spec: PolicySpec) -> Result<Policy, String> {
        check_name(name)?;
        let hosts =
            spec.redirect_hosts.iter().map(|h| HostPattern::parse(h)).collect::<Result<_, _>>()?;
        let prefixes = spec
            .redirect_uri_prefixes
            .into_iter()
            .map(|p| match CheckedUri::parse(&p) {
                Ok(_) => Ok(p),
                Err(problem) => Err(format!("redirect_uri_prefixes: {p}: {problem}")),
            })
            .collect::<Result<_, _>>()?;
        let grant_types = spec
            .grant_types
            .map(|list| vocabulary(&list, "grant_types", GrantType::parse))
            .transpose()?;
        let auth_methods = spec
            .token_endpoint_auth_methods
            .map(|list| vocabulary(&list, "token_endpoint_auth_methods", AuthMethod::parse))
            .transpose()?;
        if let Some(scope) = spec.scopes.iter().flatten().find(|s| !is_scope_token(s)) {
            return Err(format!("scopes: {scope} is not a scope token"));
        }
        let mut api_grants: Vec<(String, Vec<String>)> = Vec::new();
        for grant in spec.api_grants {
            if url::Url::parse(&grant.audience).is_err() {
                return Err(format!("api_grants: {} is not an absolute URI", grant.audience));
            }
            if let Some(scope) = grant.scope.iter().find(|s| !is_scope_token(s)) {
                return Err(format!("api_grants: {scope} is not a scope token"));
            }
            if api_grants.iter().any(|(a, _)| *a == grant.audience) {
                return Err(format!("api_grants: {} is named twice", grant.audience));
            }
            api_grants.push((grant.audience, grant.scope));
        }
        Ok(Policy {
            name: name.to_owned(),
            hosts,
            prefixes,
            grant_types,
            auth_methods,
            scopes: spec.scopes,
            max_clients: spec.max_clients,
            max_clients_per_ip: spec.max_clients_per_ip,
            first_party: spec.first_party,
            api_grants,
        })
    }

    /// The scopes of `audience` this policy grants its clients, if it grants any.
    pub fn api_grant(&self, audience: &str) -> Option<&[String]> {
        self.api_grants.iter().find(|(a, _)| a == audience).map(|(_, s)| s.as_slice())
    }

    /// Whether `metadata` follows this policy; the error says what to change.
    pub fn check(&self, metadata: &ClientMetadata) -> Result<(), MetadataError> {
        let native = metadata.application_type == ApplicationType::Native;
        for (field, uris) in [
            ("redirect_uris", &metadata.redirect_uris),
            ("post_logout_redirect_uris", &metadata.post_logout_redirect_uris),
        ] {
            if let Some(uri) = uris.iter().find(|u| !self.allows_redirect(u, native)) {
                return Err(MetadataError::redirect(
                    field,
                    format!(
                        "{} is not allowed by registration policy {}; {}",
                        uri.as_str(),
                        self.name,
                        self.redirect_rule()
                    ),
                ));
            }
        }
        if let Some(allowed) = &self.grant_types {
            if let Some(grant) = metadata.grant_types.iter().find(|g| !allowed.contains(g)) {
                return Err(MetadataError::field(
                    "grant_types",
                    self.refusal(grant.as_str(), allowed.iter().map(|g| g.as_str())),
                ));
            }
        }
        if let Some(allowed) = &self.auth_methods {
            let method = metadata.token_endpoint_auth_method;
            if !allowed.contains(&method) {
                return Err(MetadataError::field(
                    "token_endpoint_auth_method",
                    self.refusal(method.as_str(), allowed.iter().map(|m| m.as_str())),
                ));
            }
        }
        if let (Some(allowed), Some(scope)) = (&self.scopes, &metadata.scope) {
            if let Some(value) = scope.split(' ').find(|s| !allowed.iter().any(|a| a == s)) {
                return Err(MetadataError::field(
                    "scope",
                    self.refusal(value, allowed.iter().map(String::as_str)),
                ));
            }
        }
        Ok(())
    }

    fn refusal<'a>(&self, value: &str, allowed: impl Iterator<Item = &'a str>) -> String {
        let allowed: Vec<&str> = allowed.collect();
        format!(
            "{value} is not allowed by registration policy {}; allowed: {}",
            self.name,
            if allowed.is_empty() { "none".to_owned() } else { allowed.join(" ") }
        )
    }

    /// No host or prefix rule means any redirect URI the metadata rules accept. Loopback
    /// redirects of native apps are always allowed (RFC 8252 §7.3): their port changes on
    /// every run, so no list could name them.
    fn allows_redirect(&self, uri: &CheckedUri, native: bool) -> bool {
        if self.hosts.is_empty() && self.prefixes.is_empty() {
            return true;
        }
        let url = uri.url();
        if native && url.scheme() == "http" && is_loopback(url.host()) {
            return true;
        }
        let host_ok = matches!(url.scheme(), "https" | "http")
            && url.host_str().is_some_and(|h| self.hosts.iter().any(|p| p.matches(h)));
        host_ok || self.prefixes.iter().any(|p| has_prefix(uri.as_str(), p))
    }

    fn redirect_rule(&self) -> String {
        let mut allowed: Vec<String> = self.hosts.iter().map(HostPattern::display).collect();
        allowed.extend(self.prefixes.iter().map(|p| format!("{p}...")));
        format!("allowed: {} (and http loopback for native apps)", allowed.join(" "))
    }
}

fn vocabulary<T>(
    list: &[String],
    field: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<Vec<T>, String> {
    list.iter()
        .map(|v| parse(v).ok_or_else(|| format!("{field}: {v} is not a supported value")))
        .collect()
}

/// RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\`.
fn is_scope_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b))
}

fn is_loopback(host: Option<Host<&str>>) -> bool {
    match host {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// `uri` starts with `prefix` and the match ends at a boundary, so that
/// `https://rp.example` does not admit `https://rp.example.evil`.
fn has_prefix(uri: &str, prefix: &str) -> bool {
    uri.strip_prefix(prefix).is_some_and(|rest| {
        prefix.ends_with('/') || rest.is_empty() || rest.starts_with(['/', '?'])
    })
}

/// Who may register (`--registration-mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationMode {
    /// Anyone may register (RFC 7591 §3 open registration), within the rate limits.
    Open,
    /// An initial access token is required.
    Token,
    /// Registration answers 403 and discovery stops advertising it.
    Closed,
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Map, Value};

    use super::*;
    use crate::domain::metadata::RegistrationPolicy;

    fn policies(spec: Value) -> Result<Policies, PolicyError> {
        Policies::parse(&json!({ "anonymous": "p", "policies": { "p": spec } }).to_string())
    }

    fn metadata(body: Value) -> ClientMetadata {
        let Value::Object(map) = body else { panic!("object") };
        let rules = RegistrationPolicy {
            allow_native_https_redirects: false,
            http_documents: false,
            scopes_supported: vec!["openid".into(), "profile".into(), "admin".into()],
            capabilities: Default::default(),
        };
        ClientMetadata::parse(&map, &rules).expect("valid metadata")
    }

    fn check(spec: Value, body: Value) -> Result<(), MetadataError> {
        let all = policies(spec).expect("valid policy");
        all.anonymous().expect("anonymous").check(&metadata(body))
    }

    #[test]
    fn hosts_match_exactly_or_below_a_domain() {
        let spec = json!({ "redirect_hosts": ["app.rp.example", "*.apps.example"] });
        for ok in
            ["https://app.rp.example/cb", "https://a.apps.example/cb", "https://x.y.apps.example/"]
        {
            assert_eq!(check(spec.clone(), json!({ "redirect_uris": [ok] })), Ok(()), "{ok}");
        }
        for bad in
            ["https://apps.example/cb", "https://rp.example/cb", "https://app.rp.example.evil/cb"]
        {
            let err = check(spec.clone(), json!({ "redirect_uris": [bad] })).unwrap_err();
            assert!(
                matches!(&err, MetadataError::InvalidRedirectUri(m) if m.contains(bad) && m.contains("policy p")),
                "{err:?}"
            );
        }
    }

    #[test]
    fn loopback_is_always_allowed_for_native_apps_only() {
        let spec = json!({ "redirect_hosts": ["app.rp.example"] });
        for uri in ["http://127.0.0.1:5173/cb", "http://[::1]/cb", "http://localhost:8080/cb"] {
            let native = json!({ "application_type": "native", "redirect_uris": [uri], "token_endpoint_auth_method": "none" });
            assert_eq!(check(spec.clone(), native), Ok(()), "{uri}");
        }
        let web = json!({ "redirect_uris": ["http://localhost:8080/cb"] });
        assert!(check(spec, web).is_err());
    }

    #[test]
    fn prefixes_end_on_a_boundary() {
        let spec =
            json!({ "redirect_uri_prefixes": ["https://rp.example", "com.example.app:/oauth"] });
        let native = |uri: &str| json!({ "application_type": "native", "redirect_uris": [uri], "token_endpoint_auth_method": "none" });
        assert_eq!(
            check(spec.clone(), json!({ "redirect_uris": ["https://rp.example/cb"] })),
            Ok(())
        );
        assert_eq!(check(spec.clone(), native("com.example.app:/oauth/cb")), Ok(()));
        assert!(check(spec.clone(), json!({ "redirect_uris": ["https://rp.example.evil/cb"] }))
            .is_err());
        assert!(check(spec.clone(), json!({ "redirect_uris": ["https://rp.example:8443/cb"] }))
            .is_err());
        assert!(check(spec, native("com.example.app:/oauthx")).is_err());
    }

    #[test]
    fn logout_redirects_follow_the_same_rule() {
        let spec = json!({ "redirect_hosts": ["rp.example"] });
        let body = json!({ "redirect_uris": ["https://rp.example/cb"], "post_logout_redirect_uris": ["https://evil.example/"] });
        let err = check(spec, body).unwrap_err();
        assert!(format!("{err:?}").contains("post_logout_redirect_uris"));
    }

    #[test]
    fn grants_methods_and_scopes_are_limited() {
        let spec = json!({
            "grant_types": ["authorization_code", "refresh_token"],
            "token_endpoint_auth_methods": ["private_key_jwt", "none"],
            "scopes": ["openid", "profile"],
        });
        let base = json!({ "redirect_uris": ["https://rp.example/cb"], "token_endpoint_auth_method": "none" });
        assert_eq!(check(spec.clone(), base.clone()), Ok(()));
        let with = |k: &str, v: Value| {
            let mut b: Map<String, Value> = base.as_object().cloned().unwrap();
            b.insert(k.into(), v);
            Value::Object(b)
        };
        let err = check(
            spec.clone(),
            with(
                "grant_types",
                json!(["authorization_code", "urn:ietf:params:oauth:grant-type:device_code"]),
            ),
        )
        .unwrap_err();
        assert!(
            format!("{err:?}").contains(
                "grant_types: urn:ietf:params:oauth:grant-type:device_code is not allowed"
            ),
            "{err:?}"
        );
        let err =
            check(spec.clone(), with("token_endpoint_auth_method", json!("client_secret_basic")))
                .unwrap_err();
        assert!(format!("{err:?}").contains("allowed: private_key_jwt none"), "{err:?}");
        let err = check(spec.clone(), with("scope", json!("openid admin"))).unwrap_err();
        assert!(format!("{err:?}").contains("scope: admin is not allowed"), "{err:?}");
        assert_eq!(check(spec, with("scope", json!("openid profile"))), Ok(()));
    }

    #[test]
    fn bad_files_are_refused_with_the_reason() {
        let cases = [
            json!({ "redirect_hosts": ["*.com"] }),
            json!({ "redirect_hosts": ["*.github.io"] }),
            json!({ "redirect_hosts": ["https://rp.example"] }),
            json!({ "grant_types": ["password"] }),
            json!({ "scopes": ["a\"b"] }),
            json!({ "redirect_host": ["rp.example"] }),
            json!({ "redirect_uri_prefixes": ["not a uri"] }),
        ];
        for spec in cases {
            assert!(policies(spec.clone()).is_err(), "{spec}");
        }
        let unknown = json!({ "anonymous": "missing", "policies": {} }).to_string();
        assert!(Policies::parse(&unknown).is_err());
        let bad_name = json!({ "policies": { "a b": {} } }).to_string();
        assert!(Policies::parse(&bad_name).is_err());
    }
}
