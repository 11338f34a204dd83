//! Which Redis deployment `--redis-url` names, parsed once at startup:
//!
//! - `redis://[user:password@]host:port[/db]` (or `rediss://`, `unix://`): one server;
//! - `redis+cluster://[user:password@]host:port,host:port[/]`: a Redis Cluster, reached
//!   through any of the listed seed nodes (the client learns the rest from them);
//! - `redis+sentinel://[user:password@]host:port,host:port/<master-name>[/db]`: the primary
//!   that these Sentinels know as `<master-name>`. The credentials and db are the primary's;
//!   the Sentinels themselves are reached without authentication.
//!
//! One URL, rather than separate node and master-name flags, so a deployment switches mode
//! by changing one value, and `REDIS_URL` keeps meaning "where the data is".

use std::fmt;

use redis::IntoConnectionInfo;

#[derive(Clone, PartialEq, Eq)]
pub enum RedisTopology {
    Standalone {
        url: String,
    },
    /// Seed node URLs, `redis://[auth@]host:port/`.
    Cluster {
        nodes: Vec<String>,
    },
    Sentinel {
        /// Sentinel URLs, `redis://host:port/`.
        sentinels: Vec<String>,
        master: String,
        /// `redis://[auth@]primary/<db>`: only its credentials and db are used.
        primary: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TopologyError {
    #[error("unknown scheme {0:?}: use redis://, rediss://, unix://, redis+cluster:// or redis+sentinel://")]
    Scheme(String),
    #[error("no host: list host:port pairs separated by commas")]
    NoHosts,
    #[error("{0:?} is not a host:port pair (the port is required)")]
    Host(String),
    #[error("a cluster URL has no path: Redis Cluster has only database 0")]
    ClusterPath,
    #[error("the Sentinel URL names no master: redis+sentinel://host:port,…/<master-name>")]
    NoMaster,
    #[error("{0:?} is not a database number")]
    Db(String),
    #[error("{0}")]
    Invalid(String),
}

impl RedisTopology {
    pub fn parse(raw: &str) -> Result<RedisTopology, TopologyError> {
        let (scheme, rest) =
            raw.split_once("://").ok_or_else(|| TopologyError::Scheme(raw.to_owned()))?;
        match scheme {
            "redis" | "rediss" | "unix" | "redis+unix" => {
                raw.into_connection_info().map_err(|e| TopologyError::Invalid(e.to_string()))?;
                Ok(RedisTopology::Standalone { url: raw.to_owned() })
            }
            "redis+cluster" | "rediss+cluster" => {
                let (auth, hosts, path) = split_hosts(rest)?;
                if !path.is_empty() {
                    return Err(TopologyError::ClusterPath);
                }
                let base = scheme.trim_end_matches("+cluster");
                let nodes: Vec<String> =
                    hosts.iter().map(|h| format!("{base}://{auth}{h}/")).collect();
                for node in &nodes {
                    node.as_str()
                        .into_connection_info()
                        .map_err(|e| TopologyError::Invalid(e.to_string()))?;
                }
                Ok(RedisTopology::Cluster { nodes })
            }
            "redis+sentinel" => {
                let (auth, hosts, path) = split_hosts(rest)?;
                let (master, db) = path.split_once('/').unwrap_or((path, ""));
                if master.is_empty() {
                    return Err(TopologyError::NoMaster);
                }
                if !db.is_empty() && db.parse::<u16>().is_err() {
                    return Err(TopologyError::Db(db.to_owned()));
                }
                let primary = format!("redis://{auth}primary/{db}");
                primary
                    .as_str()
                    .into_connection_info()
                    .map_err(|e| TopologyError::Invalid(e.to_string()))?;
                Ok(RedisTopology::Sentinel {
                    sentinels: hosts.iter().map(|h| format!("redis://{h}/")).collect(),
                    master: master.to_owned(),
                    primary,
                })
            }
            other => Err(TopologyError::Scheme(other.to_owned())),
        }
    }
}

/// `[auth@]h:p,h:p[/path]` → (`auth@` or "", hosts, path without its leading slash).
fn split_hosts(rest: &str) -> Result<(&str, Vec<&str>, &str), TopologyError> {
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (auth, hosts) = match authority.rfind('@') {
        Some(at) => (&authority[..=at], &authority[at + 1..]),
        None => ("", authority),
    };
    let hosts: Vec<&str> = hosts.split(',').map(str::trim).filter(|h| !h.is_empty()).collect();
    if hosts.is_empty() {
        return Err(TopologyError::NoHosts);
    }
    for host in &hosts {
        let url = url::Url::parse(&format!("redis://{host}/"))
            .map_err(|_| TopologyError::Host((*host).to_owned()))?;
        if url.host_str().is_none() || url.port().is_none() || url.path() != "/" {
            return Err(TopologyError::Host((*host).to_owned()));
        }
    }
    Ok((auth, hosts, path))
}

/// Redis URLs may carry a password: shown without it.
impl fmt::Debug for RedisTopology {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedisTopology::Standalone { url } => write!(f, "Standalone({})", redact(url)),
            RedisTopology::Cluster { nodes } => {
                let nodes: Vec<String> = nodes.iter().map(|n| redact(n)).collect();
                write!(f, "Cluster({nodes:?})")
            }
            RedisTopology::Sentinel { sentinels, master, .. } => {
                write!(f, "Sentinel({sentinels:?}, master {master:?})")
            }
        }
    }
}

fn redact(url: &str) -> String {
    match (url.split_once("://"), url.rfind('@')) {
        (Some((scheme, _)), Some(at)) => format!("{scheme}://<credentials>{}", &url[at..]),
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_urls_are_one_server() {
        let t = RedisTopology::parse("redis://:pw@127.0.0.1:6379/2").unwrap();
        assert_eq!(t, RedisTopology::Standalone { url: "redis://:pw@127.0.0.1:6379/2".into() });
        assert!(!format!("{t:?}").contains("pw"), "{t:?}");
    }

    #[test]
    fn tls_urls_are_accepted_as_the_help_says() {
        for url in ["rediss://:pw@redis.example:6380/0", "rediss+cluster://r1:7000,r2:7001"] {
            assert!(RedisTopology::parse(url).is_ok(), "{url}: {:?}", RedisTopology::parse(url));
        }
    }

    #[test]
    fn cluster_urls_list_seed_nodes_with_shared_credentials() {
        let t = RedisTopology::parse("redis+cluster://u:pw@10.0.0.1:7000, 10.0.0.2:7001/").unwrap();
        let nodes =
            vec!["redis://u:pw@10.0.0.1:7000/".into(), "redis://u:pw@10.0.0.2:7001/".into()];
        assert_eq!(t, RedisTopology::Cluster { nodes });
        assert!(!format!("{t:?}").contains("pw"), "{t:?}");
    }

    #[test]
    fn sentinel_urls_name_the_master_and_optionally_a_db() {
        let t = RedisTopology::parse("redis+sentinel://:pw@s1:26379,s2:26380/mymaster/3").unwrap();
        let RedisTopology::Sentinel { sentinels, master, primary } = t else { panic!("{t:?}") };
        assert_eq!(sentinels, ["redis://s1:26379/", "redis://s2:26380/"]);
        assert_eq!(master, "mymaster");
        assert_eq!(primary, "redis://:pw@primary/3");
    }

    #[test]
    fn malformed_urls_are_refused_with_the_reason() {
        let cases = [
            ("http://h:1", TopologyError::Scheme("http".into())),
            ("127.0.0.1:6379", TopologyError::Scheme("127.0.0.1:6379".into())),
            ("redis+cluster:///", TopologyError::NoHosts),
            ("redis+cluster://h1", TopologyError::Host("h1".into())),
            ("redis+cluster://h1:1,h2:x", TopologyError::Host("h2:x".into())),
            ("redis+cluster://h1:1/0", TopologyError::ClusterPath),
            ("redis+sentinel://s:26379", TopologyError::NoMaster),
            ("redis+sentinel://s:26379/", TopologyError::NoMaster),
            ("redis+sentinel://s:26379/m/x", TopologyError::Db("x".into())),
        ];
        for (raw, expected) in cases {
            assert_eq!(RedisTopology::parse(raw), Err(expected), "{raw}");
        }
    }
}
