//! The listener's transport: TLS, production mode, connection limits and timeouts.

pub mod limits;
pub mod open_files;
pub mod production;
pub mod tls;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::app::cli_help::heading;
use crate::domain::client_ip::TrustedProxies;
use limits::ConnectionLimits;
use tls::TlsFiles;

/// `registrar serve` flags of the transport (flattened into `ServeArgs`).
#[derive(Debug, Clone, Args)]
pub struct TransportArgs {
    /// PEM certificate chain, leaf first; with --tls-key the listener serves HTTPS only.
    ///
    /// Read once at start: restart to load a renewed certificate. One of --tls-cert and
    /// --tls-key without the other is refused.
    #[arg(long, env = "REGISTRAR_TLS_CERT", help_heading = heading::NETWORK)]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1) of the --tls-cert leaf.
    #[arg(long, env = "REGISTRAR_TLS_KEY", help_heading = heading::NETWORK)]
    pub tls_key: Option<PathBuf>,
    /// TLS ends at a proxy in front of this listener (needs --trusted-proxies).
    #[arg(long, env = "REGISTRAR_TLS_TERMINATED_BY_PROXY", help_heading = heading::NETWORK)]
    pub tls_terminated_by_proxy: bool,
    /// Refuse to start without TLS, an https issuer, Redis and --secret-key.
    ///
    /// TLS here (--tls-cert) or at a trusted proxy (--tls-terminated-by-proxy). Every
    /// problem is listed on stderr, one per line. Off: the same findings are start-up
    /// warnings.
    #[arg(long, env = "REGISTRAR_PRODUCTION", help_heading = heading::NETWORK)]
    pub production: bool,
    /// Concurrent connections across all workers; each worker takes an equal share.
    ///
    /// Past it the server stops accepting; new connections wait in the kernel's backlog.
    #[arg(long, env = "REGISTRAR_MAX_CONNECTIONS", default_value_t = 25_000,
          value_parser = clap::value_parser!(u32).range(1..), help_heading = heading::LIMITS)]
    pub max_connections: u32,
    /// TLS handshakes in progress per worker; further connections wait to be accepted.
    #[arg(long, env = "REGISTRAR_MAX_CONNECTION_RATE", default_value_t = 256,
          value_parser = clap::value_parser!(u32).range(1..), help_heading = heading::LIMITS)]
    pub max_connection_rate: u32,
    /// Milliseconds a new connection has to send a complete request head (else 408).
    #[arg(long, env = "REGISTRAR_CLIENT_REQUEST_TIMEOUT_MS", default_value_t = 5000,
          value_parser = clap::value_parser!(u64).range(1..), help_heading = heading::LIMITS)]
    pub client_request_timeout_ms: u64,
    /// Milliseconds a request body has, once its handler starts reading it, to arrive in
    /// full (else 408 and the connection is closed).
    #[arg(long, env = "REGISTRAR_CLIENT_BODY_TIMEOUT_MS", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..), help_heading = heading::LIMITS)]
    pub client_body_timeout_ms: u64,
    /// Milliseconds a closing connection gets to shut down cleanly; 0: no limit.
    #[arg(long, env = "REGISTRAR_CLIENT_DISCONNECT_TIMEOUT_MS", default_value_t = 1000,
          help_heading = heading::PERFORMANCE)]
    pub client_disconnect_timeout_ms: u64,
    /// Milliseconds a TLS handshake may take.
    #[arg(long, env = "REGISTRAR_TLS_HANDSHAKE_TIMEOUT_MS", default_value_t = 3000,
          value_parser = clap::value_parser!(u64).range(1..), help_heading = heading::LIMITS)]
    pub tls_handshake_timeout_ms: u64,
    /// Seconds an idle connection is kept open for its next request; 0: one per connection.
    #[arg(long, env = "REGISTRAR_KEEP_ALIVE_SECS", default_value_t = 5,
          help_heading = heading::PERFORMANCE)]
    pub keep_alive_secs: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("--tls-cert and --tls-key go together: give both (HTTPS) or neither (plain HTTP)")]
    TlsPair,
    #[error("--tls-terminated-by-proxy needs --trusted-proxies: name the proxy that ends TLS")]
    ProxyNotTrusted,
}

/// Checked transport settings.
#[derive(Debug, Clone)]
pub struct TransportSettings {
    pub tls: Option<TlsFiles>,
    pub tls_terminated_by_proxy: bool,
    pub production: bool,
    pub limits: ConnectionLimits,
}

impl TransportSettings {
    pub fn from_args(
        args: TransportArgs,
        proxies: &TrustedProxies,
    ) -> Result<TransportSettings, TransportError> {
        let tls = match (args.tls_cert, args.tls_key) {
            (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
            (None, None) => None,
            _ => return Err(TransportError::TlsPair),
        };
        if args.tls_terminated_by_proxy && proxies.ranges.is_empty() {
            return Err(TransportError::ProxyNotTrusted);
        }
        Ok(TransportSettings {
            tls,
            tls_terminated_by_proxy: args.tls_terminated_by_proxy,
            production: args.production,
            limits: ConnectionLimits {
                max_connections: args.max_connections as usize,
                max_tls_handshakes_per_worker: args.max_connection_rate as usize,
                request_timeout: Duration::from_millis(args.client_request_timeout_ms),
                body_timeout: Duration::from_millis(args.client_body_timeout_ms),
                disconnect_timeout: Duration::from_millis(args.client_disconnect_timeout_ms),
                tls_handshake_timeout: Duration::from_millis(args.tls_handshake_timeout_ms),
                keep_alive: limits::keep_alive(args.keep_alive_secs),
            },
        })
    }

    /// The issuer when none is configured: this listener's own URL.
    pub fn default_issuer(&self, address: SocketAddr) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{address}")
    }
}
