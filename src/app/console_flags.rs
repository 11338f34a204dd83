//! The web console's flags (`registrar serve` and `registrar console-url`).

use std::time::Duration;

use clap::Args;

use crate::service::admin_token::parse_ttl;
use crate::service::console::ConsoleSettings;

#[derive(Debug, Clone, Args)]
pub struct ConsoleArgs {
    /// Turn the web console off: `/console` answers 404 and no sign-in URL is printed.
    #[arg(long, env = "REGISTRAR_NO_CONSOLE", help_heading = crate::app::cli_help::heading::CONSOLE)]
    pub no_console: bool,
    /// How long a console sign-in URL stays valid (it signs in once).
    #[arg(long, env = "REGISTRAR_CONSOLE_LINK_TTL", value_parser = lifetime, default_value = "5m", help_heading = crate::app::cli_help::heading::CONSOLE)]
    pub console_link_ttl: Duration,
    /// A console session ends after this long without a request.
    #[arg(long, env = "REGISTRAR_CONSOLE_IDLE_TIMEOUT", value_parser = lifetime, default_value = "30m", help_heading = crate::app::cli_help::heading::CONSOLE)]
    pub console_idle_timeout: Duration,
    /// A console session ends this long after sign-in, however busy.
    #[arg(long, env = "REGISTRAR_CONSOLE_MAX_SESSION", value_parser = lifetime, default_value = "12h", help_heading = crate::app::cli_help::heading::CONSOLE)]
    pub console_max_session: Duration,
}

impl From<ConsoleArgs> for ConsoleSettings {
    fn from(args: ConsoleArgs) -> Self {
        ConsoleSettings {
            enabled: !args.no_console,
            link_ttl: args.console_link_ttl,
            idle_timeout: args.console_idle_timeout,
            // A session never outlives its absolute lifetime, whatever the idle one says.
            max_session: args.console_max_session.max(Duration::from_secs(1)),
        }
    }
}

/// `30s`, `5m`, `12h`, `1d`: at least a second.
fn lifetime(text: &str) -> Result<Duration, String> {
    match parse_ttl(text) {
        Ok(d) if !d.is_zero() => Ok(d),
        _ => Err(format!("{text}: a lifetime such as 30s, 5m, 12h or 1d")),
    }
}
