//! Connection limits and timeouts of the listener, as actix-web applies them.

use std::time::Duration;

use actix_web::http::KeepAlive;

/// Checked connection settings (see the flags in [`super::TransportArgs`]).
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Concurrent connections across all workers.
    pub max_connections: usize,
    /// TLS handshakes in progress, per worker.
    pub max_tls_handshakes_per_worker: usize,
    pub request_timeout: Duration,
    pub disconnect_timeout: Duration,
    pub tls_handshake_timeout: Duration,
    pub keep_alive: KeepAlive,
}

impl ConnectionLimits {
    /// actix-web counts connections per worker, so the total is split evenly, rounded
    /// down so the sum never exceeds it (but at least one each, or a worker would never
    /// accept).
    pub fn max_connections_per_worker(&self, workers: usize) -> usize {
        (self.max_connections / workers.max(1)).max(1)
    }
}

/// `0` switches keep-alive off: one request per connection.
pub fn keep_alive(seconds: u64) -> KeepAlive {
    match seconds {
        0 => KeepAlive::Disabled,
        s => KeepAlive::Timeout(Duration::from_secs(s)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max_connections: usize) -> ConnectionLimits {
        ConnectionLimits {
            max_connections,
            max_tls_handshakes_per_worker: 256,
            request_timeout: Duration::from_secs(5),
            disconnect_timeout: Duration::from_secs(1),
            tls_handshake_timeout: Duration::from_secs(3),
            keep_alive: keep_alive(5),
        }
    }

    #[test]
    fn the_total_is_split_across_workers_without_exceeding_it() {
        assert_eq!(limits(25_000).max_connections_per_worker(2), 12_500);
        assert_eq!(limits(25_001).max_connections_per_worker(2), 12_500);
        assert_eq!(limits(3).max_connections_per_worker(1), 3);
    }

    #[test]
    fn every_worker_accepts_at_least_one_connection() {
        assert_eq!(limits(2).max_connections_per_worker(4), 1);
    }

    #[test]
    fn zero_seconds_switches_keep_alive_off() {
        assert!(matches!(keep_alive(0), KeepAlive::Disabled));
        assert!(matches!(keep_alive(7), KeepAlive::Timeout(d) if d == Duration::from_secs(7)));
    }
}
