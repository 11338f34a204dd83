//! A stand-in client record for RFC 7592 requests naming a client that does not exist.
//! An unknown `client_id` must cost what a known one with a wrong token costs (the same
//! record parse, the same hash and comparison), or response times tell which ids exist
//! (RFC 7592 §2.1: nothing to enumerate).

use std::sync::LazyLock;

use serde_json::value::RawValue;

use super::clients::ClientRecord;
use crate::credentials::AccessToken;
use crate::domain::settings::AdminSettings;

/// The metadata a minimal self-registered web client stores.
const METADATA: &str = r#"{"redirect_uris":["https://rp.example/cb"],"token_endpoint_auth_method":"client_secret_basic","grant_types":["authorization_code"],"response_types":["code"],"application_type":"web","subject_type":"public","id_token_signed_response_alg":"RS256","require_auth_time":false}"#;

static DECOY: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let record = ClientRecord {
        client_id: "A".repeat(crate::credentials::CLIENT_ID_CHARS),
        rat: Some(AccessToken::from_presented("d".repeat(43)).hash()),
        // As long as a sealed 64-character secret.
        secret: Some("s".repeat(124)),
        issued_at: 1_700_000_000,
        secret_expires_at: 0,
        manageable: true,
        metadata: RawValue::from_string(METADATA.to_owned()).expect("valid JSON"),
        admin: AdminSettings::default(),
        policy: None,
        awaiting_first_use: false,
        software_key: None,
    };
    serde_json::to_vec(&record).expect("a record serializes")
});

/// Does what checking `token` against a stored record does; the outcome is discarded.
pub fn check_against_nothing(token: &AccessToken) {
    let record: Option<ClientRecord> = serde_json::from_slice(std::hint::black_box(&DECOY)).ok();
    std::hint::black_box(record.and_then(|r| r.rat).is_some_and(|rat| rat.verify(token)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_decoy_is_a_record_whose_token_check_runs_and_fails() {
        let record: ClientRecord = serde_json::from_slice(&DECOY).expect("the decoy parses");
        let token = AccessToken::from_presented("w".repeat(43));
        assert!(record.rat.is_some_and(|rat| !rat.verify(&token)));
    }
}
