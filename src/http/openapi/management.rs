//! Bodies of the management API's client operations (Auth0's client settings), and its
//! errors.

use super::*;

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
    /// The same setting under the name responses show it by, so a client read back can be
    /// sent again as it is.
    #[schema(required = false)]
    pub cross_origin_auth: bool,
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
