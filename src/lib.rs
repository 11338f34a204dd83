//! Registrar: OpenID Connect Dynamic Client Registration (RFC 7591, RFC 7592, OIDC DCR 1.0)
//! over Auth0-style client settings, stored in Redis.
//!
//! The folders are the layers, top down; each may import only the ones below it, and
//! `tests/api/architecture.rs` holds them to that:
//!
//! | layer | what lives there |
//! | --- | --- |
//! | `app` | flags and settings, start-up, the listener (TLS, limits, production checks), logging |
//! | `http` | routes, handlers, middleware, errors as responses, the OpenAPI document |
//! | `service` | the operations: register, configure (RFC 7592), manage, clean up; keys, admin tokens |
//! | `infra` | time, guarded outbound fetches, metrics |
//! | `store` | every Redis and in-process data structure: clients, tokens, counters, audit stream |
//! | `domain`, `credentials` | metadata rules and the settings model; secrets, hashes, sealing (no I/O) |

/// Flags, start-up and the listener: the wiring of every layer below.
pub mod app;
/// Client IDs, secrets and tokens: generation, hashing, sealing.
pub mod credentials;
/// Metadata rules and the client settings model; no HTTP, no Redis.
pub mod domain;
/// Route table, handlers and middleware.
pub mod http;
/// Time, outbound fetches, metrics.
pub mod infra;
/// The operations behind the endpoints.
pub mod service;
/// Every stored data structure, in Redis or in process.
pub mod store;

/// Generated corpus for the untrusted-input parsers (the stable stand-in for cargo fuzz).
#[cfg(test)]
mod corpus_tests;
