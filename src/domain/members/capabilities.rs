//! What the co-located OpenID Provider does with a client's registered settings, as the
//! operator declares it. Registrar has no authorization, token or logout endpoint of its
//! own: these flags say which registered members the OP honours, so that registration
//! refuses what would be silently ignored and discovery advertises only what is on.

use serde_json::{Map, Value};

pub use crate::domain::vocab::CibaMode;
use crate::domain::vocab::{AuthMethod, GrantType, JweAlg, JweEnc, JwsAlg};

/// The capabilities an operator turned on (see docs/metadata-registry.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// OIDC Back-Channel Logout 1.0 (Auth0's `oidc_logout`). Default on.
    pub backchannel_logout: bool,
    /// OIDC Front-Channel Logout 1.0. Default off: the settings model has no place for it.
    pub frontchannel_logout: bool,
    /// RFC 9126 pushed authorization requests. Default on.
    pub par: bool,
    /// RFC 9449 DPoP-bound access tokens. Default on.
    pub dpop: bool,
    /// RFC 8705: client certificates reach the deployment (a trusted proxy forwards them).
    /// Default off.
    pub mtls: bool,
    /// JARM: JWT-secured authorization responses. Default off.
    pub jarm: bool,
    /// RFC 9701: JWT introspection responses. Default off.
    pub introspection_jwt: bool,
    /// RFC 9396 `authorization_details_types_supported`; empty turns RAR off.
    pub authorization_details_types: Vec<String>,
    /// CIBA delivery modes; empty turns CIBA off.
    pub ciba_modes: Vec<CibaMode>,
}

impl Default for Capabilities {
    fn default() -> Self {
        Capabilities {
            backchannel_logout: true,
            frontchannel_logout: false,
            par: true,
            dpop: true,
            mtls: false,
            jarm: false,
            introspection_jwt: false,
            authorization_details_types: Vec::new(),
            ciba_modes: Vec::new(),
        }
    }
}

impl Capabilities {
    /// Everything on: for tests that exercise every member.
    pub fn all() -> Self {
        Capabilities {
            backchannel_logout: true,
            frontchannel_logout: true,
            par: true,
            dpop: true,
            mtls: true,
            jarm: true,
            introspection_jwt: true,
            authorization_details_types: vec![
                "payment_initiation".into(),
                "account_information".into(),
            ],
            ciba_modes: CibaMode::ALL.to_vec(),
        }
    }

    pub fn ciba(&self) -> bool {
        !self.ciba_modes.is_empty()
    }

    pub fn rar(&self) -> bool {
        !self.authorization_details_types.is_empty()
    }

    /// Whether registration accepts this `token_endpoint_auth_method`.
    pub fn allows_method(&self, method: AuthMethod) -> bool {
        !method.is_mtls() || self.mtls
    }

    /// Whether registration accepts this grant type.
    pub fn allows_grant(&self, grant: GrantType) -> bool {
        grant != GrantType::Ciba || self.ciba()
    }

    /// Whether a capability switch is on.
    pub fn has(&self, capability: Capability) -> bool {
        match capability {
            Capability::Core => true,
            Capability::BackchannelLogout => self.backchannel_logout,
            Capability::FrontchannelLogout => self.frontchannel_logout,
            Capability::Par => self.par,
            Capability::Dpop => self.dpop,
            Capability::Mtls => self.mtls,
            Capability::Jarm => self.jarm,
            Capability::IntrospectionJwt => self.introspection_jwt,
            Capability::Rar => self.rar(),
            Capability::Ciba => self.ciba(),
        }
    }
}

/// One operator switch, and the flag that turns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    Core,
    BackchannelLogout,
    FrontchannelLogout,
    Par,
    Dpop,
    Mtls,
    Jarm,
    IntrospectionJwt,
    Rar,
    Ciba,
}

impl Capability {
    pub const SWITCHES: &'static [Capability] = &[
        Capability::BackchannelLogout,
        Capability::FrontchannelLogout,
        Capability::Par,
        Capability::Dpop,
        Capability::Mtls,
        Capability::Jarm,
        Capability::IntrospectionJwt,
        Capability::Rar,
        Capability::Ciba,
    ];

    /// The feature's name in error messages and the docs.
    pub fn feature(self) -> &'static str {
        match self {
            Capability::Core => "core registration",
            Capability::BackchannelLogout => "back-channel logout",
            Capability::FrontchannelLogout => "front-channel logout",
            Capability::Par => "pushed authorization requests",
            Capability::Dpop => "DPoP",
            Capability::Mtls => "mutual-TLS client certificates",
            Capability::Jarm => "JWT-secured authorization responses (JARM)",
            Capability::IntrospectionJwt => "JWT introspection responses",
            Capability::Rar => "rich authorization requests",
            Capability::Ciba => "CIBA",
        }
    }

    /// The operator flag (docs/metadata-registry.md).
    pub fn flag(self) -> &'static str {
        match self {
            Capability::Core => "",
            Capability::BackchannelLogout => "--backchannel-logout",
            Capability::FrontchannelLogout => "--frontchannel-logout",
            Capability::Par => "--par",
            Capability::Dpop => "--dpop",
            Capability::Mtls => "--client-cert-header",
            Capability::Jarm => "--jarm",
            Capability::IntrospectionJwt => "--introspection-jwt",
            Capability::Rar => "--authorization-details-types",
            Capability::Ciba => "--ciba-delivery-modes",
        }
    }

    /// The server metadata this capability adds to discovery (the docs list the same).
    pub fn discovery_members(self) -> &'static [&'static str] {
        match self {
            Capability::Core => &[],
            Capability::BackchannelLogout => {
                &["backchannel_logout_supported", "backchannel_logout_session_supported"]
            }
            Capability::FrontchannelLogout => {
                &["frontchannel_logout_supported", "frontchannel_logout_session_supported"]
            }
            Capability::Par => {
                &["pushed_authorization_request_endpoint", "require_pushed_authorization_requests"]
            }
            Capability::Dpop => &["dpop_signing_alg_values_supported"],
            Capability::Mtls => &["tls_client_certificate_bound_access_tokens"],
            Capability::Jarm => &[
                "authorization_signing_alg_values_supported",
                "authorization_encryption_alg_values_supported",
                "authorization_encryption_enc_values_supported",
            ],
            Capability::IntrospectionJwt => &[
                "introspection_signing_alg_values_supported",
                "introspection_encryption_alg_values_supported",
                "introspection_encryption_enc_values_supported",
            ],
            Capability::Rar => &["authorization_details_types_supported"],
            Capability::Ciba => &[
                "backchannel_authentication_endpoint",
                "backchannel_token_delivery_modes_supported",
                "backchannel_authentication_request_signing_alg_values_supported",
                "backchannel_user_code_parameter_supported",
            ],
        }
    }
}

/// Endpoints of the co-located OP that discovery names for the capabilities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapabilityEndpoints {
    pub pushed_authorization_request: String,
    pub backchannel_authentication: String,
}

/// Asymmetric JWS algorithms: what DPoP proofs, JARM, introspection responses and CIBA
/// request objects may be signed with.
pub fn asymmetric_algs() -> Vec<&'static str> {
    JwsAlg::ALL.iter().filter(|a| a.is_asymmetric()).map(|a| a.as_str()).collect()
}

/// Lays the capabilities' server metadata over a discovery document: adds what is on,
/// and widens the lists (auth methods, grants, response modes) that an on capability
/// extends. Every capability-related discovery edit lives here.
pub fn apply_to_discovery(
    caps: &Capabilities,
    endpoints: &CapabilityEndpoints,
    doc: &mut Map<String, Value>,
) {
    let methods: Vec<&str> =
        AuthMethod::ALL.iter().filter(|m| caps.allows_method(**m)).map(|m| m.as_str()).collect();
    doc.insert("token_endpoint_auth_methods_supported".into(), methods.into());
    let grants: Vec<&str> =
        GrantType::ALL.iter().filter(|g| caps.allows_grant(**g)).map(|g| g.as_str()).collect();
    doc.insert("grant_types_supported".into(), grants.into());
    let mut put = |key: &str, value: Value| {
        doc.insert(key.into(), value);
    };
    if caps.backchannel_logout {
        put("backchannel_logout_supported", true.into());
        put("backchannel_logout_session_supported", true.into());
    }
    if caps.frontchannel_logout {
        put("frontchannel_logout_supported", true.into());
        put("frontchannel_logout_session_supported", true.into());
    }
    if caps.par {
        put(
            "pushed_authorization_request_endpoint",
            endpoints.pushed_authorization_request.clone().into(),
        );
        // Required per client (the registered member), not for every client.
        put("require_pushed_authorization_requests", false.into());
    }
    if caps.dpop {
        put("dpop_signing_alg_values_supported", asymmetric_algs().into());
    }
    if caps.mtls {
        put("tls_client_certificate_bound_access_tokens", true.into());
    }
    if caps.jarm {
        put("authorization_signing_alg_values_supported", asymmetric_algs().into());
        put("authorization_encryption_alg_values_supported", JweAlg::wire_values().into());
        put("authorization_encryption_enc_values_supported", JweEnc::wire_values().into());
    }
    if caps.introspection_jwt {
        put("introspection_signing_alg_values_supported", asymmetric_algs().into());
        put("introspection_encryption_alg_values_supported", JweAlg::wire_values().into());
        put("introspection_encryption_enc_values_supported", JweEnc::wire_values().into());
    }
    if caps.rar() {
        put(
            "authorization_details_types_supported",
            caps.authorization_details_types.clone().into(),
        );
    }
    if caps.ciba() {
        put(
            "backchannel_authentication_endpoint",
            endpoints.backchannel_authentication.clone().into(),
        );
        let modes: Vec<&str> = caps.ciba_modes.iter().map(|m| m.as_str()).collect();
        put("backchannel_token_delivery_modes_supported", modes.into());
        put(
            "backchannel_authentication_request_signing_alg_values_supported",
            asymmetric_algs().into(),
        );
        put("backchannel_user_code_parameter_supported", true.into());
    }
    if caps.jarm {
        if let Some(Value::Array(modes)) = doc.get_mut("response_modes_supported") {
            for jwt in ["jwt", "query.jwt", "fragment.jwt", "form_post.jwt"] {
                modes.push(jwt.into());
            }
        }
    }
}
