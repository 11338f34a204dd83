//! Operator flags for what the co-located OpenID Provider does with registered settings
//! (docs/metadata-registry.md). Registrar has no authorization, token or logout endpoint
//! of its own, so these declare the OP's features: registration refuses the members of
//! a feature that is off, and discovery advertises only what is on.

use clap::{ArgAction, Args};

use crate::domain::client_ip::TrustedProxies;
use crate::domain::members::capabilities::CapabilityEndpoints;
use crate::domain::members::Capabilities;
use crate::domain::vocab::CibaMode;

#[derive(Debug, Clone, Args)]
pub struct CapabilityArgs {
    /// OIDC Back-Channel Logout: clients may register backchannel_logout_uri (Auth0's
    /// oidc_logout). `false` refuses it and stops advertising backchannel_logout_supported.
    #[arg(long, env = "REGISTRAR_BACKCHANNEL_LOGOUT", default_value_t = true, action = ArgAction::Set, help_heading = crate::app::cli_help::heading::CAPABILITIES)]
    pub backchannel_logout: bool,
    /// OIDC Front-Channel Logout: clients may register frontchannel_logout_uri. Off by
    /// default: the Auth0 client model has no front-channel logout setting.
    #[arg(long, env = "REGISTRAR_FRONTCHANNEL_LOGOUT", default_value_t = false, action = ArgAction::Set, help_heading = crate::app::cli_help::heading::CAPABILITIES)]
    pub frontchannel_logout: bool,
    /// RFC 9126 pushed authorization requests: clients may register
    /// require_pushed_authorization_requests true.
    #[arg(long, env = "REGISTRAR_PAR", default_value_t = true, action = ArgAction::Set, help_heading = crate::app::cli_help::heading::CAPABILITIES)]
    pub par: bool,
    /// pushed_authorization_request_endpoint advertised with --par. Default: issuer + /oauth/par.
    #[arg(long, env = "REGISTRAR_PUSHED_AUTHORIZATION_REQUEST_ENDPOINT", help_heading = crate::app::cli_help::heading::CAPABILITIES)]
    pub pushed_authorization_request_endpoint: Option<String>,
    /// RFC 9449 DPoP: clients may register dpop_bound_access_tokens true.
    #[arg(long, env = "REGISTRAR_DPOP", default_value_t = true, action = ArgAction::Set, help_heading = crate::app::cli_help::heading::CAPABILITIES)]
    pub dpop: bool,
    /// Header in which a trusted proxy (--trusted-proxies) forwards the client's TLS
    /// certificate. Setting it turns on mutual TLS (RFC 8705): tls_client_auth,
    /// self_signed_tls_client_auth and certificate-bound tokens. Unset: refused.
    #[arg(long, env = "REGISTRAR_CLIENT_CERT_HEADER", help_heading = crate::app::cli_help::heading::CAPABILITIES)]
    pub client_cert_header: Option<String>,
    /// JARM: clients may register authorization_signed_response_alg and its encryption.
    #[arg(long, env = "REGISTRAR_JARM", default_value_t = false, action = ArgAction::Set, help_heading = crate::app::cli_help::heading::CAPABILITIES)]
    pub jarm: bool,
    /// RFC 9701: clients may register introspection_signed_response_alg and its encryption.
    #[arg(long, env = "REGISTRAR_INTROSPECTION_JWT", default_value_t = false, action = ArgAction::Set, help_heading = crate::app::cli_help::heading::CAPABILITIES)]
    pub introspection_jwt: bool,
    /// RFC 9396 authorization_details types the OP understands, comma-separated. Unset:
    /// authorization_details_types is refused.
    #[arg(long, env = "REGISTRAR_AUTHORIZATION_DETAILS_TYPES", value_delimiter = ',', help_heading = crate::app::cli_help::heading::CAPABILITIES)]
    pub authorization_details_types: Vec<String>,
    /// CIBA token delivery modes the OP offers (poll, ping, push), comma-separated. Unset:
    /// the CIBA grant and its members are refused.
    #[arg(long, env = "REGISTRAR_CIBA_DELIVERY_MODES", value_delimiter = ',', value_parser = parse_mode, help_heading = crate::app::cli_help::heading::CAPABILITIES)]
    pub ciba_delivery_modes: Vec<CibaMode>,
    /// backchannel_authentication_endpoint advertised with CIBA. Default: issuer + /bc-authorize.
    #[arg(long, env = "REGISTRAR_BACKCHANNEL_AUTHENTICATION_ENDPOINT", help_heading = crate::app::cli_help::heading::CAPABILITIES)]
    pub backchannel_authentication_endpoint: Option<String>,
}

/// The checked flags: capabilities for registration, endpoints for discovery.
#[derive(Debug, Clone, Default)]
pub struct CapabilitySettings {
    pub pushed_authorization_request_endpoint: Option<String>,
    pub backchannel_authentication_endpoint: Option<String>,
    /// Lower-cased; honoured only from a trusted proxy.
    pub client_cert_header: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CapabilityError {
    #[error("--client-cert-header needs --trusted-proxies: the header is honoured only from them")]
    CertHeaderWithoutProxies,
    #[error("--client-cert-header must be an HTTP header name")]
    CertHeaderName,
    #[error("--authorization-details-types: types must be non-empty")]
    EmptyDetailsType,
}

impl CapabilityArgs {
    pub fn check(
        self,
        proxies: &TrustedProxies,
    ) -> Result<(Capabilities, CapabilitySettings), CapabilityError> {
        let header = self.client_cert_header.map(|h| h.to_ascii_lowercase());
        if let Some(name) = &header {
            if actix_web::http::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
                return Err(CapabilityError::CertHeaderName);
            }
            if proxies.ranges.is_empty() {
                return Err(CapabilityError::CertHeaderWithoutProxies);
            }
        }
        if self.authorization_details_types.iter().any(|t| t.trim().is_empty()) {
            return Err(CapabilityError::EmptyDetailsType);
        }
        let mut modes = self.ciba_delivery_modes;
        modes.dedup();
        let caps = Capabilities {
            backchannel_logout: self.backchannel_logout,
            frontchannel_logout: self.frontchannel_logout,
            par: self.par,
            dpop: self.dpop,
            mtls: header.is_some(),
            jarm: self.jarm,
            introspection_jwt: self.introspection_jwt,
            authorization_details_types: self.authorization_details_types,
            ciba_modes: modes,
        };
        let settings = CapabilitySettings {
            pushed_authorization_request_endpoint: self.pushed_authorization_request_endpoint,
            backchannel_authentication_endpoint: self.backchannel_authentication_endpoint,
            client_cert_header: header,
        };
        Ok((caps, settings))
    }
}

impl CapabilitySettings {
    /// The endpoints discovery names, defaulting under the issuer (Auth0's paths).
    pub fn endpoints(&self, issuer: &str) -> CapabilityEndpoints {
        let or = |set: &Option<String>, path: &str| {
            set.clone().unwrap_or_else(|| format!("{issuer}{path}"))
        };
        CapabilityEndpoints {
            pushed_authorization_request: or(
                &self.pushed_authorization_request_endpoint,
                "/oauth/par",
            ),
            backchannel_authentication: or(
                &self.backchannel_authentication_endpoint,
                "/bc-authorize",
            ),
        }
    }
}

fn parse_mode(text: &str) -> Result<CibaMode, String> {
    CibaMode::parse(text.trim())
        .ok_or_else(|| format!("{text}: the CIBA modes are poll, ping, push"))
}
