//! The management API's closed vocabularies (seed 004), as enums. Values are compared code
//! point by code point, as Auth0 does: `RS256`, never `rs256`.

/// A closed set of wire values.
pub trait Vocabulary: Sized + Copy + 'static {
    const ALL: &'static [Self];

    fn as_str(self) -> &'static str;

    fn parse(value: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == value)
    }

    /// `a, b, c`: for error messages.
    fn listing() -> String {
        Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
    }
}

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident {
        $($(#[$vmeta:meta])* $variant:ident => $wire:literal),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl Vocabulary for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];

            fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $wire),+ }
            }
        }
    };
}

vocabulary! {
    /// `app_type`: the four generic kinds, then Auth0's SSO integration kinds.
    AppType {
        Native => "native", Spa => "spa", RegularWeb => "regular_web",
        NonInteractive => "non_interactive", ResourceServer => "resource_server",
        ExpressConfiguration => "express_configuration", Rms => "rms", Box => "box",
        Cloudbees => "cloudbees", Concur => "concur", Dropbox => "dropbox", Mscrm => "mscrm",
        Echosign => "echosign", Egnyte => "egnyte", Newrelic => "newrelic",
        Office365 => "office365", Salesforce => "salesforce", Sentry => "sentry",
        Sharepoint => "sharepoint", Slack => "slack", Springcm => "springcm",
        Zendesk => "zendesk", Zoom => "zoom", SsoIntegration => "sso_integration", Oag => "oag",
    }
}

vocabulary! {
    /// `grant_types` as the management API lists them. Wider than what self-registration
    /// accepts (`vocab::GrantType`): administrators may enable Auth0's first-party grants.
    GrantType {
        AuthorizationCode => "authorization_code",
        Implicit => "implicit",
        RefreshToken => "refresh_token",
        ClientCredentials => "client_credentials",
        Password => "password",
        PasswordRealm => "http://auth0.com/oauth/grant-type/password-realm",
        MfaOob => "http://auth0.com/oauth/grant-type/mfa-oob",
        MfaOtp => "http://auth0.com/oauth/grant-type/mfa-otp",
        MfaRecoveryCode => "http://auth0.com/oauth/grant-type/mfa-recovery-code",
        Ciba => "urn:openid:params:grant-type:ciba",
        DeviceCode => "urn:ietf:params:oauth:grant-type:device_code",
        FederatedConnectionAccessToken =>
            "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token",
    }
}

vocabulary! {
    /// `token_endpoint_auth_method`: the secret-based methods and `none`; JWT assertions
    /// are configured through `client_authentication_methods` instead.
    TokenEndpointAuthMethod {
        None => "none",
        ClientSecretPost => "client_secret_post",
        ClientSecretBasic => "client_secret_basic",
    }
}

vocabulary! {
    /// `jwt_configuration.alg`: how ID tokens are signed.
    JwtAlg { HS256 => "HS256", RS256 => "RS256", PS256 => "PS256" }
}

vocabulary! {
    OrganizationUsage { Deny => "deny", Allow => "allow", Require => "require" }
}

vocabulary! {
    OrganizationRequireBehavior {
        NoPrompt => "no_prompt",
        PreLoginPrompt => "pre_login_prompt",
        /// Needs `oidc_conformant: true` (seed 004).
        PostLoginPrompt => "post_login_prompt",
    }
}

vocabulary! {
    OrganizationDiscoveryMethod { Email => "email", OrganizationName => "organization_name" }
}

vocabulary! {
    ComplianceLevel {
        None => "none",
        Fapi1AdvPkjPar => "fapi1_adv_pkj_par",
        Fapi1AdvMtlsPar => "fapi1_adv_mtls_par",
        Fapi2SpPkjMtls => "fapi2_sp_pkj_mtls",
        Fapi2SpMtlsMtls => "fapi2_sp_mtls_mtls",
    }
}

vocabulary! {
    /// `async_approval_notification_channels`.
    ApprovalChannel { GuardianPush => "guardian-push", Email => "email" }
}
