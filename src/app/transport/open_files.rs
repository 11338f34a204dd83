//! The process's open-file limit against `--max-connections`: every connection is a file
//! descriptor, so a cap above the limit is no cap at all (accept fails with EMFILE before
//! it is reached, and then Redis connections and outbound fetches fail too). Read from
//! `/proc/self/limits` (Linux; elsewhere the cap is left as configured).

/// Descriptors kept back for everything that is not a client connection: listeners,
/// Redis connections, outbound fetches, the runtime.
pub const RESERVED: u64 = 256;

/// The soft `Max open files` limit of this process, when it can be read.
pub fn soft_limit() -> Option<u64> {
    parse_soft_limit(&std::fs::read_to_string("/proc/self/limits").ok()?)
}

fn parse_soft_limit(limits: &str) -> Option<u64> {
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.trim_start_matches("Max open files").split_whitespace().next()?.parse().ok()
}

/// The connection cap that fits under `limit`: `requested` when it fits, else the limit
/// less [`RESERVED`] (at least one).
pub fn fit(requested: usize, limit: Option<u64>) -> usize {
    match limit {
        Some(limit) if requested as u64 + RESERVED > limit => {
            limit.saturating_sub(RESERVED).max(1) as usize
        }
        _ => requested,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: &str =
        "Limit                     Soft Limit           Hard Limit           Units     \n\
        Max processes             unlimited            unlimited            processes \n\
        Max open files            20000                20000                files     \n";

    #[test]
    fn the_soft_limit_is_read_from_proc_limits() {
        assert_eq!(parse_soft_limit(LIMITS), Some(20_000));
        assert_eq!(parse_soft_limit("Max open files unlimited unlimited files"), None);
        assert_eq!(parse_soft_limit(""), None);
    }

    #[test]
    fn a_cap_above_the_limit_is_lowered_to_fit() {
        assert_eq!(fit(25_000, Some(20_000)), 19_744);
        assert_eq!(fit(1_000, Some(20_000)), 1_000);
        assert_eq!(fit(25_000, None), 25_000);
        assert_eq!(fit(10, Some(100)), 1);
    }
}
