//! Registrar: OpenID Connect Dynamic Client Registration (RFC 7591, RFC 7592, OIDC DCR 1.0)
//! over Auth0-style client settings, stored in Redis.
//!
//! Read top to bottom for a tour: configuration and startup, then the HTTP layer, the
//! registration life cycle, the domain it validates with, and the stores.

/// Who may register: modes, initial access tokens, rate limits, client IPs.
pub mod access;
/// Admin tokens for the management API.
pub mod admin;
/// Whether a registration may proceed: mode, rate limits, initial access token.
pub mod admission;
/// Audit log: registrations, changes and failed authentications, in Redis or in process.
pub mod audit;
/// Removal of self-registered clients never used.
pub mod cleanup;
/// Time as a dependency.
pub mod clock;
/// Flags, environment and checked settings.
pub mod config;
/// Client IDs, secrets and tokens: generation, hashing, sealing.
pub mod credentials;
/// Metadata rules and the client settings model; no HTTP, no Redis.
pub mod domain;
/// `ApiError`, the one mapping from failures to HTTP.
pub mod error;
/// Outbound fetches of client-supplied URLs, guarded against SSRF.
pub mod fetch;
/// Idempotent registration: the same software and metadata get their existing client.
pub mod idempotency;
/// The server's signing keys.
pub mod keys;
/// The management API's client operations.
pub mod management;
/// Prometheus metrics and `GET /metrics`.
pub mod metrics;
/// OAuth 2.0 for clients without end users: token endpoint, introspection, revocation.
pub mod oauth;
/// The outermost middleware: request IDs, request spans, metrics, access log.
pub mod observe;
/// The OpenAPI 3.1 document of every endpoint, generated from the handlers' annotations.
pub mod openapi;
/// Register, read, replace, delete.
pub mod registration;
/// `X-Request-Id`: accepted or generated per request.
pub mod request_id;
/// Route table and handlers.
pub mod routes;
/// Building and running the server.
pub mod startup;
/// Shared state handed to handlers.
pub mod state;
/// Client stores: in-process and Redis.
pub mod store;
/// Log output.
pub mod telemetry;
/// TLS, production mode, connection limits and timeouts of the listener.
pub mod transport;

/// Generated corpus for the untrusted-input parsers (the stable stand-in for cargo fuzz).
#[cfg(test)]
mod corpus_tests;
