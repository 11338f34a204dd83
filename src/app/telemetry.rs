//! Logging: human-readable text or JSON lines, filtered by `RUST_LOG` (default `info`).
//! Request heads the server cannot parse are not logged (see [`QUIET_PARSE_ERRORS`]).
//! Lines logged while a request is handled carry its `request_id` (see `observe`).

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use super::one_line::OneLineStderr;
use crate::app::config::LogFormat;

/// actix-http logs every unparsable request head at ERROR, one line per request: anyone
/// could flood the log. These are the peer's mistakes (answered 400 or dropped), so they
/// stay out of the log unless `RUST_LOG` names `actix_http` itself.
const QUIET_PARSE_ERRORS: &str = "actix_http::h1::dispatcher=off";

pub fn init(format: LogFormat) {
    let mut directives = std::env::var("RUST_LOG").unwrap_or_else(|_| "info".to_owned());
    if !directives.contains("actix_http") {
        directives = format!("{directives},{QUIET_PARSE_ERRORS}");
    }
    let filter = EnvFilter::try_new(&directives)
        .unwrap_or_else(|_| EnvFilter::new(format!("info,{QUIET_PARSE_ERRORS}")));
    // Colours only on a terminal: escape codes in a log file or collector are noise.
    let ansi = format == LogFormat::Text && std::io::stderr().is_terminal();
    let writer = OneLineStderr { keep_escape: ansi };
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer);
    // `try_init`: a second call (tests building several apps) keeps the first subscriber.
    let _ = match format {
        LogFormat::Text => builder.with_ansi(ansi).try_init(),
        // Each line carries its span's fields (the request's `request_id`) under `span`,
        // and the whole span stack under `spans`.
        LogFormat::Json => builder.json().with_current_span(true).with_span_list(true).try_init(),
    };
}
