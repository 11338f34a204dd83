//! Every member of the IANA "OAuth Dynamic Client Registration Metadata" registry (as of
//! its 2025 revision), plus the CIBA and JARM members the registry does not hold, with
//! what this server does with each. docs/metadata-registry.md is rendered from this table
//! and a test keeps the two, the parser and discovery in agreement.

use super::Capability;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Validated, stored, echoed, kept through RFC 7592 (refused when its capability is off).
    Supported,
    /// Refused with `invalid_client_metadata` (the reason says which values).
    Refused,
    /// Accepted and not kept; the response shows it is gone. The reason says why.
    Ignored,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Supported => "supported",
            Status::Refused => "refused",
            Status::Ignored => "ignored",
        }
    }
}

pub struct Member {
    pub name: &'static str,
    pub spec: &'static str,
    pub status: Status,
    pub capability: Capability,
    /// The validation rules applied.
    pub rules: &'static str,
    /// Where it lands in the settings model (the management API view).
    pub setting: &'static str,
    pub reason: &'static str,
}

const fn m(
    name: &'static str,
    spec: &'static str,
    status: Status,
    capability: Capability,
    rules: &'static str,
    setting: &'static str,
    reason: &'static str,
) -> Member {
    Member { name, spec, status, capability, rules, setting, reason }
}

use Capability as C;
use Status::{Ignored as I, Refused as R, Supported as S};

const CLIENT_METADATA: &str = "client_metadata";
const NONE: &str = "-";
const SERVER: &str = "Issued by the server: a value in the request is ignored and the response carries the server's own (RFC 7591 §3.2.1, RFC 7592 §2.2).";

pub const REGISTRY: &[Member] = &[
    m("redirect_uris", "RFC 7591 §2", S, C::Core, "array of absolute URIs, no fragment, no wildcard; web: https (http on loopback), native: private-use scheme or loopback", "callbacks, allowed_origins", NONE),
    m("token_endpoint_auth_method", "RFC 7591 §2", S, C::Core, "one of token_endpoint_auth_methods_supported; tls_client_auth and self_signed_tls_client_auth only with --client-cert-header", "token_endpoint_auth_method / client_authentication_methods", NONE),
    m("grant_types", "RFC 7591 §2", S, C::Core, "from grant_types_supported, consistent with response_types; the CIBA grant only with --ciba-delivery-modes", "grant_types", NONE),
    m("response_types", "RFC 7591 §2", S, C::Core, "code, id_token, token combinations or none; each needs its grant", "(derived from grant_types)", NONE),
    m("client_name", "RFC 7591 §2", S, C::Core, "text up to 255 characters, no control characters, no < >; #language-tag variants", "name", NONE),
    m("client_uri", "RFC 7591 §2", S, C::Core, "https URI (http on loopback); #language-tag variants", CLIENT_METADATA, NONE),
    m("logo_uri", "RFC 7591 §2", S, C::Core, "https URI (http on loopback); #language-tag variants", "logo_uri", NONE),
    m("scope", "RFC 7591 §2", S, C::Core, "RFC 6749 scope tokens; those outside scopes_supported are dropped", NONE, NONE),
    m("contacts", "RFC 7591 §2", S, C::Core, "array of e-mail addresses", NONE, NONE),
    m("tos_uri", "RFC 7591 §2", S, C::Core, "https URI (http on loopback); #language-tag variants", CLIENT_METADATA, NONE),
    m("policy_uri", "RFC 7591 §2", S, C::Core, "https URI (http on loopback); #language-tag variants", CLIENT_METADATA, NONE),
    m("jwks_uri", "RFC 7591 §2", S, C::Core, "https URI; not with jwks", NONE, NONE),
    m("jwks", "RFC 7591 §2", S, C::Core, "public JWK Set; not with jwks_uri", "client_authentication_methods.private_key_jwt.credentials", NONE),
    m("software_id", "RFC 7591 §2", S, C::Core, "text up to 255 characters", CLIENT_METADATA, NONE),
    m("software_version", "RFC 7591 §2", S, C::Core, "text up to 255 characters", CLIENT_METADATA, NONE),
    m("client_id", "RFC 7591 §3.2.1", I, C::Core, NONE, "client_id", SERVER),
    m("client_secret", "RFC 7591 §3.2.1", I, C::Core, NONE, "client_secret", SERVER),
    m("client_id_issued_at", "RFC 7591 §3.2.1", I, C::Core, NONE, NONE, SERVER),
    m("client_secret_expires_at", "RFC 7591 §3.2.1", I, C::Core, NONE, NONE, SERVER),
    m("registration_access_token", "RFC 7592 §3", I, C::Core, NONE, NONE, SERVER),
    m("registration_client_uri", "RFC 7592 §3", I, C::Core, NONE, NONE, SERVER),
    m("application_type", "OIDC DCR §2", S, C::Core, "web or native", "app_type, client_metadata", NONE),
    m("sector_identifier_uri", "OIDC DCR §2, §5", S, C::Core, "https URI fetched through the guarded fetcher; must list every redirect URI", NONE, NONE),
    m("subject_type", "OIDC DCR §2", S, C::Core, "public or pairwise; pairwise over several hosts needs sector_identifier_uri", CLIENT_METADATA, NONE),
    m("id_token_signed_response_alg", "OIDC DCR §2", S, C::Core, "JWS alg; none only without ID tokens from the authorization endpoint", "jwt_configuration.alg", NONE),
    m("id_token_encrypted_response_alg", "OIDC DCR §2", S, C::Core, "JWE alg; asymmetric needs jwks or jwks_uri", NONE, NONE),
    m("id_token_encrypted_response_enc", "OIDC DCR §2", S, C::Core, "JWE enc; needs its _alg; defaults to A128CBC-HS256", NONE, NONE),
    m("userinfo_signed_response_alg", "OIDC DCR §2", S, C::Core, "JWS alg, not none", NONE, NONE),
    m("userinfo_encrypted_response_alg", "OIDC DCR §2", S, C::Core, "JWE alg; asymmetric needs jwks or jwks_uri", NONE, NONE),
    m("userinfo_encrypted_response_enc", "OIDC DCR §2", S, C::Core, "JWE enc; needs its _alg", NONE, NONE),
    m("request_object_signing_alg", "OIDC DCR §2", S, C::Core, "JWS alg; asymmetric needs jwks or jwks_uri", NONE, NONE),
    m("request_object_encryption_alg", "OIDC DCR §2", S, C::Core, "JWE alg", NONE, NONE),
    m("request_object_encryption_enc", "OIDC DCR §2", S, C::Core, "JWE enc; needs its _alg", NONE, NONE),
    m("token_endpoint_auth_signing_alg", "OIDC DCR §2", S, C::Core, "JWS alg fitting the auth method, not none", NONE, NONE),
    m("default_max_age", "OIDC DCR §2", S, C::Core, "non-negative integer", NONE, NONE),
    m("require_auth_time", "OIDC DCR §2", S, C::Core, "boolean", NONE, NONE),
    m("default_acr_values", "OIDC DCR §2", S, C::Core, "array of strings", NONE, NONE),
    m("initiate_login_uri", "OIDC DCR §2", S, C::Core, "https URI", "initiate_login_uri", NONE),
    m("request_uris", "OIDC DCR §2", S, C::Core, "array of https URIs (fragment allowed)", NONE, NONE),
    m("claims_redirect_uris", "UMA 2.0 Grant §2", I, C::Core, NONE, NONE, "UMA claims gathering needs the UMA grant, which grant_types refuses, so the member could never apply."),
    m("nfv_token_signed_response_alg", "ETSI GS NFV-SEC 022", I, C::Core, NONE, NONE, "The co-located OP issues no NFV tokens."),
    m("nfv_token_encrypted_response_alg", "ETSI GS NFV-SEC 022", I, C::Core, NONE, NONE, "The co-located OP issues no NFV tokens."),
    m("nfv_token_encrypted_response_enc", "ETSI GS NFV-SEC 022", I, C::Core, NONE, NONE, "The co-located OP issues no NFV tokens."),
    m("tls_client_certificate_bound_access_tokens", "RFC 8705 §3.4", S, C::Mtls, "boolean; true needs --client-cert-header", "require_proof_of_possession", NONE),
    m("tls_client_auth_subject_dn", "RFC 8705 §2.1.2", S, C::Mtls, "RFC 4514 DN; exactly one subject member with tls_client_auth, none otherwise", "client_authentication_methods.tls_client_auth.credentials", NONE),
    m("tls_client_auth_san_dns", "RFC 8705 §2.1.2", S, C::Mtls, "DNS name; exactly one subject member with tls_client_auth, none otherwise", "client_authentication_methods.tls_client_auth.credentials", NONE),
    m("tls_client_auth_san_uri", "RFC 8705 §2.1.2", S, C::Mtls, "absolute URI; exactly one subject member with tls_client_auth, none otherwise", "client_authentication_methods.tls_client_auth.credentials", NONE),
    m("tls_client_auth_san_ip", "RFC 8705 §2.1.2", S, C::Mtls, "IPv4 or IPv6 address (compared in binary); exactly one subject member with tls_client_auth", "client_authentication_methods.tls_client_auth.credentials", NONE),
    m("tls_client_auth_san_email", "RFC 8705 §2.1.2", S, C::Mtls, "e-mail address; exactly one subject member with tls_client_auth, none otherwise", "client_authentication_methods.tls_client_auth.credentials", NONE),
    m("require_signed_request_object", "RFC 9101 §10.5", S, C::Core, "boolean; true not with request_object_signing_alg none", "signed_request_object.required", NONE),
    m("require_pushed_authorization_requests", "RFC 9126 §6", S, C::Par, "boolean; true needs --par", "require_pushed_authorization_requests", NONE),
    m("introspection_signed_response_alg", "RFC 9701 §6", S, C::IntrospectionJwt, "JWS alg, not none; needs --introspection-jwt", NONE, NONE),
    m("introspection_encrypted_response_alg", "RFC 9701 §6", S, C::IntrospectionJwt, "JWE alg; asymmetric needs jwks or jwks_uri; needs --introspection-jwt", NONE, NONE),
    m("introspection_encrypted_response_enc", "RFC 9701 §6", S, C::IntrospectionJwt, "JWE enc; needs its _alg; needs --introspection-jwt", NONE, NONE),
    m("frontchannel_logout_uri", "OIDC Front-Channel Logout §2", S, C::FrontchannelLogout, "absolute http(s) URI without fragment, on the scheme, host and port of a redirect URI; needs --frontchannel-logout", NONE, NONE),
    m("frontchannel_logout_session_required", "OIDC Front-Channel Logout §2", S, C::FrontchannelLogout, "boolean; needs frontchannel_logout_uri", NONE, NONE),
    m("backchannel_logout_uri", "OIDC Back-Channel Logout §2.2", S, C::BackchannelLogout, "absolute https URI without fragment; needs --backchannel-logout", "oidc_logout.backchannel_logout_urls", NONE),
    m("backchannel_logout_session_required", "OIDC Back-Channel Logout §2.2", S, C::BackchannelLogout, "boolean; needs backchannel_logout_uri", NONE, NONE),
    m("post_logout_redirect_uris", "OIDC RP-Initiated Logout §3.1", S, C::Core, "array of redirect-style URIs", "allowed_logout_urls", NONE),
    m("authorization_details_types", "RFC 9396 §10", S, C::Rar, "array of strings, each in authorization_details_types_supported; needs --authorization-details-types", NONE, NONE),
    m("dpop_bound_access_tokens", "RFC 9449 §5.2", S, C::Dpop, "boolean; true needs --dpop", "require_proof_of_possession", NONE),
    m("client_registration_types", "OpenID Federation §5.1.2", I, C::Core, NONE, NONE, "Describes federation registration (automatic or explicit); this endpoint is plain RFC 7591 registration, which the member does not change."),
    m("signed_jwks_uri", "OpenID Federation §5.2.1", R, C::Core, "always refused", NONE, "Keys published as a signed JWT are neither fetched nor verified here: a client relying on them would have no keys. Use jwks or jwks_uri."),
    m("organization_name", "OpenID Federation §5.2.2", I, C::Core, NONE, NONE, "Federation entity display information; client_name and client_uri carry what consent screens show."),
    m("description", "OpenID Federation §5.2.2", I, C::Core, NONE, NONE, "Federation entity display information; the settings description is the administrator's (management API)."),
    m("keywords", "OpenID Federation §5.2.2", I, C::Core, NONE, NONE, "Federation entity display information, not used by the OP."),
    m("information_uri", "OpenID Federation §5.2.2", I, C::Core, NONE, NONE, "Federation entity display information; client_uri serves this purpose."),
    m("organization_uri", "OpenID Federation §5.2.2", I, C::Core, NONE, NONE, "Federation entity display information; client_uri serves this purpose."),
    m("use_mtls_endpoint_aliases", "FAPI 2.0 Security Profile §5.2.2.1.1", R, C::Core, "false kept; true refused", NONE, "This server publishes no mtls_endpoint_aliases, so it cannot honour true."),
    m("encrypted_response_enc_values_supported", "OpenID4VP 1.0 §5.1", I, C::Core, NONE, NONE, "Verifier metadata for wallets; the co-located OP is not a wallet."),
    m("vp_formats_supported", "OpenID4VP 1.0 §11.1", I, C::Core, NONE, NONE, "Verifier metadata for wallets; the co-located OP is not a wallet."),
    // Not in the IANA registry; defined by their specifications.
    m("authorization_signed_response_alg", "JARM §3 (not in the IANA registry)", S, C::Jarm, "JWS alg, not none; RS256 when only encryption is sent; needs --jarm", NONE, NONE),
    m("authorization_encrypted_response_alg", "JARM §3 (not in the IANA registry)", S, C::Jarm, "JWE alg; asymmetric needs jwks or jwks_uri; needs --jarm", NONE, NONE),
    m("authorization_encrypted_response_enc", "JARM §3 (not in the IANA registry)", S, C::Jarm, "JWE enc; needs its _alg; needs --jarm", NONE, NONE),
    m("backchannel_token_delivery_mode", "CIBA Core §4 (not in the IANA registry)", S, C::Ciba, "poll, ping or push among --ciba-delivery-modes; required with the CIBA grant", NONE, NONE),
    m("backchannel_client_notification_endpoint", "CIBA Core §4 (not in the IANA registry)", S, C::Ciba, "https URI; required for ping and push, refused for poll", NONE, NONE),
    m("backchannel_authentication_request_signing_alg", "CIBA Core §4 (not in the IANA registry)", S, C::Ciba, "asymmetric JWS alg; needs jwks or jwks_uri", NONE, NONE),
    m("backchannel_user_code_parameter", "CIBA Core §4 (not in the IANA registry)", S, C::Ciba, "boolean; needs the CIBA grant", NONE, NONE),
];

/// The markdown table docs/metadata-registry.md carries between its markers.
pub fn render_table() -> String {
    let mut out = String::from(
        "| Member | Spec | Status | Operator flag | Rules | Setting | Reason |\n|---|---|---|---|---|---|---|\n",
    );
    for member in REGISTRY {
        let flag = match member.capability.flag() {
            "" => NONE,
            flag => flag,
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} |\n",
            member.name,
            member.spec,
            member.status.as_str(),
            flag,
            member.rules,
            member.setting,
            member.reason
        ));
    }
    out
}

pub fn get(name: &str) -> Option<&'static Member> {
    REGISTRY.iter().find(|m| m.name == name)
}

/// The operator flags and the discovery members each adds, for the docs.
pub fn render_flags() -> String {
    let mut out = String::from(
        "| Flag | Feature | Default | Discovery members added when on |\n|---|---|---|---|\n",
    );
    let defaults = super::Capabilities::default();
    for capability in Capability::SWITCHES {
        let members: Vec<String> =
            capability.discovery_members().iter().map(|m| format!("`{m}`")).collect();
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            capability.flag(),
            capability.feature(),
            if defaults.has(*capability) { "on" } else { "off" },
            members.join(", ")
        ));
    }
    out
}
