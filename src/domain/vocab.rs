//! Spec vocabularies as enums (RFC 7591 §2, OIDC DCR §2, RFC 7518 §3–§5), and the
//! defaults the specs give them. Logic never compares these as strings.

use std::fmt;

/// Declares a closed string vocabulary: `parse` accepts exactly the listed wire values
/// (code point by code point, OIDC DCR §6), `as_str` gives them back, `ALL` lists them
/// for discovery.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in the order discovery advertises them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn parse(value: &str) -> Option<Self> {
                match value {
                    $($wire => Some($name::$variant),)+
                    _ => None,
                }
            }

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            /// The wire values, for discovery documents and error messages.
            pub fn wire_values() -> Vec<&'static str> {
                Self::ALL.iter().map(|v| v.as_str()).collect()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// `grant_types` values this server registers (RFC 7591 §2; the token endpoint's
    /// `grant_type` values). `password` is deliberately absent: no self-registered client
    /// should collect user passwords.
    GrantType {
        AuthorizationCode => "authorization_code",
        Implicit => "implicit",
        RefreshToken => "refresh_token",
        ClientCredentials => "client_credentials",
        DeviceCode => "urn:ietf:params:oauth:grant-type:device_code",
        JwtBearer => "urn:ietf:params:oauth:grant-type:jwt-bearer",
        TokenExchange => "urn:ietf:params:oauth:grant-type:token-exchange",
        // CIBA Core §4: registered only where the operator enabled CIBA.
        Ciba => "urn:openid:params:grant-type:ciba",
    }
}

vocabulary! {
    /// `application_type` (OIDC DCR §2).
    ApplicationType { Web => "web", Native => "native" }
}

vocabulary! {
    /// `token_endpoint_auth_method` (RFC 7591 §2, OIDC Core §9).
    AuthMethod {
        ClientSecretBasic => "client_secret_basic",
        ClientSecretPost => "client_secret_post",
        ClientSecretJwt => "client_secret_jwt",
        PrivateKeyJwt => "private_key_jwt",
        None => "none",
        // RFC 8705 §2.1 and §2.2: registered only where client certificates reach the
        // server (`--client-cert-header`).
        TlsClientAuth => "tls_client_auth",
        SelfSignedTlsClientAuth => "self_signed_tls_client_auth",
    }
}

vocabulary! {
    /// `subject_type` (OIDC Core §8).
    SubjectType { Public => "public", Pairwise => "pairwise" }
}

vocabulary! {
    /// JWS `alg` values (RFC 7518 §3.1, RFC 8037). `none` is listed so that it can be
    /// named in errors; where it is allowed is decided per field.
    JwsAlg {
        RS256 => "RS256", RS384 => "RS384", RS512 => "RS512",
        PS256 => "PS256", PS384 => "PS384", PS512 => "PS512",
        ES256 => "ES256", ES384 => "ES384", ES512 => "ES512",
        EdDSA => "EdDSA",
        HS256 => "HS256", HS384 => "HS384", HS512 => "HS512",
        None => "none",
    }
}

vocabulary! {
    /// JWE `alg` values (RFC 7518 §4.1). RSA1_5 is left out: it is open to padding-oracle
    /// attacks (RFC 8725 §3.2).
    JweAlg {
        RsaOaep => "RSA-OAEP", RsaOaep256 => "RSA-OAEP-256",
        EcdhEs => "ECDH-ES", EcdhEsA128Kw => "ECDH-ES+A128KW",
        EcdhEsA192Kw => "ECDH-ES+A192KW", EcdhEsA256Kw => "ECDH-ES+A256KW",
        A128Kw => "A128KW", A192Kw => "A192KW", A256Kw => "A256KW",
        A128GcmKw => "A128GCMKW", A192GcmKw => "A192GCMKW", A256GcmKw => "A256GCMKW",
        Dir => "dir",
    }
}

vocabulary! {
    /// JWE `enc` values (RFC 7518 §5.1).
    JweEnc {
        A128CbcHs256 => "A128CBC-HS256", A192CbcHs384 => "A192CBC-HS384",
        A256CbcHs512 => "A256CBC-HS512",
        A128Gcm => "A128GCM", A192Gcm => "A192GCM", A256Gcm => "A256GCM",
    }
}

vocabulary! {
    /// CIBA Core §4 `backchannel_token_delivery_mode`.
    CibaMode { Poll => "poll", Ping => "ping", Push => "push" }
}

/// RFC 7591 §2: `grant_types` defaults to `authorization_code`.
pub const DEFAULT_GRANT_TYPES: &[GrantType] = &[GrantType::AuthorizationCode];
/// RFC 7591 §2 and OIDC DCR §2: `token_endpoint_auth_method` defaults to `client_secret_basic`.
pub const DEFAULT_AUTH_METHOD: AuthMethod = AuthMethod::ClientSecretBasic;
/// OIDC DCR §2: `id_token_signed_response_alg` defaults to RS256.
pub const DEFAULT_ID_TOKEN_ALG: JwsAlg = JwsAlg::RS256;
/// OIDC DCR §2: an `*_encrypted_response_alg` without its `_enc` means A128CBC-HS256.
pub const DEFAULT_ENC: JweEnc = JweEnc::A128CbcHs256;

impl JwsAlg {
    /// HMAC algorithms are keyed with the client secret (OIDC Core §10.1).
    pub fn is_symmetric(self) -> bool {
        matches!(self, JwsAlg::HS256 | JwsAlg::HS384 | JwsAlg::HS512)
    }

    /// Asymmetric algorithms need the client's public keys (jwks or jwks_uri).
    pub fn is_asymmetric(self) -> bool {
        !self.is_symmetric() && self != JwsAlg::None
    }
}

impl JweAlg {
    /// Key wrapping with a key derived from the client secret (OIDC Core §10.2).
    pub fn is_symmetric(self) -> bool {
        matches!(
            self,
            JweAlg::A128Kw
                | JweAlg::A192Kw
                | JweAlg::A256Kw
                | JweAlg::A128GcmKw
                | JweAlg::A192GcmKw
                | JweAlg::A256GcmKw
                | JweAlg::Dir
        )
    }
}

impl AuthMethod {
    /// Mutual-TLS client authentication (RFC 8705 §2).
    pub fn is_mtls(self) -> bool {
        matches!(self, AuthMethod::TlsClientAuth | AuthMethod::SelfSignedTlsClientAuth)
    }

    /// Methods whose client proves itself with the shared secret.
    pub fn uses_secret(self) -> bool {
        matches!(
            self,
            AuthMethod::ClientSecretBasic
                | AuthMethod::ClientSecretPost
                | AuthMethod::ClientSecretJwt
        )
    }
}

/// One `response_types` value (OAuth 2.0 Multiple Response Type Encoding Practices §5):
/// a space-separated set of `code`, `id_token`, `token`, or `none` alone. The wire string
/// is kept so that the client gets back exactly what it registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseType {
    wire: String,
    pub code: bool,
    pub id_token: bool,
    pub token: bool,
}

impl ResponseType {
    /// The combinations advertised in discovery (OIDC Discovery §3 requires the first
    /// three for dynamic OPs).
    pub const SUPPORTED: &'static [&'static str] = &[
        "code",
        "id_token",
        "id_token token",
        "code id_token",
        "code token",
        "code id_token token",
        "none",
    ];

    pub fn parse(value: &str) -> Option<Self> {
        let (mut code, mut id_token, mut token, mut none, mut count) =
            (false, false, false, false, 0);
        for part in value.split(' ') {
            let seen = match part {
                "code" => &mut code,
                "id_token" => &mut id_token,
                "token" => &mut token,
                "none" => &mut none,
                _ => return None,
            };
            if *seen {
                return None;
            }
            *seen = true;
            count += 1;
        }
        if none && count > 1 {
            return None;
        }
        Some(ResponseType { wire: value.to_owned(), code, id_token, token })
    }

    pub fn as_str(&self) -> &str {
        &self.wire
    }

    /// Same set of components, whatever their order.
    pub fn same_set(&self, other: &ResponseType) -> bool {
        (self.code, self.id_token, self.token) == (other.code, other.id_token, other.token)
    }

    /// OIDC DCR §2 table: which grants a response type needs.
    pub fn needs_authorization_code(&self) -> bool {
        self.code
    }

    pub fn needs_implicit(&self) -> bool {
        self.id_token || self.token
    }

    /// The authorization endpoint returns an ID token for this type.
    pub fn returns_id_token_from_authorization(&self) -> bool {
        self.id_token
    }
}

impl serde::Serialize for ResponseType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.wire)
    }
}

impl GrantType {
    /// Grants that send the user agent to a redirect URI.
    pub fn uses_redirect(self) -> bool {
        matches!(self, GrantType::AuthorizationCode | GrantType::Implicit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_types_parse_as_sets_and_keep_their_wire_form() {
        let a = ResponseType::parse("id_token code").unwrap();
        let b = ResponseType::parse("code id_token").unwrap();
        assert!(a.same_set(&b));
        assert_eq!(a.as_str(), "id_token code");
        for bad in ["", "code  id_token", "none code", "code code", "Code", "token_id"] {
            assert!(ResponseType::parse(bad).is_none(), "{bad:?} must be refused");
        }
        assert!(ResponseType::parse("none").is_some());
    }

    #[test]
    fn vocabularies_round_trip_their_wire_values() {
        for alg in JwsAlg::ALL {
            assert_eq!(JwsAlg::parse(alg.as_str()), Some(*alg));
        }
        assert_eq!(GrantType::parse("AUTHORIZATION_CODE"), None);
        assert!(JwsAlg::HS512.is_symmetric() && JwsAlg::ES256.is_asymmetric());
        assert!(!JwsAlg::None.is_asymmetric());
    }
}
