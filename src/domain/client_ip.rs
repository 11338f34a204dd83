//! The client's IP address: the socket's peer, unless that peer is a configured trusted
//! proxy, in which case the forwarded header is read from the right, skipping trusted
//! proxies (seed 000's `auth0-forwarded-for` setting is the model). Untrusted peers cannot
//! forge their address with a header.

use std::net::IpAddr;
use std::str::FromStr;

/// An address range, `10.0.0.0/8` or a single address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("{s:?} is not an IP address or CIDR range");
        let (addr, prefix) = match s.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (s, None),
        };
        let network: IpAddr = addr.trim().parse().map_err(|_| bad())?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.trim().parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
            None => max,
        };
        Ok(Cidr { network, prefix })
    }
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// Which proxies to believe, and the header they write.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    pub ranges: Vec<Cidr>,
    /// Lower-case header name, e.g. `x-forwarded-for` or `auth0-forwarded-for`.
    pub header: String,
}

impl TrustedProxies {
    fn trusts(&self, ip: IpAddr) -> bool {
        self.ranges.iter().any(|r| r.contains(ip))
    }

    /// The client address for a request from `peer` carrying `forwarded` (the header's
    /// value, a comma-separated list, client first).
    pub fn client_ip(&self, peer: IpAddr, forwarded: Option<&str>) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let Some(list) = forwarded else { return peer };
        let mut client = peer;
        for hop in list.rsplit(',') {
            let Ok(ip) = hop.trim().parse::<IpAddr>() else { return client };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_trusted_peers_may_name_the_client() {
        let proxies = TrustedProxies {
            ranges: vec!["10.0.0.0/8".parse().unwrap(), "192.0.2.7".parse().unwrap()],
            header: "x-forwarded-for".into(),
        };
        let cases = [
            ("203.0.113.9", Some("1.2.3.4"), "203.0.113.9", "untrusted peer: header ignored"),
            ("10.1.2.3", Some("1.2.3.4"), "1.2.3.4", "trusted peer names the client"),
            ("10.1.2.3", Some("6.6.6.6, 1.2.3.4, 10.9.9.9"), "1.2.3.4", "rightmost untrusted hop"),
            ("10.1.2.3", None, "10.1.2.3", "no header"),
            ("10.1.2.3", Some("garbage"), "10.1.2.3", "unparseable hop stops the walk"),
            ("192.0.2.7", Some("2001:db8::1"), "2001:db8::1", "single trusted address, v6 client"),
        ];
        for (peer, header, expected, why) in cases {
            assert_eq!(proxies.client_ip(ip(peer), header), ip(expected), "{why}");
        }
        assert!("10.0.0.0/33".parse::<Cidr>().is_err());
        assert!("::/0".parse::<Cidr>().unwrap().contains(ip("2001:db8::1")));
    }
}
