//! `/api/v2/clients` (Auth0's Management API shape), behind admin tokens.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{Map, Value};

use super::admin::authorize;
use super::body::json_object;
use super::events;
use super::query::{ascii, bad_query, boolean, number, split_list};
use crate::http::error::{no_store, no_store_json, ManagementError};
use crate::http::openapi::{
    self, CreateClient, DeleteClient, GetClient, ListClients, RotateClientSecret, UpdateClient,
};
use crate::service::admin_token::AdminGrant;
use crate::service::management::{self, ListQuery, DEFAULT_PER_PAGE, MAX_PER_PAGE};
use crate::service::state::AppState;
use crate::store::audit::{Details, EventType};

#[utoipa::path(
    post,
    path = "/clients",
    context_path = "/api/v2",
    impl_for = CreateClient,
    operation_id = "createClient",
    tag = "management",
    summary = "Create a client",
    description = "Creates a client (first-party unless `is_first_party` is false) on the same store as self-registered clients. It has no registration access token, so RFC 7592 cannot reach it. `client_secret` in the body needs `update:client_keys`; `client_authentication_methods` needs `update:client_credentials`.",
    security(("admin_token" = ["create:clients"])),
    request_body(content = openapi::ManagementClientCreate, content_type = "application/json"),
    responses(
        (status = 201, description = "Created: the client's settings", body = openapi::ManagementClient,
            content_type = "application/json",
            headers(
                ("Cache-Control" = String, description = "`no-store`"),
                ("Pragma" = String, description = "`no-cache`"),
            ),
            links(
                ("GetClient" = (operation_id = "getClient",
                    parameters(("client_id" = "$response.body#/client_id")),
                    description = "Read the new client; `client_id` from the response")),
                ("UpdateClient" = (operation_id = "updateClient",
                    parameters(("client_id" = "$response.body#/client_id")),
                    description = "Change the new client's settings; `client_id` from the response")),
                ("RotateClientSecret" = (operation_id = "rotateClientSecret",
                    parameters(("client_id" = "$response.body#/client_id")),
                    description = "Rotate the new client's secret; `client_id` from the response")),
                ("DeleteClient" = (operation_id = "deleteClient",
                    parameters(("client_id" = "$response.body#/client_id")),
                    description = "Delete the new client; `client_id` from the response")),
            )),
        (status = 400, response = openapi::AdminBadRequest),
        (status = 401, response = openapi::AdminUnauthorized),
        (status = 403, response = openapi::AdminForbidden),
        (status = 413, response = openapi::AdminPayloadTooLarge),
        (status = 415, response = openapi::AdminUnsupportedMediaType),
        (status = 503, response = openapi::AdminUnavailable),
    ),
)]
pub async fn create(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ManagementError> {
    let grant = authorize(&req, &state, &["create:clients"])?;
    let body = json_object(&req, payload, state.shared.max_body_bytes).await?;
    let client = management::create(&state, &grant, &body)
        .await
        .inspect_err(|e| audit_scope(&state, &req, e))?;
    record(&state, &req, EventType::ManagementCreate, &client, &grant);
    Ok(no_store_json(HttpResponse::Created(), Value::Object(client).to_string()))
}

#[utoipa::path(
    get,
    path = "/clients/{client_id}",
    context_path = "/api/v2",
    impl_for = GetClient,
    operation_id = "getClient",
    tag = "management",
    summary = "Read a client",
    description = "The client's settings; `client_secret` only with `read:client_keys`. A change through RFC 7592 shows here, and the other way round.",
    security(("admin_token" = ["read:clients"])),
    params(("client_id" = String, Path, description = "The client's `client_id`"), openapi::ClientFieldsQuery),
    responses(
        (status = 200, description = "The client's settings", body = openapi::ManagementClient,
            content_type = "application/json",
            headers(
                ("Cache-Control" = String, description = "`no-store`"),
                ("Pragma" = String, description = "`no-cache`"),
            )),
        (status = 400, response = openapi::AdminBadRequest),
        (status = 401, response = openapi::AdminUnauthorized),
        (status = 403, response = openapi::AdminForbidden),
        (status = 404, response = openapi::AdminNotFound),
        (status = 503, response = openapi::AdminUnavailable),
    ),
)]
pub async fn get(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ManagementError> {
    let grant = authorize(&req, &state, &["read:clients"])?;
    let fields = Fields::parse_only(req.query_string())?;
    let client = management::get(&state, &grant, &path).await?;
    Ok(no_store_json(HttpResponse::Ok(), Value::Object(fields.apply(client)).to_string()))
}

#[utoipa::path(
    patch,
    path = "/clients/{client_id}",
    context_path = "/api/v2",
    impl_for = UpdateClient,
    operation_id = "updateClient",
    tag = "management",
    summary = "Change a client's settings",
    description = "Applies the body's settings; `null` resets an optional one. Unknown and read-only fields are refused. `client_secret` needs `update:client_keys`; `client_authentication_methods` needs `update:client_credentials`.",
    security(("admin_token" = ["update:clients"])),
    params(("client_id" = String, Path, description = "The client's `client_id`")),
    request_body(content = openapi::ManagementClientUpdate, content_type = "application/json"),
    responses(
        (status = 200, description = "Updated: the client's settings", body = openapi::ManagementClient,
            content_type = "application/json",
            headers(
                ("Cache-Control" = String, description = "`no-store`"),
                ("Pragma" = String, description = "`no-cache`"),
            )),
        (status = 400, response = openapi::AdminBadRequest),
        (status = 401, response = openapi::AdminUnauthorized),
        (status = 403, response = openapi::AdminForbidden),
        (status = 404, response = openapi::AdminNotFound),
        (status = 413, response = openapi::AdminPayloadTooLarge),
        (status = 415, response = openapi::AdminUnsupportedMediaType),
        (status = 503, response = openapi::AdminUnavailable),
    ),
)]
pub async fn update(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ManagementError> {
    let grant = authorize(&req, &state, &["update:clients"])?;
    let body = json_object(&req, payload, state.shared.max_body_bytes).await?;
    let client = management::update(&state, &grant, &path, &body)
        .await
        .inspect_err(|e| audit_scope(&state, &req, e))?;
    record(&state, &req, EventType::ManagementUpdate, &client, &grant);
    Ok(no_store_json(HttpResponse::Ok(), Value::Object(client).to_string()))
}

#[utoipa::path(
    delete,
    path = "/clients/{client_id}",
    context_path = "/api/v2",
    impl_for = DeleteClient,
    operation_id = "deleteClient",
    tag = "management",
    summary = "Delete a client",
    description = "Deletes the client; its registration access token, if any, dies with it.",
    security(("admin_token" = ["delete:clients"])),
    params(("client_id" = String, Path, description = "The client's `client_id`")),
    responses(
        (status = 204, description = "Deleted",
            headers(
                ("Cache-Control" = String, description = "`no-store`"),
                ("Pragma" = String, description = "`no-cache`"),
            )),
        (status = 401, response = openapi::AdminUnauthorized),
        (status = 403, response = openapi::AdminForbidden),
        (status = 404, response = openapi::AdminNotFound),
        (status = 503, response = openapi::AdminUnavailable),
    ),
)]
pub async fn delete(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ManagementError> {
    let grant = authorize(&req, &state, &["delete:clients"])?;
    management::delete(&state, &path).await?;
    let details = Details::new().with("admin", grant.subject.as_str());
    state.shared.audit.record(
        events::event(EventType::ManagementDelete, &req)
            .with_client(&path, None)
            .with_details(details),
    );
    let mut response = HttpResponse::NoContent();
    no_store(&mut response);
    Ok(response.finish())
}

#[utoipa::path(
    post,
    path = "/clients/{client_id}/rotate-secret",
    context_path = "/api/v2",
    impl_for = RotateClientSecret,
    operation_id = "rotateClientSecret",
    tag = "management",
    summary = "Rotate a client's secret",
    description = "Issues a new client secret at once; the old one stops working with this write. The new secret shows in the response only with `read:client_keys`.",
    security(("admin_token" = ["update:client_keys"])),
    params(("client_id" = String, Path, description = "The client's `client_id`")),
    responses(
        (status = 200, description = "Rotated: the client's settings", body = openapi::ManagementClient,
            content_type = "application/json",
            headers(
                ("Cache-Control" = String, description = "`no-store`"),
                ("Pragma" = String, description = "`no-cache`"),
            )),
        (status = 401, response = openapi::AdminUnauthorized),
        (status = 403, response = openapi::AdminForbidden),
        (status = 404, response = openapi::AdminNotFound),
        (status = 503, response = openapi::AdminUnavailable),
    ),
)]
pub async fn rotate_secret(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ManagementError> {
    let grant = authorize(&req, &state, &["update:client_keys"])?;
    let client = management::rotate_secret(&state, &grant, &path).await?;
    record(&state, &req, EventType::ManagementRotateSecret, &client, &grant);
    Ok(no_store_json(HttpResponse::Ok(), Value::Object(client).to_string()))
}

#[utoipa::path(
    get,
    path = "/clients",
    context_path = "/api/v2",
    impl_for = ListClients,
    operation_id = "listClients",
    tag = "management",
    summary = "List clients",
    description = "Clients in creation order, a page at a time, optionally filtered by `app_type` and `is_first_party`; secrets only with `read:client_keys`.",
    security(("admin_token" = ["read:clients"])),
    params(openapi::ClientListQuery),
    responses(
        (status = 200, description = "An array of clients, or with `include_totals=true` a page with totals",
            body = openapi::ClientList, content_type = "application/json",
            headers(
                ("Cache-Control" = String, description = "`no-store`"),
                ("Pragma" = String, description = "`no-cache`"),
            )),
        (status = 400, response = openapi::AdminBadRequest),
        (status = 401, response = openapi::AdminUnauthorized),
        (status = 403, response = openapi::AdminForbidden),
        (status = 503, response = openapi::AdminUnavailable),
    ),
)]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ManagementError> {
    let grant = authorize(&req, &state, &["read:clients"])?;
    let params = ListParams::parse(req.query_string())?;
    let page = management::list(&state, &grant, &params.query).await?;
    let clients: Vec<Value> =
        page.clients.into_iter().map(|c| Value::Object(params.fields.apply(c))).collect();
    let body = if params.include_totals {
        serde_json::json!({
            "start": params.query.page * params.query.per_page,
            "limit": params.query.per_page,
            "length": clients.len(),
            "total": page.total,
            "clients": clients,
        })
    } else {
        Value::Array(clients)
    };
    Ok(no_store_json(HttpResponse::Ok(), body.to_string()))
}

/// Audits a management operation on `client`, naming the administrator (the token's
/// subject), never the secret in the response.
fn record(
    state: &AppState,
    req: &HttpRequest,
    kind: EventType,
    client: &Map<String, Value>,
    grant: &AdminGrant,
) {
    let id = client.get("client_id").and_then(Value::as_str).unwrap_or_default();
    let name = client.get("name").and_then(Value::as_str);
    let details = Details::new().with("admin", grant.subject.as_str());
    state.shared.audit.record(events::event(kind, req).with_client(id, name).with_details(details));
}

/// A body that needs more scope than the endpoint's is a scope refusal too.
fn audit_scope(state: &AppState, req: &HttpRequest, error: &ManagementError) {
    if matches!(error, ManagementError::InsufficientScope(_)) {
        events::admin_failure(state, req, error);
    }
}

/// `fields` and `include_fields`: which members a response keeps.
#[derive(Default)]
struct Fields {
    names: Option<Vec<String>>,
    include: bool,
}

impl Fields {
    fn parse(query: &str) -> Result<Fields, ManagementError> {
        let mut fields = Fields { names: None, include: true };
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match key.as_ref() {
                "fields" => fields.names = Some(split_list(&value)),
                "include_fields" => fields.include = boolean("include_fields", &value)?,
                _ => {}
            }
        }
        Ok(fields)
    }

    /// For single-client reads, where `fields` and `include_fields` are all there is.
    fn parse_only(query: &str) -> Result<Fields, ManagementError> {
        for (key, _) in url::form_urlencoded::parse(query.as_bytes()) {
            if !matches!(key.as_ref(), "fields" | "include_fields") {
                return Err(bad_query(&format!("{}: unknown query parameter", ascii(&key))));
            }
        }
        Fields::parse(query)
    }

    fn apply(&self, client: Map<String, Value>) -> Map<String, Value> {
        match &self.names {
            None => client,
            Some(names) => {
                client.into_iter().filter(|(k, _)| names.contains(k) == self.include).collect()
            }
        }
    }
}

struct ListParams {
    query: ListQuery,
    include_totals: bool,
    fields: Fields,
}

impl ListParams {
    fn parse(query: &str) -> Result<ListParams, ManagementError> {
        let mut params = ListParams {
            query: ListQuery {
                page: 0,
                per_page: DEFAULT_PER_PAGE,
                app_types: None,
                is_first_party: None,
            },
            include_totals: false,
            fields: Fields::parse(query)?,
        };
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match key.as_ref() {
                "page" => params.query.page = number("page", &value, 0, 1_000_000)?,
                "per_page" => params.query.per_page = number("per_page", &value, 1, MAX_PER_PAGE)?,
                "include_totals" => params.include_totals = boolean("include_totals", &value)?,
                "app_type" => params.query.app_types = Some(split_list(&value)),
                "is_first_party" => {
                    params.query.is_first_party = Some(boolean("is_first_party", &value)?)
                }
                "fields" | "include_fields" => {}
                other => {
                    return Err(bad_query(&format!("{}: unknown query parameter", ascii(other))))
                }
            }
        }
        Ok(params)
    }
}
