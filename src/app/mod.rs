//! The top floor: flags and settings, start-up and the listener. It wires every layer
//! below together and nothing below imports it.

/// Flags, environment and checked settings.
pub mod config;
/// Building and running the server.
pub mod startup;
/// Log output.
pub mod telemetry;
/// TLS, production mode, connection limits and timeouts of the listener.
pub mod transport;
