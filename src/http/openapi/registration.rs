//! Bodies of the registration endpoint and the client configuration endpoint (RFC 7591,
//! RFC 7592), and their errors.

use super::*;

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

pub(super) fn registration_error_code() -> Schema {
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
