//! The administrators' side: scoped bearer tokens for the management API.

/// Admin tokens: minting and verification.
pub mod token;
