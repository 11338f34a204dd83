//! Framework ceiling for the benchmark (bench/run.sh): the same actix-web setup as
//! Registrar (actix-web 4, one `HttpServer` with N workers, no middleware) answering every
//! request with a fixed small JSON body. Whatever Registrar does per request costs the
//! difference between its figures and this server's.
//!
//! `cargo build --release --example ceiling`
//! `target/release/examples/ceiling --listen 127.0.0.1:8081 --workers 2`

use std::net::{SocketAddr, TcpListener};

use actix_web::http::header::ContentType;
use actix_web::{web, App, HttpResponse, HttpServer};
use clap::Parser;

/// About the size of a small API answer; fixed, so nothing is computed per request.
const BODY: &str = r#"{"client_id":"ceiling","status":"ok"}"#;

#[derive(Debug, Parser)]
#[command(name = "ceiling", about = "Fixed-JSON actix-web server (benchmark baseline)")]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8081")]
    listen: SocketAddr,
    /// HTTP worker threads. Default: one per CPU core, as Registrar.
    #[arg(long)]
    workers: Option<usize>,
}

async fn fixed() -> HttpResponse {
    HttpResponse::Ok().content_type(ContentType::json()).body(BODY)
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let workers =
        args.workers.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let listener = TcpListener::bind(args.listen)?;
    eprintln!("ceiling listening on {} with {workers} workers", listener.local_addr()?);
    // Routed like Registrar's RFC 7591/7592 endpoints, so path matching costs the same.
    HttpServer::new(|| {
        App::new()
            .route("/oidc/register", web::to(fixed))
            .route("/oidc/register/{client_id}", web::to(fixed))
            .default_service(web::to(fixed))
    })
    .workers(workers)
    .listen(listener)?
    .run()
    .await
}
