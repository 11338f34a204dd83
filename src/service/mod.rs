//! The operations: registration (RFC 7591), the client configuration endpoint's read,
//! replace and delete (RFC 7592), the management API's operations, cleanup, and the keys
//! and admin tokens they rely on. Imports `domain/`, `store/`, `infra/` and `credentials/`;
//! never `http/` or `app/`. Handlers above call these; nothing here sees a request.

/// Admin tokens for the management API: minting and verification.
pub mod admin_token;
/// Whether a registration may proceed: mode, rate limits, initial access token.
pub mod admission;
/// Removal of self-registered clients never used.
pub mod cleanup;
/// The client information response of RFC 7591 and RFC 7592.
pub mod client_info;
/// The client repository: records, sealing, compare-and-swap, removal.
pub mod clients;
/// RFC 7592 client configuration endpoint: read, replace, delete.
pub mod configuration;
/// The web console's sessions and sign-in links, as the server and the CLI share them.
pub mod console;
/// The work an RFC 7592 request for an unknown client costs, like a known one.
pub mod decoy;
/// What the operations fail with; `http::error` turns it into responses.
pub mod error;
/// The server's signing keys.
pub mod keys;
/// The management API's client operations.
pub mod management;
/// OAuth 2.0 for clients without end users: token endpoint, introspection, revocation.
pub mod oauth;
/// RFC 7591 registration.
pub mod register;
/// Shared state handed to handlers and operations.
pub mod state;
/// What registration and update both check before storing.
pub mod vetting;
