//! The OpenAPI 3.1 document of every endpoint, served at `GET /openapi.json`.
//!
//! Generated from the code, so it cannot drift: each handler in `routes` carries its own
//! `#[utoipa::path(...)]` (method, path, parameters, status codes, headers, security,
//! links), implemented for one of the marker types listed in [`operations!`] below; this
//! module only gathers them, with the schemas of the bodies, the reusable error responses
//! and the security schemes. Enumerations (grant types, algorithms, app types, event
//! types, ...) are read from the same vocabularies the server validates with. The tests
//! at the bottom check the document against the route table in both directions: every
//! documented operation is routed and answers one of its documented status codes, and
//! every route that `routes::configure` registers is documented.
//!
//! The structs here describe JSON bodies for the document only; handlers build their
//! bodies elsewhere and never use these types.

use std::borrow::Cow;
use std::sync::OnceLock;

use actix_web::http::header::{self, ContentType};
use actix_web::HttpResponse;
use serde_json::{json, Map, Value};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{self, RefOr, Schema};
use utoipa::{IntoParams, Modify, OpenApi, PartialSchema, ToResponse, ToSchema};

use crate::domain::client_patch::vocab as admin_vocab;
use crate::domain::client_patch::vocab::Vocabulary;
use crate::domain::fields::MAX_ITEMS;
use crate::domain::vocab::{
    ApplicationType, AuthMethod, GrantType, JweAlg, JweEnc, JwsAlg, ResponseType, SubjectType,
};
use crate::store::audit::EventType;

mod admin;
mod management;
mod registration;
mod server;
#[cfg(test)]
mod tests;
mod values;

pub use admin::{
    ClientFieldsQuery, ClientListQuery, InitialAccessTokenRequest, InitialAccessTokenView,
    LogEvent, LogList, LogListQuery, LogPage,
};
pub use management::{
    AdminBadRequest, AdminForbidden, AdminNotFound, AdminPayloadTooLarge, AdminUnauthorized,
    AdminUnavailable, AdminUnsupportedMediaType, ClientList, ClientPage, JwtConfiguration,
    ManagementClient, ManagementClientCreate, ManagementClientUpdate, ManagementErrorBody,
};
pub use registration::{
    ClientInformationResponse, ClientMetadataRequest, ClientUpdateRequest, RegistrationBadRequest,
    RegistrationError, RegistrationForbidden, RegistrationPayloadTooLarge,
    RegistrationTooManyRequests, RegistrationUnauthorized, RegistrationUnavailable,
    RegistrationUnsupportedMediaType,
};
pub use server::{DiscoveryDocument, HealthStatus, Jwk, Jwks};
use values::{
    admin_app_type, admin_auth_method, admin_client_metadata, admin_grant_types,
    admin_jwt_configuration, admin_string_list, admin_url_list, any_object, app_type_view,
    application_type, approval_channels, auth_method, client_authentication_methods,
    compliance_level, event_type, grant_types, jwe_alg, jwe_enc, jwks_value, jws_alg, null_only,
    nullable_object, nullable_unsigned, organization_discovery_methods,
    organization_require_behavior, organization_usage, response_types, schema, string_list,
    string_map, subject_type, unsigned,
};

/// Where the document is served.
pub const OPENAPI_PATH: &str = "/openapi.json";
/// RFC 8414 metadata: the same document as OpenID discovery, at its own well-known path.
pub const OAUTH_METADATA_PATH: &str = "/.well-known/oauth-authorization-server";
const OIDC_DISCOVERY_PATH: &str = "/.well-known/openid-configuration";

/// Security scheme of RFC 7592's registration access token.
pub const REGISTRATION_TOKEN: &str = "registration_access_token";
/// Security scheme of the management API's admin JWTs.
pub const ADMIN_TOKEN: &str = "admin_token";
/// Every admin scope (the ones `registrar token` mints).
pub const ADMIN_SCOPES: &[&str] = crate::service::admin_token::SCOPES;
/// Security scheme of RFC 7591's initial access token (optional unless the server runs
/// with `--registration-mode token`).
pub const INITIAL_ACCESS_TOKEN: &str = "initial_access_token";
/// Security scheme of `GET /metrics` under `--metrics-token`.
pub const METRICS_TOKEN: &str = "metrics_token";

/// Declares one marker type per operation (each handler's `#[utoipa::path(impl_for = ...)]`
/// implements `utoipa::Path` for it) and the function that adds them all to the document.
/// A marker without an annotated handler does not compile.
macro_rules! operations {
    ($($(#[$meta:meta])* $marker:ident),+ $(,)?) => {
        $($(#[$meta])* pub struct $marker;)+

        fn add_operations(doc: &mut openapi::OpenApi) {
            $(add::<$marker>(doc);)+
        }
    };
}

operations! {
    /// `POST /oidc/register` (`routes::register::post`).
    RegisterClient,
    /// `GET /oidc/register/{client_id}` (`routes::manage::get`).
    ReadRegistration,
    /// `PUT /oidc/register/{client_id}` (`routes::manage::put`).
    UpdateRegistration,
    /// `DELETE /oidc/register/{client_id}` (`routes::manage::delete`).
    DeleteRegistration,
    /// `GET /api/v2/clients` (`routes::management::list`).
    ListClients,
    /// `POST /api/v2/clients` (`routes::management::create`).
    CreateClient,
    /// `GET /api/v2/clients/{client_id}` (`routes::management::get`).
    GetClient,
    /// `PATCH /api/v2/clients/{client_id}` (`routes::management::update`).
    UpdateClient,
    /// `DELETE /api/v2/clients/{client_id}` (`routes::management::delete`).
    DeleteClient,
    /// `POST /api/v2/clients/{client_id}/rotate-secret` (`routes::management::rotate_secret`).
    RotateClientSecret,
    /// `GET /api/v2/logs` (`routes::audit::logs`).
    ListLogs,
    /// `GET /.well-known/openid-configuration` (`routes::discovery::document`), also served
    /// at [`OAUTH_METADATA_PATH`].
    Discovery,
    /// `GET /.well-known/jwks.json` (`routes::discovery::jwks`).
    ServerJwks,
    /// `GET /healthz` (`routes::health::live`).
    Liveness,
    /// `GET /readyz` (`routes::health::ready`).
    Readiness,
    /// `GET /api/v2/initial-access-tokens` (`routes::iat::list`; documented by
    /// [`iat_list`] until the handler carries its own annotation).
    ListInitialAccessTokens,
    /// `POST /api/v2/initial-access-tokens` (`routes::iat::create`; see [`iat_create`]).
    CreateInitialAccessToken,
    /// `DELETE /api/v2/initial-access-tokens/{id}` (`routes::iat::revoke`; see
    /// [`iat_revoke`]).
    RevokeInitialAccessToken,
    /// `GET /openapi.json` ([`serve`]).
    OpenApiDocument,
    /// `GET /metrics` (`metrics::serve`).
    MetricsExposition,
}

fn add<P: utoipa::Path>(doc: &mut openapi::OpenApi) {
    doc.paths.add_path_operation(P::path(), P::methods(), P::operation());
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Registrar",
        description = "OpenID Connect Dynamic Client Registration (RFC 7591, RFC 7592, OIDC DCR 1.0) \
            with an Auth0-style Management API for the same clients, an audit log, discovery and \
            the server's JWKS.\n\n\
            A method that a path does not serve answers `405` with an `Allow` header and an \
            RFC 7591 error body; an unknown path answers `404` in the same format. Every response of the \
            registration and management endpoints carries `Cache-Control: no-store` and \
            `Pragma: no-cache`.\n\n\
            Stateful flow: the `201` of `POST /oidc/register` links to the RFC 7592 operations on \
            the new client (`client_id` from `$response.body#/client_id`, the bearer from \
            `$response.body#/registration_access_token`); the `201` of `POST /api/v2/clients` \
            links to the management operations on the new client."
    ),
    tags(
        (name = "registration", description = "RFC 7591 registration and the RFC 7592 client configuration endpoint"),
        (name = "management", description = "Auth0-style Management API (`/api/v2/clients`), behind admin tokens"),
        (name = "logs", description = "Audit log (`/api/v2/logs`)"),
        (name = "discovery", description = "OpenID Connect Discovery / RFC 8414 metadata and the server's JWKS"),
        (name = "operations", description = "Health checks and this document"),
    ),
    components(
        schemas(
            ClientMetadataRequest,
            ClientUpdateRequest,
            ClientInformationResponse,
            RegistrationError,
            ManagementClientUpdate,
            ManagementClientCreate,
            ManagementClient,
            JwtConfiguration,
            ClientPage,
            ClientList,
            ManagementErrorBody,
            LogEvent,
            LogPage,
            LogList,
            DiscoveryDocument,
            Jwks,
            Jwk,
            HealthStatus,
            InitialAccessTokenRequest,
            InitialAccessTokenView,
        ),
        responses(
            RegistrationBadRequest,
            RegistrationUnauthorized,
            RegistrationForbidden,
            RegistrationPayloadTooLarge,
            RegistrationUnsupportedMediaType,
            RegistrationUnavailable,
            RegistrationTooManyRequests,
            AdminBadRequest,
            AdminUnauthorized,
            AdminForbidden,
            AdminNotFound,
            AdminPayloadTooLarge,
            AdminUnsupportedMediaType,
            AdminUnavailable,
        ),
    ),
    modifiers(&Finish),
)]
pub struct ApiDoc;

/// Adds the operations, the security schemes, the RFC 8414 alias of discovery, and the
/// `additionalProperties` that derived schemas cannot state.
struct Finish;

impl Modify for Finish {
    fn modify(&self, doc: &mut openapi::OpenApi) {
        add_operations(doc);
        crate::http::oauth_openapi::add_operations(doc);
        if let Some(item) = doc.paths.paths.get(OIDC_DISCOVERY_PATH).cloned() {
            let mut alias = item;
            if let Some(get) = alias.get.as_mut() {
                get.operation_id = Some("oauthAuthorizationServerMetadata".into());
                get.summary = Some("Authorization server metadata (RFC 8414)".into());
            }
            doc.paths.paths.insert(OAUTH_METADATA_PATH.into(), alias);
        }
        let components = doc.components.get_or_insert_with(Default::default);
        let mut rat = Http::new(HttpAuthScheme::Bearer);
        rat.description = Some(
            "RFC 7592 registration access token: the `registration_access_token` of the \
             registration response, good for that one client only. Missing: `401` with \
             `WWW-Authenticate: Bearer realm=\"registrar\"`; wrong, another client's, or for an \
             unknown or deleted client: `401` with `error=\"invalid_token\"`."
                .into(),
        );
        components.add_security_scheme(REGISTRATION_TOKEN, SecurityScheme::Http(rat));
        let mut admin = Http::new(HttpAuthScheme::Bearer);
        admin.bearer_format = Some("JWT".into());
        admin.description = Some(format!(
            "Admin token: a JWT signed with the server's own key (RS256), audience \
             `{{issuer}}/api/v2/`, with a space-separated `scope` claim. Mint one with \
             `registrar token --scope \"read:clients update:clients\" --ttl 1h` (same store \
             and issuer flags as `serve`). Each operation lists the scopes it needs; some \
             request bodies need more (`client_secret`: `update:client_keys`; \
             `client_authentication_methods`: `update:client_credentials`) and secrets are \
             shown only with `read:client_keys`. Scopes: {}. Missing, malformed, expired or \
             foreign token: `401`; valid token without the scope: `403` \
             `insufficient_scope` naming it.",
            ADMIN_SCOPES.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
        ));
        components.add_security_scheme(ADMIN_TOKEN, SecurityScheme::Http(admin));
        let mut iat = Http::new(HttpAuthScheme::Bearer);
        iat.description = Some(
            "RFC 7591 §3 initial access token, issued through `POST \
             /api/v2/initial-access-tokens`. Optional in `--registration-mode open` (a token \
             that is sent must still be valid), required in `token` mode. Missing where \
             required, unknown, expired, revoked or used up: `401`."
                .into(),
        );
        components.add_security_scheme(INITIAL_ACCESS_TOKEN, SecurityScheme::Http(iat));
        let mut metrics = Http::new(HttpAuthScheme::Bearer);
        metrics.description = Some(
            "The `--metrics-token` of the server, when it has one; without it `/metrics` is \
             open. Missing or wrong: `401`."
                .into(),
        );
        components.add_security_scheme(METRICS_TOKEN, SecurityScheme::Http(metrics));
        for (name, open) in [
            ("ClientMetadataRequest", true),
            ("ClientInformationResponse", true),
            ("ManagementClient", true),
            ("JwtConfiguration", true),
            ("DiscoveryDocument", true),
            ("Jwk", true),
            ("ManagementClientUpdate", false),
        ] {
            if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(name) {
                object.additional_properties =
                    Some(Box::new(openapi::schema::AdditionalProperties::FreeForm(open)));
            }
        }
    }
}

/// The document, built once.
pub fn document() -> &'static openapi::OpenApi {
    static DOCUMENT: OnceLock<openapi::OpenApi> = OnceLock::new();
    DOCUMENT.get_or_init(ApiDoc::openapi)
}

/// The document as served: [`document`] in JSON, with the Link Objects' field names
/// fixed (utoipa 5 writes `operation_id` and `request_body` where OpenAPI says
/// `operationId` and `requestBody`).
pub fn document_json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        let mut value = serde_json::to_value(document()).expect("the OpenAPI document serializes");
        fix_link_field_names(&mut value);
        value.to_string()
    })
}

fn fix_link_field_names(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(links)) = map.get_mut("links") {
                for link in links.values_mut().filter_map(Value::as_object_mut) {
                    for (from, to) in [
                        ("operation_id", "operationId"),
                        ("operation_ref", "operationRef"),
                        ("request_body", "requestBody"),
                    ] {
                        if let Some(v) = link.remove(from) {
                            link.insert(to.to_owned(), v);
                        }
                    }
                }
            }
            map.values_mut().for_each(fix_link_field_names);
        }
        Value::Array(items) => items.iter_mut().for_each(fix_link_field_names),
        _ => {}
    }
}

#[utoipa::path(
    get,
    path = OPENAPI_PATH,
    impl_for = OpenApiDocument,
    operation_id = "openApiDocument",
    tag = "operations",
    summary = "This OpenAPI 3.1 document",
    responses(
        (status = 200, description = "The OpenAPI document of every endpoint", content_type = "application/json", body = Object,
            headers(("Cache-Control" = String, description = "`public, max-age=300`"))),
    ),
)]
/// `GET /openapi.json`.
pub async fn serve() -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::json())
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(document_json())
}
