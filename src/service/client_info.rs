//! The client information response (RFC 7591 §3.2.1, RFC 7592 §3): credentials first, then
//! the stored metadata spliced in as it was registered.

use serde::Serialize;
use serde_json::value::RawValue;

use crate::credentials::{AccessToken, ClientSecret};
use crate::service::clients::{broken, ClientRecord, RepositoryError};
use crate::service::state::AppState;

/// The response body as JSON bytes, with what the audit log records about it.
pub struct ClientInformation {
    pub body: Vec<u8>,
    pub client_id: String,
    /// The name stored (after a software statement had its say), for the audit event of a
    /// registration or update; reads leave it out.
    pub client_name: Option<String>,
}

impl ClientInformation {
    pub fn with_stored_name(mut self, record: &ClientRecord) -> ClientInformation {
        #[derive(serde::Deserialize)]
        struct Named {
            client_name: Option<String>,
        }
        self.client_name = serde_json::from_str::<Named>(record.metadata.get())
            .ok()
            .and_then(|named| named.client_name);
        self
    }
}

#[derive(Serialize)]
struct Credentials<'a> {
    client_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<&'a str>,
    client_id_issued_at: i64,
    /// RFC 7591 §3.2.1: required whenever a secret is issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret_expires_at: Option<i64>,
    registration_access_token: &'a str,
    registration_client_uri: &'a str,
}

/// Credentials first, then the stored metadata object spliced in as is: the metadata JSON
/// is written once at registration and never parsed again on reads.
pub fn information(
    state: &AppState,
    record: &ClientRecord,
    secret: Option<&ClientSecret>,
    token: &AccessToken,
) -> Result<ClientInformation, RepositoryError> {
    let uri = state.shared.registration_client_uri(&record.client_id);
    let creds = Credentials {
        client_id: &record.client_id,
        client_secret: secret.map(ClientSecret::expose),
        client_id_issued_at: record.issued_at,
        client_secret_expires_at: secret.map(|_| record.secret_expires_at),
        registration_access_token: token.expose(),
        registration_client_uri: &uri,
    };
    let metadata = record.metadata.get();
    // Sized for the whole response up front: growing it step by step showed in callgrind.
    let mut out = Vec::with_capacity(metadata.len() + 512);
    serde_json::to_writer(&mut out, &creds).map_err(broken)?;
    // `out` ends with `}` and the metadata is an object `{...}`: join the two.
    let inner = metadata.trim().trim_start_matches('{');
    if !inner.trim_start().starts_with('}') {
        out.pop();
        out.push(b',');
        out.extend_from_slice(inner.as_bytes());
    }
    Ok(ClientInformation { body: out, client_id: record.client_id.clone(), client_name: None })
}

/// Serializes once into the raw JSON stored and returned.
pub fn to_raw<T: Serialize>(value: &T) -> Result<Box<RawValue>, RepositoryError> {
    serde_json::value::to_raw_value(value).map_err(broken)
}
