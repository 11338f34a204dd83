//! The HTML document around every page: head, assets, and the shell of pages outside a
//! session (sign-in, errors). It imports nothing else of the console, so every part of it
//! may use it.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::{html, Markup, DOCTYPE};

pub const CSS_PATH: &str = "/console/assets/console.css";
pub const JS_PATH: &str = "/console/assets/console.js";

pub fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · Registrar console" }
            link rel="stylesheet" href=(CSS_PATH);
            script src=(JS_PATH) defer {}
        }
    }
}

/// A page outside a session: sign-in and errors.
pub fn bare(status: StatusCode, title: &str, body: Markup) -> HttpResponse {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                header.top { a.brand href="/console/clients" { "Registrar" } }
                main #main .narrow { (body) }
            }
        }
    };
    html_response(status, markup)
}

pub fn html_response(status: StatusCode, markup: Markup) -> HttpResponse {
    HttpResponse::build(status).content_type("text/html; charset=utf-8").body(markup.into_string())
}
