//! Clients' `jwks_uri` key sets for `private_key_jwt`, fetched only through the guarded
//! fetcher (`crate::fetch`) and cached: a bounded number of sets, each for a few minutes,
//! so a client's assertions cost no fetch while its keys stay current enough to rotate.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use josekit::jwk::JwkSet;

use super::OAuthError;
use crate::domain::jwks::PublicJwkSet;
use crate::infra::fetch::Fetcher;

/// How long a fetched set is used.
const FRESH_FOR: Duration = Duration::from_secs(300);
/// Most sets kept; past it the stalest are dropped.
const MAX_ENTRIES: usize = 1024;

#[derive(Default)]
pub struct JwksCache {
    sets: Mutex<HashMap<String, (Instant, Arc<JwkSet>)>>,
}

impl JwksCache {
    pub async fn get(&self, fetcher: &Fetcher, uri: &str) -> Result<Arc<JwkSet>, OAuthError> {
        if let Some((at, set)) = self.lock().get(uri) {
            if at.elapsed() < FRESH_FOR {
                return Ok(set.clone());
            }
        }
        let refuse = |why: String| OAuthError::invalid_client(format!("jwks_uri: {why}"), false);
        let body =
            fetcher.get_json(uri).await.map_err(|e| refuse(format!("fetch refused: {e}")))?;
        let public =
            PublicJwkSet::parse(&body).map_err(|e| refuse(format!("not a public JWK Set: {e}")))?;
        let set = JwkSet::from_bytes(public.as_value().to_string().as_bytes())
            .map_err(|e| refuse(e.to_string()))?;
        let set = Arc::new(set);
        let mut sets = self.lock();
        if sets.len() >= MAX_ENTRIES {
            sets.retain(|_, (at, _)| at.elapsed() < FRESH_FOR);
            if sets.len() >= MAX_ENTRIES {
                if let Some(oldest) =
                    sets.iter().min_by_key(|(_, (at, _))| *at).map(|(k, _)| k.clone())
                {
                    sets.remove(&oldest);
                }
            }
        }
        sets.insert(uri.to_owned(), (Instant::now(), set.clone()));
        Ok(set)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, Arc<JwkSet>)>> {
        self.sets.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
