//! HTTP: the route table, thin handlers over `service/`, the middleware around them, the one
//! mapping from errors to responses, and the OpenAPI document. May import every layer
//! below (`service/`, `infra/`, `store/`, `domain/`, `credentials/`); only `app/` imports it.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use crate::http::error::ApiError;

/// Admin tokens on management requests: verified, scope-checked, refusals audited.
mod admin;
/// Management API: `/api/v2/resource-servers` and `/api/v2/client-grants`.
mod apis;
/// `Authorization: Bearer` (RFC 6750 §2.1).
pub(crate) mod bearer;
/// Reading request bodies as JSON objects, with our errors.
mod body;
/// The request's client address, through trusted proxies only.
pub mod client_ip;
/// RFC 7592 client configuration endpoint: read, replace, delete.
mod configuration;
/// The web console under `/console`.
pub mod console;
/// Discovery and the server's JWKS.
pub mod discovery;
/// `ApiError` and `ManagementError` as HTTP responses.
pub mod error;
/// Audit events built from requests.
mod events;
/// Liveness and readiness.
mod health;
/// Initial access tokens in the management API.
mod iat;
/// `GET /api/v2/logs`.
mod logs;
/// Management API: `/api/v2/clients`.
mod management;
/// `GET /metrics`.
mod metrics;
/// OpenAPI operations of the OAuth endpoints and their management API.
pub(crate) mod oauth_openapi;
/// The outermost middleware: request IDs, request spans, metrics, access log.
pub mod observe;
/// The OpenAPI 3.1 document of every endpoint, generated from the handlers' annotations.
pub mod openapi;
/// Query-string values of the management API.
mod query;
/// RFC 7591 registration endpoint.
mod register;
/// `X-Request-Id`: accepted or generated per request.
pub mod request_id;
/// The token, introspection and revocation endpoints, and the OP's paths.
pub mod token;

use crate::domain::endpoints::{
    INTROSPECTION_PATH, JWKS_PATH, REGISTRATION_PATH, REVOCATION_PATH, TOKEN_PATH,
};
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
        .service(
            resource(crate::http::openapi::OPENAPI_PATH, "GET").get(crate::http::openapi::serve),
        )
        .service(resource(crate::infra::metrics::METRICS_PATH, "GET").get(metrics::serve))
        .service(resource(TOKEN_PATH, "POST").post(token::token))
        .service(resource(INTROSPECTION_PATH, "POST").post(token::introspect))
        .service(resource(REVOCATION_PATH, "POST").post(token::revoke))
        .service(
            resource(REGISTRATION_PATH, "POST")
                .wrap(cors(&["POST"]))
                .route(web::post().to(register::post)),
        )
        .service(
            resource(&format!("{REGISTRATION_PATH}/{{client_id}}"), "GET, PUT, DELETE")
                .wrap(cors(&["GET", "PUT", "DELETE"]))
                .route(web::get().to(configuration::get))
                .route(web::put().to(configuration::put))
                .route(web::delete().to(configuration::delete)),
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
                .service(scoped("/logs", "GET").get(logs::logs))
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
