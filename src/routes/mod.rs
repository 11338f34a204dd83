//! HTTP: the one route table, and thin handlers over `registration`.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use crate::error::ApiError;

/// Management API: `/api/v2/resource-servers` and `/api/v2/client-grants`.
mod apis;
/// Audit events from requests, and the log endpoint.
mod audit;
/// `Authorization: Bearer` (RFC 6750 §2.1).
pub(crate) mod bearer;
/// Reading request bodies as JSON objects, with our errors.
mod body;
/// Discovery and the server's JWKS.
pub mod discovery;
/// Liveness and readiness.
mod health;
/// Initial access tokens in the management API.
mod iat;
/// RFC 7592 client configuration endpoint.
mod manage;
/// Management API: `/api/v2/clients`.
mod management;
/// `OAuthError` as HTTP.
mod oauth_error;
/// OpenAPI operations of the OAuth endpoints and their management API.
pub(crate) mod oauth_openapi;
/// RFC 7591 registration endpoint.
mod register;
/// The token, introspection and revocation endpoints, and the OP's paths.
pub mod token;

/// Where clients register (RFC 7591 §3); their configuration URIs sit below it.
pub const REGISTRATION_PATH: &str = "/oidc/register";
pub const JWKS_PATH: &str = "/.well-known/jwks.json";
/// Prefix of the management API.
const MANAGEMENT_SCOPE: &str = "/api/v2";

/// The route table, shared by the server and its tests.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/.well-known/openid-configuration", "GET").get(discovery::document))
        .service(
            resource("/.well-known/oauth-authorization-server", "GET").get(discovery::document),
        )
        .service(resource(JWKS_PATH, "GET").get(discovery::jwks))
        .service(resource("/healthz", "GET").get(health::live))
        .service(resource("/readyz", "GET").get(health::ready))
        .service(resource(crate::openapi::OPENAPI_PATH, "GET").get(crate::openapi::serve))
        .service(resource(crate::metrics::METRICS_PATH, "GET").get(crate::metrics::serve))
        .service(resource(crate::oauth::TOKEN_PATH, "POST").post(token::token))
        .service(resource(crate::oauth::INTROSPECTION_PATH, "POST").post(token::introspect))
        .service(resource(crate::oauth::REVOCATION_PATH, "POST").post(token::revoke))
        .service(
            resource(REGISTRATION_PATH, "POST")
                .wrap(cors(&["POST"]))
                .route(web::post().to(register::post)),
        )
        .service(
            resource(&format!("{REGISTRATION_PATH}/{{client_id}}"), "GET, PUT, DELETE")
                .wrap(cors(&["GET", "PUT", "DELETE"]))
                .route(web::get().to(manage::get))
                .route(web::put().to(manage::put))
                .route(web::delete().to(manage::delete)),
        )
        .service(
            web::scope(MANAGEMENT_SCOPE)
                .service(
                    scoped("/clients", "GET, POST")
                        .route(web::get().to(management::list))
                        .route(web::post().to(management::create)),
                )
                .service(
                    scoped("/clients/{client_id}", "GET, PATCH, DELETE")
                        .route(web::get().to(management::get))
                        .route(web::patch().to(management::update))
                        .route(web::delete().to(management::delete)),
                )
                .service(
                    scoped("/clients/{client_id}/rotate-secret", "POST")
                        .route(web::post().to(management::rotate_secret)),
                )
                .service(scoped("/logs", "GET").get(audit::logs))
                .service(
                    scoped("/initial-access-tokens", "GET, POST")
                        .route(web::get().to(iat::list))
                        .route(web::post().to(iat::create)),
                )
                .service(scoped("/initial-access-tokens/{id}", "DELETE").delete(iat::revoke))
                .service(
                    scoped("/resource-servers", "GET, POST")
                        .route(web::get().to(apis::list_apis))
                        .route(web::post().to(apis::create_api)),
                )
                .service(
                    scoped("/resource-servers/{id}", "GET, PATCH, DELETE")
                        .route(web::get().to(apis::get_api))
                        .route(web::patch().to(apis::update_api))
                        .route(web::delete().to(apis::delete_api)),
                )
                .service(
                    scoped("/client-grants", "GET, POST")
                        .route(web::get().to(apis::list_grants))
                        .route(web::post().to(apis::create_grant)),
                )
                .service(
                    scoped("/client-grants/{id}", "PATCH, DELETE")
                        .route(web::patch().to(apis::update_grant))
                        .route(web::delete().to(apis::delete_grant)),
                ),
        );
}

/// A resource whose other methods get a JSON 405 naming the allowed ones (RFC 9110
/// §15.5.6), instead of actix's empty default. Named by its full pattern, which metrics
/// then read without allocating (`metrics::WorkerSeries`).
fn resource(path: &str, allow: &'static str) -> actix_web::Resource {
    named(path, path, allow)
}

/// A resource inside the management scope, named with the scope's prefix.
fn scoped(path: &str, allow: &'static str) -> actix_web::Resource {
    named(path, &format!("{MANAGEMENT_SCOPE}{path}"), allow)
}

fn named(path: &str, pattern: &str, allow: &'static str) -> actix_web::Resource {
    web::resource(path).name(pattern).default_service(web::to(move || not_allowed(allow)))
}

/// CORS for the registration endpoints (OIDC DCR §3, §4), so browser apps can register
/// themselves: any origin, never credentials (the bearer token is the credential, sent
/// explicitly), so no origin is ever reflected together with `Allow-Credentials`.
fn cors(methods: &[&'static str]) -> actix_cors::Cors {
    actix_cors::Cors::default()
        .allow_any_origin()
        .send_wildcard()
        .allowed_methods(methods.iter().copied())
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .expose_headers([header::WWW_AUTHENTICATE, header::RETRY_AFTER])
        .max_age(3600)
}

/// Unknown paths answer JSON like everything else.
pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}

async fn not_allowed(allow: &'static str) -> Result<HttpResponse, ApiError> {
    Err(ApiError::MethodNotAllowed(allow))
}
