//! The web console under `/console`: the seeds' dashboard (clients, their settings, the
//! logs, initial access tokens) as server-rendered pages with a little progressive
//! enhancement. Every change calls the management API's own operations
//! (`service::management`, `http::iat`) and audit helpers, with a grant naming the
//! signed-in administrator; nothing here has rules of its own. See docs/console.md.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

/// CSS and JS, compiled into the binary.
mod assets;
/// The client list and creation.
mod clients;
/// Failures as HTML pages, mapped in one place.
mod error;
/// Reading `application/x-www-form-urlencoded` bodies.
mod form;
/// Initial access tokens.
mod iat;
/// The page shell and shared pieces of markup.
mod layout;
/// The audit log.
mod logs;
/// Cookies, sessions and the CSRF check.
mod session;
/// One client's settings, secret and deletion.
mod settings;
/// The settings form, drawn from a client's settings.
mod settings_form;
/// The settings form read back into a management PATCH body.
mod settings_patch;
/// The HTML document and the shell of pages outside a session.
mod shell;
/// Sign-in links, sign-in and sign-out.
mod sign_in;

pub use crate::service::console::PATH;

/// The console's routes, when it is on.
pub fn configure(cfg: &mut web::ServiceConfig, enabled: bool) {
    if !enabled {
        return;
    }
    cfg.service(web::resource(PATH).get(|| async { redirect(&format!("{PATH}/clients")) }))
        .service(
            web::scope(PATH)
                .wrap(headers())
                .app_data(web::PayloadConfig::new(form::MAX_FORM_BYTES))
                .service(web::resource("/assets/{name}").get(assets::serve))
                .service(web::resource("/sign-in").get(sign_in::page).post(sign_in::post))
                .service(web::resource("/sign-out").post(sign_in::sign_out))
                .service(web::resource("/sign-in-links").post(sign_in::new_link))
                .service(web::resource("/clients").get(clients::list).post(clients::create))
                .service(web::resource("/clients/new").get(clients::new))
                .service(web::resource("/clients/{id}").get(settings::show).post(settings::save))
                .service(web::resource("/clients/{id}/reveal").post(settings::reveal))
                .service(
                    web::resource("/clients/{id}/rotate")
                        .get(settings::confirm_rotate)
                        .post(settings::rotate),
                )
                .service(
                    web::resource("/clients/{id}/delete")
                        .get(settings::confirm_delete)
                        .post(settings::delete),
                )
                .service(web::resource("/logs").get(logs::list))
                .service(web::resource("/initial-access-tokens").get(iat::list).post(iat::create))
                .service(web::resource("/initial-access-tokens/{id}/revoke").post(iat::revoke))
                .default_service(web::to(|| async { error::ConsoleError::NotFound.page() })),
        );
}

/// 303 See Other: after a change, the browser loads the result with GET.
pub(crate) fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, to)).finish()
}

/// Headers of every console response: a strict CSP without inline script or style, and
/// nothing cached (pages carry settings, some a secret). Assets set their own caching.
fn headers() -> actix_web::middleware::DefaultHeaders {
    actix_web::middleware::DefaultHeaders::new()
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .add((header::CACHE_CONTROL, "no-store"))
        .add((header::PRAGMA, "no-cache"))
}
