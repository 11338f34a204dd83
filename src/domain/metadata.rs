//! Registration metadata (RFC 7591 §2, OIDC DCR §2): a JSON object in, a verified
//! [`ClientMetadata`] out. Every rule that spans fields lives in [`ClientMetadata::parse`],
//! so no code after it needs to re-check anything.

use serde_json::{Map, Value};
use validator::ValidateEmail;

use super::fields::{check_text, parse_each, Fields, MAX_TEXT_CHARS};
use super::jwks::PublicJwkSet;
use super::localized::Localized;
use super::members::{self, Capabilities, Extensions};
use super::uri::RedirectProfile;
use super::uri::{check_display_uri, check_https_uri, check_redirect_uri, CheckedUri};
use super::vocab::*;
use super::MetadataError;

/// Operator choices that shape what registration accepts.
#[derive(Debug, Clone)]
pub struct RegistrationPolicy {
    /// Native apps may register claimed https redirect URIs (RFC 8252 §7.2).
    pub allow_native_https_redirects: bool,
    /// Tests only (`--fetch-allow-http`): `jwks_uri` may be http, so that the documents
    /// the server fetches can come from a local plain-HTTP fixture.
    pub http_documents: bool,
    /// `scopes_supported`; requested scopes outside it are dropped (OIDC DCR §3.2).
    pub scopes_supported: Vec<String>,
    /// What the co-located OP honours; members of what is off are refused.
    pub capabilities: Capabilities,
}

pub use super::algs::Encryption;
use super::algs::{encryption, jws, unsupported};

/// Client metadata that passed every check. Only [`ClientMetadata::parse`] builds one:
/// the private `_verified` field keeps even this crate's other modules from doing so,
/// which `#[non_exhaustive]` would not.
#[derive(Debug, Clone, PartialEq)]
#[expect(clippy::manual_non_exhaustive, reason = "construction private to this module")]
pub struct ClientMetadata {
    pub redirect_uris: Vec<CheckedUri>,
    pub response_types: Vec<ResponseType>,
    pub grant_types: Vec<GrantType>,
    pub application_type: ApplicationType,
    pub contacts: Vec<String>,
    pub client_name: Localized<String>,
    pub client_uri: Localized<CheckedUri>,
    pub logo_uri: Localized<CheckedUri>,
    pub policy_uri: Localized<CheckedUri>,
    pub tos_uri: Localized<CheckedUri>,
    pub jwks: Option<PublicJwkSet>,
    pub jwks_uri: Option<CheckedUri>,
    pub subject_type: SubjectType,
    /// Fetched and checked against the redirect URIs by the caller (OIDC DCR §5).
    pub sector_identifier_uri: Option<CheckedUri>,
    pub id_token_signed_response_alg: JwsAlg,
    pub id_token_encryption: Option<Encryption>,
    pub userinfo_signed_response_alg: Option<JwsAlg>,
    pub userinfo_encryption: Option<Encryption>,
    pub request_object_signing_alg: Option<JwsAlg>,
    pub request_object_encryption: Option<Encryption>,
    pub token_endpoint_auth_method: AuthMethod,
    pub token_endpoint_auth_signing_alg: Option<JwsAlg>,
    pub default_max_age: Option<u64>,
    pub require_auth_time: bool,
    pub default_acr_values: Vec<String>,
    pub initiate_login_uri: Option<CheckedUri>,
    pub request_uris: Vec<CheckedUri>,
    pub post_logout_redirect_uris: Vec<CheckedUri>,
    pub scope: Option<String>,
    pub software_id: Option<String>,
    pub software_version: Option<String>,
    /// Logout, PAR, DPoP, mTLS, JAR, JARM, RAR, CIBA and JWT introspection members.
    pub extensions: Extensions,
    _verified: (),
}

/// Longest `client_name`, `software_id` or `software_version` (Auth0's metadata limit).
const MAX_NAME_CHARS: usize = 255;

impl ClientMetadata {
    pub fn parse(
        body: &Map<String, Value>,
        policy: &RegistrationPolicy,
    ) -> Result<Self, MetadataError> {
        let f = Fields::new(body);
        // `software_statement` is verified and applied by the caller before this parse
        // (RFC 7591 §2.3); here it is an unknown member like any other.
        // Type-check redirect_uris first: a malformed list is an invalid_redirect_uri
        // whatever else is wrong (OIDC DCR §3.3).
        let raw_redirects = f
            .strings("redirect_uris")
            .map_err(|_| MetadataError::redirect("redirect_uris", "must be an array of strings"))?;

        let application_type = match f.string("application_type")? {
            None => ApplicationType::Web,
            Some(v) => ApplicationType::parse(v)
                .ok_or_else(|| unsupported("application_type", &ApplicationType::wire_values()))?,
        };
        let grant_types = read_grant_types(&f)?;
        let response_types = read_response_types(&f, &grant_types)?;
        check_grants_match_responses(&grant_types, &response_types)?;

        let profile = RedirectProfile {
            native: application_type == ApplicationType::Native,
            implicit: response_types.iter().any(ResponseType::needs_implicit),
            allow_native_https: policy.allow_native_https_redirects,
        };
        let redirect_uris = parse_each(
            "redirect_uris",
            &raw_redirects.unwrap_or_default(),
            |raw| check_redirect_uri(raw, profile),
            MetadataError::redirect,
        )?;
        if redirect_uris.is_empty() && grant_types.iter().any(|g| g.uses_redirect()) {
            return Err(MetadataError::redirect(
                "redirect_uris",
                "required for the authorization_code and implicit grants",
            ));
        }

        let token_endpoint_auth_method = match f.string("token_endpoint_auth_method")? {
            None => DEFAULT_AUTH_METHOD,
            Some(v) => AuthMethod::parse(v).ok_or_else(|| {
                unsupported("token_endpoint_auth_method", &AuthMethod::wire_values())
            })?,
        };
        if !policy.capabilities.allows_method(token_endpoint_auth_method) {
            return Err(MetadataError::field(
                "token_endpoint_auth_method",
                format!(
                    "{token_endpoint_auth_method} needs client certificates, which do not reach this server"
                ),
            ));
        }
        if let Some(grant) = grant_types.iter().find(|g| !policy.capabilities.allows_grant(**g)) {
            return Err(MetadataError::field(
                "grant_types",
                format!("{grant}: CIBA is not enabled on this server"),
            ));
        }
        if f.has("signed_jwks_uri") {
            // docs/metadata-registry.md: keys in a signed JWKS are neither fetched nor verified.
            return Err(MetadataError::field(
                "signed_jwks_uri",
                "not supported: register keys with jwks or jwks_uri",
            ));
        }
        if token_endpoint_auth_method == AuthMethod::None
            && grant_types.contains(&GrantType::ClientCredentials)
        {
            return Err(MetadataError::field(
                "grant_types",
                "client_credentials needs an authenticated client, not token_endpoint_auth_method none",
            ));
        }

        let (jwks, jwks_uri) = read_keys(&f, policy.http_documents)?;
        let has_keys = jwks.is_some() || jwks_uri.is_some();
        if token_endpoint_auth_method == AuthMethod::PrivateKeyJwt && !has_keys {
            return Err(MetadataError::field(
                "token_endpoint_auth_method",
                "private_key_jwt needs jwks or jwks_uri",
            ));
        }

        let algs = Algorithms::read(&f, &response_types, token_endpoint_auth_method, has_keys)?;
        // https is enforced by the fetcher (OIDC DCR §5), whose policy tests may relax.
        let sector_identifier_uri = f
            .string("sector_identifier_uri")?
            .map(CheckedUri::parse)
            .transpose()
            .map_err(|why| MetadataError::field("sector_identifier_uri", why))?;
        let extensions = Extensions::parse(
            &f,
            &members::Context {
                caps: &policy.capabilities,
                method: token_endpoint_auth_method,
                has_keys,
                grants: &grant_types,
                redirect_uris: &redirect_uris,
                request_object_signing_alg: algs.request_object_signing,
            },
        )?;
        let client = ClientMetadata {
            extensions,
            subject_type: read_subject_type(&f, &redirect_uris, sector_identifier_uri.as_ref())?,
            sector_identifier_uri,
            contacts: read_contacts(&f)?,
            client_name: Localized::read(&f, "client_name", check_name)?,
            client_uri: Localized::read(&f, "client_uri", display_uri)?,
            logo_uri: Localized::read(&f, "logo_uri", display_uri)?,
            policy_uri: Localized::read(&f, "policy_uri", display_uri)?,
            tos_uri: Localized::read(&f, "tos_uri", display_uri)?,
            default_max_age: f.unsigned("default_max_age")?,
            require_auth_time: f.boolean("require_auth_time")?.unwrap_or(false),
            default_acr_values: read_texts(&f, "default_acr_values")?,
            initiate_login_uri: f
                .string("initiate_login_uri")?
                .map(|raw| check_https_uri(raw, false))
                .transpose()
                .map_err(|why| MetadataError::field("initiate_login_uri", why))?,
            request_uris: parse_each(
                "request_uris",
                &f.strings("request_uris")?.unwrap_or_default(),
                |raw| check_https_uri(raw, true),
                MetadataError::field,
            )?,
            post_logout_redirect_uris: parse_each(
                "post_logout_redirect_uris",
                &f.strings("post_logout_redirect_uris")?.unwrap_or_default(),
                |raw| check_redirect_uri(raw, RedirectProfile { implicit: false, ..profile }),
                MetadataError::field,
            )?,
            scope: read_scope(&f, &policy.scopes_supported)?,
            software_id: read_name(&f, "software_id")?,
            software_version: read_name(&f, "software_version")?,
            redirect_uris,
            response_types,
            grant_types,
            application_type,
            jwks,
            jwks_uri,
            id_token_signed_response_alg: algs.id_token_signed,
            id_token_encryption: algs.id_token_encryption,
            userinfo_signed_response_alg: algs.userinfo_signed,
            userinfo_encryption: algs.userinfo_encryption,
            request_object_signing_alg: algs.request_object_signing,
            request_object_encryption: algs.request_object_encryption,
            token_endpoint_auth_method,
            token_endpoint_auth_signing_alg: algs.token_endpoint_auth_signing,
            _verified: (),
        };
        if client.needs_secret() && token_endpoint_auth_method == AuthMethod::None {
            return Err(MetadataError::field(
                "token_endpoint_auth_method",
                "none cannot hold the client_secret that the requested symmetric algorithm needs",
            ));
        }
        Ok(client)
    }

    /// Whether the server verifies signatures with the client's keys: `private_key_jwt`
    /// client assertions, asymmetrically signed request objects.
    pub fn verifies_client_signatures(&self) -> bool {
        self.token_endpoint_auth_method == AuthMethod::PrivateKeyJwt
            || self.request_object_signing_alg.is_some_and(JwsAlg::is_asymmetric)
    }

    /// Whether the server encrypts ID tokens or UserInfo responses to the client's keys.
    pub fn encrypts_to_client(&self) -> bool {
        [self.id_token_encryption, self.userinfo_encryption]
            .into_iter()
            .flatten()
            .any(|(alg, _)| !alg.is_symmetric())
    }

    /// OIDC DCR §3.2: a secret is issued for secret-based authentication, and for any
    /// symmetric signing or encryption, which is keyed with the secret (OIDC Core §10).
    pub fn needs_secret(&self) -> bool {
        let symmetric_sig = [
            Some(self.id_token_signed_response_alg),
            self.userinfo_signed_response_alg,
            self.request_object_signing_alg,
            self.token_endpoint_auth_signing_alg,
        ]
        .into_iter()
        .flatten()
        .any(JwsAlg::is_symmetric);
        let symmetric_enc =
            [self.id_token_encryption, self.userinfo_encryption, self.request_object_encryption]
                .into_iter()
                .flatten()
                .any(|(alg, _)| alg.is_symmetric());
        self.token_endpoint_auth_method.uses_secret()
            || symmetric_sig
            || symmetric_enc
            || self.extensions.needs_secret()
    }

    /// The registered metadata with every default filled in: what the client gets back
    /// (RFC 7591 §3.2.1), in a stable order.
    pub fn to_json(&self) -> Map<String, Value> {
        let mut out = Map::new();
        let strs = |uris: &[CheckedUri]| Value::from_iter(uris.iter().map(CheckedUri::as_str));
        out.insert("redirect_uris".into(), strs(&self.redirect_uris));
        out.insert(
            "token_endpoint_auth_method".into(),
            self.token_endpoint_auth_method.as_str().into(),
        );
        out.insert(
            "grant_types".into(),
            Value::from_iter(self.grant_types.iter().map(|g| g.as_str())),
        );
        out.insert(
            "response_types".into(),
            Value::from_iter(self.response_types.iter().map(ResponseType::as_str)),
        );
        out.insert("application_type".into(), self.application_type.as_str().into());
        self.client_name.write("client_name", &mut out, String::as_str);
        self.client_uri.write("client_uri", &mut out, CheckedUri::as_str);
        self.logo_uri.write("logo_uri", &mut out, CheckedUri::as_str);
        self.policy_uri.write("policy_uri", &mut out, CheckedUri::as_str);
        self.tos_uri.write("tos_uri", &mut out, CheckedUri::as_str);
        insert_list(&mut out, "contacts", self.contacts.iter().map(String::as_str));
        if let Some(jwks) = &self.jwks {
            out.insert("jwks".into(), jwks.as_value().clone());
        }
        insert_opt(&mut out, "jwks_uri", self.jwks_uri.as_ref().map(CheckedUri::as_str));
        out.insert("subject_type".into(), self.subject_type.as_str().into());
        insert_opt(
            &mut out,
            "sector_identifier_uri",
            self.sector_identifier_uri.as_ref().map(CheckedUri::as_str),
        );
        out.insert(
            "id_token_signed_response_alg".into(),
            self.id_token_signed_response_alg.as_str().into(),
        );
        insert_encryption(&mut out, "id_token_encrypted_response", self.id_token_encryption);
        insert_opt(
            &mut out,
            "userinfo_signed_response_alg",
            self.userinfo_signed_response_alg.map(JwsAlg::as_str),
        );
        insert_encryption(&mut out, "userinfo_encrypted_response", self.userinfo_encryption);
        insert_opt(
            &mut out,
            "request_object_signing_alg",
            self.request_object_signing_alg.map(JwsAlg::as_str),
        );
        insert_encryption(&mut out, "request_object_encryption", self.request_object_encryption);
        insert_opt(
            &mut out,
            "token_endpoint_auth_signing_alg",
            self.token_endpoint_auth_signing_alg.map(JwsAlg::as_str),
        );
        if let Some(age) = self.default_max_age {
            out.insert("default_max_age".into(), age.into());
        }
        out.insert("require_auth_time".into(), self.require_auth_time.into());
        insert_list(
            &mut out,
            "default_acr_values",
            self.default_acr_values.iter().map(String::as_str),
        );
        insert_opt(
            &mut out,
            "initiate_login_uri",
            self.initiate_login_uri.as_ref().map(CheckedUri::as_str),
        );
        insert_list(&mut out, "request_uris", self.request_uris.iter().map(CheckedUri::as_str));
        insert_list(
            &mut out,
            "post_logout_redirect_uris",
            self.post_logout_redirect_uris.iter().map(CheckedUri::as_str),
        );
        insert_opt(&mut out, "scope", self.scope.as_deref());
        insert_opt(&mut out, "software_id", self.software_id.as_deref());
        insert_opt(&mut out, "software_version", self.software_version.as_deref());
        self.extensions.write(&mut out);
        out
    }
}

fn insert_opt(out: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        out.insert(key.into(), v.into());
    }
}

fn insert_list<'a>(
    out: &mut Map<String, Value>,
    key: &str,
    values: impl ExactSizeIterator<Item = &'a str>,
) {
    if values.len() > 0 {
        out.insert(key.into(), Value::from_iter(values));
    }
}

/// `{prefix}_alg` and `{prefix}_enc`; request objects use `request_object_encryption_*`.
fn insert_encryption(out: &mut Map<String, Value>, prefix: &str, enc: Option<Encryption>) {
    if let Some((alg, enc)) = enc {
        out.insert(format!("{prefix}_alg"), alg.as_str().into());
        out.insert(format!("{prefix}_enc"), enc.as_str().into());
    }
}

fn read_grant_types(f: &Fields<'_>) -> Result<Vec<GrantType>, MetadataError> {
    let Some(values) = f.strings("grant_types")? else { return Ok(DEFAULT_GRANT_TYPES.to_vec()) };
    let mut grants = Vec::with_capacity(values.len());
    for value in values {
        let grant = GrantType::parse(value)
            .ok_or_else(|| unsupported("grant_types", &GrantType::wire_values()))?;
        if !grants.contains(&grant) {
            grants.push(grant);
        }
    }
    Ok(grants)
}

/// RFC 7591 §2 defaults `response_types` to `code`; a client that registers no
/// redirect-based grant (client_credentials, device code) gets none instead, since `code`
/// would contradict its grants.
fn read_response_types(
    f: &Fields<'_>,
    grants: &[GrantType],
) -> Result<Vec<ResponseType>, MetadataError> {
    let Some(values) = f.strings("response_types")? else {
        return Ok(if grants.iter().any(|g| g.uses_redirect()) {
            vec![ResponseType::parse("code").expect("`code` is a valid response type")]
        } else {
            Vec::new()
        });
    };
    let mut types: Vec<ResponseType> = Vec::with_capacity(values.len());
    for value in values {
        let rt = ResponseType::parse(value)
            .ok_or_else(|| unsupported("response_types", ResponseType::SUPPORTED))?;
        if !types.iter().any(|seen| seen.same_set(&rt)) {
            types.push(rt);
        }
    }
    Ok(types)
}

/// RFC 7591 §2.1 and the OIDC DCR §2 table: each response type needs its grants, and each
/// redirect-based grant needs a response type that uses it.
fn check_grants_match_responses(
    grants: &[GrantType],
    types: &[ResponseType],
) -> Result<(), MetadataError> {
    for rt in types {
        if rt.needs_authorization_code() && !grants.contains(&GrantType::AuthorizationCode) {
            return Err(MetadataError::field(
                "response_types",
                format!("'{}' needs the authorization_code grant in grant_types", rt.as_str()),
            ));
        }
        if rt.needs_implicit() && !grants.contains(&GrantType::Implicit) {
            return Err(MetadataError::field(
                "response_types",
                format!("'{}' needs the implicit grant in grant_types", rt.as_str()),
            ));
        }
    }
    if grants.contains(&GrantType::AuthorizationCode) && !types.iter().any(|rt| rt.code) {
        return Err(MetadataError::field(
            "grant_types",
            "authorization_code needs a response type with code",
        ));
    }
    if grants.contains(&GrantType::Implicit) && !types.iter().any(ResponseType::needs_implicit) {
        return Err(MetadataError::field(
            "grant_types",
            "implicit needs a response type with id_token or token",
        ));
    }
    Ok(())
}

fn read_keys(
    f: &Fields<'_>,
    http_allowed: bool,
) -> Result<(Option<PublicJwkSet>, Option<CheckedUri>), MetadataError> {
    let jwks = f
        .value("jwks")
        .map(PublicJwkSet::parse)
        .transpose()
        .map_err(|e| MetadataError::field("jwks", e))?;
    let jwks_uri = f
        .string("jwks_uri")?
        .map(|raw| match CheckedUri::parse(raw) {
            Ok(uri) if http_allowed && uri.url().scheme() == "http" => Ok(uri),
            _ => check_https_uri(raw, false),
        })
        .transpose()
        .map_err(|why| MetadataError::field("jwks_uri", why))?;
    if jwks.is_some() && jwks_uri.is_some() {
        return Err(MetadataError::field("jwks", "jwks and jwks_uri must not both be sent"));
    }
    Ok((jwks, jwks_uri))
}

/// The signing and encryption choices, checked against each other and the keys.
struct Algorithms {
    id_token_signed: JwsAlg,
    id_token_encryption: Option<Encryption>,
    userinfo_signed: Option<JwsAlg>,
    userinfo_encryption: Option<Encryption>,
    request_object_signing: Option<JwsAlg>,
    request_object_encryption: Option<Encryption>,
    token_endpoint_auth_signing: Option<JwsAlg>,
}

impl Algorithms {
    fn read(
        f: &Fields<'_>,
        types: &[ResponseType],
        method: AuthMethod,
        has_keys: bool,
    ) -> Result<Self, MetadataError> {
        let id_token_signed =
            jws(f, "id_token_signed_response_alg")?.unwrap_or(DEFAULT_ID_TOKEN_ALG);
        // OIDC DCR §2: unsigned ID tokens only where none comes from the authorization endpoint.
        if id_token_signed == JwsAlg::None
            && types.iter().any(ResponseType::returns_id_token_from_authorization)
        {
            return Err(MetadataError::field(
                "id_token_signed_response_alg",
                "none is only allowed when response_types returns no ID token from the authorization endpoint",
            ));
        }
        let userinfo_signed = jws(f, "userinfo_signed_response_alg")?;
        if userinfo_signed == Some(JwsAlg::None) {
            return Err(MetadataError::field(
                "userinfo_signed_response_alg",
                "none is not a signature",
            ));
        }
        let request_object_signing = jws(f, "request_object_signing_alg")?;
        if request_object_signing.is_some_and(JwsAlg::is_asymmetric) && !has_keys {
            return Err(MetadataError::field(
                "request_object_signing_alg",
                "asymmetric request object signatures need jwks or jwks_uri",
            ));
        }
        let token_endpoint_auth_signing = jws(f, "token_endpoint_auth_signing_alg")?;
        if let Some(alg) = token_endpoint_auth_signing {
            let fits = match method {
                _ if alg == JwsAlg::None => false,
                AuthMethod::PrivateKeyJwt => alg.is_asymmetric(),
                AuthMethod::ClientSecretJwt => alg.is_symmetric(),
                _ => true,
            };
            if !fits {
                return Err(MetadataError::field(
                    "token_endpoint_auth_signing_alg",
                    format!("{alg} cannot be used with {method}"),
                ));
            }
        }
        Ok(Algorithms {
            id_token_signed,
            id_token_encryption: encryption(f, "id_token_encrypted_response", has_keys)?,
            userinfo_signed,
            userinfo_encryption: encryption(f, "userinfo_encrypted_response", has_keys)?,
            request_object_signing,
            request_object_encryption: encryption(f, "request_object_encryption", has_keys)?,
            token_endpoint_auth_signing,
        })
    }
}

/// OIDC Core §8: pairwise subjects are computed per sector, the redirect URI host when
/// there is one host; several hosts need a sector_identifier_uri. The URI itself is
/// fetched and checked by the caller (OIDC DCR §5), which can do I/O; this only checks
/// its form.
fn read_subject_type(
    f: &Fields<'_>,
    redirects: &[CheckedUri],
    sector: Option<&CheckedUri>,
) -> Result<SubjectType, MetadataError> {
    let subject = match f.string("subject_type")? {
        None => SubjectType::Public,
        Some(v) => SubjectType::parse(v)
            .ok_or_else(|| unsupported("subject_type", &SubjectType::wire_values()))?,
    };
    if subject == SubjectType::Pairwise && sector.is_none() {
        let mut hosts = redirects.iter().filter_map(CheckedUri::host);
        if let Some(first) = hosts.next() {
            if hosts.any(|h| h != first) {
                return Err(MetadataError::field(
                    "subject_type",
                    "pairwise with redirect URIs on several hosts needs a sector_identifier_uri",
                ));
            }
        }
    }
    Ok(subject)
}

fn read_contacts(f: &Fields<'_>) -> Result<Vec<String>, MetadataError> {
    let contacts = f.strings("contacts")?.unwrap_or_default();
    if let Some(bad) = contacts.iter().position(|c| !c.validate_email()) {
        return Err(MetadataError::field(
            "contacts",
            format!("item {bad} is not an e-mail address"),
        ));
    }
    Ok(contacts.into_iter().map(str::to_owned).collect())
}

fn read_texts(f: &Fields<'_>, field: &str) -> Result<Vec<String>, MetadataError> {
    let values = f.strings(field)?.unwrap_or_default();
    for v in &values {
        check_text(field, v, MAX_TEXT_CHARS)?;
    }
    Ok(values.into_iter().map(str::to_owned).collect())
}

fn read_name(f: &Fields<'_>, field: &str) -> Result<Option<String>, MetadataError> {
    f.string(field)?
        .map(|v| check_text(field, v, MAX_NAME_CHARS).map(|()| v.to_owned()))
        .transpose()
}

/// `client_name` becomes the Auth0 `name`, which must not contain `<` or `>`.
fn check_name(field: &str, name: &str) -> Result<String, MetadataError> {
    check_text(field, name, MAX_NAME_CHARS)?;
    if name.contains(['<', '>']) {
        return Err(MetadataError::field(field, "must not contain '<' or '>'"));
    }
    Ok(name.to_owned())
}

fn display_uri(field: &str, raw: &str) -> Result<CheckedUri, MetadataError> {
    check_display_uri(raw).map_err(|why| MetadataError::field(field, why))
}

/// RFC 6749 §3.3 scope tokens; unsupported ones are dropped, and the response shows
/// what was kept (OIDC DCR §3.2 lets the server replace requested values).
fn read_scope(f: &Fields<'_>, supported: &[String]) -> Result<Option<String>, MetadataError> {
    let Some(scope) = f.string("scope")? else { return Ok(None) };
    let mut kept: Vec<&str> = Vec::new();
    for token in scope.split(' ').filter(|t| !t.is_empty()) {
        let valid = token
            .bytes()
            .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b));
        if !valid {
            return Err(MetadataError::field(
                "scope",
                "scope values must be printable ASCII without quotes or backslashes",
            ));
        }
        if supported.iter().any(|s| s == token) && !kept.contains(&token) {
            kept.push(token);
        }
    }
    Ok((!kept.is_empty()).then(|| kept.join(" ")))
}

#[cfg(test)]
#[path = "metadata_tests.rs"]
pub(crate) mod tests;
