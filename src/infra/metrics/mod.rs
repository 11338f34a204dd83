//! Prometheus metrics, served at `GET /metrics` in the text exposition format 0.0.4.
//!
//! The `prometheus` crate rather than the Prometheus org's `prometheus-client`: the latter
//! only writes OpenMetrics text, and scrapers that ask for (or only read) the classic format
//! get it from here. Recording is lock-free: counters are one atomic add, histograms a few
//! (hot/cold shards, no mutex). Finding a labelled series takes a read lock, so each worker
//! looks a series up once and keeps the handle ([`WorkerSeries`]).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use prometheus::core::{Collector, Desc};
use prometheus::proto::{self, MetricFamily, MetricType};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts, Registry, TextEncoder,
};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// `process_*` gauges from `/proc/self`.
mod process;
/// Per-worker handles on the HTTP series.
mod series;

pub use series::{method_label, WorkerSeries};

use crate::store::audit::AuditLog;

/// Where the metrics are served.
pub const METRICS_PATH: &str = "/metrics";
/// The `route` label of requests no route matched: raw paths would be unbounded.
const UNMATCHED: &str = "other";
/// Latency buckets in seconds: from a cached read (sub-millisecond) to a registration
/// that waits on Redis and an outbound fetch (seconds).
const DURATION_BUCKETS: [f64; 14] =
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Which registration rate limit refused a request.
#[derive(Debug, Clone, Copy)]
pub enum RateScope {
    PerIp,
    Global,
}

/// Every series the server exports, and who may read them.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    durations: HistogramVec,
    created: IntCounter,
    refused: IntCounter,
    failed: IntCounter,
    store_errors: IntCounter,
    per_ip_refusals: IntCounter,
    global_refusals: IntCounter,
    iat_refusals: IntCounter,
    /// SHA-256 of `--metrics-token`: hashing both sides first makes the comparison
    /// constant-time in the length too.
    token: Option<[u8; 32]>,
}

impl Metrics {
    /// The registry, with the audit log's loss counter read at each scrape.
    pub fn new(audit: AuditLog, token: Option<&str>) -> Metrics {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests answered, by route pattern"),
            &["route", "method", "status"],
        )
        .expect("a valid metric");
        let durations = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time from request head to response head, by route pattern",
            )
            .buckets(DURATION_BUCKETS.to_vec()),
            &["route", "method"],
        )
        .expect("a valid metric");
        let registrations = IntCounterVec::new(
            Opts::new(
                "registrations_total",
                "POST /oidc/register outcomes: created (201), refused (4xx), failed (5xx)",
            ),
            &["outcome"],
        )
        .expect("a valid metric");
        let refusals = IntCounterVec::new(
            Opts::new("rate_limit_refusals_total", "Registrations refused by a rate limit (429)"),
            &["scope"],
        )
        .expect("a valid metric");
        let counter = |name: &str, help: &str| IntCounter::new(name, help).expect("a valid metric");
        let store_errors = counter(
            "store_errors_total",
            "Requests answered 503 because the store was unavailable",
        );
        let iat_refusals = counter(
            "initial_access_token_refusals_total",
            "Registrations refused for a missing, unknown, expired or used-up initial access token",
        );
        let metrics = Metrics {
            created: registrations.with_label_values(&["created"]),
            refused: registrations.with_label_values(&["refused"]),
            failed: registrations.with_label_values(&["failed"]),
            per_ip_refusals: refusals.with_label_values(&["per_ip"]),
            global_refusals: refusals.with_label_values(&["global"]),
            registry,
            requests,
            durations,
            store_errors,
            iat_refusals,
            token: token.map(|t| Sha256::digest(t.as_bytes()).into()),
        };
        let collectors: [Box<dyn Collector>; 8] = [
            Box::new(metrics.requests.clone()),
            Box::new(metrics.durations.clone()),
            Box::new(registrations),
            Box::new(metrics.store_errors.clone()),
            Box::new(refusals),
            Box::new(metrics.iat_refusals.clone()),
            Box::new(AuditDropped::new(audit)),
            Box::new(process::ProcessCollector::new()),
        ];
        for collector in collectors {
            metrics.registry.register(collector).expect("metric names are unique");
        }
        metrics
    }

    pub fn rate_limited(&self, scope: RateScope) {
        match scope {
            RateScope::PerIp => self.per_ip_refusals.inc(),
            RateScope::Global => self.global_refusals.inc(),
        }
    }

    pub fn initial_access_token_refused(&self) {
        self.iat_refusals.inc();
    }

    pub fn store_unavailable(&self) {
        self.store_errors.inc();
    }

    fn registration(&self, status: StatusCode) {
        match status.as_u16() {
            201 => self.created.inc(),
            400..=499 => self.refused.inc(),
            500..=599 => self.failed.inc(),
            _ => {}
        }
    }

    /// Whether reading the metrics needs `--metrics-token` as a bearer token.
    pub fn requires_token(&self) -> bool {
        self.token.is_some()
    }

    /// Whether `presented` is the metrics token, compared in constant time over digests.
    pub fn token_matches(&self, presented: &str) -> bool {
        let Some(expected) = &self.token else { return true };
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        bool::from(digest.ct_eq(expected))
    }

    /// Every series in the text exposition format.
    pub fn encode(&self) -> Result<Vec<u8>, prometheus::Error> {
        let mut buffer = Vec::with_capacity(8192);
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer)?;
        Ok(buffer)
    }
}

/// `audit_events_dropped_total`: the audit log counts its own losses; this reads the count
/// at each scrape instead of touching the writer.
struct AuditDropped {
    desc: Desc,
    audit: AuditLog,
}

impl AuditDropped {
    fn new(audit: AuditLog) -> AuditDropped {
        let desc = Desc::new(
            "audit_events_dropped_total".into(),
            "Audit events lost: queue full, writer gone, or refused by Redis".into(),
            Vec::new(),
            HashMap::new(),
        )
        .expect("a valid metric");
        AuditDropped { desc, audit }
    }
}

impl Collector for AuditDropped {
    fn desc(&self) -> Vec<&Desc> {
        vec![&self.desc]
    }

    fn collect(&self) -> Vec<MetricFamily> {
        let mut counter = proto::Counter::default();
        counter.set_value(self.audit.failures() as f64);
        let mut metric = proto::Metric::default();
        metric.set_counter(counter);
        let mut family = MetricFamily::default();
        family.set_name(self.desc.fq_name.clone());
        family.set_help(self.desc.help.clone());
        family.set_field_type(MetricType::COUNTER);
        family.set_metric(vec![metric]);
        vec![family]
    }
}
