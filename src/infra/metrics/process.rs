//! Process basics, read from `/proc/self` at each scrape (Linux; elsewhere nothing): the
//! resident memory a soak run watches, open file descriptors, threads, and the start time.
//! Nothing is recorded between scrapes.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use prometheus::core::{Collector, Desc};
use prometheus::proto::{Gauge, Metric, MetricFamily, MetricType};

pub struct ProcessCollector {
    resident: Desc,
    fds: Desc,
    threads: Desc,
    start: Desc,
    /// Seconds since the epoch when the metrics were set up, which is at server start.
    started: f64,
}

impl ProcessCollector {
    pub fn new() -> ProcessCollector {
        let desc = |name: &str, help: &str| {
            Desc::new(name.into(), help.into(), Vec::new(), HashMap::new()).expect("a valid metric")
        };
        ProcessCollector {
            resident: desc("process_resident_memory_bytes", "Resident memory size in bytes"),
            fds: desc("process_open_fds", "Open file descriptors"),
            threads: desc("process_threads", "Operating system threads"),
            start: desc("process_start_time_seconds", "Start time since the epoch, in seconds"),
            started: SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64()),
        }
    }
}

impl Collector for ProcessCollector {
    fn desc(&self) -> Vec<&Desc> {
        vec![&self.resident, &self.fds, &self.threads, &self.start]
    }

    fn collect(&self) -> Vec<MetricFamily> {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let field = |name: &str| -> Option<f64> {
            let line = status.lines().find(|l| l.starts_with(name))?;
            line[name.len()..].split_whitespace().next()?.parse().ok()
        };
        let fds = std::fs::read_dir("/proc/self/fd").map(|dir| dir.count() as f64).ok();
        [
            (&self.resident, field("VmRSS:").map(|kib| kib * 1024.0)),
            (&self.fds, fds),
            (&self.threads, field("Threads:")),
            (&self.start, Some(self.started)),
        ]
        .into_iter()
        .filter_map(|(desc, value)| Some(gauge(desc, value?)))
        .collect()
    }
}

fn gauge(desc: &Desc, value: f64) -> MetricFamily {
    let mut gauge = Gauge::default();
    gauge.set_value(value);
    let mut family = MetricFamily::default();
    family.set_name(desc.fq_name.clone());
    family.set_help(desc.help.clone());
    family.set_field_type(MetricType::GAUGE);
    family.set_metric(vec![Metric::from_gauge(gauge)]);
    family
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn the_process_reports_memory_descriptors_and_threads() {
        let families = ProcessCollector::new().collect();
        let value = |name: &str| {
            families
                .iter()
                .find(|f| f.name() == name)
                .map(|f| f.get_metric()[0].get_gauge().get_value())
                .unwrap_or_else(|| panic!("{name} is missing"))
        };
        assert!(value("process_resident_memory_bytes") > 1024.0 * 1024.0);
        assert!(value("process_open_fds") >= 3.0);
        assert!(value("process_threads") >= 1.0);
        assert!(value("process_start_time_seconds") > 1.6e9);
    }
}
