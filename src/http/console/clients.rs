//! The client list (search, type filter, pages) and "+ Create Client".

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde_json::{json, Map, Value};

use super::error::ConsoleError;
use super::form::Form;
use super::layout::{self, Section};
use super::redirect;
use super::session::{admin, Admin};
use crate::http::error::ManagementError;
use crate::http::management::record;
use crate::service::management::Provenance;
use crate::service::management::{self, ListQuery};
use crate::service::state::AppState;
use crate::store::audit::EventType;

const PER_PAGE: usize = 50;
/// The longest search text kept.
const MAX_SEARCH_CHARS: usize = 200;

/// The four client types of seed 000, with the words the dashboard uses.
pub const TYPES: [(&str, &str, &str); 4] = [
    ("native", "Native", "Mobile, desktop, CLI and smart device apps running natively."),
    ("spa", "Single Page Web Application", "A JavaScript front-end app that runs in a browser."),
    ("regular_web", "Regular Web Application", "A traditional web app that runs on a server."),
    ("non_interactive", "Machine to Machine", "CLIs, daemons or services running on your backend."),
];

pub fn type_label(app_type: &str) -> &str {
    TYPES.iter().find(|(t, _, _)| *t == app_type).map_or(app_type, |(_, label, _)| *label)
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ConsoleError> {
    let admin = admin(&req, &state).await?;
    let (mut search, mut app_type, mut page, mut notice) = (String::new(), String::new(), 0, None);
    for (key, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        match key.as_ref() {
            "q" => search = value.trim().chars().take(MAX_SEARCH_CHARS).collect(),
            "type" if TYPES.iter().any(|(t, _, _)| *t == value) => app_type = value.into_owned(),
            "page" => page = value.parse::<usize>().unwrap_or(0).min(1_000_000),
            "notice" if value == "deleted" => notice = Some("The client was deleted."),
            _ => {}
        }
    }
    let query = ListQuery {
        page,
        per_page: PER_PAGE,
        app_types: (!app_type.is_empty()).then(|| vec![app_type.clone()]),
        is_first_party: None,
        search: (!search.is_empty()).then(|| search.clone()),
    };
    let result = management::list(&state, &admin.grant(false), &query).await?;
    let filtered = !search.is_empty() || !app_type.is_empty();
    let first = page * PER_PAGE + 1;
    let last = page * PER_PAGE + result.clients.len();
    let link = |page: usize| {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("q", &search).append_pair("type", &app_type);
        q.append_pair("page", &page.to_string());
        format!("/console/clients?{}", q.finish())
    };
    let body = html! {
        div.title-row {
            h1 { "Clients" }
            a.button href="/console/clients/new" { "+ Create Client" }
        }
        @if let Some(text) = notice { (layout::notice(text)) }
        form.toolbar method="get" action="/console/clients" role="search" {
            div.grow {
                label for="q" { "Search by name or client ID" }
                input #q type="search" name="q" value=(search);
            }
            div {
                label for="type" { "Type" }
                select #type name="type" {
                    option value="" { "All types" }
                    @for (value, label, _) in TYPES {
                        option value=(value) selected[value == app_type] { (label) }
                    }
                }
            }
            button.secondary type="submit" { "Search" }
        }
        @if result.clients.is_empty() {
            div.card.empty {
                @if filtered {
                    p { "No client matches this search." }
                    a href="/console/clients" { "Show all clients" }
                } @else if page > 0 {
                    p { "This page is empty." } a href=(link(0)) { "Back to the first page" }
                } @else {
                    p { "No clients yet. Create one, or let applications register themselves at "
                        code { "/oidc/register" } "." }
                }
            }
        } @else {
            div.table-wrap {
                table {
                    caption.muted { "Showing " (first) "–" (last) " of " (result.total) }
                    thead { tr {
                        th scope="col" { "Name" }
                        th scope="col" { "Type" }
                        th.optional scope="col" { "Client ID" }
                        th.optional scope="col" { "Created or registered" }
                    } }
                    tbody {
                        @for (client, from) in result.clients.iter().zip(&result.provenance) {
                            (row(client, from))
                        }
                    }
                }
            }
            nav.pager aria-label="Pages" {
                @if page > 0 { a href=(link(page - 1)) rel="prev" { "← Previous" } } @else { span {} }
                span.muted { "Page " (page + 1) " of " (result.total.div_ceil(PER_PAGE).max(1)) }
                @if last < result.total { a href=(link(page + 1)) rel="next" { "Next →" } } @else { span {} }
            }
        }
    };
    Ok(layout::page(&admin, Section::Clients, "Clients", body))
}

fn row(client: &Map<String, Value>, from: &Provenance) -> Markup {
    let text = |key: &str| client.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
    let id = text("client_id");
    let first_party = client.get("is_first_party").and_then(Value::as_bool).unwrap_or(false);
    html! {
        tr {
            td {
                a href={ "/console/clients/" (id) } { (text("name")) }
                @if !first_party { span.badge.third { "Third-party · dynamically registered" } }
            }
            td { (type_label(&text("app_type"))) }
            td.optional { code { (id) } }
            td.optional {
                (layout::date(from.created_at))
                @if let Some(id) = &from.software_id {
                    br; span.muted { "by " (id) @if let Some(v) = &from.software_version { " " (v) } }
                }
            }
        }
    }
}

pub async fn new(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ConsoleError> {
    let admin = admin(&req, &state).await?;
    Ok(create_page(&admin, StatusCode::OK, "", "regular_web", None))
}

fn create_page(
    admin: &Admin,
    status: StatusCode,
    name: &str,
    app_type: &str,
    error: Option<&str>,
) -> HttpResponse {
    let body = html! {
        h1 { "Create Client" }
        form.card method="post" action="/console/clients" novalidate {
            (layout::csrf(admin))
            @if let Some(error) = error { (layout::alert(error)) }
            div.field {
                label for="name" { "Name" }
                input #name type="text" name="name" value=(name) required
                    aria-invalid=[error.map(|_| "true")] aria-describedby="name-hint";
                p.hint #name-hint { "You can change the name later in the client settings." }
            }
            fieldset {
                legend { "Choose a client type" }
                div.types {
                    @for (value, label, help) in TYPES {
                        label {
                            input type="radio" name="app_type" value=(value) checked[value == app_type];
                            div { (label) span { (help) } }
                        }
                    }
                }
            }
            div.actions {
                button type="submit" { "Create" }
                a href="/console/clients" { "Cancel" }
            }
        }
    };
    layout::page_with(status, admin, Section::Clients, "Create Client", body)
}

/// The management body for a new client of a type: the settings that type starts with.
fn create_body(name: &str, app_type: &str) -> Map<String, Value> {
    let (method, grants) = match app_type {
        "native" | "spa" => ("none", json!(["authorization_code", "refresh_token"])),
        "non_interactive" => ("client_secret_post", json!(["client_credentials"])),
        _ => ("client_secret_post", json!(["authorization_code", "refresh_token"])),
    };
    let body = json!({
        "name": name,
        "app_type": app_type,
        "token_endpoint_auth_method": method,
        "grant_types": grants,
    });
    body.as_object().cloned().unwrap_or_default()
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ConsoleError> {
    let admin = admin(&req, &state).await?;
    let form = Form::parse(&body);
    admin.check(&form)?;
    let name = form.get("name").unwrap_or_default();
    let app_type = form.get("app_type").unwrap_or("regular_web");
    if !TYPES.iter().any(|(t, _, _)| *t == app_type) {
        return Err(ConsoleError::BadRequest("app_type: choose one of the four types".into()));
    }
    let grant = admin.grant(false);
    match management::create(&state, &grant, &create_body(name, app_type)).await {
        Ok(client) => {
            record(&state, &req, EventType::ManagementCreate, &client, &grant);
            let id = client.get("client_id").and_then(Value::as_str).unwrap_or_default();
            Ok(redirect(&format!("/console/clients/{id}?notice=created")))
        }
        Err(ManagementError::BadRequest { message, .. }) => {
            Ok(create_page(&admin, StatusCode::BAD_REQUEST, name, app_type, Some(&message)))
        }
        Err(other) => Err(other.into()),
    }
}
