//! The console's CSS and JavaScript, compiled into the binary: no build step, no files
//! to deploy. Browsers may cache them for an hour.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::error::ConsoleError;

const CSS: &str = include_str!("assets/console.css");
const JS: &str = include_str!("assets/console.js");

pub async fn serve(name: web::Path<String>) -> Result<HttpResponse, ConsoleError> {
    let (body, kind) = match name.as_str() {
        "console.css" => (CSS, "text/css; charset=utf-8"),
        "console.js" => (JS, "text/javascript; charset=utf-8"),
        _ => return Err(ConsoleError::NotFound),
    };
    Ok(HttpResponse::Ok()
        .content_type(kind)
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(body))
}
