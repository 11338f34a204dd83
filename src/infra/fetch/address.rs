//! Which addresses an outbound fetch may connect to: the SSRF guard (spec checklist,
//! security pitfall 1). A URL chosen by an anonymous client must not reach the loopback
//! interface, the operator's private network or a cloud metadata endpoint.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

use super::FetchError;

/// IPv4 ranges that are not ordinary Internet hosts (RFC 6890 special-purpose registry).
const FORBIDDEN_V4: [([u8; 4], u32); 15] = [
    ([0, 0, 0, 0], 8),      // "this network" (RFC 1122); 0.0.0.0 reaches the local host
    ([10, 0, 0, 0], 8),     // private (RFC 1918)
    ([100, 64, 0, 0], 10),  // carrier-grade NAT (RFC 6598)
    ([127, 0, 0, 0], 8),    // loopback
    ([169, 254, 0, 0], 16), // link-local (RFC 3927), incl. metadata at 169.254.169.254
    ([172, 16, 0, 0], 12),  // private (RFC 1918)
    ([192, 0, 0, 0], 24),   // IETF protocol assignments (RFC 6890)
    ([192, 0, 2, 0], 24),   // documentation TEST-NET-1 (RFC 5737)
    ([192, 88, 99, 0], 24), // 6to4 relay anycast (RFC 7526)
    ([192, 168, 0, 0], 16), // private (RFC 1918)
    ([198, 18, 0, 0], 15),  // benchmarking (RFC 2544)
    ([198, 51, 100, 0], 24), // documentation TEST-NET-2
    ([203, 0, 113, 0], 24), // documentation TEST-NET-3
    ([224, 0, 0, 0], 4),    // multicast
    ([240, 0, 0, 0], 4),    // reserved, incl. broadcast 255.255.255.255
];

/// Ranges inside global unicast 2000::/3 that are still not ordinary Internet hosts.
const FORBIDDEN_V6_GLOBAL: [(u128, u32); 3] = [
    // IETF protocol assignments (RFC 6890): Teredo 2001::/32 tunnels to arbitrary IPv4
    // addresses, ORCHID and the rest are not web servers.
    (0x2001_0000 << 96, 23),
    (0x2001_0db8 << 96, 32), // documentation (RFC 3849)
    (0x3fff_0000 << 96, 20), // documentation (RFC 9637)
];

/// Whether a fetch must refuse to connect to `ip` (unless the operator allow-listed it).
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_forbidden_v4(v4),
        IpAddr::V6(v6) => is_forbidden_v6(v6),
    }
}

fn is_forbidden_v4(ip: Ipv4Addr) -> bool {
    let bits = u32::from(ip);
    FORBIDDEN_V4.iter().any(|&(net, prefix)| {
        let mask = u32::MAX << (32 - prefix);
        bits & mask == u32::from_be_bytes(net)
    })
}

fn is_forbidden_v6(ip: Ipv6Addr) -> bool {
    // Addresses that carry an IPv4 address reach that address (dual-stack sockets, NAT64
    // gateways, 6to4 relays), so they are judged by it.
    if let Some(v4) = embedded_v4(ip) {
        return is_forbidden_v4(v4);
    }
    let bits = u128::from(ip);
    // Only global unicast (2000::/3) is the Internet. This one test refuses ::/8
    // (unspecified, loopback ::1, IPv4-compatible), 100::/64 discard, fc00::/7 unique
    // local, fe80::/10 link-local, fec0::/10 site-local, ff00::/8 multicast and the local
    // NAT64 prefix 64:ff9b:1::/48 (RFC 8215).
    if bits >> 125 != 0b001 {
        return true;
    }
    FORBIDDEN_V6_GLOBAL.iter().any(|&(net, prefix)| bits & (u128::MAX << (128 - prefix)) == net)
}

/// The IPv4 address inside an IPv4-mapped (::ffff:0:0/96), NAT64 well-known prefix
/// (64:ff9b::/96, RFC 6052) or 6to4 (2002::/16, RFC 3056) address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let bits = u128::from(ip);
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    if bits >> 32 == 0x0064_ff9b_u128 << 64 {
        return Some(Ipv4Addr::from(bits as u32));
    }
    if bits >> 112 == 0x2002 {
        return Some(Ipv4Addr::from((bits >> 80) as u32));
    }
    None
}

/// Hosts and networks the operator exempts from the address checks: a local conformance
/// suite, an internal JWKS server, tests.
#[derive(Debug, Clone, Default)]
pub(crate) struct AllowList {
    hosts: Vec<String>,
    nets: Vec<IpNet>,
}

impl AllowList {
    /// Each entry is a CIDR (`10.1.0.0/16`), an IP address, or an exact host name.
    pub(crate) fn parse(entries: &[String]) -> AllowList {
        let mut list = AllowList::default();
        for entry in entries.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
            let bare = entry.trim_start_matches('[').trim_end_matches(']');
            if let Ok(net) = bare.parse::<IpNet>() {
                list.nets.push(net);
            } else if let Ok(ip) = bare.parse::<IpAddr>() {
                list.nets.push(IpNet::from(ip.to_canonical()));
            } else {
                list.hosts.push(normalize_host(entry));
            }
        }
        list
    }

    fn allows_host(&self, host: &str) -> bool {
        let host = normalize_host(host);
        self.hosts.contains(&host)
    }

    fn allows_addr(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.nets.iter().any(|net| net.contains(&ip))
    }
}

/// DNS names compare case-insensitively, and `host.` is the same name as `host`.
fn normalize_host(host: &str) -> String {
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// Refuses the connection when any address `host` resolved to is forbidden: with several
/// answers the connector may try any of them, so one bad record is enough.
pub(crate) fn vet(
    host: &str,
    addrs: impl IntoIterator<Item = IpAddr>,
    allow: &AllowList,
) -> Result<(), FetchError> {
    if allow.allows_host(host) {
        return Ok(());
    }
    let mut any = false;
    for ip in addrs {
        any = true;
        if is_forbidden(ip) && !allow.allows_addr(ip) {
            return Err(FetchError::ForbiddenAddress);
        }
    }
    if any {
        Ok(())
    } else {
        Err(FetchError::Resolve)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifier_refuses_special_purpose_addresses_and_accepts_public_ones() {
        let table: &[(&str, bool)] = &[
            ("127.0.0.1", true),
            ("127.255.255.254", true),
            ("10.0.0.1", true),
            ("172.16.0.1", true),
            ("172.31.255.255", true),
            ("172.32.0.1", false),
            ("192.168.1.1", true),
            ("169.254.169.254", true),
            ("100.64.0.1", true),
            ("100.127.255.255", true),
            ("100.128.0.1", false),
            ("0.0.0.0", true),
            ("0.1.2.3", true),
            ("224.0.0.1", true),
            ("239.255.255.250", true),
            ("255.255.255.255", true),
            ("240.0.0.1", true),
            ("192.0.2.10", true),
            ("198.51.100.7", true),
            ("203.0.113.9", true),
            ("198.18.0.1", true),
            ("8.8.8.8", false),
            ("1.1.1.1", false),
            ("93.184.216.34", false),
            ("::", true),
            ("::1", true),
            ("::127.0.0.1", true),
            ("::ffff:127.0.0.1", true),
            ("::ffff:10.1.2.3", true),
            ("::ffff:169.254.169.254", true),
            ("::ffff:8.8.8.8", false),
            ("64:ff9b::a00:1", true),
            ("64:ff9b::808:808", false),
            ("64:ff9b:1::1", true),
            ("2002:7f00:1::1", true),
            ("2002:808:808::1", false),
            ("fc00::1", true),
            ("fd12:3456::1", true),
            ("fe80::1", true),
            ("fec0::1", true),
            ("ff02::1", true),
            ("100::1", true),
            ("2001::1", true),
            ("2001:db8::1", true),
            ("3fff::1", true),
            ("2606:4700:4700::1111", false),
            ("2a00:1450:4001::200e", false),
        ];
        for (text, forbidden) in table {
            let ip: IpAddr = text.parse().expect(text);
            assert_eq!(is_forbidden(ip), *forbidden, "{text}");
        }
    }

    #[test]
    fn allow_list_exempts_named_hosts_addresses_and_networks() {
        let allow = AllowList::parse(&[
            "Conformance.Local.".to_owned(),
            "127.0.0.1".to_owned(),
            "10.1.0.0/16".to_owned(),
            "[::1]".to_owned(),
        ]);
        let lo: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(vet("conformance.local", ["10.9.9.9".parse().unwrap()], &allow), Ok(()));
        assert_eq!(vet("a.example", [lo], &allow), Ok(()));
        assert_eq!(vet("a.example", ["::ffff:127.0.0.1".parse().unwrap()], &allow), Ok(()));
        assert_eq!(vet("a.example", ["10.1.2.3".parse().unwrap()], &allow), Ok(()));
        assert_eq!(vet("a.example", ["::1".parse().unwrap()], &allow), Ok(()));
        assert_eq!(
            vet("a.example", ["10.2.0.1".parse().unwrap()], &allow),
            Err(FetchError::ForbiddenAddress)
        );
    }

    #[test]
    fn one_forbidden_answer_among_several_refuses_the_host() {
        let allow = AllowList::default();
        let addrs: [IpAddr; 2] = ["8.8.8.8".parse().unwrap(), "10.0.0.1".parse().unwrap()];
        assert_eq!(vet("mixed.example", addrs, &allow), Err(FetchError::ForbiddenAddress));
        assert_eq!(vet("empty.example", [], &allow), Err(FetchError::Resolve));
    }
}
