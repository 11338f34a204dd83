//! The console's failures, each an HTML page with the right status: the one place they
//! become responses.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use maud::html;

use super::shell;
use crate::http::error::ManagementError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// No session, or it ended (signed out, idle, too old).
    #[error("you are not signed in")]
    SignedOut,
    /// The form's CSRF token is missing or wrong.
    #[error("this form has expired; reload the page and try again")]
    Csrf,
    #[error("there is no such page")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    #[error("the store is unavailable; nothing was changed. Try again in a moment")]
    Unavailable(#[from] StoreError),
    #[error("something went wrong on our side")]
    Internal(String),
}

impl From<ManagementError> for ConsoleError {
    fn from(e: ManagementError) -> Self {
        match e {
            ManagementError::NotFound | ManagementError::NoSuchToken => ConsoleError::NotFound,
            ManagementError::Unavailable(e) => ConsoleError::Unavailable(e),
            ManagementError::BadRequest { message, .. } => ConsoleError::BadRequest(message),
            other => ConsoleError::Internal(other.to_string()),
        }
    }
}

impl ConsoleError {
    pub fn page(&self) -> HttpResponse {
        self.error_response()
    }
}

impl ResponseError for ConsoleError {
    fn status_code(&self) -> StatusCode {
        match self {
            ConsoleError::SignedOut => StatusCode::UNAUTHORIZED,
            ConsoleError::Csrf => StatusCode::FORBIDDEN,
            ConsoleError::NotFound => StatusCode::NOT_FOUND,
            ConsoleError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ConsoleError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ConsoleError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ConsoleError::Internal(cause) => tracing::error!(%cause, "console: internal error"),
            ConsoleError::Unavailable(cause) => {
                tracing::warn!(%cause, "console: store unavailable")
            }
            _ => {}
        }
        let body = match self {
            ConsoleError::SignedOut => html! {
                h1 { "Sign in to the console" }
                p { "You are not signed in, or your session has ended." }
                p { "To sign in, run " code { "registrar console-url" }
                    " with the server's settings and open the URL it prints. A server on the \
                     in-process store prints one when it starts." }
            },
            other => html! {
                h1 { (title(other)) }
                p role="alert" { (other.to_string()) }
                p { a href="/console/clients" { "Back to clients" } }
            },
        };
        shell::bare(self.status_code(), title(self), body)
    }
}

fn title(e: &ConsoleError) -> &'static str {
    match e {
        ConsoleError::SignedOut => "Signed out",
        ConsoleError::Csrf => "Form expired",
        ConsoleError::NotFound => "Not found",
        ConsoleError::BadRequest(_) => "Cannot do that",
        ConsoleError::Unavailable(_) => "Temporarily unavailable",
        ConsoleError::Internal(_) => "Error",
    }
}
