//! OpenID Connect Discovery 1.0 §3 and RFC 8414 metadata, and the server's JWKS, as served.
//! The document itself is built once at start-up from the settings (`app::discovery`).

use actix_web::http::header::{self, ContentType};
use actix_web::{web, HttpResponse};

use crate::http::openapi::{self, Discovery, ServerJwks};
use crate::service::state::AppState;

#[utoipa::path(
    get,
    path = "/.well-known/openid-configuration",
    impl_for = Discovery,
    operation_id = "openidConfiguration",
    tag = "discovery",
    summary = "OpenID Provider metadata (OpenID Connect Discovery 1.0 §4)",
    description = "The same document is served at `/.well-known/oauth-authorization-server` (RFC 8414). The `*_supported` lists are exactly what registration accepts.",
    responses(
        (status = 200, description = "The metadata document", body = openapi::DiscoveryDocument,
            content_type = "application/json",
            headers(("Cache-Control" = String, description = "`public, max-age=300`"))),
    ),
)]
pub async fn document(state: web::Data<AppState>) -> HttpResponse {
    cacheable(state.shared.discovery.clone())
}

#[utoipa::path(
    get,
    path = super::JWKS_PATH,
    impl_for = ServerJwks,
    operation_id = "jwks",
    tag = "discovery",
    summary = "The server's public signing keys",
    responses(
        (status = 200, description = "JWK Set (RFC 7517 §5)", body = openapi::Jwks,
            content_type = "application/json",
            headers(("Cache-Control" = String, description = "`public, max-age=300`"))),
    ),
)]
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    cacheable(state.shared.server_keys.public_jwks().to_owned())
}

/// Public, rarely changing documents: let relying parties cache them briefly.
fn cacheable(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::json())
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(body)
}
