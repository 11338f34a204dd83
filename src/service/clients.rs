//! The client repository: the one place a client record is decoded and encoded, its secret
//! sealed and opened, changed by compare-and-swap, and removed together with what hangs off
//! it. Registration, the client configuration endpoint, the management API and the cleanup
//! all go through here, so none of them writes its own retry loop.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::credentials::{ClientSecret, TokenHash};
use crate::domain::settings::AdminSettings;
use crate::service::state::AppState;
use crate::store::quota::Place;
use crate::store::{ClientStore, Snapshot, StoreError};

/// A lost compare-and-swap means another request changed the client at the same moment;
/// a few tries settle it.
const MAX_ATTEMPTS: usize = 3;

/// One client as stored: credentials only as hash or sealed, the registered metadata as
/// the JSON the client gets back (written once, never re-derived), and the settings only
/// an administrator sets (the rest of the settings view derives from the metadata).
#[derive(Serialize, Deserialize)]
pub struct ClientRecord {
    pub client_id: String,
    /// Hash of the registration access token; clients created through the management
    /// API have none, so RFC 7592 cannot reach them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rat: Option<TokenHash>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub issued_at: i64,
    pub secret_expires_at: i64,
    /// RFC 7592 §2: an administrator may withdraw a client's right to manage itself.
    #[serde(default = "yes")]
    pub manageable: bool,
    pub metadata: Box<RawValue>,
    #[serde(default, skip_serializing_if = "AdminSettings::is_default")]
    pub admin: AdminSettings,
    /// The registration policy and source address it was registered under: the policy
    /// applies again on RFC 7592 updates, and the client's place in the policy's count
    /// is given back when it is deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Place>,
    /// Registered while `--cleanup-unused-after` is on, and not used since: never read or
    /// updated with its registration access token, never registered again idempotently,
    /// never changed by an administrator. Only such clients are ever removed as unused,
    /// and only they cost a write on their first read.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub awaiting_first_use: bool,
    /// Idempotent registration: the key this client answers to while its metadata is the
    /// one registered (`crate::store::idempotency`); any change of the metadata drops it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_key: Option<String>,
}

fn yes() -> bool {
    true
}

/// A record as read, with the bytes it was read as: a write succeeds only if they are
/// still the stored ones.
pub struct Stored {
    pub record: ClientRecord,
    pub snapshot: Snapshot,
}

/// What the repository can fail with; each operation's error type takes it in (`From`).
#[derive(Debug, thiserror::Error)]
pub enum RepositoryError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A record that does not decode, a secret that does not open: never the caller's fault.
    #[error("{0}")]
    Broken(String),
    /// The client changed under every attempt.
    #[error("client kept changing during {0}")]
    Contended(&'static str),
}

/// The clients of one application state.
pub struct Clients<'a> {
    state: &'a AppState,
}

impl<'a> Clients<'a> {
    pub fn new(state: &'a AppState) -> Self {
        Clients { state }
    }

    /// The client `client_id`, if it exists.
    pub async fn get(&self, client_id: &str) -> Result<Option<Stored>, RepositoryError> {
        // An ID this server could not have issued (a 60,000-character path, CR/LF) is
        // not looked up at all.
        if !crate::credentials::is_client_id_shape(client_id) {
            return Ok(None);
        }
        match self.state.store.get(client_id).await? {
            Some(snapshot) => Ok(Some(Stored { record: decode(&snapshot)?, snapshot })),
            None => Ok(None),
        }
    }

    /// Stores a new client; `false` when its ID is taken.
    pub async fn create(&self, record: &ClientRecord) -> Result<bool, RepositoryError> {
        self.create_bytes(record, &encode(record)?).await
    }

    /// `create`, for a record already encoded as `bytes`.
    pub async fn create_bytes(
        &self,
        record: &ClientRecord,
        bytes: &[u8],
    ) -> Result<bool, RepositoryError> {
        Ok(self.state.store.create(&record.client_id, record.issued_at, bytes).await?)
    }

    /// Lets `change` decide the new record (and an answer) from the record of `current`, and
    /// writes it if nobody wrote in between; otherwise reads the client again through
    /// `reread` (which refuses a missing client, or one the caller may no longer touch, in
    /// the caller's terms) and decides again. A record whose bytes do not change is not
    /// written at all: it takes effect as of the read. Returns the record written and the
    /// answer.
    pub async fn modify<T, E>(
        &self,
        what: &'static str,
        mut current: Stored,
        mut reread: impl FnMut(Option<Stored>) -> Result<Stored, E>,
        mut change: impl FnMut(ClientRecord) -> Result<(ClientRecord, T), E>,
    ) -> Result<(ClientRecord, T), E>
    where
        E: From<RepositoryError>,
    {
        for attempt in 1..=MAX_ATTEMPTS {
            let Stored { record: read, snapshot } = current;
            let (record, answer) = change(read)?;
            let bytes = encode(&record)?;
            if bytes == snapshot || self.write(&record.client_id, &snapshot, &bytes).await? {
                return Ok((record, answer));
            }
            if attempt == MAX_ATTEMPTS {
                break;
            }
            current = reread(self.get(&record.client_id).await?)?;
        }
        Err(RepositoryError::Contended(what).into())
    }

    /// Deletes the client read through `admit`, retrying while it changes, then lets go of
    /// what hangs off it. Returns the record removed.
    pub async fn remove<E>(
        &self,
        client_id: &str,
        mut admit: impl FnMut(Option<Stored>) -> Result<Stored, E>,
    ) -> Result<ClientRecord, E>
    where
        E: From<RepositoryError>,
    {
        for _ in 0..MAX_ATTEMPTS {
            let current = admit(self.get(client_id).await?)?;
            if self.remove_if_unchanged(&current).await? {
                return Ok(current.record);
            }
        }
        Err(RepositoryError::Contended("delete").into())
    }

    /// Deletes the client only if it is still as read (the cleanup: a client used at that
    /// moment stays), then lets go of what hangs off it.
    pub async fn remove_if_unchanged(&self, stored: &Stored) -> Result<bool, RepositoryError> {
        let record = &stored.record;
        if !self.state.store.delete(&record.client_id, &stored.snapshot).await? {
            return Ok(false);
        }
        self.give_back_place(record.policy.as_ref()).await;
        self.forget_software_key(&record.client_id, record.software_key.as_deref()).await;
        Ok(true)
    }

    /// Writes `bytes` over `snapshot`: `false` when the stored record is no longer it.
    pub async fn write(
        &self,
        client_id: &str,
        snapshot: &[u8],
        bytes: &[u8],
    ) -> Result<bool, RepositoryError> {
        Ok(self.state.store.replace(client_id, snapshot, bytes).await?)
    }

    /// Deletes a client just created as `bytes` that must not stay (a lost idempotency
    /// race); nothing hangs off it yet.
    pub async fn discard(
        &self,
        record: &ClientRecord,
        bytes: &[u8],
    ) -> Result<(), RepositoryError> {
        self.state.store.delete(&record.client_id, bytes).await?;
        Ok(())
    }

    /// The client's secret in clear, for its holder or an administrator allowed to see it.
    pub fn open_secret(
        &self,
        record: &ClientRecord,
    ) -> Result<Option<ClientSecret>, RepositoryError> {
        let Some(sealed) = &record.secret else { return Ok(None) };
        let plain = self.state.shared.sealer.open(sealed, &record.client_id).map_err(broken)?;
        let plain = String::from_utf8(plain).map_err(broken)?;
        Ok(Some(ClientSecret::from_plaintext(plain)))
    }

    /// The secret sealed for the record of `client_id`: a sealed value moved to another
    /// record does not open.
    pub fn seal_secret(
        &self,
        secret: Option<&ClientSecret>,
        client_id: &str,
    ) -> Result<Option<String>, RepositoryError> {
        secret
            .map(|s| self.state.shared.sealer.seal(s.expose().as_bytes(), client_id))
            .transpose()
            .map_err(broken)
    }

    /// Gives a policy place back after its client is deleted or could not be stored. A lost
    /// give-back (Redis away) leaves the count one too high, which errs on the safe side.
    pub async fn give_back_place(&self, place: Option<&Place>) {
        let Some(place) = place else { return };
        if let Err(e) = self.state.shared.access.quotas.give_back(place).await {
            tracing::warn!(error = %e, policy = %place.policy, "could not give back a policy place");
        }
    }

    /// Forgets a client's idempotency key: it was deleted, or its metadata changed.
    pub async fn forget_software_key(&self, client_id: &str, key: Option<&str>) {
        let (Some(registrations), Some(key)) = (&self.state.shared.access.idempotent, key) else {
            return;
        };
        if let Err(e) = registrations.release(key, client_id).await {
            tracing::warn!(error = %e, "could not release an idempotent registration key");
        }
    }
}

/// A stored record; one that does not decode is a broken store, not a missing client.
pub fn decode(snapshot: &[u8]) -> Result<ClientRecord, RepositoryError> {
    serde_json::from_slice(snapshot).map_err(broken)
}

pub fn encode(record: &ClientRecord) -> Result<Vec<u8>, RepositoryError> {
    serde_json::to_vec(record).map_err(broken)
}

pub(crate) fn broken(e: impl std::fmt::Display) -> RepositoryError {
    RepositoryError::Broken(e.to_string())
}
