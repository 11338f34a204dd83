//! `POST /oauth/token` (client credentials), `POST /oauth/introspect` (RFC 7662) and
//! `POST /oauth/revoke` (RFC 7009); and the answer on paths discovery names for the
//! co-located OpenID Provider.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde_json::json;

use super::events::event;
use super::oauth_openapi::{IntrospectionEndpoint, RevocationEndpoint, TokenEndpoint};
use crate::http::error::no_store_json;
use crate::service::oauth::client_auth::{self, Client, Presented};
use crate::service::oauth::client_credentials::{self, Form, TokenResponse};
use crate::service::oauth::{introspection, OAuthError};
use crate::service::state::AppState;
use crate::store::audit::{Details, EventType};

#[utoipa::path(
    post,
    path = crate::domain::endpoints::TOKEN_PATH,
    impl_for = TokenEndpoint,
    operation_id = "token",
    tag = "oauth",
    summary = "Client credentials grant (RFC 6749 4.4)",
    description = "Form parameters `grant_type=client_credentials`, `audience` (or RFC 8707 `resource`), optional `scope`, and the client's credentials by its registered method. Answers RFC 6749 5.1 `{access_token, token_type, expires_in, scope}`; the access token is an RFC 9068 JWT.",
    responses(
        (status = 200, description = "The access token", body = Object, content_type = "application/json",
            headers(("Cache-Control" = String, description = "`no-store`"), ("Pragma" = String, description = "`no-cache`"))),
        (status = 400, description = "RFC 6749 5.2 error: `invalid_request`, `unsupported_grant_type`, `unauthorized_client`, `invalid_scope`, `invalid_target`", body = Object, content_type = "application/json"),
        (status = 401, description = "`invalid_client`: client authentication failed; with `WWW-Authenticate: Basic` when the client used HTTP Basic", body = Object, content_type = "application/json"),
        (status = 413, description = "`invalid_request`: body over `--max-body-bytes`", body = Object, content_type = "application/json"),
        (status = 415, description = "`invalid_request`: not `application/x-www-form-urlencoded`", body = Object, content_type = "application/json"),
        (status = 429, description = "`too_many_requests`: over `--token-rate-limit-per-client`", body = Object, content_type = "application/json"),
        (status = 503, description = "`temporarily_unavailable`: the store is away", body = Object, content_type = "application/json"),
    ),
)]
pub async fn token(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, OAuthError> {
    let mut client_id = None;
    let outcome = issue(&req, payload, &state, &mut client_id).await;
    let audit = &state.shared.audit;
    match &outcome {
        Ok((client, audience, response)) => {
            let kind = EventType::ClientCredentialsExchange;
            audit.record_with(kind, || {
                let details = Details::new()
                    .with("audience", audience.as_str())
                    .with("scope", response.scope.as_str());
                event(kind, &req)
                    .with_client(&client.client_id, client.name.as_deref())
                    .with_details(details)
            });
        }
        Err(e) => {
            let kind = EventType::ClientCredentialsFailure;
            audit.record_with(kind, || {
                let details = Details::new().with("error", e.code()).with("reason", e.to_string());
                let base = event(kind, &req).with_details(details);
                match &client_id {
                    Some(id) => base.with_client(id, None),
                    None => base,
                }
            });
        }
    }
    let (_, _, response) = outcome?;
    let body = serde_json::to_string(&response).map_err(OAuthError::internal)?;
    Ok(no_store_json(HttpResponse::Ok(), body))
}

/// The grant, with the client it was for (once known) for the audit log.
async fn issue(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
    client_id: &mut Option<String>,
) -> Result<(Client, String, TokenResponse), OAuthError> {
    let form =
        read_form(req, payload, state.shared.max_body_bytes, state.shared.body_timeout).await?;
    let now = state.shared.clock.now();
    // A grant this endpoint never serves is refused whoever asks: no credential changes
    // that answer, and public clients of the OP's grants learn where to go.
    client_credentials::check_grant_type(&form)?;
    let client = authenticate(req, state, &form, now, client_id).await?;
    client_credentials::check_client(&client)?;
    let (response, audience) = client_credentials::issue(state, &client, &form, now).await?;
    Ok((client, audience, response))
}

async fn authenticate(
    req: &HttpRequest,
    state: &AppState,
    form: &Form,
    now: i64,
    client_id: &mut Option<String>,
) -> Result<Client, OAuthError> {
    let authorization = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let presented: Presented = client_auth::present(authorization, form)?;
    *client_id = Some(presented.client_id().to_owned());
    if let Some(limit) = state.shared.oauth.per_client {
        let key = format!("tok:{}", presented.client_id());
        if let Err(wait) = state.shared.access.limiter.check(&key, limit).await? {
            return Err(OAuthError::RateLimited(wait));
        }
    }
    client_auth::authenticate(state, &presented, now).await
}

#[utoipa::path(
    post,
    path = crate::domain::endpoints::INTROSPECTION_PATH,
    impl_for = IntrospectionEndpoint,
    operation_id = "introspect",
    tag = "oauth",
    summary = "Token introspection (RFC 7662)",
    description = "Form parameter `token`; the caller authenticates as a client. The token's own client, and the clients its API lists in `introspection_client_ids`, learn its claims; everyone else learns `active: false`.",
    responses(
        (status = 200, description = "`{active: true, ...claims}` or `{active: false}`", body = Object, content_type = "application/json",
            headers(("Cache-Control" = String, description = "`no-store`"), ("Pragma" = String, description = "`no-cache`"))),
        (status = 400, description = "RFC 6749 5.2 error: `invalid_request`, `token` missing", body = Object, content_type = "application/json"),
        (status = 401, description = "`invalid_client`: client authentication failed; with `WWW-Authenticate: Basic` when the client used HTTP Basic", body = Object, content_type = "application/json"),
        (status = 413, description = "`invalid_request`: body over `--max-body-bytes`", body = Object, content_type = "application/json"),
        (status = 415, description = "`invalid_request`: not `application/x-www-form-urlencoded`", body = Object, content_type = "application/json"),
        (status = 429, description = "`too_many_requests`: over `--token-rate-limit-per-client`", body = Object, content_type = "application/json"),
        (status = 503, description = "`temporarily_unavailable`: the store is away", body = Object, content_type = "application/json"),
    ),
)]
pub async fn introspect(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, OAuthError> {
    let form =
        read_form(&req, payload, state.shared.max_body_bytes, state.shared.body_timeout).await?;
    let now = state.shared.clock.now();
    let caller = authenticate(&req, &state, &form, now, &mut None).await?;
    let token =
        form.get("token").ok_or_else(|| OAuthError::InvalidRequest("token: required".into()))?;
    let body = match introspection::introspect(&state, &caller, token, now).await? {
        Some(claims) => json!({
            "active": true,
            "client_id": claims.client_id,
            "sub": claims.sub,
            "aud": claims.aud,
            "iss": claims.iss,
            "scope": claims.scope,
            "token_type": "Bearer",
            "exp": claims.exp,
            "iat": claims.iat,
            "jti": claims.jti,
        }),
        None => json!({ "active": false }),
    };
    Ok(no_store_json(HttpResponse::Ok(), body.to_string()))
}

#[utoipa::path(
    post,
    path = crate::domain::endpoints::REVOCATION_PATH,
    impl_for = RevocationEndpoint,
    operation_id = "revoke",
    tag = "oauth",
    summary = "Token revocation (RFC 7009)",
    description = "Form parameter `token`; the caller authenticates as a client and revokes its own tokens. Unknown or invalid tokens answer 200 too.",
    responses(
        (status = 200, description = "Revoked, or nothing to revoke (empty body)",
            headers(("Cache-Control" = String, description = "`no-store`"), ("Pragma" = String, description = "`no-cache`"))),
        (status = 400, description = "RFC 6749 5.2 error: `invalid_request`, `token` missing, `unauthorized_client` for another client's token", body = Object, content_type = "application/json"),
        (status = 401, description = "`invalid_client`: client authentication failed; with `WWW-Authenticate: Basic` when the client used HTTP Basic", body = Object, content_type = "application/json"),
        (status = 413, description = "`invalid_request`: body over `--max-body-bytes`", body = Object, content_type = "application/json"),
        (status = 415, description = "`invalid_request`: not `application/x-www-form-urlencoded`", body = Object, content_type = "application/json"),
        (status = 429, description = "`too_many_requests`: over `--token-rate-limit-per-client`", body = Object, content_type = "application/json"),
        (status = 503, description = "`temporarily_unavailable`: the store is away", body = Object, content_type = "application/json"),
    ),
)]
pub async fn revoke(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, OAuthError> {
    let form =
        read_form(&req, payload, state.shared.max_body_bytes, state.shared.body_timeout).await?;
    let now = state.shared.clock.now();
    let caller = authenticate(&req, &state, &form, now, &mut None).await?;
    let token =
        form.get("token").ok_or_else(|| OAuthError::InvalidRequest("token: required".into()))?;
    introspection::revoke(&state, &caller, token, now).await?;
    let mut response = HttpResponse::Ok();
    crate::http::error::no_store(&mut response);
    Ok(response.finish())
}

/// A bounded `application/x-www-form-urlencoded` body (RFC 6749 §3.2).
async fn read_form(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
    deadline: std::time::Duration,
) -> Result<Form, OAuthError> {
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(OAuthError::UnsupportedMediaType);
    }
    // The whole body within the deadline, as for JSON bodies (`http::body`).
    let body = actix_web::rt::time::timeout(deadline, read_bounded(payload, limit))
        .await
        .map_err(|_| OAuthError::BodyTimeout(deadline))??;
    Form::parse(&body)
}

async fn read_bounded(
    mut payload: web::Payload,
    limit: usize,
) -> Result<web::BytesMut, OAuthError> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|e| OAuthError::InvalidRequest(format!("could not read the body: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(OAuthError::PayloadTooLarge(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Paths on this issuer that discovery names for the co-located OpenID Provider: each
/// answers 421 Misdirected Request (RFC 9110 §15.5.20) saying so, instead of a bare 404.
pub fn op_routes(cfg: &mut web::ServiceConfig, paths: &[(String, &'static str)]) {
    for (path, name) in paths {
        let name = *name;
        cfg.service(web::resource(path.as_str()).to(move || op_endpoint(name)));
    }
}

async fn op_endpoint(name: &'static str) -> HttpResponse {
    let body = json!({
        "error": "misdirected_request",
        "error_description": format!(
            "{name} belongs to the OpenID Provider co-located at this issuer, not to Registrar: route it to the OP. Registrar serves client registration, the client_credentials grant at /oauth/token, /oauth/introspect and /oauth/revoke"
        ),
    });
    no_store_json(HttpResponse::build(StatusCode::MISDIRECTED_REQUEST), body.to_string())
}
