//! Production mode: refuse to start in a configuration that would leak credentials or
//! lose clients. Outside production mode the same findings are logged as warnings.

use std::fmt;
use std::net::SocketAddr;

use super::TransportSettings;

/// What production mode looks at, read off the settings by `config`.
pub struct Exposure<'a> {
    /// `--issuer`, when set.
    pub issuer: Option<&'a str>,
    pub transport: &'a TransportSettings,
    /// No `--redis-url`.
    pub in_process_store: bool,
    /// `--secret-key` was given.
    pub secret_key: bool,
}

/// One reason a configuration is not fit for production.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// RFC 7591 §5 / RFC 7592 §5: registration_client_uri, discovery and every endpoint
    /// are built from the issuer, so an http issuer sends clients' tokens in clear.
    PlainHttpIssuer { issuer: String },
    /// Nothing encrypts the connection: no TLS here, and no proxy in front said to.
    PlainHttpListener,
    /// The in-process store forgets every client when the process stops.
    InProcessStore,
    /// A random per-process at-rest key: sealed secrets die with the process.
    NoSecretKey,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::PlainHttpIssuer { issuer } => write!(
                f,
                "the issuer {issuer} is http://: registration access tokens and client \
                 secrets would travel in clear; set --issuer to the public https:// URL"
            ),
            Problem::PlainHttpListener => f.write_str(
                "the listener serves plain HTTP: set --tls-cert and --tls-key, or, when TLS \
                 ends at a proxy in front, --tls-terminated-by-proxy with --trusted-proxies",
            ),
            Problem::InProcessStore => f.write_str(
                "no --redis-url: the in-process store loses every client when the process stops",
            ),
            Problem::NoSecretKey => f.write_str(
                "no --secret-key: a random at-rest key would be made, and every sealed \
                 secret lost with the process (create one with `registrar gen-key`)",
            ),
        }
    }
}

/// Every problem found, so one failed start tells the operator all of them.
#[derive(Debug, thiserror::Error)]
#[error("--production refuses to start: {}", list(.0))]
pub struct ProductionError(pub Vec<Problem>);

fn list(problems: &[Problem]) -> String {
    problems.iter().map(Problem::to_string).collect::<Vec<_>>().join("; ")
}

/// What production mode would refuse in `settings` on a listener bound to `address`.
pub fn problems(settings: &Exposure, address: SocketAddr) -> Vec<Problem> {
    let transport = settings.transport;
    let mut found = Vec::new();
    let issuer = match settings.issuer {
        Some(issuer) => issuer.to_owned(),
        None => transport.default_issuer(address),
    };
    if issuer.get(..7).is_some_and(|s| s.eq_ignore_ascii_case("http://")) {
        found.push(Problem::PlainHttpIssuer { issuer });
    }
    if transport.tls.is_none() && !transport.tls_terminated_by_proxy {
        found.push(Problem::PlainHttpListener);
    }
    if settings.in_process_store {
        found.push(Problem::InProcessStore);
    }
    if !settings.secret_key {
        found.push(Problem::NoSecretKey);
    }
    found
}

/// In production mode: an error listing every problem. Otherwise: always fine.
pub fn check(settings: &Exposure, listen: SocketAddr) -> Result<(), ProductionError> {
    if !settings.transport.production {
        return Ok(());
    }
    match problems(settings, listen) {
        found if found.is_empty() => Ok(()),
        found => Err(ProductionError(found)),
    }
}

/// Outside production mode, today's behaviour: start, and say (once) what production
/// would refuse. The in-process store is left out: opening it logs its own warning.
pub fn warn(settings: &Exposure, address: SocketAddr) {
    let found: Vec<Problem> =
        problems(settings, address).into_iter().filter(|p| *p != Problem::InProcessStore).collect();
    if !found.is_empty() {
        tracing::warn!("not fit for production (--production would refuse): {}", list(&found));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::config::{ConfigError, Settings};

    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

    fn flags(extra: &[&'static str]) -> Vec<&'static str> {
        let mut all =
            vec!["--redis-url", "redis://127.0.0.1:1", "--secret-key", KEY, "--production"];
        all.extend_from_slice(extra);
        all
    }

    fn refusal(extra: &[&'static str]) -> Vec<Problem> {
        match Settings::from_flags(flags(extra)) {
            Err(ConfigError::Production(ProductionError(found))) => found,
            other => panic!("{extra:?} should be refused in production mode, got {other:?}"),
        }
    }

    const TLS: [&str; 4] = ["--tls-cert", "c.pem", "--tls-key", "k.pem"];
    const PROXY: [&str; 3] = ["--tls-terminated-by-proxy", "--trusted-proxies", "10.0.0.0/8"];

    #[test]
    fn tls_on_the_listener_with_redis_and_a_key_is_fit_for_production() {
        assert!(Settings::from_flags(flags(&TLS)).is_ok());
        let issuer = ["--issuer", "https://id.example", "--tls-cert", "c", "--tls-key", "k"];
        assert!(Settings::from_flags(flags(&issuer)).is_ok());
    }

    #[test]
    fn tls_ending_at_a_trusted_proxy_needs_the_public_https_issuer() {
        let mut https = PROXY.to_vec();
        https.extend(["--issuer", "https://id.example"]);
        assert!(Settings::from_flags(flags(&https)).is_ok());
        assert!(matches!(refusal(&PROXY)[..], [Problem::PlainHttpIssuer { .. }]));
    }

    #[test]
    fn a_plain_listener_is_refused_whatever_the_issuer() {
        assert_eq!(refusal(&["--issuer", "https://id.example"]), [Problem::PlainHttpListener]);
        let found = refusal(&[]);
        assert!(found.contains(&Problem::PlainHttpListener), "{found:?}");
        assert!(matches!(found[0], Problem::PlainHttpIssuer { .. }), "{found:?}");
    }

    #[test]
    fn an_http_issuer_is_refused_even_with_tls_on_the_listener() {
        let mut http = TLS.to_vec();
        http.extend(["--issuer", "HTTP://id.example"]);
        assert!(matches!(refusal(&http)[..], [Problem::PlainHttpIssuer { .. }]));
    }

    #[test]
    fn the_in_process_store_and_a_missing_key_are_refused_together() {
        let mut argv = vec!["--production"];
        argv.extend(TLS);
        let Err(ConfigError::Production(ProductionError(found))) = Settings::from_flags(argv)
        else {
            panic!("no Redis and no key should be refused");
        };
        assert_eq!(found, [Problem::InProcessStore, Problem::NoSecretKey]);
    }

    #[test]
    fn without_production_mode_the_same_settings_start() {
        assert!(Settings::from_flags(Vec::<&str>::new()).is_ok());
    }

    #[test]
    fn the_proxy_flag_needs_trusted_proxies_in_any_mode() {
        let err = Settings::from_flags(["--tls-terminated-by-proxy"]).unwrap_err();
        assert!(matches!(
            err,
            ConfigError::Transport(crate::app::transport::TransportError::ProxyNotTrusted)
        ));
    }

    #[test]
    fn a_certificate_without_a_key_is_refused_in_any_mode() {
        for half in [["--tls-cert", "c.pem"], ["--tls-key", "k.pem"]] {
            let err = Settings::from_flags(half).unwrap_err();
            assert!(matches!(
                err,
                ConfigError::Transport(crate::app::transport::TransportError::TlsPair)
            ));
        }
    }
}
