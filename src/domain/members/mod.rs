//! The registry members beyond RFC 7591 and OIDC DCR: logout (front- and back-channel),
//! PAR, DPoP, mutual TLS, JAR, JARM, RAR, CIBA and JWT introspection. Each is validated
//! with its spec's rules, kept in the registered metadata (so RFC 7592 reads and replaces
//! carry it) and echoed; members of a capability the operator turned off are refused,
//! never dropped. `registry` lists every member of the IANA registry with its status.

use serde_json::{Map, Value};

use super::algs::{encryption, jws, Encryption};
use super::fields::{parse_each, Fields};
use super::uri::{check_https_uri, CheckedUri};
use super::vocab::{AuthMethod, GrantType, JwsAlg, DEFAULT_ID_TOKEN_ALG};
use super::MetadataError;

pub mod capabilities;
mod ciba;
pub mod mtls;
pub mod registry;
pub mod settings;

pub use capabilities::{Capabilities, Capability};
use ciba::Ciba;
use mtls::TlsSubject;

/// What the core parse already decided, which these members' rules depend on.
pub struct Context<'a> {
    pub caps: &'a Capabilities,
    pub method: AuthMethod,
    pub has_keys: bool,
    pub grants: &'a [GrantType],
    pub redirect_uris: &'a [CheckedUri],
    pub request_object_signing_alg: Option<JwsAlg>,
}

/// The verified extension members; `None` means not registered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extensions {
    pub backchannel_logout_uri: Option<CheckedUri>,
    pub backchannel_logout_session_required: Option<bool>,
    pub frontchannel_logout_uri: Option<CheckedUri>,
    pub frontchannel_logout_session_required: Option<bool>,
    pub require_pushed_authorization_requests: Option<bool>,
    pub dpop_bound_access_tokens: Option<bool>,
    pub tls_client_certificate_bound_access_tokens: Option<bool>,
    pub tls_subject: Option<TlsSubject>,
    pub use_mtls_endpoint_aliases: Option<bool>,
    pub require_signed_request_object: Option<bool>,
    pub authorization_signed_response_alg: Option<JwsAlg>,
    pub authorization_encryption: Option<Encryption>,
    pub authorization_details_types: Vec<String>,
    pub introspection_signed_response_alg: Option<JwsAlg>,
    pub introspection_encryption: Option<Encryption>,
    ciba: Option<Ciba>,
}

/// Longest `authorization_details_types` entry.
const MAX_TYPE_CHARS: usize = 255;

impl Extensions {
    pub fn parse(f: &Fields<'_>, cx: &Context<'_>) -> Result<Self, MetadataError> {
        let caps = cx.caps;
        let backchannel_logout_uri =
            gated_uri(f, "backchannel_logout_uri", caps, Capability::BackchannelLogout)?
                .map(|raw| check_https_uri(raw, false))
                .transpose()
                .map_err(|why| MetadataError::field("backchannel_logout_uri", why))?;
        let frontchannel_logout_uri =
            gated_uri(f, "frontchannel_logout_uri", caps, Capability::FrontchannelLogout)?
                .map(|raw| frontchannel_uri(raw, cx.redirect_uris))
                .transpose()
                .map_err(|why| MetadataError::field("frontchannel_logout_uri", why))?;
        let out = Extensions {
            backchannel_logout_session_required: companion_flag(
                f,
                "backchannel_logout_session_required",
                "backchannel_logout_uri",
                backchannel_logout_uri.is_some(),
            )?,
            frontchannel_logout_session_required: companion_flag(
                f,
                "frontchannel_logout_session_required",
                "frontchannel_logout_uri",
                frontchannel_logout_uri.is_some(),
            )?,
            backchannel_logout_uri,
            frontchannel_logout_uri,
            require_pushed_authorization_requests: gated_flag(
                f,
                "require_pushed_authorization_requests",
                caps,
                Capability::Par,
            )?,
            dpop_bound_access_tokens: gated_flag(
                f,
                "dpop_bound_access_tokens",
                caps,
                Capability::Dpop,
            )?,
            tls_client_certificate_bound_access_tokens: gated_flag(
                f,
                "tls_client_certificate_bound_access_tokens",
                caps,
                Capability::Mtls,
            )?,
            tls_subject: mtls::read_subject(f, cx.method, cx.has_keys)?,
            use_mtls_endpoint_aliases: read_mtls_aliases(f)?,
            require_signed_request_object: read_require_signed(f, cx.request_object_signing_alg)?,
            authorization_signed_response_alg: None,
            authorization_encryption: None,
            authorization_details_types: read_detail_types(f, caps)?,
            introspection_signed_response_alg: None,
            introspection_encryption: None,
            ciba: ciba::read(f, cx)?,
        };
        let (authorization_signed_response_alg, authorization_encryption) =
            signed_and_encrypted(f, "authorization", caps, Capability::Jarm, cx.has_keys)?;
        let (introspection_signed_response_alg, introspection_encryption) = signed_and_encrypted(
            f,
            "introspection",
            caps,
            Capability::IntrospectionJwt,
            cx.has_keys,
        )?;
        Ok(Extensions {
            // JARM §3: a signed response defaults to RS256 once any JARM member is sent.
            authorization_signed_response_alg: authorization_signed_response_alg
                .or(authorization_encryption.map(|_| DEFAULT_ID_TOKEN_ALG)),
            authorization_encryption,
            introspection_signed_response_alg,
            introspection_encryption,
            ..out
        })
    }

    /// Whether the registration needs the client secret for these members (symmetric
    /// JARM or introspection encryption is keyed with it, OIDC Core §10.2).
    pub fn needs_secret(&self) -> bool {
        let symmetric_sig =
            [self.authorization_signed_response_alg, self.introspection_signed_response_alg]
                .into_iter()
                .flatten()
                .any(JwsAlg::is_symmetric);
        let symmetric_enc = [self.authorization_encryption, self.introspection_encryption]
            .into_iter()
            .flatten()
            .any(|(alg, _)| alg.is_symmetric());
        symmetric_sig || symmetric_enc
    }

    /// Writes the registered members into the response/stored metadata.
    pub fn write(&self, out: &mut Map<String, Value>) {
        let mut put = |key: &str, value: Option<Value>| {
            if let Some(v) = value {
                out.insert(key.into(), v);
            }
        };
        let uri = |u: &Option<CheckedUri>| u.as_ref().map(|u| Value::from(u.as_str()));
        put("backchannel_logout_uri", uri(&self.backchannel_logout_uri));
        put(
            "backchannel_logout_session_required",
            self.backchannel_logout_session_required.map(Value::from),
        );
        put("frontchannel_logout_uri", uri(&self.frontchannel_logout_uri));
        put(
            "frontchannel_logout_session_required",
            self.frontchannel_logout_session_required.map(Value::from),
        );
        put(
            "require_pushed_authorization_requests",
            self.require_pushed_authorization_requests.map(Value::from),
        );
        put("dpop_bound_access_tokens", self.dpop_bound_access_tokens.map(Value::from));
        put(
            "tls_client_certificate_bound_access_tokens",
            self.tls_client_certificate_bound_access_tokens.map(Value::from),
        );
        if let Some(subject) = &self.tls_subject {
            put(subject.member(), Some(subject.value().into()));
        }
        put("use_mtls_endpoint_aliases", self.use_mtls_endpoint_aliases.map(Value::from));
        put("require_signed_request_object", self.require_signed_request_object.map(Value::from));
        put(
            "authorization_signed_response_alg",
            self.authorization_signed_response_alg.map(|a| a.as_str().into()),
        );
        put(
            "introspection_signed_response_alg",
            self.introspection_signed_response_alg.map(|a| a.as_str().into()),
        );
        for (prefix, enc) in [
            ("authorization_encrypted_response", self.authorization_encryption),
            ("introspection_encrypted_response", self.introspection_encryption),
        ] {
            if let Some((alg, enc)) = enc {
                put(&format!("{prefix}_alg"), Some(alg.as_str().into()));
                put(&format!("{prefix}_enc"), Some(enc.as_str().into()));
            }
        }
        if !self.authorization_details_types.is_empty() {
            put(
                "authorization_details_types",
                Some(Value::from_iter(self.authorization_details_types.iter().map(String::as_str))),
            );
        }
        if let Some(ciba) = &self.ciba {
            ciba.write(out);
        }
    }
}

fn off(field: &str, capability: Capability) -> MetadataError {
    MetadataError::field(field, format!("{} is not enabled on this server", capability.feature()))
}

/// A URI member of a capability: refused when the capability is off.
fn gated_uri<'a>(
    f: &Fields<'a>,
    field: &str,
    caps: &Capabilities,
    capability: Capability,
) -> Result<Option<&'a str>, MetadataError> {
    let raw = f.string(field)?;
    if raw.is_some() && !caps.has(capability) {
        return Err(off(field, capability));
    }
    Ok(raw)
}

/// A boolean member turning on a capability: `true` is refused when it is off, `false`
/// (the default, asking for nothing) is kept.
fn gated_flag(
    f: &Fields<'_>,
    field: &str,
    caps: &Capabilities,
    capability: Capability,
) -> Result<Option<bool>, MetadataError> {
    let value = f.boolean(field)?;
    if value == Some(true) && !caps.has(capability) {
        return Err(off(field, capability));
    }
    Ok(value)
}

/// A boolean that qualifies another member and means nothing without it.
fn companion_flag(
    f: &Fields<'_>,
    field: &str,
    needs: &str,
    present: bool,
) -> Result<Option<bool>, MetadataError> {
    let value = f.boolean(field)?;
    if value.is_some() && !present {
        return Err(MetadataError::field(field, format!("needs {needs}")));
    }
    Ok(value)
}

/// OIDC Front-Channel Logout 1.0 §2: absolute, no fragment, and the scheme, host and port
/// of a registered redirect URI.
fn frontchannel_uri(raw: &str, redirects: &[CheckedUri]) -> Result<CheckedUri, &'static str> {
    let uri = CheckedUri::parse(raw)?;
    if uri.has_fragment() {
        return Err("URI must not contain a fragment");
    }
    if !uri.is_https() && !uri.is_http() {
        return Err("URI must use https or http");
    }
    let origin = uri.origin();
    if origin.is_none() || !redirects.iter().any(|r| r.origin() == origin) {
        return Err("scheme, host and port must be those of a registered redirect URI");
    }
    Ok(uri)
}

/// FAPI 2.0 §5.2.2.1.1: this deployment publishes no `mtls_endpoint_aliases`, so it
/// cannot honour `true`; `false` asks for nothing and is kept.
fn read_mtls_aliases(f: &Fields<'_>) -> Result<Option<bool>, MetadataError> {
    let value = f.boolean("use_mtls_endpoint_aliases")?;
    if value == Some(true) {
        return Err(MetadataError::field(
            "use_mtls_endpoint_aliases",
            "this server publishes no mtls_endpoint_aliases",
        ));
    }
    Ok(value)
}

/// RFC 9101 §10.5: a required request object is a signed one, so `none` contradicts it.
fn read_require_signed(
    f: &Fields<'_>,
    signing: Option<JwsAlg>,
) -> Result<Option<bool>, MetadataError> {
    let value = f.boolean("require_signed_request_object")?;
    if value == Some(true) && signing == Some(JwsAlg::None) {
        return Err(MetadataError::field(
            "require_signed_request_object",
            "cannot be true with request_object_signing_alg none",
        ));
    }
    Ok(value)
}

/// RFC 9396 §10: an array of type strings, each one the server supports.
fn read_detail_types(f: &Fields<'_>, caps: &Capabilities) -> Result<Vec<String>, MetadataError> {
    let field = "authorization_details_types";
    let Some(values) = f.strings(field)? else { return Ok(Vec::new()) };
    if !caps.rar() {
        return Err(off(field, Capability::Rar));
    }
    let mut out: Vec<String> = Vec::new();
    for value in parse_each(field, &values, |v| Ok(v.to_owned()), MetadataError::field)? {
        if value.chars().count() > MAX_TYPE_CHARS {
            return Err(MetadataError::field(
                field,
                format!("types have at most {MAX_TYPE_CHARS} characters"),
            ));
        }
        if !caps.authorization_details_types.contains(&value) {
            return Err(MetadataError::field(
                field,
                format!(
                    "unsupported type; supported: {}",
                    caps.authorization_details_types.join(", ")
                ),
            ));
        }
        if !out.contains(&value) {
            out.push(value);
        }
    }
    Ok(out)
}

/// `{prefix}_signed_response_alg` with `{prefix}_encrypted_response_alg`/`_enc` (JARM §3,
/// RFC 9701 §6): refused when the capability is off; `none` is no signature.
fn signed_and_encrypted(
    f: &Fields<'_>,
    prefix: &str,
    caps: &Capabilities,
    capability: Capability,
    has_keys: bool,
) -> Result<(Option<JwsAlg>, Option<Encryption>), MetadataError> {
    let signed_field = format!("{prefix}_signed_response_alg");
    let enc_prefix = format!("{prefix}_encrypted_response");
    let members = [signed_field.clone(), format!("{enc_prefix}_alg"), format!("{enc_prefix}_enc")];
    if let Some(sent) = members.iter().find(|m| f.has(m)) {
        if !caps.has(capability) {
            return Err(off(sent, capability));
        }
    }
    let signed = jws(f, &signed_field)?;
    if signed == Some(JwsAlg::None) {
        return Err(MetadataError::field(&signed_field, "none is not a signature"));
    }
    Ok((signed, encryption(f, &enc_prefix, has_keys)?))
}

#[cfg(test)]
mod tests;
