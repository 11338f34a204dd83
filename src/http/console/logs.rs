//! The audit log (seed 002's Logs view): newest first, filtered by type and client; each
//! row opens to its raw event, the JSON `GET /api/v2/logs` returns.

use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;

use super::error::ConsoleError;
use super::layout::{self, Section};
use super::session::admin;
use crate::service::state::AppState;
use crate::store::audit::{EventType, LogQuery};

const PER_PAGE: usize = 50;

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ConsoleError> {
    let admin = admin(&req, &state).await?;
    let mut query = LogQuery { per_page: PER_PAGE, include_totals: true, ..LogQuery::default() };
    for (key, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        match key.as_ref() {
            "type" => query.r#type = EventType::parse(&value),
            "client_id" if !value.trim().is_empty() => {
                query.client_id = Some(value.trim().chars().take(200).collect())
            }
            "page" => query.page = value.parse::<usize>().unwrap_or(0).min(1_000_000),
            _ => {}
        }
    }
    let broken = |e: crate::store::audit::AuditError| ConsoleError::BadRequest(e.to_string());
    query.validate().map_err(broken)?;
    let page = state.shared.audit.query(&query).await.map_err(broken)?;
    let total = page.total.unwrap_or(page.events.len());
    let type_code = query.r#type.map(EventType::code).unwrap_or_default();
    let client = query.client_id.clone().unwrap_or_default();
    let link = |to: usize| {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("type", type_code).append_pair("client_id", &client);
        q.append_pair("page", &to.to_string());
        format!("/console/logs?{}", q.finish())
    };
    let last = page.start + page.events.len();
    let body = html! {
        h1 { "Logs" }
        form.toolbar method="get" action="/console/logs" {
            div {
                label for="type" { "Event type" }
                select #type name="type" {
                    option value="" { "All events" }
                    @for kind in EventType::ALL {
                        option value=(kind.code()) selected[Some(kind) == query.r#type] {
                            (kind.code()) " – " (kind.description())
                        }
                    }
                }
            }
            div.grow {
                label for="client_id" { "Client ID" }
                input #client_id type="text" name="client_id" value=(client);
            }
            button.secondary type="submit" { "Filter" }
        }
        @if page.events.is_empty() {
            div.card.empty { p { "No events match." } }
        } @else {
            p.muted { "Showing " (page.start + 1) "–" (last) " of " (total) ", newest first. Open an event for its raw JSON." }
            ul.events {
                @for stored in &page.events {
                    @let event = &stored.event;
                    li.card {
                        details {
                            summary {
                                span.mono { (event.date()) } " · "
                                @if event.kind().code().starts_with('f') { span.badge.fail { (event.kind().code()) } }
                                @else { span.badge { (event.kind().code()) } }
                                " " (event.description())
                                @if let Some(name) = event.client_name() { " · " strong { (name) } }
                                @else if let Some(id) = event.client_id() { " · " code { (id) } }
                            }
                            pre { (serde_json::to_string_pretty(stored).unwrap_or_default()) }
                        }
                    }
                }
            }
            nav.pager aria-label="Pages" {
                @if query.page > 0 { a href=(link(query.page - 1)) rel="prev" { "← Newer" } } @else { span {} }
                @if last < total { a href=(link(query.page + 1)) rel="next" { "Older →" } } @else { span {} }
            }
        }
    };
    Ok(layout::page(&admin, Section::Logs, "Logs", body))
}
