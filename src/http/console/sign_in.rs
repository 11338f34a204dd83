//! Signing in with a one-time URL, and out. The URL's GET only shows a button: the
//! sign-in itself is a POST from this origin, so a link preview or prefetch cannot use it
//! up, and the `SameSite=Strict` cookie is set by a same-site request.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;

use super::error::ConsoleError;
use super::form::Form;
use super::layout::{self, Section};
use super::redirect;
use super::session::{self, admin};
use crate::service::console::sign_in_url;
use crate::service::state::AppState;

pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ConsoleError> {
    session::console(&state)?;
    let token = url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned());
    let Some(token) = token else { return Err(ConsoleError::SignedOut) };
    Ok(layout::bare(
        StatusCode::OK,
        "Sign in",
        html! {
            h1 { "Sign in to the Registrar console" }
            p { "This sign-in link works once, for a few minutes." }
            form method="post" action="/console/sign-in" {
                input type="hidden" name="token" value=(token);
                button type="submit" { "Sign in" }
            }
        },
    ))
}

pub async fn post(
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ConsoleError> {
    let console = session::console(&state)?;
    let form = Form::parse(&body);
    let token = form.get("token").unwrap_or_default();
    let subject = match token.is_empty() {
        true => None,
        false => console.store.take_link(token).await?,
    };
    let Some(subject) = subject else {
        return Ok(layout::bare(
            StatusCode::UNAUTHORIZED,
            "Sign-in link not valid",
            html! {
                h1 { "This sign-in link is no longer valid" }
                p role="alert" { "It has expired or has already been used. Each link signs in once, within minutes of being made." }
                p { "Run " code { "registrar console-url" } " for a new one." }
            },
        ));
    };
    let cookie = session::start(&state, &subject).await?;
    let mut response = redirect("/console/clients");
    response.add_cookie(&cookie).map_err(|e| ConsoleError::Internal(e.to_string()))?;
    Ok(response)
}

pub async fn sign_out(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ConsoleError> {
    let admin = admin(&req, &state).await?;
    admin.check(&Form::parse(&body))?;
    let cookie = session::end(&state, &admin).await?;
    let mut response = layout::bare(
        StatusCode::OK,
        "Signed out",
        html! {
            h1 { "You are signed out" }
            p { "Your session has ended on every instance of this server." }
        },
    );
    response.add_cookie(&cookie).map_err(|e| ConsoleError::Internal(e.to_string()))?;
    Ok(response)
}

/// A fresh sign-in URL for the signed-in administrator, e.g. for another device.
pub async fn new_link(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ConsoleError> {
    let admin = admin(&req, &state).await?;
    admin.check(&Form::parse(&body))?;
    let console = session::console(&state)?;
    let ttl = console.settings.link_ttl;
    let url = sign_in_url(&console.store, &state.shared.issuer, &admin.subject, ttl).await?;
    let body = html! {
        h1 { "Sign-in link" }
        p { "Open this URL on another device or browser to sign in as "
            strong { (admin.subject) } ". It works once, within "
            (ttl.as_secs()) " seconds." }
        (layout::copyable("sign_in_url", "Sign-in URL", &url))
        p { a href="/console/clients" { "Back to clients" } }
    };
    Ok(layout::page(&admin, Section::Clients, "Sign-in link", body))
}
