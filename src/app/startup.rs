//! Builds the application: binds the listener (port 0 works, for tests), opens the store,
//! loads the server keys, and wires the route table.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use actix_web::dev::{Server, ServerHandle};
use actix_web::{web, App, HttpServer};

use crate::app::config::{Settings, StoreSettings};
use crate::app::transport::production::{self, Problem};
use crate::app::transport::tls::{self, TlsError};
use crate::credentials::seal::{SealError, Sealer};
use crate::domain::policy::Policies;
use crate::domain::software_statement::{StatementPolicy, TrustedIssuer};
use crate::http;
use crate::http::observe::Observe;
use crate::infra::clock::{Clock, SystemClock};
use crate::infra::fetch::{FetchPolicy, Fetcher};
use crate::infra::metrics::Metrics;
use crate::service::admin_token::{self, TokenError};
use crate::service::cleanup;
use crate::service::console::{self, Console, ConsoleSettings};
use crate::service::keys::{KeyError, ServerKeys};
use crate::service::oauth::OAuth;
use crate::service::state::{Access, AppState, ObserveFlags, Shared};
use crate::store::apis::ApiStore;
use crate::store::audit::AuditLog;
use crate::store::console::ConsoleStore;
use crate::store::iat::TokenStore;
use crate::store::idempotency::Registrations;
use crate::store::lease::Lease;
use crate::store::memory::MemoryStore;
use crate::store::oauth_tokens::TokenFacts;
use crate::store::quota::QuotaStore;
use crate::store::rate::RateLimiter;
use crate::store::redis::{RedisConfig, Timeouts};
use crate::store::{ClientStore, Store, StoreError};

/// How long startup waits for Redis to answer before giving up.
const REDIS_STARTUP_ATTEMPTS: u32 = 10;
/// Time in-flight requests get to finish on SIGTERM.
const SHUTDOWN_GRACE_SECONDS: u64 = 10;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot listen: {0}")]
    Listen(#[from] std::io::Error),
    #[error("at-rest key: {0}")]
    SecretKey(#[from] SealError),
    #[error("Redis: {0}")]
    Store(#[from] StoreError),
    #[error(transparent)]
    Keys(#[from] KeyError),
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("{0}")]
    Access(String),
    #[error("this command needs a shared store: with the in-process store only the running server knows its keys and tokens; configure --redis-url")]
    NeedsSharedStore,
}

/// The store each worker gets: one shared map, or a Redis connection of its own.
#[derive(Clone)]
enum Backend {
    Memory(Arc<MemoryStore>),
    Redis(Box<RedisConfig>),
}

impl Backend {
    fn store(&self) -> Result<Store, StoreError> {
        Ok(match self {
            Backend::Memory(map) => Store::Memory(map.clone()),
            Backend::Redis(config) => Store::Redis(config.connect_lazy()?),
        })
    }
}

pub struct Application {
    port: u16,
    issuer: String,
    server: Server,
    keys: Arc<ServerKeys>,
    /// The unused-client sweeper, stopped with the server.
    sweeper: Option<tokio::task::JoinHandle<()>>,
    /// Where console sessions live; `None` with `--no-console`.
    console: Option<(ConsoleStore, ConsoleSettings)>,
    /// The in-process store: no CLI can reach it, so `serve` prints a sign-in URL.
    in_process: bool,
}

/// `registrar token`: an admin token signed with the keys in the configured store, so
/// every server on that store accepts it.
pub async fn mint_admin_token(
    settings: &Settings,
    scopes: &[&str],
    ttl: Duration,
    subject: &str,
) -> Result<String, StartupError> {
    if matches!(settings.store, StoreSettings::Memory) {
        return Err(StartupError::NeedsSharedStore);
    }
    let issuer = settings
        .issuer
        .clone()
        .unwrap_or_else(|| settings.transport.default_issuer(settings.listen));
    let (backend, sealer) = open_backend(settings)?;
    let keys = load_keys(&backend, &sealer).await?;
    Ok(admin_token::mint(&keys, &issuer, subject, scopes, ttl, SystemTime::now())?)
}

/// `registrar iat create`: issues an initial access token in the configured store and
/// returns it (the only time it is shown).
pub async fn issue_initial_access_token(
    settings: &Settings,
    expires_in: Option<Duration>,
    max_uses: u64,
    policy: Option<String>,
) -> Result<String, StartupError> {
    if matches!(settings.store, StoreSettings::Memory) {
        return Err(StartupError::NeedsSharedStore);
    }
    let (backend, _) = open_backend(settings)?;
    let access = build_access(settings, &backend).await?;
    if let Some(name) = policy.as_deref().filter(|n| access.policies.get(n).is_none()) {
        return Err(StartupError::Access(format!(
            "--policy {name}: no such policy in the --policies file"
        )));
    }
    let now = SystemClock.now();
    let (token, _) = access
        .tokens
        .issue(now, expires_in.map(|d| d.as_secs()), max_uses, policy)
        .await
        .map_err(|e| StartupError::Access(e.to_string()))?;
    Ok(token.expose().to_owned())
}

/// `registrar console-url`: a one-time sign-in URL, kept in the configured store so the
/// server accepts it.
pub async fn console_sign_in_url(
    settings: &Settings,
    subject: &str,
) -> Result<String, StartupError> {
    if matches!(settings.store, StoreSettings::Memory) {
        return Err(StartupError::NeedsSharedStore);
    }
    if !settings.console.enabled {
        return Err(StartupError::Access("the console is off (--no-console)".into()));
    }
    let issuer = settings
        .issuer
        .clone()
        .unwrap_or_else(|| settings.transport.default_issuer(settings.listen));
    let (backend, _) = open_backend(settings)?;
    let store = console_store(&backend)?;
    Ok(console::sign_in_url(&store, &issuer, subject, settings.console.link_ttl).await?)
}

fn console_store(backend: &Backend) -> Result<ConsoleStore, StartupError> {
    Ok(match backend {
        Backend::Memory(_) => ConsoleStore::memory(),
        Backend::Redis(config) => {
            ConsoleStore::Redis { conn: config.connection()?, prefix: config.prefix().to_owned() }
        }
    })
}

fn open_backend(settings: &Settings) -> Result<(Backend, Sealer), StartupError> {
    let sealer = match &settings.secret_key {
        Some(key) => Sealer::from_keys(key, &settings.previous_secret_keys)?,
        None => Sealer::from_keys(&Sealer::generate_key()?, &[])?,
    };
    let backend = match &settings.store {
        StoreSettings::Memory => {
            tracing::warn!("{}", Problem::InProcessStore.warning());
            Backend::Memory(Arc::default())
        }
        StoreSettings::Redis { topology, prefix, timeout } => {
            let timeouts = Timeouts { connect: *timeout, response: *timeout };
            Backend::Redis(Box::new(RedisConfig::new(topology, prefix, timeouts)?))
        }
    };
    Ok((backend, sealer))
}

/// Rate limits and initial access tokens live beside the clients (Redis, so they hold
/// across instances); the fetcher and the trusted statement issuers are built once.
async fn build_access(settings: &Settings, backend: &Backend) -> Result<Access, StartupError> {
    let access = &settings.access;
    let (limiter, tokens, quotas, registrations) = match backend {
        Backend::Memory(_) => (
            RateLimiter::memory(),
            TokenStore::memory(),
            QuotaStore::memory(),
            Registrations::memory(),
        ),
        Backend::Redis(config) => {
            let (conn, prefix) = (config.connection()?, config.prefix().to_owned());
            (
                RateLimiter::Redis { conn: conn.clone(), prefix: prefix.clone() },
                TokenStore::Redis { conn: conn.clone(), prefix: prefix.clone() },
                QuotaStore::Redis { conn: conn.clone(), prefix: prefix.clone() },
                Registrations::Redis { conn, prefix },
            )
        }
    };
    let policies = match &access.policies {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| StartupError::Access(format!("--policies {}: {e}", path.display())))?;
            Policies::parse(&text).map_err(|e| StartupError::Access(e.to_string()))?
        }
        None => Policies::default(),
    };
    let fetcher = Fetcher::new(FetchPolicy {
        allow_hosts: access.fetch_allow_hosts.clone(),
        allow_http: access.fetch_allow_http,
        ..FetchPolicy::default()
    })
    .map_err(|e| StartupError::Access(format!("outbound fetcher: {e}")))?;
    let trusted = match &access.trusted_issuers {
        Some(path) => load_trusted_issuers(path, &fetcher).await?,
        None => Vec::new(),
    };
    Ok(Access {
        mode: access.mode,
        per_ip: access.per_ip,
        global: access.global,
        limiter,
        proxies: access.proxies.clone(),
        tokens,
        policies,
        quotas,
        idempotent: access.idempotent_registration.then_some(registrations),
        verify_jwks_uri: access.verify_jwks_uri,
        statements: StatementPolicy {
            trusted,
            required: access.require_software_statement,
            ..StatementPolicy::default()
        },
        fetcher,
    })
}

/// `[{"issuer": ..., "jwks": {...}} | {"issuer": ..., "jwks_uri": "https://..."}]`; key
/// sets behind a URI are fetched once, at start, through the guarded fetcher.
async fn load_trusted_issuers(
    path: &std::path::Path,
    fetcher: &Fetcher,
) -> Result<Vec<TrustedIssuer>, StartupError> {
    let fail = |why: String| StartupError::Access(format!("{}: {why}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    let entries: Vec<serde_json::Value> =
        serde_json::from_str(&text).map_err(|e| fail(e.to_string()))?;
    let mut trusted = Vec::with_capacity(entries.len());
    for entry in entries {
        let issuer =
            entry["issuer"].as_str().ok_or_else(|| fail("an entry has no issuer".into()))?;
        let jwks = match (&entry["jwks"], entry["jwks_uri"].as_str()) {
            (serde_json::Value::Object(_), None) => entry["jwks"].clone(),
            (serde_json::Value::Null, Some(uri)) => {
                fetcher.get_json(uri).await.map_err(|e| fail(format!("{issuer}: {e}")))?
            }
            _ => return Err(fail(format!("{issuer}: give exactly one of jwks and jwks_uri"))),
        };
        trusted.push(
            TrustedIssuer::from_jwks(issuer, &jwks).map_err(|e| fail(format!("{issuer}: {e}")))?,
        );
    }
    Ok(trusted)
}

/// Replay and revocation facts and the APIs live beside the clients.
fn build_oauth(
    settings: &Settings,
    backend: &Backend,
    sealer: &Sealer,
    issuer: &str,
) -> Result<Arc<OAuth>, StartupError> {
    let (facts, apis) = match backend {
        Backend::Memory(_) => (TokenFacts::memory(), ApiStore::memory()),
        Backend::Redis(config) => {
            let (conn, prefix) = (config.connection()?, config.prefix().to_owned());
            (
                TokenFacts::Redis { conn: conn.clone(), prefix: prefix.clone() },
                ApiStore::Redis { conn, prefix },
            )
        }
    };
    let token_endpoint = settings.token_endpoint.as_deref();
    let limit = settings.access.per_client_token;
    OAuth::new(facts, apis, sealer, issuer, token_endpoint, limit).map_err(StartupError::Access)
}

/// The paths on this issuer that discovery names for the co-located OpenID Provider.
fn op_paths(settings: &Settings, issuer: &str) -> Vec<(String, &'static str)> {
    let endpoints = [
        (&settings.authorization_endpoint, "/authorize", "The authorization endpoint"),
        (&settings.userinfo_endpoint, "/userinfo", "The userinfo endpoint"),
    ];
    endpoints
        .into_iter()
        .filter_map(|(configured, default, name)| {
            let url = configured.clone().unwrap_or_else(|| format!("{issuer}{default}"));
            let path = url.strip_prefix(issuer)?.split(['?', '#']).next()?.to_owned();
            path.starts_with('/').then_some((path, name))
        })
        .collect()
}

/// Waits for the store, then loads (or on first start creates) the server's keys.
async fn load_keys(backend: &Backend, sealer: &Sealer) -> Result<Arc<ServerKeys>, StartupError> {
    let bootstrap = backend.store()?;
    wait_until_ready(&bootstrap).await?;
    Ok(Arc::new(ServerKeys::load_or_create(&bootstrap, sealer).await?))
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Application, StartupError> {
        // Read before anything else, so a bad certificate fails fast.
        let tls = settings.transport.tls.as_ref().map(tls::server_config).transpose()?;
        let listener = TcpListener::bind(settings.listen)?;
        let address = listener.local_addr()?;
        let issuer =
            settings.issuer.clone().unwrap_or_else(|| settings.transport.default_issuer(address));
        production::warn(&settings.exposure(), address);
        let (backend, sealer) = open_backend(&settings)?;
        let server_keys = load_keys(&backend, &sealer).await?;
        // Built here, on the runtime that outlives the server: the Redis log's writer
        // task runs on it.
        let audit = match &backend {
            Backend::Memory(_) => AuditLog::memory(settings.audit_max_events),
            Backend::Redis(config) => {
                AuditLog::redis(config.connection()?, config.prefix(), settings.audit_max_events)
                    .map_err(|e| StoreError::Unavailable(e.to_string()))?
            }
        }
        .skipping(&settings.audit_skip);
        let access = build_access(&settings, &backend).await?;
        let console = match settings.console.enabled {
            true => Some((console_store(&backend)?, settings.console)),
            false => None,
        };
        let oauth = build_oauth(&settings, &backend, &sealer, &issuer)?;
        let op_paths = op_paths(&settings, &issuer);
        let observe = &settings.observe;
        let shared = Arc::new(Shared {
            metrics: Metrics::new(audit.clone(), observe.metrics_token.as_deref()),
            observe: ObserveFlags { metrics: observe.metrics, access_log: observe.access_log },
            discovery: crate::app::discovery::build_document(&settings, &issuer),
            issuer: issuer.clone(),
            sealer,
            policy: settings.policy.clone(),
            clock: Arc::new(SystemClock),
            rotate_registration_access_token: settings.rotate_registration_access_token,
            cleanup_unused: settings.cleanup.is_some(),
            max_body_bytes: settings.max_body_bytes,
            body_timeout: settings.transport.limits.body_timeout,
            server_keys: server_keys.clone(),
            audit,
            access,
            console: console.clone().map(|(store, on)| Console::new(store, on, &issuer)),
            oauth,
        });
        let sweeper = match settings.cleanup {
            Some(cleanup) => {
                let lease = match &backend {
                    Backend::Memory(_) => Lease::Local,
                    Backend::Redis(config) => {
                        Lease::redis(config.connection()?, config.prefix(), "cleanup")
                    }
                };
                let state = AppState { store: backend.store()?, shared: shared.clone() };
                Some(cleanup::spawn(state, lease, cleanup))
            }
            None => None,
        };
        let keys = server_keys;
        let limits = settings.transport.limits.fitted_to_open_files();
        let console_on = console.is_some();
        let in_process = matches!(backend, Backend::Memory(_));
        let server = HttpServer::new(move || {
            // Cannot fail: the same backend already opened the bootstrap store above.
            let store = backend.store().expect("backend validated at startup");
            App::new()
                .app_data(web::Data::new(AppState { store, shared: shared.clone() }))
                .wrap(security_headers())
                .wrap(Observe::new(shared.clone()))
                .configure(http::configure)
                .configure(|cfg| http::console::configure(cfg, console_on))
                .configure(|cfg| http::token::op_routes(cfg, &op_paths))
                .default_service(web::to(http::not_found))
        })
        .workers(settings.workers)
        .shutdown_timeout(SHUTDOWN_GRACE_SECONDS)
        .max_connections(limits.max_connections_per_worker(settings.workers))
        .max_connection_rate(limits.max_tls_handshakes_per_worker)
        .client_request_timeout(limits.request_timeout)
        .client_disconnect_timeout(limits.disconnect_timeout)
        .tls_handshake_timeout(limits.tls_handshake_timeout)
        .keep_alive(limits.keep_alive);
        let server = match tls {
            Some(config) => server.listen_rustls_0_23(listener, config)?,
            None => server.listen(listener)?,
        }
        .run();
        tracing::info!(%address, %issuer, "registrar listening");
        Ok(Application { port: address.port(), issuer, server, keys, sweeper, console, in_process })
    }

    /// An admin token signed by this server, for embedding and tests.
    pub fn mint_admin_token(&self, scopes: &[&str], ttl: Duration) -> Result<String, TokenError> {
        admin_token::mint(
            &self.keys,
            &self.issuer,
            "registrar-embedded",
            scopes,
            ttl,
            SystemTime::now(),
        )
    }

    /// A one-time console sign-in URL for `subject`; `None` with `--no-console`.
    pub async fn console_sign_in_url(&self, subject: &str) -> Result<Option<String>, StoreError> {
        let Some((store, settings)) = &self.console else { return Ok(None) };
        Ok(Some(console::sign_in_url(store, &self.issuer, subject, settings.link_ttl).await?))
    }

    /// Whether clients live in this process only (no CLI can reach its console sessions).
    pub fn in_process(&self) -> bool {
        self.in_process
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let stopped = self.server.await;
        if let Some(sweeper) = self.sweeper {
            sweeper.abort();
        }
        stopped
    }
}

/// Headers every response carries: no MIME sniffing of JSON into something executable,
/// no framing, no referrer leaking registration URIs.
fn security_headers() -> actix_web::middleware::DefaultHeaders {
    use actix_web::http::header;
    actix_web::middleware::DefaultHeaders::new()
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::REFERRER_POLICY, "no-referrer"))
}

async fn wait_until_ready(store: &Store) -> Result<(), StoreError> {
    let mut attempt = 1;
    loop {
        match store.ping().await {
            Ok(()) => return Ok(()),
            Err(e) if attempt >= REDIS_STARTUP_ATTEMPTS => return Err(e),
            Err(e) => {
                tracing::warn!(error = %e, attempt, "store not ready yet");
                tokio::time::sleep(Duration::from_millis(500)).await;
                attempt += 1;
            }
        }
    }
}
