//! Request bodies: `application/json`, bounded, and a JSON object, or an RFC 7591 error.
//! Read by hand rather than through `web::Json`, so every failure takes our error path
//! and the size limit is enforced while reading, not after.

use actix_web::http::header;
use actix_web::{web, HttpRequest};
use futures_util::StreamExt;
use serde_json::{Map, Value};

use crate::http::error::ApiError;

pub async fn json_object(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<Map<String, Value>, ApiError> {
    if !is_json(req) {
        return Err(ApiError::UnsupportedMediaType);
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > limit) {
        return Err(ApiError::PayloadTooLarge(limit));
    }
    let mut body = web::BytesMut::with_capacity(declared.unwrap_or(1024).min(limit));
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::InvalidRequest(format!("could not read the body: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge(limit));
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice::<Map<String, Value>>(&body).map_err(|e| {
        ApiError::InvalidRequest(match e.classify() {
            serde_json::error::Category::Data => "the body must be a JSON object".into(),
            _ => format!("the body is not valid JSON ({e})"),
        })
    })
}

/// `application/json`, with any parameters (`; charset=utf-8`).
fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}
