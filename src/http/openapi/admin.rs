//! The audit log, initial access tokens and the management API's query strings.

use super::*;

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
pub(super) fn iat_list() {}

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
pub(super) fn iat_create() {}

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
pub(super) fn iat_revoke() {}

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
