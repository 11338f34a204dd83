//! Who may register: the registration mode, initial access tokens (RFC 7591 §3), and rate
//! limits. Everything here is decided before a registration body is even parsed.

/// The client's address, through trusted proxies only.
pub mod client_ip;
/// Initial access tokens: issue, list, revoke, and consume atomically.
pub mod iat;
/// Client counts per registration policy, in total and per source IP.
pub mod quota;
/// Token-bucket (GCRA) rate limits, shared across instances through Redis.
pub mod rate;

/// `--registration-mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RegistrationMode {
    /// Anyone may register (RFC 7591 §3 open registration), within the rate limits.
    Open,
    /// An initial access token is required.
    Token,
    /// Registration answers 403 and discovery stops advertising it.
    Closed,
}
