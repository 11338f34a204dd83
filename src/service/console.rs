//! What the web console (`http::console`) needs at run time: where its sign-in links and
//! sessions live, and their lifetimes. Making a sign-in URL lives here, so that the CLI
//! (`registrar console-url`) and a running server make the same kind.

use std::time::Duration;

use crate::store::console::ConsoleStore;
use crate::store::StoreError;

/// Where the console lives.
pub const PATH: &str = "/console";

/// The console's lifetimes; `enabled` is false with `--no-console`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsoleSettings {
    pub enabled: bool,
    pub link_ttl: Duration,
    pub idle_timeout: Duration,
    pub max_session: Duration,
}

pub struct Console {
    pub store: ConsoleStore,
    pub settings: ConsoleSettings,
    /// Cookies get `Secure` when the issuer is https.
    pub secure: bool,
}

impl Console {
    pub fn new(store: ConsoleStore, settings: ConsoleSettings, issuer: &str) -> Console {
        Console { store, settings, secure: issuer.starts_with("https://") }
    }
}

/// Makes a sign-in URL for `subject`, valid once and for `ttl`.
pub async fn sign_in_url(
    store: &ConsoleStore,
    issuer: &str,
    subject: &str,
    ttl: Duration,
) -> Result<String, StoreError> {
    let link = crate::credentials::generate_access_token()
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    store.put_link(link.expose(), subject, ttl).await?;
    Ok(format!("{issuer}{PATH}/sign-in?token={}", link.expose()))
}
