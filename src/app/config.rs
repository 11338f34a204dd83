//! Configuration: command-line flags with environment fallbacks, checked once at startup
//! into [`Settings`]. Every default is documented on its flag and in docs/configuration.md.

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::app::cli_help::{heading, help_flags};

use crate::app::transport::production::{self, ProductionError};
use crate::app::transport::{TransportArgs, TransportError, TransportSettings};
use crate::domain::client_ip::{Cidr, TrustedProxies};
use crate::domain::metadata::RegistrationPolicy;
use crate::domain::policy::RegistrationMode;
use crate::service::cleanup::CleanupSettings;
use crate::store::audit::EventType;
use crate::store::rate::Limit;
use crate::store::topology::RedisTopology;

#[derive(Debug, Parser)]
#[command(
    name = "registrar",
    version,
    about = "OpenID Connect Dynamic Client Registration service"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the service.
    #[command(disable_help_flag = true, args = help_flags())]
    Serve(Box<ServeArgs>),
    /// Print a fresh at-rest encryption key for --secret-key.
    GenKey,
    /// Print an admin token for the management API, signed with the keys in the
    /// configured store (needs --redis-url).
    #[command(disable_help_flag = true, args = help_flags())]
    Token(Box<TokenArgs>),
    /// Print a one-time sign-in URL for the web console, kept in the configured store
    /// (needs --redis-url; a server on the in-process store prints one when it starts).
    ConsoleUrl(Box<ConsoleUrlArgs>),
    /// Initial access tokens (RFC 7591 §3) in the configured store (needs --redis-url).
    Iat {
        #[command(subcommand)]
        command: IatCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum IatCommand {
    /// Issue a token and print it; only its hash is stored.
    #[command(disable_help_flag = true, args = help_flags())]
    Create(Box<IatCreateArgs>),
}

#[derive(Debug, Clone, Args)]
pub struct IatCreateArgs {
    /// Lifetime: seconds, or with a unit (30m, 1h, 1d). Unset: never expires.
    #[arg(long)]
    pub expires_in: Option<String>,
    /// Registrations the token allows; 0 means unlimited.
    #[arg(long, default_value_t = 1)]
    pub max_uses: u64,
    /// Registration policy (from `--policies`) the token's registrations follow.
    #[arg(long)]
    pub policy: Option<String>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Clone, Args)]
pub struct TokenArgs {
    /// Space-separated scopes, e.g. "read:clients update:clients".
    #[arg(long)]
    pub scope: String,
    /// Lifetime: seconds, or with a unit (30m, 1h, 7d); at most 30 days.
    #[arg(long, default_value = "1h")]
    pub ttl: String,
    /// The token's `sub` claim, recorded in audit events.
    #[arg(long, default_value = "registrar-cli")]
    pub subject: String,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Clone, Args)]
pub struct ConsoleUrlArgs {
    /// Who signs in with the URL: named in the audit events of the session.
    #[arg(long, default_value = "console-admin")]
    pub subject: String,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Every `serve` flag. In each doc comment the first paragraph is the one-line help of
/// `--help`; the whole comment is the long help of `--help-long`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    ///
    /// Port 0 picks a free port (the chosen one is logged at start).
    #[arg(long, env = "REGISTRAR_LISTEN", default_value = "127.0.0.1:8080",
          help_heading = heading::NETWORK)]
    pub listen: SocketAddr,
    /// Public base URL of the service (default: http:// + the listen address).
    ///
    /// registration_endpoint, registration_client_uri and discovery are built from it. With
    /// --tls-cert the default is https:// + the listen address. Use the public https URL in
    /// production (RFC 7591 §5).
    #[arg(long, env = "REGISTRAR_ISSUER", help_heading = heading::NETWORK)]
    pub issuer: Option<String>,
    /// Redis URL (unset: the in-process store, which keeps nothing).
    ///
    /// One server: redis://[user:password@]host:port[/db] or unix:///path (rediss:// needs a
    /// TLS-enabled build). Redis Cluster: redis+cluster://host:port,host:port (seed nodes).
    /// Sentinel: redis+sentinel://host:port,host:port/<master-name>[/db].
    #[arg(long, env = "REDIS_URL", help_heading = heading::STORAGE)]
    pub redis_url: Option<String>,
    /// Prefix of every Redis key, so several deployments can share one Redis.
    ///
    /// No braces: the keys' own hash tags decide their Redis Cluster slots.
    #[arg(long, env = "REGISTRAR_REDIS_PREFIX", default_value = "registrar:",
          help_heading = heading::STORAGE)]
    pub redis_prefix: String,
    /// Milliseconds a request waits on Redis before answering 503.
    #[arg(long, env = "REGISTRAR_REDIS_TIMEOUT_MS", default_value_t = 2000,
          help_heading = heading::STORAGE)]
    pub redis_timeout_ms: u64,
    /// At-rest key for client secrets and server keys (`registrar gen-key`).
    ///
    /// 32 bytes, unpadded base64url. Required with Redis; with the in-process store a random
    /// key is made at start, and secrets die with the process. A key may begin with `-`: pass
    /// it as --secret-key=KEY or through the environment.
    #[arg(long, env = "REGISTRAR_SECRET_KEY", hide_env_values = true,
          help_heading = heading::STORAGE)]
    pub secret_key: Option<String>,
    /// Earlier at-rest keys, comma-separated: they still open old values (key rotation).
    #[arg(
        long,
        env = "REGISTRAR_PREVIOUS_SECRET_KEYS",
        value_delimiter = ',',
        hide_env_values = true,
        help_heading = heading::STORAGE
    )]
    pub previous_secret_keys: Vec<String>,
    /// New registration access token on every RFC 7592 update.
    ///
    /// The old token stops working at once. Off by default: conformance suites expect the
    /// same token.
    #[arg(long, env = "REGISTRAR_ROTATE_REGISTRATION_ACCESS_TOKEN", help_heading = heading::POLICY)]
    pub rotate_registration_access_token: bool,
    /// Largest request body accepted, in bytes (larger: 413).
    #[arg(long, env = "REGISTRAR_MAX_BODY_BYTES", default_value_t = 65_536,
          help_heading = heading::LIMITS)]
    pub max_body_bytes: usize,
    /// Let native apps register claimed https redirect URIs (RFC 8252 §7.2).
    #[arg(long, env = "REGISTRAR_ALLOW_NATIVE_HTTPS_REDIRECTS", help_heading = heading::POLICY)]
    pub allow_native_https_redirects: bool,
    /// scopes_supported, space-separated.
    ///
    /// Other requested scopes are dropped from a registration, and the kept ones returned.
    #[arg(
        long,
        env = "REGISTRAR_SCOPES",
        default_value = "openid profile email address phone offline_access",
        help_heading = heading::POLICY
    )]
    pub scopes: String,
    /// authorization_endpoint advertised in discovery (default: issuer + /authorize).
    #[arg(long, env = "REGISTRAR_AUTHORIZATION_ENDPOINT", help_heading = heading::NETWORK)]
    pub authorization_endpoint: Option<String>,
    /// token_endpoint advertised in discovery (default: issuer + /oauth/token).
    #[arg(long, env = "REGISTRAR_TOKEN_ENDPOINT", help_heading = heading::NETWORK)]
    pub token_endpoint: Option<String>,
    /// userinfo_endpoint advertised in discovery (default: issuer + /userinfo).
    #[arg(long, env = "REGISTRAR_USERINFO_ENDPOINT", help_heading = heading::NETWORK)]
    pub userinfo_endpoint: Option<String>,
    /// HTTP worker threads (default: one per CPU core).
    #[arg(long, env = "REGISTRAR_WORKERS", help_heading = heading::PERFORMANCE)]
    pub workers: Option<usize>,
    /// Log format: text or json lines (level from RUST_LOG, default info).
    #[arg(long, env = "REGISTRAR_LOG_FORMAT", value_enum, default_value = "text",
          help_heading = heading::OBSERVE)]
    pub log_format: LogFormat,
    /// Token, introspection and revocation requests per client, e.g. 50/s.
    ///
    /// A burst of 50, then one every 20 ms, across instances with Redis. Unset: no
    /// per-client limit.
    #[arg(long, env = "REGISTRAR_TOKEN_RATE_LIMIT_PER_CLIENT", help_heading = heading::LIMITS)]
    pub token_rate_limit_per_client: Option<Limit>,
    /// Who may register: open, token (initial access token required) or closed.
    ///
    /// open: anyone. token: a registration needs an initial access token (RFC 7591 §3).
    /// closed: registration answers 403 and discovery stops advertising it.
    #[arg(long, env = "REGISTRAR_REGISTRATION_MODE", value_enum, default_value = "open",
          help_heading = heading::POLICY)]
    pub registration_mode: RegistrationMode,
    /// Registrations per source IP, e.g. 10/min (unset: no limit).
    ///
    /// 10/min is a burst of 10, then one every 6 s. Over it: 429 with Retry-After. Kept in
    /// Redis when configured, so it holds across instances.
    #[arg(long, env = "REGISTRAR_RATE_LIMIT_PER_IP", help_heading = heading::LIMITS)]
    pub rate_limit_per_ip: Option<Limit>,
    /// Registrations across all sources and instances, e.g. 100/s (unset: no limit).
    #[arg(long, env = "REGISTRAR_RATE_LIMIT_GLOBAL", help_heading = heading::LIMITS)]
    pub rate_limit_global: Option<Limit>,
    /// Proxies whose forwarded-for header is believed: IPs or CIDRs, comma-separated.
    ///
    /// Unset: the socket's address is the client's, whatever headers say.
    #[arg(long, env = "REGISTRAR_TRUSTED_PROXIES", value_delimiter = ',',
          help_heading = heading::NETWORK)]
    pub trusted_proxies: Vec<Cidr>,
    /// The header trusted proxies write the client address into.
    ///
    /// Read from the right, skipping trusted hops (e.g. auth0-forwarded-for).
    #[arg(long, env = "REGISTRAR_CLIENT_IP_HEADER", default_value = "x-forwarded-for",
          help_heading = heading::NETWORK)]
    pub client_ip_header: String,
    /// JSON file of the software statement issuers this server trusts.
    ///
    /// `[{"issuer": "...", "jwks": {...}} | {"issuer": "...", "jwks_uri": "https://..."}]`;
    /// a jwks_uri is fetched once at start through the guarded fetcher.
    #[arg(long, env = "REGISTRAR_TRUSTED_ISSUERS", help_heading = heading::POLICY)]
    pub trusted_issuers: Option<std::path::PathBuf>,
    /// Refuse registrations without a software statement from a trusted issuer.
    #[arg(long, env = "REGISTRAR_REQUIRE_SOFTWARE_STATEMENT", help_heading = heading::POLICY)]
    pub require_software_statement: bool,
    /// The same software registering the same metadata gets its existing client back.
    ///
    /// Registering the same metadata again, with a verified software statement naming the
    /// same software_id, returns the existing client (same id and secret, a new
    /// registration access token) instead of creating another.
    #[arg(long, env = "REGISTRAR_IDEMPOTENT_REGISTRATION", help_heading = heading::POLICY)]
    pub idempotent_registration: bool,
    /// Remove self-registered clients never used within this age, e.g. 30d (unset: never).
    ///
    /// Never used: never read or updated with their registration access token, never
    /// changed by an administrator. Units: s, m, h, d.
    #[arg(long, env = "REGISTRAR_CLEANUP_UNUSED_AFTER", value_parser = parse_duration,
          help_heading = heading::STORAGE)]
    pub cleanup_unused_after: Option<Duration>,
    /// How often the cleanup runs (one instance per interval when several share Redis).
    #[arg(long, env = "REGISTRAR_CLEANUP_INTERVAL", value_parser = parse_duration,
          default_value = "10m", help_heading = heading::STORAGE)]
    pub cleanup_interval: Duration,
    /// Fetch and check a client's jwks_uri when its metadata needs keys.
    ///
    /// At registration and update, through the guarded fetcher: refused unless it serves a
    /// public JWK Set with a key for each use. Off by default: no specification requires it.
    #[arg(long, env = "REGISTRAR_VERIFY_JWKS_URI", help_heading = heading::POLICY)]
    pub verify_jwks_uri: bool,
    /// JSON file of named registration policies (docs/protection.md).
    ///
    /// `{"anonymous": "NAME", "policies": {"NAME": {...}}}`. A bad file stops the server at
    /// start with the reason. Unset: no policies.
    #[arg(long, env = "REGISTRAR_POLICIES", help_heading = heading::POLICY)]
    pub policies: Option<std::path::PathBuf>,
    /// Hosts or CIDRs exempt from the outbound fetch address checks, comma-separated.
    ///
    /// For tests and internal deployments: fetches to these may reach private addresses.
    #[arg(long, env = "REGISTRAR_FETCH_ALLOW_HOSTS", value_delimiter = ',',
          help_heading = heading::LIMITS)]
    pub fetch_allow_hosts: Vec<String>,
    /// Allow plain-http outbound fetches. For tests only.
    #[arg(long, env = "REGISTRAR_FETCH_ALLOW_HTTP", hide = true)]
    pub fetch_allow_http: bool,
    /// Audit events kept (a capped Redis stream or an in-process ring).
    #[arg(long, env = "REGISTRAR_AUDIT_MAX_EVENTS", default_value_t = crate::store::audit::DEFAULT_MAX_EVENTS,
          help_heading = heading::OBSERVE)]
    pub audit_max_events: usize,
    /// Audit event types not to record, comma-separated codes (e.g. sdcrr).
    ///
    /// The codes are listed in docs/management-api.md. `sdcrr` where clients poll their
    /// configuration and reads would crowd the capped log.
    #[arg(long, env = "REGISTRAR_AUDIT_SKIP", value_delimiter = ',', value_parser = parse_event_type,
          help_heading = heading::OBSERVE)]
    pub audit_skip: Vec<EventType>,
    #[command(flatten)]
    pub transport: TransportArgs,
    #[command(flatten)]
    pub capabilities: crate::app::capabilities::CapabilityArgs,
    #[command(flatten)]
    pub console: crate::app::console_flags::ConsoleArgs,
    /// Turn off the Prometheus metrics (GET /metrics answers 404).
    #[arg(long, env = "REGISTRAR_NO_METRICS", help_heading = heading::OBSERVE)]
    pub no_metrics: bool,
    /// Bearer token GET /metrics requires (unset: the metrics are open).
    ///
    /// Letters, digits and -._~+/=; compared in constant time. Unset: the metrics are open
    /// to anyone who reaches the listener.
    #[arg(long, env = "REGISTRAR_METRICS_TOKEN", hide_env_values = true,
          help_heading = heading::OBSERVE)]
    pub metrics_token: Option<String>,
    /// Log one line per request (method, route, status, latency, request ID, client IP).
    ///
    /// Off by default: it costs CPU on every request.
    #[arg(long, env = "REGISTRAR_ACCESS_LOG", help_heading = heading::OBSERVE)]
    pub access_log: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0}")]
    Flags(#[from] clap::Error),
    #[error("--issuer must be an absolute http(s) URL without credentials, query or fragment")]
    Issuer(String),
    #[error("--secret-key is required with --redis-url (create one with `registrar gen-key`)")]
    MissingSecretKey,
    #[error("--scopes must list at least one scope")]
    NoScopes,
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error(transparent)]
    Capabilities(#[from] crate::app::capabilities::CapabilityError),
    #[error(transparent)]
    Production(#[from] ProductionError),
    #[error("--redis-url: {0}")]
    RedisUrl(#[from] crate::store::topology::TopologyError),
    #[error(
        "--redis-prefix must not contain '{{' or '}}': they would replace the keys' hash tags"
    )]
    RedisPrefix,
    #[error("--metrics-token must be a non-empty bearer token (letters, digits, -._~+/=)")]
    MetricsToken,
}

/// Where clients are kept.
#[derive(Debug, Clone)]
pub enum StoreSettings {
    Memory,
    Redis { topology: RedisTopology, prefix: String, timeout: Duration },
}

/// Checked configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    /// Without a trailing slash. `None`: derived from the bound address at startup.
    pub issuer: Option<String>,
    pub store: StoreSettings,
    pub secret_key: Option<String>,
    pub previous_secret_keys: Vec<String>,
    pub rotate_registration_access_token: bool,
    pub max_body_bytes: usize,
    pub policy: RegistrationPolicy,
    pub authorization_endpoint: Option<String>,
    pub token_endpoint: Option<String>,
    pub userinfo_endpoint: Option<String>,
    pub workers: usize,
    pub log_format: LogFormat,
    pub audit_max_events: usize,
    pub audit_skip: Vec<EventType>,
    pub access: AccessSettings,
    pub cleanup: Option<CleanupSettings>,
    pub transport: TransportSettings,
    pub observe: ObserveSettings,
    /// Endpoints and the certificate header of the operator's capabilities
    /// (`policy.capabilities` holds the switches).
    pub capabilities: crate::app::capabilities::CapabilitySettings,
    pub console: crate::service::console::ConsoleSettings,
}

/// What the server tells about itself: metrics and the access log.
#[derive(Clone, Default)]
pub struct ObserveSettings {
    pub metrics: bool,
    pub metrics_token: Option<String>,
    pub access_log: bool,
}

impl std::fmt::Debug for ObserveSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObserveSettings")
            .field("metrics", &self.metrics)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "<hidden>"))
            .field("access_log", &self.access_log)
            .finish()
    }
}

/// Who may register, and what outbound fetches may reach.
#[derive(Debug, Clone)]
pub struct AccessSettings {
    pub mode: RegistrationMode,
    /// `--token-rate-limit-per-client`.
    pub per_client_token: Option<Limit>,
    pub per_ip: Option<Limit>,
    pub global: Option<Limit>,
    pub proxies: TrustedProxies,
    pub trusted_issuers: Option<std::path::PathBuf>,
    pub require_software_statement: bool,
    pub policies: Option<std::path::PathBuf>,
    pub idempotent_registration: bool,
    pub verify_jwks_uri: bool,
    pub fetch_allow_hosts: Vec<String>,
    pub fetch_allow_http: bool,
}

/// Parses `registrar serve` flags alone, for tests and embedding.
#[derive(Debug, Parser)]
struct ServeOnly {
    #[command(flatten)]
    args: ServeArgs,
}

impl Settings {
    /// Settings from serve flags, e.g. `["--listen", "127.0.0.1:0"]`.
    pub fn from_flags<I, S>(flags: I) -> Result<Settings, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: Into<std::ffi::OsString> + Clone,
    {
        let argv = std::iter::once(std::ffi::OsString::from("registrar"))
            .chain(flags.into_iter().map(Into::into));
        Settings::try_from(ServeOnly::try_parse_from(argv)?.args)
    }
}

impl TryFrom<ServeArgs> for Settings {
    type Error = ConfigError;

    fn try_from(args: ServeArgs) -> Result<Settings, ConfigError> {
        let issuer = args.issuer.map(|i| check_issuer(&i)).transpose()?;
        let store = match args.redis_url {
            Some(url) => {
                // Empty is missing too: `REGISTRAR_SECRET_KEY=` is what docker compose passes
                // for a variable nobody set.
                if args.secret_key.as_deref().is_none_or(str::is_empty) {
                    return Err(ConfigError::MissingSecretKey);
                }
                if args.redis_prefix.contains(['{', '}']) {
                    return Err(ConfigError::RedisPrefix);
                }
                StoreSettings::Redis {
                    topology: RedisTopology::parse(&url)?,
                    prefix: args.redis_prefix,
                    timeout: Duration::from_millis(args.redis_timeout_ms),
                }
            }
            None => StoreSettings::Memory,
        };
        let scopes_supported: Vec<String> =
            args.scopes.split_whitespace().map(str::to_owned).collect();
        if scopes_supported.is_empty() {
            return Err(ConfigError::NoScopes);
        }
        let metrics_token = args.metrics_token.filter(|_| !args.no_metrics);
        if metrics_token.as_deref().is_some_and(|t| t.is_empty() || !t.bytes().all(is_b64token)) {
            return Err(ConfigError::MetricsToken);
        }
        let proxies = TrustedProxies {
            ranges: args.trusted_proxies,
            header: args.client_ip_header.to_ascii_lowercase(),
        };
        let transport = TransportSettings::from_args(args.transport, &proxies)?;
        let (capabilities, capability_settings) = args.capabilities.check(&proxies)?;
        let console = args.console.into();
        let settings = Settings {
            listen: args.listen,
            issuer,
            store,
            secret_key: args.secret_key,
            previous_secret_keys: args.previous_secret_keys,
            rotate_registration_access_token: args.rotate_registration_access_token,
            max_body_bytes: args.max_body_bytes,
            policy: RegistrationPolicy {
                allow_native_https_redirects: args.allow_native_https_redirects,
                http_documents: args.fetch_allow_http,
                scopes_supported,
                capabilities,
            },
            capabilities: capability_settings,
            authorization_endpoint: args.authorization_endpoint,
            token_endpoint: args.token_endpoint,
            userinfo_endpoint: args.userinfo_endpoint,
            workers: args
                .workers
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())),
            log_format: args.log_format,
            audit_max_events: args.audit_max_events,
            audit_skip: args.audit_skip,
            cleanup: args.cleanup_unused_after.map(|unused_after| CleanupSettings {
                unused_after,
                interval: args.cleanup_interval,
            }),
            access: AccessSettings {
                mode: args.registration_mode,
                per_client_token: args.token_rate_limit_per_client,
                per_ip: args.rate_limit_per_ip,
                global: args.rate_limit_global,
                proxies,
                trusted_issuers: args.trusted_issuers,
                require_software_statement: args.require_software_statement,
                policies: args.policies,
                idempotent_registration: args.idempotent_registration,
                verify_jwks_uri: args.verify_jwks_uri,
                fetch_allow_hosts: args.fetch_allow_hosts,
                fetch_allow_http: args.fetch_allow_http,
            },
            observe: ObserveSettings {
                metrics: !args.no_metrics,
                metrics_token,
                access_log: args.access_log,
            },
            transport,
            console,
        };
        production::check(&settings.exposure(), settings.listen)?;
        Ok(settings)
    }
}

impl Settings {
    /// What production mode judges.
    pub fn exposure(&self) -> production::Exposure<'_> {
        production::Exposure {
            issuer: self.issuer.as_deref(),
            transport: &self.transport,
            in_process_store: matches!(self.store, StoreSettings::Memory),
            secret_key: self.secret_key.is_some(),
        }
    }
}

/// An audit event type code (`sdcrr`), as `GET /api/v2/logs?type=` takes it.
fn parse_event_type(code: &str) -> Result<EventType, String> {
    EventType::parse(code.trim()).ok_or_else(|| {
        let known: Vec<&str> = EventType::ALL.iter().map(|kind| kind.code()).collect();
        format!("{code}: not an audit event type; the types are {}", known.join(", "))
    })
}

/// `90`, `90s`, `15m`, `12h`, `30d`; at least one second.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, unit) =
        text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let number: u64 = number.parse().map_err(|_| format!("{text}: a number with s, m, h or d"))?;
    let scale = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("{text}: the unit is s, m, h or d")),
    };
    match number.saturating_mul(scale) {
        0 => Err(format!("{text}: must be at least one second")),
        seconds => Ok(Duration::from_secs(seconds)),
    }
}

/// RFC 6750 §2.1 `b64token` characters: what a bearer token may hold.
fn is_b64token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'=')
}

fn check_issuer(raw: &str) -> Result<String, ConfigError> {
    let url = url::Url::parse(raw).map_err(|_| ConfigError::Issuer(raw.to_owned()))?;
    let ok = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some()
        // Credentials in the issuer would be published in discovery and logged at start.
        && url.username().is_empty()
        && url.password().is_none()
        && url.query().is_none()
        && url.fragment().is_none();
    if !ok {
        return Err(ConfigError::Issuer(raw.to_owned()));
    }
    Ok(raw.trim_end_matches('/').to_owned())
}

/// `--registration-mode` values; the mode itself is a domain type that knows no CLI.
impl clap::ValueEnum for RegistrationMode {
    fn value_variants<'a>() -> &'a [Self] {
        &[RegistrationMode::Open, RegistrationMode::Token, RegistrationMode::Closed]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        use clap::builder::PossibleValue;
        Some(match self {
            RegistrationMode::Open => PossibleValue::new("open").help(
                "Anyone may register (RFC 7591 §3 open registration), within the rate limits",
            ),
            RegistrationMode::Token => {
                PossibleValue::new("token").help("An initial access token is required")
            }
            RegistrationMode::Closed => PossibleValue::new("closed")
                .help("Registration answers 403 and discovery stops advertising it"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redis_needs_an_at_rest_key() {
        let err = Settings::from_flags(["--redis-url", "redis://127.0.0.1:1"]).unwrap_err();
        assert!(matches!(err, ConfigError::MissingSecretKey));
        let empty = ["--redis-url", "redis://127.0.0.1:1", "--secret-key="];
        assert!(matches!(Settings::from_flags(empty).unwrap_err(), ConfigError::MissingSecretKey));
    }

    #[test]
    fn every_visible_serve_flag_sits_under_a_heading() {
        use clap::CommandFactory;
        let cli = Cli::command();
        let serve = cli.find_subcommand("serve").expect("a serve subcommand");
        let loose: Vec<_> = serve
            .get_arguments()
            .filter(|arg| {
                !arg.is_hide_set() && !matches!(arg.get_id().as_str(), "help" | "help-long")
            })
            .filter(|arg| arg.get_help_heading().is_none())
            .map(|arg| arg.get_id().to_string())
            .collect();
        assert!(loose.is_empty(), "give these flags a help_heading (config::heading): {loose:?}");
    }

    #[test]
    fn redis_urls_name_their_topology_or_are_refused() {
        let with = |url: &str| Settings::from_flags(["--redis-url", url, "--secret-key", "k"]);
        let cluster = with("redis+cluster://10.0.0.1:7000,10.0.0.2:7000").unwrap();
        assert!(matches!(
            cluster.store,
            StoreSettings::Redis { topology: RedisTopology::Cluster { .. }, .. }
        ));
        assert!(matches!(with("redis+sentinel://s:26379").unwrap_err(), ConfigError::RedisUrl(_)));
        let braces = Settings::from_flags([
            "--redis-url",
            "redis://h:1",
            "--secret-key",
            "k",
            "--redis-prefix",
            "{app}:",
        ]);
        assert!(matches!(braces.unwrap_err(), ConfigError::RedisPrefix));
    }

    #[test]
    fn a_metrics_token_must_be_a_bearer_token() {
        for bad in ["", "two words", "quote\"d"] {
            let err = Settings::from_flags(["--metrics-token", bad]).unwrap_err();
            assert!(matches!(err, ConfigError::MetricsToken), "{bad:?}");
        }
        let ok = Settings::from_flags(["--metrics-token", "abc-DEF_012.~+/="]).unwrap();
        assert_eq!(ok.observe.metrics_token.as_deref(), Some("abc-DEF_012.~+/="));
        assert!(ok.observe.metrics && !ok.observe.access_log);
        let off = Settings::from_flags(["--no-metrics", "--access-log"]).unwrap();
        assert!(!off.observe.metrics && off.observe.access_log);
    }

    #[test]
    fn issuers_lose_their_trailing_slash_and_must_be_urls() {
        let s = Settings::from_flags(["--issuer", "https://id.example/"]).unwrap();
        assert_eq!(s.issuer.as_deref(), Some("https://id.example"));
        assert!(Settings::from_flags(["--issuer", "id.example"]).is_err());
        assert!(Settings::from_flags(["--issuer", "https://user:pw@id.example"]).is_err());
    }
}
