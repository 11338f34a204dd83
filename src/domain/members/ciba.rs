//! OpenID Connect CIBA Core 1.0 §4 client metadata: how tokens reach the client, and how
//! it signs authentication requests. Only for clients that register the CIBA grant.

use serde_json::{Map, Value};

use super::{off, Capability, Context};
use crate::domain::algs::jws;
use crate::domain::fields::Fields;
use crate::domain::uri::{check_https_uri, CheckedUri};
use crate::domain::vocab::{CibaMode, GrantType, JwsAlg};
use crate::domain::MetadataError;

pub const MEMBERS: [&str; 4] = [
    "backchannel_token_delivery_mode",
    "backchannel_client_notification_endpoint",
    "backchannel_authentication_request_signing_alg",
    "backchannel_user_code_parameter",
];

#[derive(Debug, Clone, PartialEq)]
pub struct Ciba {
    mode: CibaMode,
    notification_endpoint: Option<CheckedUri>,
    signing_alg: Option<JwsAlg>,
    user_code_parameter: Option<bool>,
}

pub fn read(f: &Fields<'_>, cx: &Context<'_>) -> Result<Option<Ciba>, MetadataError> {
    let sent = MEMBERS.iter().find(|m| f.has(m));
    if let Some(member) = sent {
        if !cx.caps.ciba() {
            return Err(off(member, Capability::Ciba));
        }
    }
    if !cx.grants.contains(&GrantType::Ciba) {
        return match sent {
            Some(member) => Err(MetadataError::field(
                member,
                format!("needs the {} grant in grant_types", GrantType::Ciba),
            )),
            None => Ok(None),
        };
    }
    let field = MEMBERS[0];
    let supported = || {
        let modes: Vec<&str> = cx.caps.ciba_modes.iter().map(|m| m.as_str()).collect();
        MetadataError::field(field, format!("unsupported value; supported: {}", modes.join(", ")))
    };
    let mode = match f.string(field)? {
        None => return Err(MetadataError::field(field, "required with the CIBA grant")),
        Some(v) => {
            CibaMode::parse(v).filter(|m| cx.caps.ciba_modes.contains(m)).ok_or_else(supported)?
        }
    };
    let endpoint_field = MEMBERS[1];
    let notification_endpoint = f
        .string(endpoint_field)?
        .map(|raw| check_https_uri(raw, false))
        .transpose()
        .map_err(|why| MetadataError::field(endpoint_field, why))?;
    match (mode, &notification_endpoint) {
        (CibaMode::Ping | CibaMode::Push, None) => {
            return Err(MetadataError::field(
                endpoint_field,
                format!("required with the {mode} mode"),
            ))
        }
        (CibaMode::Poll, Some(_)) => {
            return Err(MetadataError::field(endpoint_field, "only with the ping or push mode"))
        }
        _ => {}
    }
    let alg_field = MEMBERS[2];
    let signing_alg = jws(f, alg_field)?;
    if let Some(alg) = signing_alg {
        if !alg.is_asymmetric() {
            return Err(MetadataError::field(alg_field, "must be an asymmetric algorithm"));
        }
        if !cx.has_keys {
            return Err(MetadataError::field(alg_field, "signed requests need jwks or jwks_uri"));
        }
    }
    Ok(Some(Ciba {
        mode,
        notification_endpoint,
        signing_alg,
        user_code_parameter: f.boolean(MEMBERS[3])?,
    }))
}

impl Ciba {
    pub fn write(&self, out: &mut Map<String, Value>) {
        out.insert(MEMBERS[0].into(), self.mode.as_str().into());
        if let Some(uri) = &self.notification_endpoint {
            out.insert(MEMBERS[1].into(), uri.as_str().into());
        }
        if let Some(alg) = self.signing_alg {
            out.insert(MEMBERS[2].into(), alg.as_str().into());
        }
        if let Some(flag) = self.user_code_parameter {
            out.insert(MEMBERS[3].into(), flag.into());
        }
    }
}
