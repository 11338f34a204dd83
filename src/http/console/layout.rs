//! The page shell: head, top bar with navigation and sign-out, and small shared pieces.
//! maud escapes every interpolated string, so client-controlled text is always text.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::{html, Markup, DOCTYPE};

use super::session::Admin;
pub use super::shell::bare;
use super::shell::{head, html_response};

/// The section a page belongs to, marked in the navigation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Clients,
    Logs,
    Tokens,
}

const SECTIONS: [(Section, &str, &str); 3] = [
    (Section::Clients, "/console/clients", "Clients"),
    (Section::Logs, "/console/logs", "Logs"),
    (Section::Tokens, "/console/initial-access-tokens", "Initial access tokens"),
];

/// A signed-in page.
pub fn page(admin: &Admin, section: Section, title: &str, body: Markup) -> HttpResponse {
    page_with(StatusCode::OK, admin, section, title, body)
}

pub fn page_with(
    status: StatusCode,
    admin: &Admin,
    section: Section,
    title: &str,
    body: Markup,
) -> HttpResponse {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    a.brand href="/console/clients" { "Registrar" }
                    nav aria-label="Main" {
                        @for (s, href, label) in SECTIONS {
                            @if s == section {
                                a href=(href) aria-current="page" { (label) }
                            } @else {
                                a href=(href) { (label) }
                            }
                        }
                    }
                    div.who {
                        span { "Signed in as " strong { (admin.subject) } }
                        form method="post" action="/console/sign-in-links" {
                            (csrf(admin))
                            button.link type="submit" { "Sign-in link" }
                        }
                        form method="post" action="/console/sign-out" {
                            (csrf(admin))
                            button.link type="submit" { "Sign out" }
                        }
                    }
                }
                main #main { (body) }
            }
        }
    };
    html_response(status, markup)
}

/// The hidden CSRF field every form carries.
pub fn csrf(admin: &Admin) -> Markup {
    html! { input type="hidden" name="csrf" value=(admin.csrf); }
}

/// A success message at the top of a page.
pub fn notice(text: &str) -> Markup {
    html! { p.notice role="status" { (text) } }
}

/// A failure message at the top of a page.
pub fn alert(text: &str) -> Markup {
    html! { div.alert role="alert" { (text) } }
}

/// A value with a copy button (the button appears only with JavaScript).
pub fn copyable(id: &str, label: &str, value: &str) -> Markup {
    html! {
        div.field {
            label for=(id) { (label) }
            div.copy-row {
                input #(id) type="text" readonly value=(value);
                button.secondary type="button" data-copy=(id) hidden { "Copy" }
            }
        }
    }
}

/// Unix seconds as a UTC date and time.
pub fn date(unix: i64) -> String {
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(unix.max(0) as u64);
    let text = crate::store::audit::rfc3339(time);
    // 2024-05-01T12:00:00.000Z -> 2024-05-01 12:00 UTC
    match (text.get(..10), text.get(11..16)) {
        (Some(day), Some(minute)) => format!("{day} {minute} UTC"),
        _ => text,
    }
}
