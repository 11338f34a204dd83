//! Each worker's handles on the HTTP series it has met.

use std::collections::HashMap;
use std::time::Duration;

use actix_web::http::{Method, StatusCode};
use actix_web::HttpRequest;
use prometheus::{Histogram, IntCounter};

use super::{Metrics, UNMATCHED};

/// One worker's handles on the HTTP series it has met, keyed by the matched resource's
/// name (the route table names each resource by its pattern), so that recording a request
/// takes no lock and allocates nothing once a series is known.
#[derive(Default)]
pub struct WorkerSeries {
    routes: HashMap<Box<str>, RouteSeries>,
    unmatched: Option<RouteSeries>,
}

struct RouteSeries {
    pattern: Box<str>,
    registration: bool,
    durations: Vec<(&'static str, Histogram)>,
    requests: Vec<(&'static str, StatusCode, IntCounter)>,
}

impl WorkerSeries {
    /// Counts one answered request and its latency under its route pattern (`other`
    /// without a request: no route took it).
    pub fn record(
        &mut self,
        metrics: &Metrics,
        req: Option<&HttpRequest>,
        method: &'static str,
        status: StatusCode,
        elapsed: Duration,
    ) {
        let series = self.route(req);
        series.count(metrics, method, status);
        series.time(metrics, method, elapsed);
        if series.registration && method == "POST" {
            metrics.registration(status);
        }
    }

    /// The route pattern of a request, as its metrics label it: `other` when no route
    /// matched.
    pub fn pattern<'a>(&'a mut self, req: Option<&HttpRequest>) -> &'a str {
        &self.route(req).pattern
    }

    fn route(&mut self, req: Option<&HttpRequest>) -> &mut RouteSeries {
        let Some(req) = req else {
            return self.unmatched.get_or_insert_with(|| RouteSeries::new(UNMATCHED));
        };
        // Named resources (all of the route table's) are found without allocating; an
        // unnamed one costs one pattern string per request.
        let key: std::borrow::Cow<'_, str> = match req.match_name() {
            Some(name) => name.into(),
            None => match req.match_pattern() {
                Some(pattern) => pattern.into(),
                None => return self.unmatched.get_or_insert_with(|| RouteSeries::new(UNMATCHED)),
            },
        };
        if !self.routes.contains_key(key.as_ref()) {
            let pattern = req.match_pattern().unwrap_or_else(|| key.to_string());
            self.routes.insert(key.as_ref().into(), RouteSeries::new(&pattern));
        }
        self.routes.get_mut(key.as_ref()).expect("inserted above")
    }
}

impl RouteSeries {
    fn new(pattern: &str) -> RouteSeries {
        RouteSeries {
            pattern: pattern.into(),
            registration: pattern == crate::domain::endpoints::REGISTRATION_PATH,
            durations: Vec::new(),
            requests: Vec::new(),
        }
    }

    fn count(&mut self, metrics: &Metrics, method: &'static str, status: StatusCode) {
        if let Some((_, _, counter)) =
            self.requests.iter().find(|(m, s, _)| *m == method && *s == status)
        {
            return counter.inc();
        }
        let labels = [&*self.pattern, method, status.as_str()];
        let counter = metrics.requests.with_label_values(&labels);
        counter.inc();
        self.requests.push((method, status, counter));
    }

    fn time(&mut self, metrics: &Metrics, method: &'static str, elapsed: Duration) {
        if let Some((_, histogram)) = self.durations.iter().find(|(m, _)| *m == method) {
            return histogram.observe(elapsed.as_secs_f64());
        }
        let histogram = metrics.durations.with_label_values(&[&*self.pattern, method]);
        histogram.observe(elapsed.as_secs_f64());
        self.durations.push((method, histogram));
    }
}

/// Methods by name; any other (extension methods are unbounded) is `other`.
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}
