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

// ---------------------------------------------------------------------------------------
// Schema helpers: enumerations come from the vocabularies the server checks with.

fn schema(value: Value) -> Schema {
    serde_json::from_value(value).expect("a valid schema literal")
}

fn admin_values<V: Vocabulary>() -> Vec<&'static str> {
    V::ALL.iter().map(|v| v.as_str()).collect()
}

/// A nullable string from `values` (null and `""` mean "not sent" in registration bodies).
fn nullable_enum(values: Vec<&'static str>) -> Schema {
    let mut values: Vec<Value> = values.into_iter().map(Value::from).collect();
    values.push(Value::Null);
    schema(json!({ "type": ["string", "null"], "enum": values }))
}

/// A nullable array of strings from `values`, at most [`MAX_ITEMS`] of them.
fn nullable_enum_list(values: Vec<&'static str>) -> Schema {
    schema(json!({
        "type": ["array", "null"],
        "maxItems": MAX_ITEMS,
        "items": { "type": "string", "enum": values },
    }))
}

fn nullable_string_list() -> Schema {
    schema(json!({
        "type": ["array", "null"],
        "maxItems": MAX_ITEMS,
        "items": { "type": "string" },
    }))
}

fn grant_types() -> Schema {
    nullable_enum_list(GrantType::wire_values())
}
fn response_types() -> Schema {
    nullable_enum_list(ResponseType::SUPPORTED.to_vec())
}
fn application_type() -> Schema {
    nullable_enum(ApplicationType::wire_values())
}
fn auth_method() -> Schema {
    nullable_enum(AuthMethod::wire_values())
}
fn subject_type() -> Schema {
    nullable_enum(SubjectType::wire_values())
}
fn jws_alg() -> Schema {
    nullable_enum(JwsAlg::wire_values())
}
fn jwe_alg() -> Schema {
    nullable_enum(JweAlg::wire_values())
}
fn jwe_enc() -> Schema {
    nullable_enum(JweEnc::wire_values())
}
fn string_list() -> Schema {
    nullable_string_list()
}
fn jwks_value() -> Schema {
    schema(json!({
        "type": ["object", "null"],
        "description": "The client's public keys as a JWK Set (`{\"keys\": [...]}`); private members are refused.",
        "required": ["keys"],
        "properties": { "keys": { "type": "array", "items": { "type": "object" } } },
    }))
}

fn admin_grant_types() -> Schema {
    schema(json!({
        "type": "array",
        "maxItems": MAX_ITEMS,
        "uniqueItems": true,
        "items": { "type": "string", "enum": admin_values::<admin_vocab::GrantType>() },
    }))
}
fn admin_auth_method() -> Schema {
    nullable_enum(admin_values::<admin_vocab::TokenEndpointAuthMethod>())
}
fn admin_app_type() -> Schema {
    nullable_enum(admin_values::<admin_vocab::AppType>())
}
fn app_type_view() -> Schema {
    schema(json!({ "type": "string", "enum": admin_values::<admin_vocab::AppType>() }))
}
fn organization_usage() -> Schema {
    nullable_enum(admin_values::<admin_vocab::OrganizationUsage>())
}
fn organization_require_behavior() -> Schema {
    nullable_enum(admin_values::<admin_vocab::OrganizationRequireBehavior>())
}
fn compliance_level() -> Schema {
    nullable_enum(admin_values::<admin_vocab::ComplianceLevel>())
}
fn organization_discovery_methods() -> Schema {
    schema(json!({
        "type": ["array", "null"],
        "minItems": 1,
        "maxItems": MAX_ITEMS,
        "uniqueItems": true,
        "items": { "type": "string", "enum": admin_values::<admin_vocab::OrganizationDiscoveryMethod>() },
    }))
}
fn approval_channels() -> Schema {
    schema(json!({
        "type": ["array", "null"],
        "minItems": 1,
        "maxItems": MAX_ITEMS,
        "uniqueItems": true,
        "items": { "type": "string", "enum": admin_values::<admin_vocab::ApprovalChannel>() },
    }))
}
fn admin_url_list() -> Schema {
    schema(json!({
        "type": ["array", "null"],
        "maxItems": MAX_ITEMS,
        "items": { "type": "string" },
        "description": "URLs with their protocol; administrators may use one leftmost subdomain wildcard (`https://*.example.com/cb`), never over a public suffix.",
    }))
}
fn admin_string_list() -> Schema {
    schema(json!({
        "type": ["array", "null"],
        "maxItems": MAX_ITEMS,
        "items": { "type": "string", "minLength": 1, "maxLength": 255 },
    }))
}
fn admin_jwt_configuration() -> Schema {
    schema(json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "alg": { "type": "string", "enum": admin_values::<admin_vocab::JwtAlg>() },
            "lifetime_in_seconds": { "type": "integer", "minimum": 1 },
            "secret_encoded": { "type": "boolean" },
            "scopes": { "type": "object" },
        },
    }))
}
fn admin_client_metadata() -> Schema {
    schema(json!({
        "type": "object",
        "description": "At most 10 keys in all; key names of 1 to 255 letters, digits, tab, space and `:,-+=_*?\"/()<>@`; values strings of at most 255 characters, or null to remove a key.",
        "additionalProperties": { "type": ["string", "null"], "maxLength": 255 },
    }))
}
fn client_authentication_methods() -> Schema {
    schema(json!({
        "type": ["object", "null"],
        "description": "Only `private_key_jwt`, with credentials that name `kid`s of the client's registered keys: `{\"private_key_jwt\": {\"credentials\": [{\"id\": \"<kid>\"}]}}`. Needs scope `update:client_credentials`; not together with `token_endpoint_auth_method`.",
    }))
}
fn nullable_object() -> Schema {
    schema(json!({ "type": ["object", "null"] }))
}
fn string_map() -> Schema {
    schema(json!({ "type": "object", "additionalProperties": { "type": "string" } }))
}
fn event_type() -> Schema {
    schema(json!({ "type": "string", "enum": EventType::ALL.map(EventType::code) }))
}
fn any_object() -> Schema {
    schema(json!({ "type": "object" }))
}

// ---------------------------------------------------------------------------------------
// RFC 7591 / RFC 7592 bodies.

/// RFC 7591 §2 / OIDC DCR §2 client metadata. Unknown members are ignored (RFC 7591 §2);
/// `null` and `""` mean "not sent". Human-readable members may also be sent per language,
/// as `client_name#ja-Jpan-JP` and so on (RFC 7591 §2.2). Rules that span members (grant and
/// response types, redirect URIs per application type, keys for `private_key_jwt`, ...)
/// are checked by the server and answered with `400`.
#[derive(ToSchema)]
#[schema(examples(
    json!({ "redirect_uris": ["https://client.example.org/callback"], "client_name": "Example Client" }),
    json!({ "grant_types": ["client_credentials"], "client_name": "Backend service" })
))]
pub struct ClientMetadataRequest {
    /// Redirection URIs (RFC 7591 §2); required for the `authorization_code` and
    /// `implicit` grants.
    #[schema(schema_with = string_list)]
    pub redirect_uris: Option<Vec<String>>,
    #[schema(schema_with = auth_method)]
    pub token_endpoint_auth_method: Option<String>,
    #[schema(schema_with = grant_types)]
    pub grant_types: Option<Vec<String>>,
    #[schema(schema_with = response_types)]
    pub response_types: Option<Vec<String>>,
    #[schema(schema_with = application_type)]
    pub application_type: Option<String>,
    pub client_name: Option<String>,
    pub client_uri: Option<String>,
    pub logo_uri: Option<String>,
    pub policy_uri: Option<String>,
    pub tos_uri: Option<String>,
    /// E-mail addresses of people responsible for the client.
    #[schema(schema_with = string_list)]
    pub contacts: Option<Vec<String>>,
    #[schema(schema_with = jwks_value)]
    pub jwks: Option<Value>,
    /// https URL of the client's JWK Set; not together with `jwks`.
    pub jwks_uri: Option<String>,
    #[schema(schema_with = subject_type)]
    pub subject_type: Option<String>,
    #[schema(schema_with = jws_alg)]
    pub id_token_signed_response_alg: Option<String>,
    #[schema(schema_with = jwe_alg)]
    pub id_token_encrypted_response_alg: Option<String>,
    #[schema(schema_with = jwe_enc)]
    pub id_token_encrypted_response_enc: Option<String>,
    #[schema(schema_with = jws_alg)]
    pub userinfo_signed_response_alg: Option<String>,
    #[schema(schema_with = jwe_alg)]
    pub userinfo_encrypted_response_alg: Option<String>,
    #[schema(schema_with = jwe_enc)]
    pub userinfo_encrypted_response_enc: Option<String>,
    #[schema(schema_with = jws_alg)]
    pub request_object_signing_alg: Option<String>,
    #[schema(schema_with = jwe_alg)]
    pub request_object_encryption_alg: Option<String>,
    #[schema(schema_with = jwe_enc)]
    pub request_object_encryption_enc: Option<String>,
    #[schema(schema_with = jws_alg)]
    pub token_endpoint_auth_signing_alg: Option<String>,
    #[schema(schema_with = nullable_unsigned)]
    pub default_max_age: Option<u64>,
    pub require_auth_time: Option<bool>,
    #[schema(schema_with = string_list)]
    pub default_acr_values: Option<Vec<String>>,
    /// https only.
    pub initiate_login_uri: Option<String>,
    /// https only.
    #[schema(schema_with = string_list)]
    pub request_uris: Option<Vec<String>>,
    #[schema(schema_with = string_list)]
    pub post_logout_redirect_uris: Option<Vec<String>>,
    /// Space-separated; scopes outside `scopes_supported` are dropped.
    pub scope: Option<String>,
    pub software_id: Option<String>,
    pub software_version: Option<String>,
    /// Not accepted by this server: any value is answered with `400`
    /// `unapproved_software_statement`.
    pub software_statement: Option<String>,
    /// Not supported: pairwise subjects use the redirect URIs' single host.
    pub sector_identifier_uri: Option<String>,
}

/// RFC 7592 §2.2 update: the full client metadata again, naming the client. The
/// registration access token, the configuration URI and the timestamps must not be sent;
/// `client_secret`, if sent, must be the current one.
pub struct ClientUpdateRequest;

impl PartialSchema for ClientUpdateRequest {
    fn schema() -> RefOr<Schema> {
        RefOr::T(schema(json!({
            "description": "RFC 7592 §2.2 update: the full client metadata again, naming the client. The registration access token, the configuration URI and the timestamps must not be sent; `client_secret`, if sent, must be the current one.",
            "allOf": [
                { "$ref": "#/components/schemas/ClientMetadataRequest" },
                {
                    "type": "object",
                    "required": ["client_id"],
                    "properties": {
                        "client_id": { "type": "string", "description": "Must equal the `client_id` of the path." },
                        "client_secret": { "type": ["string", "null"] },
                    },
                },
            ],
            "examples": [{ "client_id": "s6BhdRkqt3", "redirect_uris": ["https://client.example.org/callback"] }],
        })))
    }
}

impl ToSchema for ClientUpdateRequest {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ClientUpdateRequest")
    }
}

/// RFC 7591 §3.2.1 / RFC 7592 §3 client information: the credentials, then the registered
/// metadata with every default filled in (and any language-tagged members as sent).
/// Members an administrator changed through the Management API show here too, so their
/// values may come from the Management API's vocabularies.
#[derive(ToSchema)]
pub struct ClientInformationResponse {
    pub client_id: String,
    /// Only for clients that authenticate with a secret or use symmetric algorithms.
    #[schema(required = false)]
    pub client_secret: String,
    /// Seconds since the epoch.
    pub client_id_issued_at: i64,
    /// `0`: the secret does not expire. Present whenever `client_secret` is.
    #[schema(required = false)]
    pub client_secret_expires_at: i64,
    pub registration_access_token: String,
    pub registration_client_uri: String,
    #[schema(required = false)]
    pub redirect_uris: Vec<String>,
    #[schema(required = false)]
    pub token_endpoint_auth_method: String,
    #[schema(required = false)]
    pub grant_types: Vec<String>,
    #[schema(required = false)]
    pub response_types: Vec<String>,
    #[schema(required = false)]
    pub application_type: String,
    #[schema(required = false)]
    pub client_name: String,
    #[schema(required = false)]
    pub client_uri: String,
    #[schema(required = false)]
    pub logo_uri: String,
    #[schema(required = false)]
    pub policy_uri: String,
    #[schema(required = false)]
    pub tos_uri: String,
    #[schema(required = false)]
    pub contacts: Vec<String>,
    #[schema(required = false, schema_with = any_object)]
    pub jwks: Value,
    #[schema(required = false)]
    pub jwks_uri: String,
    #[schema(required = false)]
    pub subject_type: String,
    #[schema(required = false)]
    pub id_token_signed_response_alg: String,
    #[schema(required = false, schema_with = unsigned)]
    pub default_max_age: u64,
    #[schema(required = false)]
    pub require_auth_time: bool,
    #[schema(required = false)]
    pub default_acr_values: Vec<String>,
    #[schema(required = false)]
    pub initiate_login_uri: String,
    #[schema(required = false)]
    pub request_uris: Vec<String>,
    #[schema(required = false)]
    pub post_logout_redirect_uris: Vec<String>,
    #[schema(required = false)]
    pub scope: String,
    #[schema(required = false)]
    pub software_id: String,
    #[schema(required = false)]
    pub software_version: String,
}

/// RFC 7591 §3.2.2 error (also RFC 6750 §3 for token failures).
#[derive(ToSchema)]
pub struct RegistrationError {
    #[schema(schema_with = registration_error_code)]
    pub error: String,
    /// ASCII only; names the offending member.
    pub error_description: String,
}

fn registration_error_code() -> Schema {
    schema(json!({
        "type": "string",
        "enum": [
            "invalid_redirect_uri", "invalid_client_metadata", "invalid_software_statement",
            "unapproved_software_statement", "invalid_request", "invalid_token", "access_denied",
            "too_many_requests", "not_found", "temporarily_unavailable", "server_error",
        ],
    }))
}

/// `400`: the metadata or the request breaks a rule (RFC 7591 §3.2.2).
#[derive(ToResponse)]
#[response(
    description = "The metadata or the request breaks a rule (RFC 7591 §3.2.2): `invalid_redirect_uri`, `invalid_client_metadata`, `unapproved_software_statement`, or `invalid_request` (not a JSON object, a member RFC 7592 forbids)",
    headers(("Cache-Control" = String, description = "`no-store`")),
    example = json!({ "error": "invalid_redirect_uri", "error_description": "redirect_uris: required for the authorization_code and implicit grants" })
)]
pub struct RegistrationBadRequest(pub RegistrationError);

/// `401`: no bearer token, or not this client's registration access token.
#[derive(ToResponse)]
#[response(
    description = "No bearer token (`WWW-Authenticate: Bearer realm=\"registrar\"`), or a token that is not this client's registration access token, also for unknown or deleted clients (`error=\"invalid_token\"`)",
    headers(
        ("WWW-Authenticate" = String, description = "`Bearer realm=\"registrar\"`, with `error=\"invalid_token\"` when a token was sent"),
        ("Cache-Control" = String, description = "`no-store`"),
    ),
    example = json!({ "error": "invalid_token", "error_description": "the access token is not valid for this client" })
)]
pub struct RegistrationUnauthorized(pub RegistrationError);

/// `403`: the client may not manage itself.
#[derive(ToResponse)]
#[response(
    description = "An administrator withdrew this client's right to manage its own registration (`access_denied`, RFC 7592 §2.1)",
    headers(("Cache-Control" = String, description = "`no-store`"))
)]
pub struct RegistrationForbidden(pub RegistrationError);

/// `413`: body over `--max-body-bytes`.
#[derive(ToResponse)]
#[response(
    description = "The body is larger than `--max-body-bytes` (default 65536)",
    headers(("Cache-Control" = String, description = "`no-store`"))
)]
pub struct RegistrationPayloadTooLarge(pub RegistrationError);

/// `415`: not `application/json`.
#[derive(ToResponse)]
#[response(
    description = "The body is not `application/json`",
    headers(("Cache-Control" = String, description = "`no-store`"))
)]
pub struct RegistrationUnsupportedMediaType(pub RegistrationError);

/// `429`: over a registration rate limit.
#[derive(ToResponse)]
#[response(
    description = "Over a registration rate limit (`--rate-limit-per-ip`, `--rate-limit-global`; `too_many_requests`)",
    headers(
        ("Retry-After" = String, description = "Whole seconds until a registration is let through"),
        ("Cache-Control" = String, description = "`no-store`"),
    )
)]
pub struct RegistrationTooManyRequests(pub RegistrationError);

/// `503`: the store is away; nothing was written.
#[derive(ToResponse)]
#[response(
    description = "The store cannot be reached; nothing was written (`temporarily_unavailable`)",
    headers(
        ("Retry-After" = String, description = "Seconds to wait before retrying"),
        ("Cache-Control" = String, description = "`no-store`"),
    )
)]
pub struct RegistrationUnavailable(pub RegistrationError);

// ---------------------------------------------------------------------------------------
// Management API bodies.

/// `PATCH /api/v2/clients/{client_id}` body (Auth0's client settings, seed 004). Unknown
/// and read-only members are refused (`400`, the message naming the member). `null`
/// returns an optional setting to its default; it is refused for `name`, the booleans,
/// `grant_types`, `jwt_configuration` and `client_metadata`. Rules that span members
/// (for example `is_first_party: false` needs `organization_usage` and
/// `organization_require_behavior` unset) are checked by the server.
#[derive(ToSchema)]
#[schema(examples(json!({ "name": "Example app", "callbacks": ["https://app.example.com/callback"] })))]
pub struct ManagementClientUpdate {
    /// No `<` or `>`, no control characters, 1 to 255 characters.
    #[schema(required = false, min_length = 1, max_length = 255, pattern = "^[^<>]+$")]
    pub name: String,
    #[schema(max_length = 140)]
    pub description: Option<String>,
    /// http or https URL.
    pub logo_uri: Option<String>,
    /// https URL.
    pub initiate_login_uri: Option<String>,
    #[schema(schema_with = admin_url_list)]
    pub callbacks: Option<Vec<String>>,
    #[schema(schema_with = admin_url_list)]
    pub allowed_logout_urls: Option<Vec<String>>,
    #[schema(schema_with = admin_url_list)]
    pub allowed_origins: Option<Vec<String>>,
    #[schema(schema_with = admin_url_list)]
    pub web_origins: Option<Vec<String>>,
    #[schema(required = false, schema_with = admin_grant_types)]
    pub grant_types: Vec<String>,
    /// Not together with `client_authentication_methods`.
    #[schema(schema_with = admin_auth_method)]
    pub token_endpoint_auth_method: Option<String>,
    #[schema(schema_with = client_authentication_methods)]
    pub client_authentication_methods: Option<Value>,
    #[schema(required = false, schema_with = admin_jwt_configuration)]
    pub jwt_configuration: Value,
    /// Needs scope `update:client_keys`: printable ASCII without spaces.
    #[schema(required = false, min_length = 32, max_length = 512, pattern = "^[!-~]+$")]
    pub client_secret: String,
    #[schema(required = false)]
    pub is_first_party: bool,
    #[schema(required = false, schema_with = admin_client_metadata)]
    pub client_metadata: Value,
    /// Request name of `cross_origin_auth`.
    #[schema(required = false)]
    pub cross_origin_authentication: bool,
    #[schema(required = false)]
    pub sso: bool,
    #[schema(required = false)]
    pub sso_disabled: bool,
    #[schema(required = false)]
    pub custom_login_page_on: bool,
    #[schema(required = false)]
    pub oidc_conformant: bool,
    #[schema(required = false)]
    pub is_token_endpoint_ip_header_trusted: bool,
    #[schema(required = false)]
    pub require_pushed_authorization_requests: bool,
    #[schema(required = false)]
    pub require_proof_of_possession: bool,
    #[schema(required = false)]
    pub skip_non_verifiable_callback_uri_confirmation_prompt: bool,
    /// http or https URL.
    pub cross_origin_loc: Option<String>,
    #[schema(minimum = 10, maximum = 600)]
    pub par_request_expiry: Option<u64>,
    #[schema(schema_with = admin_app_type)]
    pub app_type: Option<String>,
    #[schema(schema_with = organization_usage)]
    pub organization_usage: Option<String>,
    #[schema(schema_with = organization_require_behavior)]
    pub organization_require_behavior: Option<String>,
    #[schema(schema_with = compliance_level)]
    pub compliance_level: Option<String>,
    #[schema(schema_with = organization_discovery_methods)]
    pub organization_discovery_methods: Option<Vec<String>>,
    #[schema(schema_with = approval_channels)]
    pub async_approval_notification_channels: Option<Vec<String>>,
    pub custom_login_page: Option<String>,
    pub custom_login_page_preview: Option<String>,
    pub form_template: Option<String>,
    #[schema(schema_with = nullable_object)]
    pub addons: Option<Value>,
    #[schema(schema_with = nullable_object)]
    pub oidc_logout: Option<Value>,
    #[schema(schema_with = nullable_object)]
    pub oidc_backchannel_logout: Option<Value>,
    #[schema(schema_with = nullable_object)]
    pub native_social_login: Option<Value>,
    #[schema(schema_with = nullable_object)]
    pub refresh_token: Option<Value>,
    #[schema(schema_with = nullable_object)]
    pub default_organization: Option<Value>,
    #[schema(schema_with = nullable_object)]
    pub mobile: Option<Value>,
    #[schema(schema_with = nullable_object)]
    pub encryption_key: Option<Value>,
    #[schema(schema_with = nullable_object)]
    pub signed_request_object: Option<Value>,
    #[schema(schema_with = nullable_object)]
    pub token_exchange: Option<Value>,
    #[schema(schema_with = nullable_object)]
    pub express_configuration: Option<Value>,
    #[schema(schema_with = nullable_object)]
    pub session_transfer: Option<Value>,
    #[schema(schema_with = admin_string_list)]
    pub allowed_clients: Option<Vec<String>>,
    #[schema(schema_with = admin_string_list)]
    pub client_aliases: Option<Vec<String>>,
}

/// `POST /api/v2/clients` body: the settings of `PATCH`, with `name` required. The new
/// client is first-party unless `is_first_party` is false.
pub struct ManagementClientCreate;

impl PartialSchema for ManagementClientCreate {
    fn schema() -> RefOr<Schema> {
        RefOr::T(schema(json!({
            "description": "`POST /api/v2/clients` body: the settings of `PATCH`, with `name` required. The new client is first-party unless `is_first_party` is false.",
            "allOf": [
                { "$ref": "#/components/schemas/ManagementClientUpdate" },
                { "type": "object", "required": ["name"] },
            ],
            "examples": [{ "name": "Example app", "callbacks": ["https://app.example.com/callback"] }],
        })))
    }
}

impl ToSchema for ManagementClientCreate {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ManagementClientCreate")
    }
}

/// A client as the Management API shows it: settings derived from the registration
/// metadata, with the administrator's own settings laid over them (any member of
/// [`ManagementClientUpdate`] an administrator set shows as set). `fields` /
/// `include_fields` can leave any member out, so none is required. `client_secret` shows
/// only to tokens with `read:client_keys`.
#[derive(ToSchema)]
pub struct ManagementClient {
    #[schema(required = false)]
    pub client_id: String,
    #[schema(required = false)]
    pub name: String,
    #[schema(required = false)]
    pub description: String,
    #[schema(required = false, schema_with = app_type_view)]
    pub app_type: String,
    #[schema(required = false)]
    pub is_first_party: bool,
    #[schema(required = false)]
    pub oidc_conformant: bool,
    #[schema(required = false)]
    pub callbacks: Vec<String>,
    #[schema(required = false)]
    pub allowed_logout_urls: Vec<String>,
    #[schema(required = false)]
    pub allowed_origins: Vec<String>,
    #[schema(required = false)]
    pub web_origins: Vec<String>,
    #[schema(required = false)]
    pub grant_types: Vec<String>,
    /// `null` where `client_authentication_methods` configures JWT assertions instead.
    #[schema(required = false)]
    pub token_endpoint_auth_method: Option<String>,
    #[schema(required = false, schema_with = any_object)]
    pub client_authentication_methods: Value,
    #[schema(required = false)]
    pub jwt_configuration: JwtConfiguration,
    #[schema(required = false, schema_with = string_map)]
    pub client_metadata: Map<String, Value>,
    #[schema(required = false)]
    pub logo_uri: String,
    #[schema(required = false)]
    pub initiate_login_uri: String,
    #[schema(required = false)]
    pub sso: bool,
    #[schema(required = false)]
    pub sso_disabled: bool,
    #[schema(required = false)]
    pub cross_origin_auth: bool,
    #[schema(required = false)]
    pub custom_login_page_on: bool,
    #[schema(required = false)]
    pub is_token_endpoint_ip_header_trusted: bool,
    #[schema(required = false)]
    pub require_pushed_authorization_requests: bool,
    #[schema(required = false)]
    pub require_proof_of_possession: bool,
    #[schema(required = false)]
    pub skip_non_verifiable_callback_uri_confirmation_prompt: bool,
    /// Only with scope `read:client_keys`, for clients that have a secret.
    #[schema(required = false)]
    pub client_secret: String,
}

/// How ID tokens are signed, and for how long they are valid.
#[derive(ToSchema)]
pub struct JwtConfiguration {
    #[schema(required = false)]
    pub alg: String,
    #[schema(required = false)]
    pub lifetime_in_seconds: u64,
    #[schema(required = false)]
    pub secret_encoded: bool,
    #[schema(required = false, schema_with = any_object)]
    pub scopes: Value,
}

/// A page of clients with totals (`include_totals=true`).
#[derive(ToSchema)]
pub struct ClientPage {
    /// Index of the first client of the page (`page * per_page`).
    pub start: u64,
    /// `per_page`.
    pub limit: u64,
    /// Clients on this page.
    pub length: u64,
    /// Clients that pass the filters.
    pub total: u64,
    pub clients: Vec<ManagementClient>,
}

/// `GET /api/v2/clients`: an array of clients, or with `include_totals=true` a
/// [`ClientPage`].
pub struct ClientList;

impl PartialSchema for ClientList {
    fn schema() -> RefOr<Schema> {
        RefOr::T(schema(json!({
            "description": "An array of clients, or with `include_totals=true` a page with totals.",
            "oneOf": [
                { "type": "array", "items": { "$ref": "#/components/schemas/ManagementClient" } },
                { "$ref": "#/components/schemas/ClientPage" },
            ],
        })))
    }
}

impl ToSchema for ClientList {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ClientList")
    }
}

/// Error of the Management API, in its own format (Auth0's).
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct ManagementErrorBody {
    /// The HTTP status again.
    pub status_code: u16,
    /// The status's reason phrase, e.g. `Bad Request`.
    pub error: String,
    /// ASCII; names the field at fault.
    pub message: String,
    /// e.g. `invalid_body`, `invalid_query_string`, `missing_token`, `invalid_token`,
    /// `insufficient_scope`, `inexistent_client`, `payload_too_large`,
    /// `unsupported_media_type`, `temporarily_unavailable`.
    pub error_code: String,
}

/// `400`: the body or query string breaks a rule.
#[derive(ToResponse)]
#[response(
    description = "The body (`invalid_body`) or query string (`invalid_query_string`) breaks a rule; the message names the field",
    headers(("Cache-Control" = String, description = "`no-store`")),
    example = json!({ "statusCode": 400, "error": "Bad Request", "message": "description: at most 140 characters", "errorCode": "invalid_body" })
)]
pub struct AdminBadRequest(pub ManagementErrorBody);

/// `401`: no admin token, or not a valid one.
#[derive(ToResponse)]
#[response(
    description = "No admin token (`missing_token`), or a malformed, expired, unsigned or foreign one (`invalid_token`)",
    headers(
        ("WWW-Authenticate" = String, description = "`Bearer realm=\"management\"`, with `error=\"invalid_token\"` when a token was sent"),
        ("Cache-Control" = String, description = "`no-store`"),
    ),
    example = json!({ "statusCode": 401, "error": "Unauthorized", "message": "invalid token", "errorCode": "invalid_token" })
)]
pub struct AdminUnauthorized(pub ManagementErrorBody);

/// `403`: the token lacks a scope.
#[derive(ToResponse)]
#[response(
    description = "A valid admin token without a scope this request needs (`insufficient_scope`, naming the scopes)",
    headers(
        ("WWW-Authenticate" = String, description = "`Bearer realm=\"management\", error=\"insufficient_scope\", scope=\"...\"`"),
        ("Cache-Control" = String, description = "`no-store`"),
    ),
    example = json!({ "statusCode": 403, "error": "Forbidden", "message": "insufficient scope, expected all of: read:clients", "errorCode": "insufficient_scope" })
)]
pub struct AdminForbidden(pub ManagementErrorBody);

/// `404`: no such client.
#[derive(ToResponse)]
#[response(
    description = "No client with this ID (`inexistent_client`)",
    headers(("Cache-Control" = String, description = "`no-store`"))
)]
pub struct AdminNotFound(pub ManagementErrorBody);

/// `413`: body over `--max-body-bytes`.
#[derive(ToResponse)]
#[response(
    description = "The body is larger than `--max-body-bytes` (`payload_too_large`)",
    headers(("Cache-Control" = String, description = "`no-store`"))
)]
pub struct AdminPayloadTooLarge(pub ManagementErrorBody);

/// `415`: not `application/json`.
#[derive(ToResponse)]
#[response(
    description = "The body is not `application/json` (`unsupported_media_type`)",
    headers(("Cache-Control" = String, description = "`no-store`"))
)]
pub struct AdminUnsupportedMediaType(pub ManagementErrorBody);

/// `503`: the store (or the audit log's Redis) is away.
#[derive(ToResponse)]
#[response(
    description = "The store cannot be reached (`temporarily_unavailable`)",
    headers(
        ("Retry-After" = String, description = "Seconds to wait before retrying"),
        ("Cache-Control" = String, description = "`no-store`"),
    )
)]
pub struct AdminUnavailable(pub ManagementErrorBody);

// ---------------------------------------------------------------------------------------
// Audit log.

/// One audit event (Auth0 log event shape, seed 002): every key is always present, `null`
/// where there is no value. Never carries a secret or token.
#[derive(ToSchema)]
pub struct LogEvent {
    /// Redis stream entry ID, or a sequence number for the in-process log.
    pub log_id: String,
    /// RFC 3339 UTC with milliseconds.
    pub date: String,
    /// The event type code.
    #[schema(rename = "type", schema_with = event_type)]
    pub kind: String,
    pub description: String,
    #[schema(required = true)]
    pub client_id: Option<String>,
    #[schema(required = true)]
    pub client_name: Option<String>,
    #[schema(required = true)]
    pub ip: Option<String>,
    #[schema(required = true)]
    pub user_agent: Option<String>,
    #[schema(schema_with = any_object)]
    pub details: Value,
}

/// A page of events with totals (`include_totals=true`).
#[derive(ToSchema)]
pub struct LogPage {
    pub start: u64,
    pub limit: u64,
    pub length: u64,
    /// Events that pass the filters.
    pub total: u64,
    pub logs: Vec<LogEvent>,
}

/// `GET /api/v2/logs`: events newest first, or with `include_totals=true` a [`LogPage`].
pub struct LogList;

impl PartialSchema for LogList {
    fn schema() -> RefOr<Schema> {
        RefOr::T(schema(json!({
            "description": "Events newest first, or with `include_totals=true` a page with totals.",
            "oneOf": [
                { "type": "array", "items": { "$ref": "#/components/schemas/LogEvent" } },
                { "$ref": "#/components/schemas/LogPage" },
            ],
        })))
    }
}

impl ToSchema for LogList {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("LogList")
    }
}

// ---------------------------------------------------------------------------------------
// Discovery, keys, health.

/// OpenID Connect Discovery 1.0 §3 / RFC 8414 metadata. The `*_supported` lists are the
/// vocabularies registration accepts.
#[derive(ToSchema)]
pub struct DiscoveryDocument {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub userinfo_endpoint: String,
    pub jwks_uri: String,
    pub registration_endpoint: String,
    pub scopes_supported: Vec<String>,
    pub response_types_supported: Vec<String>,
    pub response_modes_supported: Vec<String>,
    pub grant_types_supported: Vec<String>,
    pub subject_types_supported: Vec<String>,
    pub id_token_signing_alg_values_supported: Vec<String>,
    pub id_token_encryption_alg_values_supported: Vec<String>,
    pub id_token_encryption_enc_values_supported: Vec<String>,
    pub userinfo_signing_alg_values_supported: Vec<String>,
    pub userinfo_encryption_alg_values_supported: Vec<String>,
    pub userinfo_encryption_enc_values_supported: Vec<String>,
    pub request_object_signing_alg_values_supported: Vec<String>,
    pub request_object_encryption_alg_values_supported: Vec<String>,
    pub request_object_encryption_enc_values_supported: Vec<String>,
    pub token_endpoint_auth_methods_supported: Vec<String>,
    pub token_endpoint_auth_signing_alg_values_supported: Vec<String>,
    pub claims_parameter_supported: bool,
    pub request_parameter_supported: bool,
    pub request_uri_parameter_supported: bool,
    pub require_request_uri_registration: bool,
}

/// The server's public signing keys (RFC 7517 JWK Set).
#[derive(ToSchema)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

/// A public RSA signing key.
#[derive(ToSchema)]
pub struct Jwk {
    pub kty: String,
    pub kid: String,
    pub alg: String,
    #[schema(rename = "use")]
    pub key_use: String,
    pub n: String,
    pub e: String,
}

/// `{"status": "ok"}` (liveness) or `{"status": "ready"}` (readiness).
#[derive(ToSchema)]
pub struct HealthStatus {
    pub status: String,
}

// ---------------------------------------------------------------------------------------
// Initial access tokens (`routes::iat`). The operations are documented here, on stubs,
// until the handlers carry their own `#[utoipa::path]`: move each attribute onto its
// handler (with `use crate::http::openapi::{self, <Marker>};`) and delete the stub.

/// `POST /api/v2/initial-access-tokens` body. Other members are refused.
#[derive(ToSchema)]
pub struct InitialAccessTokenRequest {
    /// Lifetime in seconds, 1 to 31536000; absent or null: never expires.
    #[schema(minimum = 1, maximum = 31536000)]
    pub expires_in: Option<u64>,
    /// Registrations the token allows; absent, null or 0: unlimited.
    #[schema(schema_with = nullable_unsigned)]
    pub max_uses: Option<u64>,
    /// Not available yet: any value but null is refused.
    #[schema(schema_with = null_only)]
    pub policy: Option<Value>,
}

/// A JSON integer the server reads as a Rust `u64` (up to 2^64 - 1, more than `int64`).
fn unsigned() -> Schema {
    schema(json!({ "type": "integer", "minimum": 0, "maximum": u64::MAX }))
}

fn nullable_unsigned() -> Schema {
    schema(json!({ "type": ["integer", "null"], "minimum": 0, "maximum": u64::MAX }))
}

fn null_only() -> Schema {
    schema(json!({ "type": "null" }))
}

/// An initial access token as listed; `token` only in the creation response.
#[derive(ToSchema)]
pub struct InitialAccessTokenView {
    /// Handle for revoking; says nothing about the token.
    pub id: String,
    /// Seconds since the epoch.
    pub created_at: i64,
    /// Seconds since the epoch; 0: never expires.
    pub expires_at: i64,
    /// 0: unlimited.
    #[schema(schema_with = unsigned)]
    pub max_uses: u64,
    #[schema(schema_with = unsigned)]
    pub uses: u64,
    /// The token itself: shown once, when it is created.
    #[schema(required = false)]
    pub token: String,
}

#[utoipa::path(
    get,
    path = "/initial-access-tokens",
    context_path = "/api/v2",
    impl_for = ListInitialAccessTokens,
    operation_id = "listInitialAccessTokens",
    tag = "management",
    summary = "List initial access tokens",
    security(("admin_token" = ["read:initial_access_tokens"])),
    responses(
        (status = 200, description = "Every initial access token, without the tokens themselves",
            body = Vec<InitialAccessTokenView>, content_type = "application/json",
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = AdminUnauthorized),
        (status = 403, response = AdminForbidden),
        (status = 503, response = AdminUnavailable),
    ),
)]
#[allow(dead_code)]
fn iat_list() {}

#[utoipa::path(
    post,
    path = "/initial-access-tokens",
    context_path = "/api/v2",
    impl_for = CreateInitialAccessToken,
    operation_id = "createInitialAccessToken",
    tag = "management",
    summary = "Issue an initial access token (RFC 7591 §3)",
    security(("admin_token" = ["create:initial_access_tokens"])),
    request_body(content = InitialAccessTokenRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "Issued: the record, with the token (shown only here)",
            body = InitialAccessTokenView, content_type = "application/json",
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, response = AdminBadRequest),
        (status = 401, response = AdminUnauthorized),
        (status = 403, response = AdminForbidden),
        (status = 413, response = AdminPayloadTooLarge),
        (status = 415, response = AdminUnsupportedMediaType),
        (status = 503, response = AdminUnavailable),
    ),
)]
#[allow(dead_code)]
fn iat_create() {}

#[utoipa::path(
    delete,
    path = "/initial-access-tokens/{id}",
    context_path = "/api/v2",
    impl_for = RevokeInitialAccessToken,
    operation_id = "revokeInitialAccessToken",
    tag = "management",
    summary = "Revoke an initial access token",
    security(("admin_token" = ["delete:initial_access_tokens"])),
    params(("id" = String, Path, description = "The token's `id`")),
    responses(
        (status = 204, description = "Revoked",
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 404, description = "No such token (`inexistent_initial_access_token`)",
            body = ManagementErrorBody, content_type = "application/json"),
        (status = 401, response = AdminUnauthorized),
        (status = 403, response = AdminForbidden),
        (status = 503, response = AdminUnavailable),
    ),
)]
#[allow(dead_code)]
fn iat_revoke() {}

// ---------------------------------------------------------------------------------------
// Query strings.

/// `fields` / `include_fields`: which members each client in the response keeps.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClientFieldsQuery {
    /// Comma-separated member names to keep (or, with `include_fields=false`, to drop).
    #[param(required = false)]
    pub fields: String,
    /// `true` (default): keep only `fields`; `false`: drop them.
    #[param(required = false)]
    pub include_fields: bool,
}

/// `GET /api/v2/clients` query string. Any other parameter is refused (`400`).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClientListQuery {
    /// 0-based page number.
    #[param(required = false, minimum = 0, maximum = 1000000)]
    pub page: u32,
    /// Clients per page (default 50).
    #[param(required = false, minimum = 1, maximum = 100)]
    pub per_page: u32,
    /// Answer `{start, limit, length, total, clients}` instead of an array.
    #[param(required = false)]
    pub include_totals: bool,
    /// Comma-separated member names to keep (or, with `include_fields=false`, to drop).
    #[param(required = false)]
    pub fields: String,
    /// `true` (default): keep only `fields`; `false`: drop them.
    #[param(required = false)]
    pub include_fields: bool,
    /// Comma-separated `app_type` values; only clients of these types (unknown values
    /// match nothing).
    #[param(required = false)]
    pub app_type: String,
    /// Only first-party (`true`) or third-party (`false`) clients.
    #[param(required = false)]
    pub is_first_party: bool,
}

/// `GET /api/v2/logs` query string. Other parameters are ignored.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogListQuery {
    /// 0-based page number; `page * per_page` must fit the server's 64-bit integers.
    #[param(required = false, minimum = 0, maximum = 184467440737095516_u64)]
    pub page: u64,
    /// Events per page (default 50).
    #[param(required = false, minimum = 1, maximum = 100)]
    pub per_page: u32,
    /// Answer `{start, limit, length, total, logs}` instead of an array.
    #[param(required = false)]
    pub include_totals: bool,
    /// Only events of this type.
    #[param(rename = "type", required = false, schema_with = event_type)]
    pub kind: String,
    /// Only events about this client.
    #[param(required = false)]
    pub client_id: String,
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::time::Duration;

    use serde_json::Value;

    use super::*;
    use crate::app::config::Settings;
    use crate::app::startup::Application;

    const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    fn served() -> Value {
        serde_json::from_str(document_json()).expect("the served document is JSON")
    }

    /// `(METHOD, path template)` -> the documented status codes.
    fn documented_operations() -> BTreeMap<(String, String), Vec<String>> {
        let doc = served();
        let mut out = BTreeMap::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, operation) in item.as_object().expect("a path item") {
                let statuses = operation["responses"].as_object().expect("responses");
                out.insert(
                    (method.to_uppercase(), path.clone()),
                    statuses.keys().cloned().collect(),
                );
            }
        }
        out
    }

    /// The server as `registrar serve` builds it (in-process store, loopback port 0), and
    /// an admin token that carries every scope.
    async fn spawn() -> (String, String, actix_web::dev::ServerHandle) {
        let settings = Settings::from_flags(["--listen", "127.0.0.1:0", "--workers", "1"])
            .expect("default flags");
        let app = Application::build(settings).await.expect("the application builds");
        let token = app.mint_admin_token(ADMIN_SCOPES, Duration::from_secs(300)).expect("a token");
        let base = format!("http://127.0.0.1:{}", app.port());
        let handle = app.handle();
        tokio::spawn(app.run_until_stopped());
        (base, token, handle)
    }

    fn concrete(path: &str) -> String {
        path.replace("{client_id}", "no-such-client").replace("{id}", "no-such-id")
    }

    /// What an unknown path answers (`routes::not_found`): no route took the request.
    fn unrouted(status: reqwest::StatusCode, body: &str) -> bool {
        status == reqwest::StatusCode::NOT_FOUND
            && serde_json::from_str::<Value>(body).is_ok_and(|b| b["error"] == "not_found")
    }

    async fn call(
        client: &reqwest::Client,
        method: &str,
        url: &str,
        bearer: Option<&str>,
    ) -> (reqwest::StatusCode, String) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("an HTTP method");
        let mut request = client.request(method, url);
        if let Some(bearer) = bearer {
            request = request.bearer_auth(bearer);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        (status, response.text().await.expect("a body"))
    }

    /// Every documented operation is routed (neither the unknown-path answer nor 405), and
    /// what it answers, without credentials and with an all-scope admin token, is one of
    /// its documented status codes.
    #[tokio::test]
    async fn every_documented_operation_is_routed_and_answers_a_documented_status() {
        let (base, token, handle) = spawn().await;
        let client = reqwest::Client::new();
        let operations = documented_operations();
        assert!(operations.len() >= 17, "{operations:?}");
        for ((method, path), statuses) in &operations {
            for bearer in [None, Some(token.as_str())] {
                let url = format!("{base}{}", concrete(path));
                let (status, body) = call(&client, method, &url, bearer).await;
                assert!(!unrouted(status, &body), "{method} {path} is documented but not routed");
                assert_ne!(status, reqwest::StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
                assert!(
                    statuses.contains(&status.as_u16().to_string()),
                    "{method} {path} answered {status}, documented only {statuses:?}: {body}"
                );
            }
        }
        handle.stop(true).await;
    }

    /// Methods a documented path does not document reach no handler there.
    #[tokio::test]
    async fn undocumented_methods_of_documented_paths_reach_no_handler() {
        let (base, token, handle) = spawn().await;
        let client = reqwest::Client::new();
        let operations = documented_operations();
        let paths: BTreeSet<&String> = operations.keys().map(|(_, p)| p).collect();
        for path in paths {
            for method in METHODS {
                if operations.contains_key(&(method.to_owned(), path.clone())) {
                    continue;
                }
                let url = format!("{base}{}", concrete(path));
                let (status, body) = call(&client, method, &url, Some(&token)).await;
                // Every path is a resource whose other methods answer 405.
                assert!(
                    status == reqwest::StatusCode::METHOD_NOT_ALLOWED || unrouted(status, &body),
                    "{method} {path} is routed ({status}) but not documented"
                );
            }
        }
        handle.stop(true).await;
    }

    /// Every route `routes::configure` registers is documented: as many operations per
    /// method as the route table registers, and every path literal of the table is part
    /// of a documented path (a route's tail or a scope's head). Read from the source, as
    /// actix-web cannot list its routes.
    #[test]
    fn every_route_of_the_route_table_is_documented() {
        let source = include_str!("mod.rs");
        let start = source.find("pub fn configure").expect("routes::configure");
        let end = start + source[start..].find("\n}\n").expect("the end of configure");
        let table = &source[start..end];
        let operations = documented_operations();
        for method in METHODS {
            let lower = method.to_lowercase();
            // `web::get()` routes, and the `web::resource(..).get(handler)` shorthand.
            let routed = table.matches(&format!("web::{lower}()")).count()
                + table.matches(&format!(".{lower}(")).count();
            let documented = operations.keys().filter(|(m, _)| m == method).count();
            assert_eq!(
                routed, documented,
                "routes::configure registers {routed} {method} routes, the document has \
                 {documented}: annotate the new handler with #[utoipa::path] and list it \
                 in openapi::operations!"
            );
        }
        let paths: Vec<&String> = operations.keys().map(|(_, p)| p).collect();
        for literal in table.split('"').skip(1).step_by(2).filter(|l| l.starts_with('/')) {
            assert!(
                paths.iter().any(|p| p.ends_with(literal) || p.starts_with(literal)),
                "route table path {literal} is not in the document"
            );
        }
    }

    #[test]
    fn the_document_is_openapi_3_1_and_every_reference_resolves() {
        let doc = served();
        assert_eq!(doc["openapi"], "3.1.0");
        fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
            match value {
                Value::Object(map) => {
                    if let Some(Value::String(r)) = map.get("$ref") {
                        out.push(r);
                    }
                    map.values().for_each(|v| refs(v, out));
                }
                Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
                _ => {}
            }
        }
        let mut found = Vec::new();
        refs(&doc, &mut found);
        assert!(!found.is_empty());
        for reference in found {
            let pointer = reference.strip_prefix('#').expect("a local reference");
            assert!(doc.pointer(pointer).is_some(), "{reference} does not resolve");
        }
    }

    #[test]
    fn links_use_openapi_names_and_target_documented_operations() {
        let doc = served();
        let ids: Vec<&str> = doc["paths"]
            .as_object()
            .expect("paths")
            .values()
            .flat_map(|item| item.as_object().expect("a path item").values())
            .filter_map(|operation| operation["operationId"].as_str())
            .collect();
        let mut seen = 0;
        for operation_id in ["register", "createClient"] {
            let operation = doc["paths"]
                .as_object()
                .expect("paths")
                .values()
                .flat_map(|item| item.as_object().expect("a path item").values())
                .find(|operation| operation["operationId"] == operation_id)
                .expect("the operation");
            let links = operation["responses"]["201"]["links"].as_object().expect("links");
            for link in links.values() {
                let target = link["operationId"].as_str().expect("operationId");
                assert!(ids.contains(&target), "link to unknown operation {target}");
                assert!(link.get("operation_id").is_none() && link.get("request_body").is_none());
                assert_eq!(link["parameters"]["client_id"], "$response.body#/client_id");
                seen += 1;
            }
        }
        assert_eq!(seen, 7);
    }

    /// Limits and vocabularies stated in annotations as literals match the code's.
    #[test]
    fn documented_limits_match_the_code() {
        let doc = served();
        let param = |path: &str, name: &str| -> Value {
            doc["paths"][path]["get"]["parameters"]
                .as_array()
                .expect("parameters")
                .iter()
                .find(|p| p["name"] == name)
                .unwrap_or_else(|| panic!("{path} has no parameter {name}"))["schema"]
                .clone()
        };
        assert_eq!(
            param("/api/v2/clients", "per_page")["maximum"],
            crate::service::management::MAX_PER_PAGE
        );
        assert_eq!(param("/api/v2/logs", "per_page")["maximum"], crate::store::audit::MAX_PER_PAGE);
        // Any documented page times any documented per_page fits (LogQuery::validate).
        let max_page = param("/api/v2/logs", "page")["maximum"].as_u64().expect("a maximum");
        assert_eq!(max_page, usize::MAX as u64 / crate::store::audit::MAX_PER_PAGE as u64);
        assert_eq!(param("/api/v2/clients", "page")["maximum"], 1_000_000);
        let scopes: Vec<&str> = doc["paths"]
            .as_object()
            .expect("paths")
            .values()
            .flat_map(|item| item.as_object().expect("a path item").values())
            .filter_map(|operation| operation["security"][0][ADMIN_TOKEN].as_array())
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        for scope in &scopes {
            assert!(ADMIN_SCOPES.contains(scope), "unknown scope {scope}");
        }
        let types = param("/api/v2/logs", "type")["enum"].clone();
        assert_eq!(types.as_array().expect("enum").len(), EventType::ALL.len());
    }
}
