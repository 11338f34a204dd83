//! One fetcher for every URL the server dereferences on a client's behalf
//! (`sector_identifier_uri`, `jwks_uri`, trusted software statement JWKS).
//!
//! The URL comes from an anonymous registration request, so each fetch is a potential SSRF
//! (spec checklist, security pitfall 1). The guard:
//! - https only (`allow_http` exists for tests), no user information in the URL;
//! - the host is resolved by our own resolver, which refuses the whole host when any answer
//!   is a forbidden address ([`is_forbidden`]); the connection then goes to exactly the
//!   vetted addresses, so a second DNS answer cannot swap in an internal one (rebinding),
//!   while Host and SNI stay the original name. IP literals skip DNS and are vetted up front;
//! - no proxies from the environment (a proxy would resolve the name itself), no redirects
//!   (a 3xx is an error), no cookies, no credentials, no compression (no decompression bombs);
//! - connect and total timeouts, and a body cap enforced while reading;
//! - error messages are fixed ASCII texts that never echo the remote body, so the endpoint
//!   is a poor port scanner.

mod address;
mod jwks_uri;
mod resolve;
mod sector;
#[cfg(test)]
mod tests;

use std::error::Error as _;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use url::{Host, Url};

pub use address::is_forbidden;
pub use jwks_uri::check_jwks_uri;
pub use sector::check_sector_identifier;

use address::AllowList;
use resolve::VettingResolver;

/// Default connect timeout: a live server answers a TCP/TLS handshake in well under this.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Default time for the whole fetch, body included; registration waits on it.
pub const DEFAULT_TOTAL_TIMEOUT: Duration = Duration::from_secs(5);
/// Default body cap: sector files and JWK Sets are a few KiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;

/// What outbound fetches may do. `Default` is the production setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchPolicy {
    /// Exact host names, IP addresses or CIDR networks exempt from the address checks, for
    /// tests and internal deployments (a local conformance suite on a private address).
    pub allow_hosts: Vec<String>,
    /// Permit plain http URLs. Tests only: a statement key set or sector file fetched over
    /// http can be replaced by anyone on the path.
    pub allow_http: bool,
    /// Longest wait for DNS and the TCP (and TLS) handshake.
    pub connect_timeout: Duration,
    /// Longest wait for the whole fetch, body included.
    pub total_timeout: Duration,
    /// Largest response body accepted.
    pub max_body_bytes: usize,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        FetchPolicy {
            allow_hosts: Vec::new(),
            allow_http: false,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            total_timeout: DEFAULT_TOTAL_TIMEOUT,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

/// Why a fetch was refused or failed. Messages are fixed ASCII texts that read well after
/// `"<field>: fetch refused: "` and never contain anything the remote server sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("URL must use https")]
    NotHttps,
    #[error("URL is not an absolute http(s) URL with a host and without user information")]
    BadUrl,
    #[error("host name could not be resolved")]
    Resolve,
    #[error("host resolves to a loopback, private, link-local or reserved address")]
    ForbiddenAddress,
    #[error("server answered with a redirect; redirects are not followed")]
    Redirect,
    #[error("server did not answer in time")]
    Timeout,
    #[error("response body is larger than allowed")]
    TooLarge,
    #[error("server answered with HTTP status {0}")]
    Status(u16),
    #[error("response body is not JSON")]
    NotJson,
    #[error("connection to the server failed")]
    Connect,
    #[error("outbound HTTP client could not be set up")]
    Setup,
}

/// Fetches JSON documents under a [`FetchPolicy`]. Build once and clone: clones share the
/// HTTP client.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    allow: Arc<AllowList>,
    allow_http: bool,
    total_timeout: Duration,
    max_body_bytes: usize,
}

impl Fetcher {
    pub fn new(policy: FetchPolicy) -> Result<Fetcher, FetchError> {
        let allow = Arc::new(AllowList::parse(&policy.allow_hosts));
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(VettingResolver::new(Arc::clone(&allow))))
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .https_only(!policy.allow_http)
            .connect_timeout(policy.connect_timeout)
            .timeout(policy.total_timeout)
            // Fetches are rare and go to client-chosen hosts: keep no idle sockets to them.
            .pool_max_idle_per_host(0)
            .user_agent(concat!("registrar/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|_| FetchError::Setup)?;
        Ok(Fetcher {
            client,
            allow,
            allow_http: policy.allow_http,
            total_timeout: policy.total_timeout,
            max_body_bytes: policy.max_body_bytes,
        })
    }

    /// GETs `url` and parses the body as JSON.
    ///
    /// The `Content-Type` is not checked: sector identifier files and JWK Sets are often
    /// served from static hosting as `text/plain` or `application/octet-stream`, and the
    /// body must parse as JSON anyway, which is the check that matters.
    pub async fn get_json(&self, url: &str) -> Result<Value, FetchError> {
        let url = self.check_url(url)?;
        // reqwest's own timeout covers the request; this one also bounds DNS and the body.
        tokio::time::timeout(self.total_timeout, self.fetch(url))
            .await
            .unwrap_or(Err(FetchError::Timeout))
    }

    fn check_url(&self, raw: &str) -> Result<Url, FetchError> {
        let url = Url::parse(raw).map_err(|_| FetchError::BadUrl)?;
        match url.scheme() {
            "https" => {}
            "http" if self.allow_http => {}
            "http" => return Err(FetchError::NotHttps),
            _ => return Err(FetchError::BadUrl),
        }
        // reqwest would turn user information into an Authorization header.
        if !url.username().is_empty() || url.password().is_some() {
            return Err(FetchError::BadUrl);
        }
        // The connector skips the resolver for IP literals, so vet those here.
        let literal = match url.host() {
            None => return Err(FetchError::BadUrl),
            Some(Host::Domain(_)) => None,
            Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        };
        if let Some(ip) = literal {
            address::vet(&ip.to_string(), [ip], &self.allow)?;
        }
        Ok(url)
    }

    async fn fetch(&self, url: Url) -> Result<Value, FetchError> {
        let mut response = self
            .client
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(classify)?;
        let status = response.status();
        if status.is_redirection() {
            return Err(FetchError::Redirect);
        }
        if !status.is_success() {
            return Err(FetchError::Status(status.as_u16()));
        }
        let cap = self.max_body_bytes;
        if response.content_length().is_some_and(|len| len > cap as u64) {
            return Err(FetchError::TooLarge);
        }
        // Read chunk by chunk so a server that lies about (or omits) Content-Length still
        // cannot make us buffer more than the cap.
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > cap {
                return Err(FetchError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&body).map_err(|_| FetchError::NotJson)
    }
}

/// Recovers our resolver's refusal from reqwest's error chain; every other transport
/// failure (refused, reset, TLS) is one `Connect`, so callers learn nothing finer.
fn classify(err: reqwest::Error) -> FetchError {
    if err.is_timeout() {
        return FetchError::Timeout;
    }
    let mut source = err.source();
    while let Some(cause) = source {
        if let Some(refusal) = cause.downcast_ref::<FetchError>() {
            return *refusal;
        }
        source = cause.source();
    }
    FetchError::Connect
}
