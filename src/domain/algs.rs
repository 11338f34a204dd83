//! Signing and encryption choices read from metadata members (OIDC DCR §2, JARM §3,
//! RFC 9701 §6): a JWS `alg`, or a JWE `alg` with its `enc`.

use super::fields::Fields;
use super::vocab::{JweAlg, JweEnc, JwsAlg, DEFAULT_ENC};
use super::MetadataError;

/// An encryption choice: `*_encrypted_response_alg` with its `_enc`.
pub type Encryption = (JweAlg, JweEnc);

pub fn unsupported(field: &str, supported: &[&str]) -> MetadataError {
    MetadataError::field(field, format!("unsupported value; supported: {}", supported.join(", ")))
}

pub fn jws(f: &Fields<'_>, field: &str) -> Result<Option<JwsAlg>, MetadataError> {
    f.string(field)?
        .map(|v| JwsAlg::parse(v).ok_or_else(|| unsupported(field, &JwsAlg::wire_values())))
        .transpose()
}

/// OIDC DCR §2: `_enc` needs its `_alg`, and defaults to A128CBC-HS256 when only the
/// `_alg` is sent. Asymmetric key management encrypts to the client's own keys.
pub fn encryption(
    f: &Fields<'_>,
    prefix: &str,
    has_keys: bool,
) -> Result<Option<Encryption>, MetadataError> {
    let (alg_field, enc_field) = (format!("{prefix}_alg"), format!("{prefix}_enc"));
    let alg = f
        .string(&alg_field)?
        .map(|v| JweAlg::parse(v).ok_or_else(|| unsupported(&alg_field, &JweAlg::wire_values())))
        .transpose()?;
    let enc = f
        .string(&enc_field)?
        .map(|v| JweEnc::parse(v).ok_or_else(|| unsupported(&enc_field, &JweEnc::wire_values())))
        .transpose()?;
    match (alg, enc) {
        (None, None) => Ok(None),
        (None, Some(_)) => Err(MetadataError::field(&enc_field, format!("needs {alg_field}"))),
        (Some(alg), enc) => {
            if !alg.is_symmetric() && !has_keys {
                return Err(MetadataError::field(
                    &alg_field,
                    format!("{alg} needs jwks or jwks_uri"),
                ));
            }
            Ok(Some((alg, enc.unwrap_or(DEFAULT_ENC))))
        }
    }
}
