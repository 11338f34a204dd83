//! The DNS resolver reqwest uses for every connection the fetcher makes: it resolves, vets
//! the answers and hands the connector exactly the addresses it vetted.

use std::net::SocketAddr;
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::address::{vet, AllowList};
use super::FetchError;

#[derive(Debug)]
pub(crate) struct VettingResolver {
    allow: Arc<AllowList>,
}

impl VettingResolver {
    pub(crate) fn new(allow: Arc<AllowList>) -> VettingResolver {
        VettingResolver { allow }
    }
}

impl Resolve for VettingResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow = Arc::clone(&self.allow);
        let host = name.as_str().to_owned();
        Box::pin(async move {
            // Port 0: reqwest puts the URL's port in afterwards.
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|_| FetchError::Resolve)?
                .collect();
            vet(&host, addrs.iter().map(SocketAddr::ip), &allow)?;
            let addrs: Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}
