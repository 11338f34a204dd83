//! The request's client address, read through trusted proxies only.

use std::net::{IpAddr, Ipv4Addr};

use actix_web::HttpRequest;

use crate::domain::client_ip::TrustedProxies;

/// The address rate limits count (and the access log shows): the peer's, or the one a
/// trusted proxy reports.
pub fn client_ip(proxies: &TrustedProxies, req: &HttpRequest) -> IpAddr {
    let peer = req.peer_addr().map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip());
    let forwarded = req.headers().get(proxies.header.as_str()).and_then(|v| v.to_str().ok());
    proxies.client_ip(peer, forwarded)
}
