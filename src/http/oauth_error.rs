//! `OAuthError` as HTTP: RFC 6749 §5.2 bodies, `no-store`, and the headers each needs.

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::domain::fields::printable_ascii;
use crate::http::error::no_store;
use crate::http::observe::StoreUnavailable;
use crate::service::oauth::OAuthError;

#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    error_description: String,
}

impl ResponseError for OAuthError {
    fn status_code(&self) -> StatusCode {
        match self {
            OAuthError::InvalidClient { .. } => StatusCode::UNAUTHORIZED,
            OAuthError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            OAuthError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            OAuthError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            OAuthError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            OAuthError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            OAuthError::Unavailable(cause) => tracing::warn!(%cause, "store unavailable"),
            OAuthError::Internal(cause) => tracing::error!(%cause, "internal error"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        no_store(&mut response);
        match self {
            // RFC 6749 §5.2: a client that tried HTTP authentication gets the challenge.
            OAuthError::InvalidClient { http_auth: true, .. } => {
                response.insert_header((header::WWW_AUTHENTICATE, r#"Basic realm="registrar""#));
            }
            OAuthError::RateLimited(wait) => {
                let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                response.insert_header((header::RETRY_AFTER, seconds.max(1).to_string()));
            }
            OAuthError::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, "1"));
                response.extensions_mut().insert(StoreUnavailable);
            }
            _ => {}
        }
        response.json(Body {
            error: self.code(),
            error_description: printable_ascii(&self.to_string(), usize::MAX),
        })
    }
}
