//! `POST /oidc/register` (RFC 7591 §3.1, OIDC DCR §3.1).

use actix_web::{web, HttpRequest, HttpResponse};

use super::body::json_object;
use super::events;
use crate::http::bearer;
use crate::http::client_ip::client_ip;
use crate::http::error::{no_store_json, ApiError};
use crate::http::openapi::{self, RegisterClient};
use crate::service::admission;
use crate::service::register;
use crate::service::state::AppState;
use crate::store::audit::EventType;

#[utoipa::path(
    post,
    path = super::REGISTRATION_PATH,
    impl_for = RegisterClient,
    operation_id = "register",
    tag = "registration",
    summary = "Register a client (RFC 7591 §3.1, OIDC DCR §3.1)",
    description = "Registers a client from its metadata and returns its credentials: the `client_id`, a `client_secret` when the client needs one, and the registration access token for the RFC 7592 operations. An initial access token is optional in `--registration-mode open` (one that is sent must be valid) and required in `token` mode; `closed` answers 403. Unknown members are ignored.",
    security((), ("initial_access_token" = [])),
    request_body(content = openapi::ClientMetadataRequest, content_type = "application/json",
        description = "RFC 7591 client metadata; open: unknown members are ignored"),
    responses(
        (status = 201, description = "Registered: the client information response (RFC 7591 §3.2.1)",
            body = openapi::ClientInformationResponse, content_type = "application/json",
            headers(
                ("Cache-Control" = String, description = "`no-store`"),
                ("Pragma" = String, description = "`no-cache`"),
            ),
            links(
                ("ReadRegistration" = (operation_id = "readRegistration",
                    parameters(
                        ("client_id" = "$response.body#/client_id"),
                        ("header.Authorization" = "Bearer {$response.body#/registration_access_token}"),
                    ),
                    description = "Read the registration: path `client_id` from the response, bearer from its `registration_access_token`")),
                ("UpdateRegistration" = (operation_id = "updateRegistration",
                    parameters(
                        ("client_id" = "$response.body#/client_id"),
                        ("header.Authorization" = "Bearer {$response.body#/registration_access_token}"),
                    ),
                    request_body = json!({
                        "client_id": "$response.body#/client_id",
                        "redirect_uris": "$response.body#/redirect_uris",
                        "grant_types": "$response.body#/grant_types",
                        "response_types": "$response.body#/response_types",
                        "token_endpoint_auth_method": "$response.body#/token_endpoint_auth_method",
                    }),
                    description = "Replace the registration: the body names the client and resends its metadata; bearer from `registration_access_token`")),
                ("DeleteRegistration" = (operation_id = "deleteRegistration",
                    parameters(
                        ("client_id" = "$response.body#/client_id"),
                        ("header.Authorization" = "Bearer {$response.body#/registration_access_token}"),
                    ),
                    description = "Delete the registration; bearer from `registration_access_token`")),
            )),
        (status = 400, response = openapi::RegistrationBadRequest),
        (status = 401, description = "Initial access token missing where required, or unknown, expired, revoked or used up", body = openapi::RegistrationError, content_type = "application/json",
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"registrar\"`, with `error=\"invalid_token\"` when a token was sent"))),
        (status = 403, description = "Registration is closed on this server (`--registration-mode closed`; `access_denied`)", body = openapi::RegistrationError, content_type = "application/json"),
        (status = 413, response = openapi::RegistrationPayloadTooLarge),
        (status = 415, response = openapi::RegistrationUnsupportedMediaType),
        (status = 429, response = openapi::RegistrationTooManyRequests),
        (status = 503, response = openapi::RegistrationUnavailable),
    ),
)]
pub async fn post(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let ip = client_ip(&state.shared.access.proxies, &req);
    let admission = admission::admit(&state, ip, bearer::token(&req)).await?;
    let body = json_object(&req, payload, state.shared.max_body_bytes).await?;
    let name = body.get("client_name").and_then(serde_json::Value::as_str).map(str::to_owned);
    let info = register::register(&state, body, &admission).await?;
    let name = name.as_deref();
    events::client_event(&state, EventType::Registration, &req, &info.client_id, name);
    Ok(no_store_json(HttpResponse::Created(), info.body))
}
