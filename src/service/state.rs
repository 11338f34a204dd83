//! What handlers share: the store, plus everything fixed at startup.

use std::sync::Arc;

use crate::credentials::seal::Sealer;
use crate::domain::client_ip::TrustedProxies;
use crate::domain::metadata::RegistrationPolicy;
use crate::domain::policy::Policies;
use crate::domain::policy::RegistrationMode;
use crate::domain::software_statement::StatementPolicy;
use crate::infra::clock::Clock;
use crate::infra::fetch::Fetcher;
use crate::infra::metrics::Metrics;
use crate::service::keys::ServerKeys;
use crate::store::audit::AuditLog;
use crate::store::iat::TokenStore;
use crate::store::idempotency::Registrations;
use crate::store::quota::QuotaStore;
use crate::store::rate::{Limit, RateLimiter};
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
    /// `--client-body-timeout-ms`: the whole request body must arrive within it.
    pub body_timeout: std::time::Duration,
    pub server_keys: Arc<ServerKeys>,
    /// The discovery document, serialized once.
    pub discovery: String,
    pub audit: AuditLog,
    pub access: Access,
    pub metrics: Metrics,
    pub observe: ObserveFlags,
    /// The web console; `None` with `--no-console`.
    pub console: Option<crate::service::console::Console>,
    /// The token, introspection and revocation endpoints' state.
    pub oauth: Arc<crate::service::oauth::OAuth>,
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
        let path = crate::domain::endpoints::REGISTRATION_PATH;
        let mut uri = String::with_capacity(self.issuer.len() + path.len() + 1 + client_id.len());
        for part in [self.issuer.as_str(), path, "/", client_id] {
            uri.push_str(part);
        }
        uri
    }
}
