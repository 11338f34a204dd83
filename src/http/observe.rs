//! The outermost middleware: gives each request its ID (echoed in `X-Request-Id`), runs it
//! inside a span carrying that ID so every log line of the request names it, then records
//! its metrics and, with `--access-log`, one access log line.
//!
//! # Implementation Notes
//! It must not hold a clone of the `HttpRequest` across the inner call: routing mutates
//! the request in place and panics if it is shared. Everything it needs afterwards comes
//! from the response's request. Handlers' errors arrive here as responses; an `Err` from
//! the inner service (none of ours returns one) gets the header through a response mapper
//! and is counted under the route `other`.

use std::cell::RefCell;
use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::StatusCode;
use actix_web::{Error, HttpMessage, HttpRequest};
use tracing::Instrument;

use crate::http::client_ip::client_ip;
use crate::http::request_id::{self, RequestId};
use crate::infra::metrics::{method_label, WorkerSeries};
use crate::service::state::Shared;

/// Marks a response as a 503 for an unavailable store, for `store_errors_total`.
#[derive(Debug, Clone, Copy)]
pub struct StoreUnavailable;

/// Wraps the whole application (`App::wrap`, last).
pub struct Observe {
    shared: Arc<Shared>,
}

impl Observe {
    pub fn new(shared: Arc<Shared>) -> Observe {
        Observe { shared }
    }
}

impl<S, B> Transform<S, ServiceRequest> for Observe
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Transform = ObserveService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        let worker = Rc::new(Worker {
            shared: self.shared.clone(),
            series: RefCell::new(WorkerSeries::default()),
        });
        ready(Ok(ObserveService { service: Rc::new(service), worker }))
    }
}

/// What one worker keeps between requests (workers are single-threaded: no locks).
struct Worker {
    shared: Arc<Shared>,
    series: RefCell<WorkerSeries>,
}

pub struct ObserveService<S> {
    service: Rc<S>,
    worker: Rc<Worker>,
}

type LocalFuture<T> = Pin<Box<dyn Future<Output = T>>>;

impl<S, B> Service<ServiceRequest> for ObserveService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Future = LocalFuture<Result<Self::Response, Self::Error>>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let started = Instant::now();
        let method = method_label(req.method());
        let id = RequestId::from_request(req.headers().get(request_id::HEADER));
        req.extensions_mut().insert(id.clone());
        // Error level: the lines that matter most keep their request ID whatever the filter.
        let span = tracing::error_span!("request", request_id = %id);
        let inner = span.in_scope(|| self.service.call(req)).instrument(span);
        let worker = self.worker.clone();
        Box::pin(async move {
            match inner.await {
                Ok(mut res) => {
                    res.headers_mut().insert(request_id::HEADER, id.header_value());
                    let store_down = res.status() == StatusCode::SERVICE_UNAVAILABLE
                        && res.response().extensions().contains::<StoreUnavailable>();
                    let done = Done { method, status: res.status(), started, store_down };
                    worker.finish(Some(res.request()), done, &id);
                    Ok(res)
                }
                Err(mut err) => {
                    let header = id.header_value();
                    err.add_response_mapper(move |mut res| {
                        res.headers_mut().insert(request_id::HEADER, header.clone());
                        res
                    });
                    let status = err.as_response_error().status_code();
                    worker.finish(None, Done { method, status, started, store_down: false }, &id);
                    Err(err)
                }
            }
        })
    }
}

/// How a request ended.
struct Done {
    method: &'static str,
    status: StatusCode,
    started: Instant,
    store_down: bool,
}

impl Worker {
    /// Records a finished request; `req` is `None` when the inner service failed with an
    /// error instead of a response (the request is gone then).
    fn finish(&self, req: Option<&HttpRequest>, done: Done, id: &RequestId) {
        let observe = &self.shared.observe;
        if !observe.metrics && !observe.access_log {
            return;
        }
        let elapsed = done.started.elapsed();
        let metrics = &self.shared.metrics;
        let mut series = self.series.borrow_mut();
        if observe.metrics {
            series.record(metrics, req, done.method, done.status, elapsed);
            if done.store_down {
                metrics.store_unavailable();
            }
        }
        if observe.access_log {
            let client_ip = req.map(|req| client_ip(&self.shared.access.proxies, req));
            tracing::info!(
                target: "registrar::access",
                method = done.method,
                route = series.pattern(req),
                status = done.status.as_u16(),
                latency_ms = elapsed.as_micros() as f64 / 1000.0,
                request_id = %id,
                client_ip = client_ip.map(tracing::field::display),
                "request"
            );
        }
    }
}
