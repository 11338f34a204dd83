//! A management API body (Auth0's `POST /api/v2/clients` and `PATCH /api/v2/clients/{id}`,
//! seed 004) checked and split into the two views of one client: changes to the
//! registration metadata (for settings that have an RFC 7591 counterpart, so that RFC 7592
//! reads see them) and changes to the administrator-only settings.
//!
//! Unlike registration (RFC 7591 §2 ignores unknown members), this is an administrator's
//! API: a misspelt field is an error, not a silent no-op. `null` resets an optional field to
//! its default; it is refused where a field has no default to return to (`name`, the
//! booleans, `grant_types`, `jwt_configuration`, `client_metadata`).

use serde_json::{Map, Value};

use super::settings::ClientSettings;
use super::url_rules::UrlSetting;

#[path = "client_patch_auth.rs"]
mod auth;
#[path = "client_patch_values.rs"]
mod values;
/// The management API's vocabularies (`app_type`, `grant_types`, ...).
#[path = "client_patch_vocab.rs"]
pub mod vocab;

use values::{err, integer_in, one_of};
use vocab::*;

/// Whether the body creates a client or updates one; the rules are the same, but creation
/// needs a name and makes a first-party client unless told otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
}

/// What a validated body changes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClientPatch {
    /// Member changes to the registration metadata; `Value::Null` removes the member.
    pub metadata: Map<String, Value>,
    /// Changes to `AdminSettings.fields`; `Value::Null` removes the key. `client_metadata`
    /// holds only the keys that change (null removes one), to be merged key by key.
    pub admin: Map<String, Value>,
    pub is_first_party: Option<bool>,
    /// An administrator-chosen client secret (needs scope update:client_keys).
    pub client_secret: Option<String>,
    /// Scopes this body needs beyond the endpoint's base scope, e.g. "update:client_keys".
    pub required_scopes: Vec<&'static str>,
}

/// Why a body was refused: the field (a dotted path inside objects) and an ASCII message.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("{field}: {message}")]
pub struct PatchError {
    pub field: String,
    pub message: String,
}

/// Members with a rule of their own in `Context::apply`.
const NAMED: &[&str] = &[
    "name",
    "logo_uri",
    "initiate_login_uri",
    "callbacks",
    "allowed_logout_urls",
    "grant_types",
    "token_endpoint_auth_method",
    auth::CAM,
    "jwt_configuration",
    "client_secret",
    "is_first_party",
    "client_metadata",
    "cross_origin_authentication",
    "description",
    "allowed_origins",
    "web_origins",
    "cross_origin_loc",
    "par_request_expiry",
    "app_type",
    "organization_usage",
    "organization_require_behavior",
    "compliance_level",
    "organization_discovery_methods",
    "async_approval_notification_channels",
];

/// Every member a create or update body may carry: the contract the OpenAPI document's
/// body schema is checked against. Anything else is refused before any rule runs.
pub fn writable_members() -> impl Iterator<Item = &'static str> {
    [NAMED, BOOLEANS, TEXTS, OBJECTS, STRING_LISTS].into_iter().flatten().copied()
}

/// Settings kept as sent after a type check, in the administrator's settings.
const BOOLEANS: &[&str] = &[
    "sso",
    "sso_disabled",
    "cross_origin_auth",
    "custom_login_page_on",
    "oidc_conformant",
    "is_token_endpoint_ip_header_trusted",
    "require_pushed_authorization_requests",
    "require_proof_of_possession",
    "skip_non_verifiable_callback_uri_confirmation_prompt",
];
const TEXTS: &[&str] = &["custom_login_page", "custom_login_page_preview", "form_template"];
const OBJECTS: &[&str] = &[
    "addons",
    "oidc_logout",
    "oidc_backchannel_logout",
    "native_social_login",
    "refresh_token",
    "default_organization",
    "mobile",
    "encryption_key",
    "signed_request_object",
    "token_exchange",
    "express_configuration",
    "session_transfer",
];
const STRING_LISTS: &[&str] = &["allowed_clients", "client_aliases"];
/// Fields the server owns. `signing_keys` are this server's own keys, not per-client ones,
/// so `signing_key` cannot be chosen by an administrator either.
const READ_ONLY: &[&str] = &[
    "client_id",
    "tenant",
    "global",
    "signing_keys",
    "signing_key",
    "callback_url_template",
    "owners",
    "config_route",
    "resource_server_identifier",
];

/// Seed 004: "Specifies how long, in seconds, a Pushed Authorization Request URI remains
/// valid", 10 <= x <= 600.
const PAR_REQUEST_EXPIRY: std::ops::RangeInclusive<u64> = 10..=600;

pub fn parse_client_patch(
    body: &Map<String, Value>,
    operation: Operation,
    current_metadata: &Map<String, Value>,
    current_view: &Map<String, Value>,
) -> Result<ClientPatch, PatchError> {
    let mut patch = ClientPatch::default();
    let ctx = Context { body, current_metadata, current_view };
    for (field, value) in body {
        ctx.apply(&mut patch, field, value)?;
    }
    if operation == Operation::Create {
        if !body.contains_key("name") {
            return Err(err("name", "required"));
        }
        patch.is_first_party.get_or_insert(true);
    }
    ctx.check_cross_field_rules()?;
    Ok(patch)
}

struct Context<'a> {
    body: &'a Map<String, Value>,
    current_metadata: &'a Map<String, Value>,
    current_view: &'a Map<String, Value>,
}

impl Context<'_> {
    fn apply(&self, patch: &mut ClientPatch, field: &str, value: &Value) -> Result<(), PatchError> {
        let admin = |patch: &mut ClientPatch, v: Value| {
            patch.admin.insert(field.to_owned(), v);
        };
        let meta = |patch: &mut ClientPatch, key: &str, v: Value| {
            patch.metadata.insert(key.to_owned(), v);
        };
        if !writable_members().any(|member| member == field) {
            let problem =
                if READ_ONLY.contains(&field) { "read-only field" } else { "unknown field" };
            return Err(err(field, problem));
        }
        let null = value.is_null();
        match field {
            "name" => meta(patch, "client_name", values::name(value)?),
            "logo_uri" | "initiate_login_uri" if null => meta(patch, field, Value::Null),
            "logo_uri" => meta(patch, field, values::web_url(field, value)?),
            "initiate_login_uri" => meta(patch, field, values::https_url(field, value)?),
            "callbacks" | "allowed_logout_urls" => {
                let (key, setting) = match field {
                    "callbacks" => ("redirect_uris", UrlSetting::Callback),
                    _ => ("post_logout_redirect_uris", UrlSetting::AllowedLogoutUrl),
                };
                let v = if null { Value::Null } else { values::url_list(field, value, setting)? };
                meta(patch, key, v);
            }
            "grant_types" => {
                let (grants, types) = auth::grant_types(value, self.current_metadata)?;
                meta(patch, "grant_types", grants);
                meta(patch, "response_types", types);
            }
            "token_endpoint_auth_method" => {
                let v = match null {
                    true => Value::Null,
                    false => one_of::<TokenEndpointAuthMethod>(field, value)?.as_str().into(),
                };
                meta(patch, field, v);
                // The two are exclusive: a secret method ends private_key_jwt.
                patch.admin.insert(auth::CAM.into(), Value::Null);
            }
            auth::CAM if null => {
                patch.admin.insert(auth::CAM.into(), Value::Null);
                let current = self.current_metadata.get("token_endpoint_auth_method");
                let jwt = ["private_key_jwt", "client_secret_jwt"].map(Value::from);
                if !self.body.contains_key("token_endpoint_auth_method")
                    && current.is_some_and(|m| jwt.contains(m))
                {
                    // Back to the default secret method, as a new registration would get.
                    meta(patch, "token_endpoint_auth_method", Value::Null);
                }
            }
            auth::CAM => {
                auth::authentication_methods(value, self.current_metadata)?;
                meta(patch, "token_endpoint_auth_method", "private_key_jwt".into());
                admin(patch, value.clone());
                require(patch, "update:client_credentials");
            }
            "jwt_configuration" => {
                let current = self.current_view.get(field);
                let (merged, alg) = auth::jwt_configuration(value, current)?;
                if let Some(alg) = alg {
                    meta(patch, "id_token_signed_response_alg", alg.as_str().into());
                }
                admin(patch, merged);
            }
            "client_secret" => {
                patch.client_secret = Some(values::client_secret(value)?);
                require(patch, "update:client_keys");
            }
            "is_first_party" => patch.is_first_party = Some(values::boolean(field, value)?),
            "client_metadata" => {
                let empty = Map::new();
                let view = self.current_view.get(field).and_then(Value::as_object);
                let derived = ClientSettings::derive("", self.current_metadata).client_metadata;
                admin(patch, values::client_metadata(value, view.unwrap_or(&empty), &derived)?);
            }
            // Auth0 takes `cross_origin_authentication` in requests and shows
            // `cross_origin_auth` in responses; both set the one setting.
            "cross_origin_authentication" => {
                let v = values::boolean(field, value)?;
                patch.admin.insert("cross_origin_auth".into(), v.into());
            }
            _ if BOOLEANS.contains(&field) => admin(patch, values::boolean(field, value)?.into()),
            // Everything below is optional: null returns it to its default.
            _ if null && !READ_ONLY.contains(&field) && is_nullable(field) => {
                admin(patch, Value::Null)
            }
            "description" => admin(patch, values::description(value)?),
            "allowed_origins" => {
                admin(patch, values::url_list(field, value, UrlSetting::AllowedOrigin)?)
            }
            "web_origins" => admin(patch, values::url_list(field, value, UrlSetting::WebOrigin)?),
            "cross_origin_loc" => admin(patch, values::web_url(field, value)?),
            "par_request_expiry" => admin(patch, integer_in(field, value, PAR_REQUEST_EXPIRY)?),
            "app_type" => admin(patch, checked::<AppType>(field, value)?),
            "organization_usage" => admin(patch, checked::<OrganizationUsage>(field, value)?),
            "organization_require_behavior" => {
                admin(patch, checked::<OrganizationRequireBehavior>(field, value)?)
            }
            "compliance_level" => admin(patch, checked::<ComplianceLevel>(field, value)?),
            "organization_discovery_methods" => {
                values::at_least_one::<OrganizationDiscoveryMethod>(field, value)?;
                admin(patch, value.clone());
            }
            "async_approval_notification_channels" => {
                values::at_least_one::<ApprovalChannel>(field, value)?;
                admin(patch, value.clone());
            }
            _ if TEXTS.contains(&field) => admin(patch, values::string(field, value)?.into()),
            _ if OBJECTS.contains(&field) => {
                values::object(field, value)?;
                admin(patch, value.clone());
            }
            _ if STRING_LISTS.contains(&field) => admin(patch, values::strings(field, value)?),
            // Listed in `NAMED` without a rule of its own: a bug, caught by the tests.
            _ => return Err(err(field, "unknown field")),
        }
        Ok(())
    }

    /// Rules that span fields (seed 004 notes). Each looks at the effective value: the
    /// body's if it sends the field (null meaning unset), else the current view's.
    fn check_cross_field_rules(&self) -> Result<(), PatchError> {
        let sent = |field: &str| self.body.get(field).filter(|v| !v.is_null());
        if sent(auth::CAM).is_some() && self.body.contains_key("token_endpoint_auth_method") {
            return Err(err(auth::CAM, "cannot be sent with token_endpoint_auth_method"));
        }
        if sent("cross_origin_auth").is_some() && sent("cross_origin_authentication").is_some() {
            return Err(err(
                "cross_origin_authentication",
                "send only one of it and cross_origin_auth",
            ));
        }
        if self.body.get("is_first_party") == Some(&Value::Bool(false)) {
            for field in ["organization_usage", "organization_require_behavior"] {
                if self.effective(field).is_some() {
                    return Err(err(
                        "is_first_party",
                        format!("cannot be false while {field} is set; unset it (null) first"),
                    ));
                }
            }
        }
        let touched = ["organization_require_behavior", "oidc_conformant"];
        if touched.iter().any(|f| self.body.contains_key(*f)) {
            self.check_post_login_prompt()?;
        }
        self.check_private_key_jwt_alg()
    }

    /// Seed 004: post_login_prompt requires oidc_conformant true.
    fn check_post_login_prompt(&self) -> Result<(), PatchError> {
        let sent = |field: &str| self.body.get(field).filter(|v| !v.is_null());
        let behavior = self.effective("organization_require_behavior");
        let post_login = Some(OrganizationRequireBehavior::PostLoginPrompt.as_str());
        // This server's clients conform to OIDC unless an administrator says otherwise.
        let conformant = self.effective("oidc_conformant").and_then(Value::as_bool).unwrap_or(true);
        if behavior.and_then(Value::as_str) == post_login && !conformant {
            let field = match sent("oidc_conformant") {
                Some(_) => "oidc_conformant",
                None => "organization_require_behavior",
            };
            return Err(err(field, "post_login_prompt requires oidc_conformant true"));
        }
        Ok(())
    }

    /// Seed 004: with `client_authentication_methods`, `jwt_configuration.alg` must be
    /// RS256. Checked when the body sends either, so that an unrelated change to a client
    /// registered otherwise (RFC 7591 allows private_key_jwt with any alg) still goes through.
    fn check_private_key_jwt_alg(&self) -> Result<(), PatchError> {
        let sent_alg = self
            .body
            .get("jwt_configuration")
            .and_then(|c| c.get("alg"))
            .and_then(Value::as_str)
            .and_then(JwtAlg::parse);
        let sent_methods = self.body.get(auth::CAM).is_some_and(|v| !v.is_null());
        if sent_alg.is_none() && !sent_methods {
            return Ok(());
        }
        // New clients sign with RS256 (vocab::DEFAULT_ID_TOKEN_ALG).
        let alg = sent_alg.or_else(|| auth::view_alg(self.current_view)).unwrap_or(JwtAlg::RS256);
        if alg == JwtAlg::RS256 || self.effective(auth::CAM).is_none() {
            return Ok(());
        }
        match sent_alg {
            Some(_) => Err(err(
                "jwt_configuration.alg",
                "must be RS256 with client_authentication_methods",
            )),
            None => Err(err(auth::CAM, "needs jwt_configuration.alg RS256")),
        }
    }

    /// The field's value after this body: the body's (null reads as unset), else the
    /// current view's.
    fn effective(&self, field: &str) -> Option<&Value> {
        match self.body.get(field) {
            Some(v) => Some(v),
            None => self.current_view.get(field),
        }
        .filter(|v| !v.is_null())
    }
}

fn checked<V: Vocabulary>(field: &str, value: &Value) -> Result<Value, PatchError> {
    Ok(one_of::<V>(field, value)?.as_str().into())
}

fn require(patch: &mut ClientPatch, scope: &'static str) {
    if !patch.required_scopes.contains(&scope) {
        patch.required_scopes.push(scope);
    }
}

/// Optional fields that take `null` to mean "back to the default".
fn is_nullable(field: &str) -> bool {
    const NULLABLE: &[&str] = &[
        "description",
        "allowed_origins",
        "web_origins",
        "cross_origin_loc",
        "par_request_expiry",
        "app_type",
        "organization_usage",
        "organization_require_behavior",
        "compliance_level",
        "organization_discovery_methods",
        "async_approval_notification_channels",
    ];
    NULLABLE.contains(&field)
        || TEXTS.contains(&field)
        || OBJECTS.contains(&field)
        || STRING_LISTS.contains(&field)
}

#[cfg(test)]
#[path = "client_patch_tests.rs"]
mod tests;
