//! What handlers share: the store, plus everything fixed at startup.

use std::sync::Arc;

use crate::access::client_ip::TrustedProxies;
use crate::access::iat::TokenStore;
use crate::access::quota::QuotaStore;
use crate::access::rate::{Limit, RateLimiter};
use crate::access::RegistrationMode;
use crate::audit::AuditLog;
use crate::clock::Clock;
use crate::credentials::seal::Sealer;
use crate::domain::metadata::RegistrationPolicy;
use crate::domain::policy::Policies;
use crate::domain::software_statement::StatementPolicy;
use crate::fetch::Fetcher;
use crate::idempotency::Registrations;
use crate::keys::ServerKeys;
use crate::metrics::Metrics;
use crate::store::Store;

/// Per worker: the store handle (a Redis connection belongs to one worker's runtime).
pub struct AppState {
    pub store: Store,
    pub shared: Arc<Shared>,
}

/// Built once at startup and shared by every worker.
pub struct Shared {
    /// Base URL without a trailing slash.
    pub issuer: String,
    pub sealer: Sealer,
    pub policy: RegistrationPolicy,
    pub clock: Arc<dyn Clock>,
    pub rotate_registration_access_token: bool,
    /// `--cleanup-unused-after` is set: new clients' first use is recorded.
    pub cleanup_unused: bool,
    pub max_body_bytes: usize,
    pub server_keys: Arc<ServerKeys>,
    /// The discovery document, serialized once.
    pub discovery: String,
    pub audit: AuditLog,
    pub access: Access,
    pub metrics: Metrics,
    pub observe: ObserveFlags,
    /// The token, introspection and revocation endpoints' state.
    pub oauth: Arc<crate::oauth::OAuth>,
}

/// Which of the observability features run (`--no-metrics`, `--access-log`).
#[derive(Debug, Clone, Copy)]
pub struct ObserveFlags {
    pub metrics: bool,
    pub access_log: bool,
}

/// Who may register, and how the server reaches out.
pub struct Access {
    pub mode: RegistrationMode,
    pub per_ip: Option<Limit>,
    pub global: Option<Limit>,
    pub limiter: RateLimiter,
    pub proxies: TrustedProxies,
    pub tokens: TokenStore,
    pub policies: Policies,
    pub quotas: QuotaStore,
    /// `--verify-jwks-uri`.
    pub verify_jwks_uri: bool,
    /// Set with `--idempotent-registration`.
    pub idempotent: Option<Registrations>,
    pub statements: StatementPolicy,
    pub fetcher: Fetcher,
}

impl Shared {
    /// The metrics, unless `--no-metrics` turned them off.
    pub fn metrics_endpoint(&self) -> Option<&Metrics> {
        self.observe.metrics.then_some(&self.metrics)
    }

    /// RFC 7592 App. B: the server builds the client configuration URI; clients never do.
    pub fn registration_client_uri(&self, client_id: &str) -> String {
        // Pushes, not `format!`: built for every RFC 7592 response (see `Layout::client`).
        let path = crate::routes::REGISTRATION_PATH;
        let mut uri = String::with_capacity(self.issuer.len() + path.len() + 1 + client_id.len());
        for part in [self.issuer.as_str(), path, "/", client_id] {
            uri.push_str(part);
        }
        uri
    }
}
