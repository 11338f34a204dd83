//! The top floor: flags and settings, start-up and the listener. It wires every layer
//! below together and nothing below imports it.

/// Operator flags for the co-located OP's features (docs/metadata-registry.md).
pub mod capabilities;
/// The layout of `serve --help`: flag headings, short and long help.
pub mod cli_help;
/// Flags, environment and checked settings.
pub mod config;
/// The web console's flags.
pub mod console_flags;
/// The discovery document, built from the settings.
pub mod discovery;
/// The log writer: one line per event, control characters escaped.
mod one_line;
/// Building and running the server.
pub mod startup;
/// Log output.
pub mod telemetry;
/// TLS, production mode, connection limits and timeouts of the listener.
pub mod transport;
