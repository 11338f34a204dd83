//! What an operation can fail with, in the two vocabularies Registrar answers in: RFC 7591 /
//! RFC 6750 (`ApiError`) and Auth0's Management API (`ManagementError`). How each becomes a
//! response (status, headers, body format) is decided in one place, `http::error`.

use crate::domain::MetadataError;
use crate::service::clients::RepositoryError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 with an RFC 7591 §3.2.2 code.
    #[error(transparent)]
    Metadata(#[from] MetadataError),
    /// 400 `invalid_request`: not a JSON object, or a field RFC 7592 §2.2 forbids.
    #[error("{0}")]
    InvalidRequest(String),
    /// 415 `invalid_request`: the body is not `application/json`.
    #[error("Content-Type must be application/json")]
    UnsupportedMediaType,
    /// 413 `invalid_request`.
    #[error("request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// 408 `invalid_request`, connection closed: the body did not arrive in time.
    #[error("the request body did not arrive within {} ms", .0.as_millis())]
    BodyTimeout(std::time::Duration),
    /// 401 with `WWW-Authenticate: Bearer` and no error code: no credentials were sent
    /// (RFC 6750 §3.1).
    #[error("a bearer token is required")]
    MissingToken,
    /// 401 `invalid_token`: one answer for a wrong token, another client's token, an
    /// unknown or deleted client, so clients cannot be enumerated (RFC 7592 §2.1).
    #[error("the access token is not valid for this client")]
    InvalidToken,
    /// 403: the client may not manage itself (RFC 7592 §2.1), or registration is closed.
    #[error("{0}")]
    Forbidden(&'static str),
    /// 403: a registration policy's client limit is reached.
    #[error("{0}")]
    PolicyLimit(String),
    /// 429 with `Retry-After`: over a registration rate limit.
    #[error("too many registrations; retry in {} s", .0.as_secs().max(1))]
    RateLimited(std::time::Duration),
    #[error("no such resource")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed(&'static str),
    /// 503 with `Retry-After`: the store is away; nothing was written.
    #[error("the service is temporarily unavailable")]
    Unavailable(#[from] StoreError),
    /// 500: a bug or a broken invariant; the cause is logged, never sent.
    #[error("internal error")]
    Internal(String),
}

/// Errors of the management API, in its own format (Auth0's Management API):
/// `{"statusCode", "error", "message", "errorCode"}`, the message naming the field.
#[derive(Debug, thiserror::Error)]
pub enum ManagementError {
    /// 400: the body or query string breaks a rule; `errorCode` says which part.
    #[error("{message}")]
    BadRequest { message: String, code: &'static str },
    /// 401 with `WWW-Authenticate: Bearer`: no token.
    #[error("missing authentication: send an admin token as a bearer token")]
    MissingToken,
    /// 401: expired, malformed, unsigned or foreign token. The reason is logged only.
    #[error("invalid token")]
    InvalidToken,
    /// 403: the token lacks a scope this request needs.
    #[error("insufficient scope, expected all of: {0}")]
    InsufficientScope(String),
    #[error("the client does not exist")]
    NotFound,
    #[error("no such initial access token")]
    NoSuchToken,
    /// 404 for the other management resources (resource servers, client grants).
    #[error("no such {0}")]
    NoSuch(&'static str),
    /// 409: the new resource would duplicate an existing one.
    #[error("{0}")]
    Conflict(String),
    #[error("request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("the request body did not arrive within {} ms", .0.as_millis())]
    BodyTimeout(std::time::Duration),
    #[error("Content-Type must be application/json")]
    UnsupportedMediaType,
    #[error("the service is temporarily unavailable")]
    Unavailable(#[from] StoreError),
    #[error("internal error")]
    Internal(String),
}

/// Body-reading failures share the RFC 7591 path; here they take the management format.
impl From<ApiError> for ManagementError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::PayloadTooLarge(limit) => ManagementError::PayloadTooLarge(limit),
            ApiError::BodyTimeout(after) => ManagementError::BodyTimeout(after),
            ApiError::UnsupportedMediaType => ManagementError::UnsupportedMediaType,
            ApiError::Unavailable(cause) => ManagementError::Unavailable(cause),
            ApiError::Internal(cause) => ManagementError::Internal(cause),
            other => {
                ManagementError::BadRequest { message: other.to_string(), code: "invalid_body" }
            }
        }
    }
}

/// The repository's failures are the server's, never the client's: the store away, or a
/// record that does not decode.
impl From<RepositoryError> for ApiError {
    fn from(e: RepositoryError) -> Self {
        match e {
            RepositoryError::Store(e) => ApiError::Unavailable(e),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<RepositoryError> for ManagementError {
    fn from(e: RepositoryError) -> Self {
        match e {
            RepositoryError::Store(e) => ManagementError::Unavailable(e),
            other => ManagementError::Internal(other.to_string()),
        }
    }
}
