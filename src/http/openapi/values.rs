//! Schemas of single values, read from the vocabularies the server validates with.

use super::*;

// ---------------------------------------------------------------------------------------
// Schema helpers: enumerations come from the vocabularies the server checks with.

pub(super) fn schema(value: Value) -> Schema {
    serde_json::from_value(value).expect("a valid schema literal")
}

pub(super) fn admin_values<V: Vocabulary>() -> Vec<&'static str> {
    V::ALL.iter().map(|v| v.as_str()).collect()
}

/// A nullable string from `values` (null and `""` mean "not sent" in registration bodies).
pub(super) fn nullable_enum(values: Vec<&'static str>) -> Schema {
    let mut values: Vec<Value> = values.into_iter().map(Value::from).collect();
    values.push(Value::Null);
    schema(json!({ "type": ["string", "null"], "enum": values }))
}

/// A nullable array of strings from `values`, at most [`MAX_ITEMS`] of them.
pub(super) fn nullable_enum_list(values: Vec<&'static str>) -> Schema {
    schema(json!({
        "type": ["array", "null"],
        "maxItems": MAX_ITEMS,
        "items": { "type": "string", "enum": values },
    }))
}

pub(super) fn nullable_string_list() -> Schema {
    schema(json!({
        "type": ["array", "null"],
        "maxItems": MAX_ITEMS,
        "items": { "type": "string" },
    }))
}

pub(super) fn grant_types() -> Schema {
    nullable_enum_list(GrantType::wire_values())
}
pub(super) fn response_types() -> Schema {
    nullable_enum_list(ResponseType::SUPPORTED.to_vec())
}
pub(super) fn application_type() -> Schema {
    nullable_enum(ApplicationType::wire_values())
}
pub(super) fn auth_method() -> Schema {
    nullable_enum(AuthMethod::wire_values())
}
pub(super) fn subject_type() -> Schema {
    nullable_enum(SubjectType::wire_values())
}
pub(super) fn jws_alg() -> Schema {
    nullable_enum(JwsAlg::wire_values())
}
pub(super) fn jwe_alg() -> Schema {
    nullable_enum(JweAlg::wire_values())
}
pub(super) fn jwe_enc() -> Schema {
    nullable_enum(JweEnc::wire_values())
}
pub(super) fn string_list() -> Schema {
    nullable_string_list()
}
pub(super) fn jwks_value() -> Schema {
    schema(json!({
        "type": ["object", "null"],
        "description": "The client's public keys as a JWK Set (`{\"keys\": [...]}`); private members are refused.",
        "required": ["keys"],
        "properties": { "keys": { "type": "array", "items": { "type": "object" } } },
    }))
}

pub(super) fn admin_grant_types() -> Schema {
    schema(json!({
        "type": "array",
        "maxItems": MAX_ITEMS,
        "uniqueItems": true,
        "items": { "type": "string", "enum": admin_values::<admin_vocab::GrantType>() },
    }))
}
pub(super) fn admin_auth_method() -> Schema {
    nullable_enum(admin_values::<admin_vocab::TokenEndpointAuthMethod>())
}
pub(super) fn admin_app_type() -> Schema {
    nullable_enum(admin_values::<admin_vocab::AppType>())
}
pub(super) fn app_type_view() -> Schema {
    schema(json!({ "type": "string", "enum": admin_values::<admin_vocab::AppType>() }))
}
pub(super) fn organization_usage() -> Schema {
    nullable_enum(admin_values::<admin_vocab::OrganizationUsage>())
}
pub(super) fn organization_require_behavior() -> Schema {
    nullable_enum(admin_values::<admin_vocab::OrganizationRequireBehavior>())
}
pub(super) fn compliance_level() -> Schema {
    nullable_enum(admin_values::<admin_vocab::ComplianceLevel>())
}
pub(super) fn organization_discovery_methods() -> Schema {
    schema(json!({
        "type": ["array", "null"],
        "minItems": 1,
        "maxItems": MAX_ITEMS,
        "uniqueItems": true,
        "items": { "type": "string", "enum": admin_values::<admin_vocab::OrganizationDiscoveryMethod>() },
    }))
}
pub(super) fn approval_channels() -> Schema {
    schema(json!({
        "type": ["array", "null"],
        "minItems": 1,
        "maxItems": MAX_ITEMS,
        "uniqueItems": true,
        "items": { "type": "string", "enum": admin_values::<admin_vocab::ApprovalChannel>() },
    }))
}
pub(super) fn admin_url_list() -> Schema {
    schema(json!({
        "type": ["array", "null"],
        "maxItems": MAX_ITEMS,
        "items": { "type": "string" },
        "description": "URLs with their protocol; administrators may use one leftmost subdomain wildcard (`https://*.example.com/cb`), never over a public suffix.",
    }))
}
pub(super) fn admin_string_list() -> Schema {
    schema(json!({
        "type": ["array", "null"],
        "maxItems": MAX_ITEMS,
        "items": { "type": "string", "minLength": 1, "maxLength": 255 },
    }))
}
pub(super) fn admin_jwt_configuration() -> Schema {
    schema(json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "alg": { "type": "string", "enum": admin_values::<admin_vocab::JwtAlg>() },
            "lifetime_in_seconds": { "type": "integer", "minimum": 1 },
            "secret_encoded": { "type": "boolean" },
            "scopes": { "type": "object" },
        },
    }))
}
pub(super) fn admin_client_metadata() -> Schema {
    schema(json!({
        "type": "object",
        "description": "At most 10 keys in all; key names of 1 to 255 letters, digits, tab, space and `:,-+=_*?\"/()<>@`; values strings of at most 255 characters, or null to remove a key.",
        "additionalProperties": { "type": ["string", "null"], "maxLength": 255 },
    }))
}
pub(super) fn client_authentication_methods() -> Schema {
    schema(json!({
        "type": ["object", "null"],
        "description": "Only `private_key_jwt`, with credentials that name `kid`s of the client's registered keys: `{\"private_key_jwt\": {\"credentials\": [{\"id\": \"<kid>\"}]}}`. Needs scope `update:client_credentials`; not together with `token_endpoint_auth_method`.",
    }))
}
pub(super) fn nullable_object() -> Schema {
    schema(json!({ "type": ["object", "null"] }))
}
pub(super) fn string_map() -> Schema {
    schema(json!({ "type": "object", "additionalProperties": { "type": "string" } }))
}
pub(super) fn event_type() -> Schema {
    schema(json!({ "type": "string", "enum": EventType::ALL.map(EventType::code) }))
}
pub(super) fn any_object() -> Schema {
    schema(json!({ "type": "object" }))
}

/// A JSON integer the server reads as a Rust `u64` (up to 2^64 - 1, more than `int64`).
pub(super) fn unsigned() -> Schema {
    schema(json!({ "type": "integer", "minimum": 0, "maximum": u64::MAX }))
}

pub(super) fn nullable_unsigned() -> Schema {
    schema(json!({ "type": ["integer", "null"], "minimum": 0, "maximum": u64::MAX }))
}

pub(super) fn null_only() -> Schema {
    schema(json!({ "type": "null" }))
}
