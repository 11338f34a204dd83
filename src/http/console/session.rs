//! Console sessions: a random ID in an `HttpOnly`, `SameSite=Strict` cookie (`Secure`
//! under https), its hash the key of the session in the store. Each request pushes the
//! idle expiry out, never past the absolute lifetime. The session's CSRF token goes in
//! every form, and every change checks it.

use std::time::Duration;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::HttpRequest;
use subtle::ConstantTimeEq;

use super::error::ConsoleError;
use super::form::Form;
use super::PATH;
use crate::credentials::generate_access_token;
use crate::service::admin_token::{AdminGrant, SCOPES};
use crate::service::console::Console;
use crate::service::state::AppState;
use crate::store::console::SessionRecord;

const COOKIE: &str = "registrar_console";

/// The signed-in administrator of a request.
pub struct Admin {
    pub subject: String,
    pub csrf: String,
    id: String,
}

impl Admin {
    /// The grant the console's pages act with. Without `reveal`, it lacks
    /// `read:client_keys`, so the management operations leave the secret out: it is only
    /// sent when the administrator asks to see it.
    pub fn grant(&self, reveal: bool) -> AdminGrant {
        let scopes: Vec<&str> =
            SCOPES.iter().copied().filter(|s| reveal || *s != "read:client_keys").collect();
        AdminGrant::new(&self.subject, &scopes)
    }

    /// Refuses a form without this session's CSRF token.
    pub fn check(&self, form: &Form) -> Result<(), ConsoleError> {
        let sent = form.get("csrf").unwrap_or_default();
        match bool::from(sent.as_bytes().ct_eq(self.csrf.as_bytes())) {
            true => Ok(()),
            false => Err(ConsoleError::Csrf),
        }
    }
}

pub fn console(state: &AppState) -> Result<&Console, ConsoleError> {
    state.shared.console.as_ref().ok_or(ConsoleError::NotFound)
}

/// The request's live session, or `SignedOut`.
pub async fn admin(req: &HttpRequest, state: &AppState) -> Result<Admin, ConsoleError> {
    let console = console(state)?;
    let id = req.cookie(COOKIE).map(|c| c.value().to_owned()).ok_or(ConsoleError::SignedOut)?;
    let now = state.shared.clock.now();
    let settings = console.settings;
    let lifetime = |record: &SessionRecord| {
        let age = now.saturating_sub(record.created_at).max(0) as u64;
        let left = settings.max_session.as_secs().checked_sub(age).filter(|s| *s > 0)?;
        Some(settings.idle_timeout.min(Duration::from_secs(left)))
    };
    let record =
        console.store.touch_session(&id, lifetime).await?.ok_or(ConsoleError::SignedOut)?;
    Ok(Admin { subject: record.subject, csrf: record.csrf, id })
}

/// Starts a session for `subject`; the cookie to set.
pub async fn start(state: &AppState, subject: &str) -> Result<Cookie<'static>, ConsoleError> {
    let console = console(state)?;
    let random = || generate_access_token().map_err(|e| ConsoleError::Internal(e.to_string()));
    let id = random()?.expose().to_owned();
    let record = SessionRecord {
        subject: subject.to_owned(),
        csrf: random()?.expose().to_owned(),
        created_at: state.shared.clock.now(),
    };
    let ttl = console.settings.idle_timeout.min(console.settings.max_session);
    console.store.put_session(&id, &record, ttl).await?;
    Ok(cookie(console, id, Some(console.settings.max_session)))
}

/// Ends the session everywhere; the cookie that clears it in this browser.
pub async fn end(state: &AppState, admin: &Admin) -> Result<Cookie<'static>, ConsoleError> {
    let console = console(state)?;
    console.store.end_session(&admin.id).await?;
    Ok(cookie(console, String::new(), None))
}

fn cookie(console: &Console, value: String, max_age: Option<Duration>) -> Cookie<'static> {
    let age = max_age.map_or(0, |d| d.as_secs() as i64);
    Cookie::build(COOKIE, value)
        .path(PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(console.secure)
        .max_age(actix_web::cookie::time::Duration::seconds(age))
        .finish()
}
