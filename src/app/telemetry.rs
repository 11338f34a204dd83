//! Logging: human-readable text or JSON lines, filtered by `RUST_LOG` (default `info`).
//! Lines logged while a request is handled carry its `request_id` (see `observe`).

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::app::config::LogFormat;

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // `try_init`: a second call (tests building several apps) keeps the first subscriber.
    let _ = match format {
        // Colours only on a terminal: escape codes in a log file or collector are noise.
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).try_init(),
        // Each line carries its span's fields (the request's `request_id`) under `span`,
        // and the whole span stack under `spans`.
        LogFormat::Json => builder.json().with_current_span(true).with_span_list(true).try_init(),
    };
}
