//! What the token, introspection and revocation endpoints refuse with: RFC 6749 §5.2
//! codes, RFC 7009 §2.2.1 and RFC 8707 §2. Mapped to HTTP in `crate::http::error`, with the other two vocabularies.

use std::time::Duration;

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    /// 400: a parameter is missing, repeated or malformed.
    #[error("{0}")]
    InvalidRequest(String),
    /// 401: client authentication failed. `http_auth`: the client used the
    /// `Authorization` header, so the answer carries a `WWW-Authenticate` challenge.
    #[error("{description}")]
    InvalidClient { description: String, http_auth: bool },
    /// 400: the client may not use this grant.
    #[error("{0}")]
    UnauthorizedClient(String),
    #[error("{0}")]
    UnsupportedGrantType(String),
    #[error("{0}")]
    InvalidScope(String),
    /// RFC 8707: the API named is unknown, or the client holds no grant for it.
    #[error("{0}")]
    InvalidTarget(String),
    /// RFC 7009 §2.2.1.
    #[error("{0}")]
    UnsupportedTokenType(String),
    /// 415: the body is not a form.
    #[error("Content-Type must be application/x-www-form-urlencoded")]
    UnsupportedMediaType,
    /// 413.
    #[error("request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// 408, and the connection closed: the body did not arrive within the deadline.
    #[error("the request body did not arrive within {} ms", .0.as_millis())]
    BodyTimeout(Duration),
    /// 429 with `Retry-After`: over the client's token rate limit.
    #[error("too many token requests for this client; retry in {} s", .0.as_secs().max(1))]
    RateLimited(Duration),
    /// 503 with `Retry-After`.
    #[error("the service is temporarily unavailable")]
    Unavailable(#[from] StoreError),
    /// 500: logged, never sent.
    #[error("internal error")]
    Internal(String),
}

impl OAuthError {
    /// The `error` code.
    pub fn code(&self) -> &'static str {
        match self {
            OAuthError::InvalidRequest(_)
            | OAuthError::UnsupportedMediaType
            | OAuthError::PayloadTooLarge(_)
            | OAuthError::BodyTimeout(_) => "invalid_request",
            OAuthError::InvalidClient { .. } => "invalid_client",
            OAuthError::UnauthorizedClient(_) => "unauthorized_client",
            OAuthError::UnsupportedGrantType(_) => "unsupported_grant_type",
            OAuthError::InvalidScope(_) => "invalid_scope",
            OAuthError::InvalidTarget(_) => "invalid_target",
            OAuthError::UnsupportedTokenType(_) => "unsupported_token_type",
            OAuthError::RateLimited(_) => "too_many_requests",
            OAuthError::Unavailable(_) => "temporarily_unavailable",
            OAuthError::Internal(_) => "server_error",
        }
    }

    pub fn invalid_client(description: impl Into<String>, http_auth: bool) -> OAuthError {
        OAuthError::InvalidClient { description: description.into(), http_auth }
    }

    pub fn internal(e: impl std::fmt::Display) -> OAuthError {
        OAuthError::Internal(e.to_string())
    }
}
