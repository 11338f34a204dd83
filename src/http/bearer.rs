//! The registration access token from `Authorization: Bearer` (RFC 6750 §2.1).

use actix_web::http::header;
use actix_web::HttpRequest;

use crate::credentials::AccessToken;
use crate::http::error::ApiError;

/// Longest token worth reading: registration access tokens are 43 characters, admin
/// JWTs under a kilobyte.
const MAX_TOKEN_BYTES: usize = 4096;

pub fn token(req: &HttpRequest) -> Result<AccessToken, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Err(ApiError::MissingToken);
    };
    let value = value.to_str().map_err(|_| ApiError::InvalidToken)?;
    let Some((scheme, token)) = value.split_once(' ') else {
        return Err(ApiError::MissingToken);
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        // Another scheme carries no bearer credentials (RFC 6750 §3.1).
        return Err(ApiError::MissingToken);
    }
    let token = token.trim_matches(' ');
    if token.is_empty() || token.len() > MAX_TOKEN_BYTES || !token.bytes().all(is_token68) {
        return Err(ApiError::InvalidToken);
    }
    Ok(AccessToken::from_presented(token.to_owned()))
}

/// RFC 6750 §2.1 `b64token` characters.
fn is_token68(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'=')
}
