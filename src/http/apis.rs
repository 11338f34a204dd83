//! `/api/v2/resource-servers` and `/api/v2/client-grants` (Auth0's Management API
//! shapes), behind admin tokens with their own scopes; every change is audited (`sapi`).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use super::admin::authorize;
use super::body::json_object;
use super::events::event;
use super::oauth_openapi::{
    CreateClientGrant, CreateResourceServer, DeleteClientGrant, DeleteResourceServer,
    GetResourceServer, ListClientGrants, ListResourceServers, UpdateClientGrant,
    UpdateResourceServer,
};
use super::query::{ascii, bad_query};
use crate::http::error::{no_store_json, ManagementError};
use crate::service::admin_token::AdminGrant;
use crate::service::oauth::management;
use crate::service::state::AppState;
use crate::store::audit::{Details, EventType};

fn json(
    status: actix_web::HttpResponseBuilder,
    body: &impl Serialize,
) -> Result<HttpResponse, ManagementError> {
    let body = serde_json::to_string(body).map_err(|e| ManagementError::Internal(e.to_string()))?;
    Ok(no_store_json(status, body))
}

/// Records a change: what was done, to which resource, by whom.
fn record(
    state: &AppState,
    req: &HttpRequest,
    grant: &AdminGrant,
    operation: &'static str,
    id: &str,
    client_id: Option<&str>,
) {
    let kind = EventType::ManagementApiOperation;
    state.shared.audit.record_with(kind, || {
        let details = Details::new()
            .with("operation", operation)
            .with("id", id)
            .with("path", req.path())
            .with("subject", grant.subject.as_str());
        let base = event(kind, req).with_details(details);
        match client_id {
            Some(client_id) => base.with_client(client_id, None),
            None => base,
        }
    });
}

#[utoipa::path(
    post,
    path = "/resource-servers",
    context_path = "/api/v2",
    impl_for = CreateResourceServer,
    operation_id = "createResourceServer",
    tag = "apis",
    summary = "Create a resource server (an API)",
    description = "Body: `identifier` (required, an absolute URI: the audience), `name`, `scopes` ([{value, description}]), `token_lifetime` (seconds, default 86400), `signing_alg` (RS256, ES256 or EdDSA; default RS256), `introspection_client_ids`.",
    security(("admin_token" = ["create:resource_servers"])),
    request_body(content = Object, content_type = "application/json"),
    responses(
        (status = 201, description = "Created: The resource server: `id`, `identifier`, `name`, `scopes`, `token_lifetime`, `signing_alg`, `introspection_client_ids`.", body = Object, content_type = "application/json",
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, response = crate::http::openapi::AdminBadRequest),
        (status = 401, response = crate::http::openapi::AdminUnauthorized),
        (status = 403, response = crate::http::openapi::AdminForbidden),
        (status = 409, description = "A duplicate: the identifier is taken, or the client already holds a grant for the audience (`conflict`)", body = Object, content_type = "application/json"),
        (status = 413, response = crate::http::openapi::AdminPayloadTooLarge),
        (status = 415, response = crate::http::openapi::AdminUnsupportedMediaType),
        (status = 503, response = crate::http::openapi::AdminUnavailable),
    ),
)]
pub async fn create_api(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ManagementError> {
    let grant = authorize(&req, &state, &["create:resource_servers"])?;
    let body =
        json_object(&req, payload, state.shared.max_body_bytes, state.shared.body_timeout).await?;
    let api = management::create_api(&state, &body).await?;
    record(&state, &req, &grant, "create resource server", &api.id, None);
    json(HttpResponse::Created(), &api)
}

#[utoipa::path(
    get,
    path = "/resource-servers",
    context_path = "/api/v2",
    impl_for = ListResourceServers,
    operation_id = "listResourceServers",
    tag = "apis",
    summary = "List resource servers",
    security(("admin_token" = ["read:resource_servers"])),
    responses(
        (status = 200, description = "Every resource server, by identifier", body = Object, content_type = "application/json",
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = crate::http::openapi::AdminUnauthorized),
        (status = 403, response = crate::http::openapi::AdminForbidden),
        (status = 503, response = crate::http::openapi::AdminUnavailable),
    ),
)]
pub async fn list_apis(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ManagementError> {
    authorize(&req, &state, &["read:resource_servers"])?;
    json(HttpResponse::Ok(), &management::list_apis(&state).await?)
}

#[utoipa::path(
    get,
    path = "/resource-servers/{id}",
    context_path = "/api/v2",
    impl_for = GetResourceServer,
    operation_id = "getResourceServer",
    tag = "apis",
    summary = "Read a resource server",
    security(("admin_token" = ["read:resource_servers"])),
    params(("id" = String, Path, description = "The resource server's `id` (or its identifier)")),
    responses(
        (status = 200, description = "The resource server: `id`, `identifier`, `name`, `scopes`, `token_lifetime`, `signing_alg`, `introspection_client_ids`.", body = Object, content_type = "application/json",
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = crate::http::openapi::AdminUnauthorized),
        (status = 403, response = crate::http::openapi::AdminForbidden),
        (status = 404, response = crate::http::openapi::AdminNotFound),
        (status = 503, response = crate::http::openapi::AdminUnavailable),
    ),
)]
pub async fn get_api(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ManagementError> {
    authorize(&req, &state, &["read:resource_servers"])?;
    json(HttpResponse::Ok(), &management::get_api(&state, &id).await?)
}

#[utoipa::path(
    patch,
    path = "/resource-servers/{id}",
    context_path = "/api/v2",
    impl_for = UpdateResourceServer,
    operation_id = "updateResourceServer",
    tag = "apis",
    summary = "Change a resource server",
    description = "Any member but `identifier`.",
    security(("admin_token" = ["update:resource_servers"])),
    params(("id" = String, Path, description = "The resource server's `id` (or its identifier)")),
    request_body(content = Object, content_type = "application/json"),
    responses(
        (status = 200, description = "Updated: The resource server: `id`, `identifier`, `name`, `scopes`, `token_lifetime`, `signing_alg`, `introspection_client_ids`.", body = Object, content_type = "application/json",
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, response = crate::http::openapi::AdminBadRequest),
        (status = 401, response = crate::http::openapi::AdminUnauthorized),
        (status = 403, response = crate::http::openapi::AdminForbidden),
        (status = 404, response = crate::http::openapi::AdminNotFound),
        (status = 413, response = crate::http::openapi::AdminPayloadTooLarge),
        (status = 415, response = crate::http::openapi::AdminUnsupportedMediaType),
        (status = 503, response = crate::http::openapi::AdminUnavailable),
    ),
)]
pub async fn update_api(
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ManagementError> {
    let grant = authorize(&req, &state, &["update:resource_servers"])?;
    let body =
        json_object(&req, payload, state.shared.max_body_bytes, state.shared.body_timeout).await?;
    let api = management::update_api(&state, &id, &body).await?;
    record(&state, &req, &grant, "update resource server", &api.id, None);
    json(HttpResponse::Ok(), &api)
}

#[utoipa::path(
    delete,
    path = "/resource-servers/{id}",
    context_path = "/api/v2",
    impl_for = DeleteResourceServer,
    operation_id = "deleteResourceServer",
    tag = "apis",
    summary = "Delete a resource server and its grants",
    security(("admin_token" = ["delete:resource_servers"])),
    params(("id" = String, Path, description = "The resource server's `id` (or its identifier)")),
    responses(
        (status = 204, description = "Deleted",
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = crate::http::openapi::AdminUnauthorized),
        (status = 403, response = crate::http::openapi::AdminForbidden),
        (status = 404, response = crate::http::openapi::AdminNotFound),
        (status = 503, response = crate::http::openapi::AdminUnavailable),
    ),
)]
pub async fn delete_api(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ManagementError> {
    let grant = authorize(&req, &state, &["delete:resource_servers"])?;
    let api = management::delete_api(&state, &id).await?;
    record(&state, &req, &grant, "delete resource server", &api.id, None);
    let mut response = HttpResponse::NoContent();
    crate::http::error::no_store(&mut response);
    Ok(response.finish())
}

#[utoipa::path(
    post,
    path = "/client-grants",
    context_path = "/api/v2",
    impl_for = CreateClientGrant,
    operation_id = "createClientGrant",
    tag = "apis",
    summary = "Grant a client scopes of an API",
    description = "Body: `client_id`, `audience` (an API identifier), `scope` (scope values the API defines).",
    security(("admin_token" = ["create:client_grants"])),
    request_body(content = Object, content_type = "application/json"),
    responses(
        (status = 201, description = "Created: `{id, client_id, audience, scope}`", body = Object, content_type = "application/json",
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, response = crate::http::openapi::AdminBadRequest),
        (status = 401, response = crate::http::openapi::AdminUnauthorized),
        (status = 403, response = crate::http::openapi::AdminForbidden),
        (status = 409, description = "A duplicate: the identifier is taken, or the client already holds a grant for the audience (`conflict`)", body = Object, content_type = "application/json"),
        (status = 413, response = crate::http::openapi::AdminPayloadTooLarge),
        (status = 415, response = crate::http::openapi::AdminUnsupportedMediaType),
        (status = 503, response = crate::http::openapi::AdminUnavailable),
    ),
)]
pub async fn create_grant(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ManagementError> {
    let admin = authorize(&req, &state, &["create:client_grants"])?;
    let body =
        json_object(&req, payload, state.shared.max_body_bytes, state.shared.body_timeout).await?;
    let grant = management::create_grant(&state, &body).await?;
    record(&state, &req, &admin, "create client grant", &grant.id, Some(&grant.client_id));
    json(HttpResponse::Created(), &grant)
}

#[utoipa::path(
    get,
    path = "/client-grants",
    context_path = "/api/v2",
    impl_for = ListClientGrants,
    operation_id = "listClientGrants",
    tag = "apis",
    summary = "List client grants",
    security(("admin_token" = ["read:client_grants"])),
    params(("audience" = Option<String>, Query, description = "Only grants for this API"), ("client_id" = Option<String>, Query, description = "Only grants of this client")),
    responses(
        (status = 200, description = "Grants matching the filters", body = Object, content_type = "application/json",
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, response = crate::http::openapi::AdminBadRequest),
        (status = 401, response = crate::http::openapi::AdminUnauthorized),
        (status = 403, response = crate::http::openapi::AdminForbidden),
        (status = 503, response = crate::http::openapi::AdminUnavailable),
    ),
)]
pub async fn list_grants(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ManagementError> {
    authorize(&req, &state, &["read:client_grants"])?;
    let (mut audience, mut client_id) = (None, None);
    for (key, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        match key.as_ref() {
            "audience" => audience = Some(value.into_owned()),
            "client_id" => client_id = Some(value.into_owned()),
            other => return Err(bad_query(&format!("{}: unknown query parameter", ascii(other)))),
        }
    }
    let grants = management::list_grants(&state, audience.as_deref(), client_id.as_deref()).await?;
    json(HttpResponse::Ok(), &grants)
}

#[utoipa::path(
    patch,
    path = "/client-grants/{id}",
    context_path = "/api/v2",
    impl_for = UpdateClientGrant,
    operation_id = "updateClientGrant",
    tag = "apis",
    summary = "Change a grant's scopes",
    description = "Body: `scope`.",
    security(("admin_token" = ["update:client_grants"])),
    params(("id" = String, Path, description = "The grant's `id`")),
    request_body(content = Object, content_type = "application/json"),
    responses(
        (status = 200, description = "Updated grant", body = Object, content_type = "application/json",
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, response = crate::http::openapi::AdminBadRequest),
        (status = 401, response = crate::http::openapi::AdminUnauthorized),
        (status = 403, response = crate::http::openapi::AdminForbidden),
        (status = 404, response = crate::http::openapi::AdminNotFound),
        (status = 413, response = crate::http::openapi::AdminPayloadTooLarge),
        (status = 415, response = crate::http::openapi::AdminUnsupportedMediaType),
        (status = 503, response = crate::http::openapi::AdminUnavailable),
    ),
)]
pub async fn update_grant(
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ManagementError> {
    let admin = authorize(&req, &state, &["update:client_grants"])?;
    let body =
        json_object(&req, payload, state.shared.max_body_bytes, state.shared.body_timeout).await?;
    let grant = management::update_grant(&state, &id, &body).await?;
    record(&state, &req, &admin, "update client grant", &grant.id, Some(&grant.client_id));
    json(HttpResponse::Ok(), &grant)
}

#[utoipa::path(
    delete,
    path = "/client-grants/{id}",
    context_path = "/api/v2",
    impl_for = DeleteClientGrant,
    operation_id = "deleteClientGrant",
    tag = "apis",
    summary = "Delete a client grant",
    security(("admin_token" = ["delete:client_grants"])),
    params(("id" = String, Path, description = "The grant's `id`")),
    responses(
        (status = 204, description = "Deleted",
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = crate::http::openapi::AdminUnauthorized),
        (status = 403, response = crate::http::openapi::AdminForbidden),
        (status = 404, response = crate::http::openapi::AdminNotFound),
        (status = 503, response = crate::http::openapi::AdminUnavailable),
    ),
)]
pub async fn delete_grant(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ManagementError> {
    let admin = authorize(&req, &state, &["delete:client_grants"])?;
    let grant = management::delete_grant(&state, &id).await?;
    record(&state, &req, &admin, "delete client grant", &grant.id, Some(&grant.client_id));
    let mut response = HttpResponse::NoContent();
    crate::http::error::no_store(&mut response);
    Ok(response.finish())
}
