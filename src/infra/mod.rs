//! Technical services the operations use: time, outbound fetches and metrics. May import
//! `domain/` and `store/`; never `service/`, `http/` or `app/`.

/// Time as a dependency.
pub mod clock;
/// Outbound fetches of client-supplied URLs, guarded against SSRF.
pub mod fetch;
/// Prometheus metrics: the registry and what is recorded into it.
pub mod metrics;
