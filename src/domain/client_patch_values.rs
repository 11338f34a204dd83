//! Typed reads of single management API values, each failure naming its field.

use serde_json::{Map, Value};

use super::vocab::Vocabulary;
use super::PatchError;
use crate::domain::fields::{self, MAX_ITEMS};
use crate::domain::settings::{MAX_CLIENT_METADATA_KEYS, MAX_CLIENT_METADATA_VALUE_CHARS};
use crate::domain::uri::{check_https_uri, CheckedUri};
use crate::domain::url_rules::{UrlPattern, UrlSetting};

/// Longest `name`: registration's `client_name` limit, since the name is stored there and
/// an RFC 7592 update must be able to send it back unchanged.
const MAX_NAME_CHARS: usize = 255;
/// Seed 004: "Max character length: 140".
const MAX_DESCRIPTION_CHARS: usize = 140;
/// Longest item of a plain string list (`allowed_clients`, `client_aliases`).
const MAX_ITEM_CHARS: usize = 255;
/// An administrator-chosen secret: at least 256 bits of text, because with HS256 the
/// secret is the signing key and RFC 7518 §3.2 wants a key at least as long as the hash.
pub const MIN_SECRET_CHARS: usize = 32;
const MAX_SECRET_CHARS: usize = 512;
/// Seed 004: `client_metadata` key names (max 255 chars) are alphanumeric plus these.
const METADATA_KEY_SPECIALS: &str = ":,-+=_*?\"/()<>@\t ";

pub fn err(field: impl Into<String>, message: impl Into<String>) -> PatchError {
    PatchError { field: field.into(), message: message.into() }
}

pub fn boolean(field: &str, value: &Value) -> Result<bool, PatchError> {
    value.as_bool().ok_or_else(|| err(field, "must be a boolean"))
}

pub fn string<'a>(field: &str, value: &'a Value) -> Result<&'a str, PatchError> {
    value.as_str().ok_or_else(|| err(field, "must be a string"))
}

pub fn object<'a>(field: &str, value: &'a Value) -> Result<&'a Map<String, Value>, PatchError> {
    value.as_object().ok_or_else(|| err(field, "must be an object"))
}

fn array<'a>(field: &str, value: &'a Value) -> Result<&'a [Value], PatchError> {
    let items = value.as_array().ok_or_else(|| err(field, "must be an array"))?;
    if items.len() > MAX_ITEMS {
        return Err(err(field, format!("at most {MAX_ITEMS} items")));
    }
    Ok(items)
}

/// An array of non-empty strings of at most 255 characters.
pub fn strings(field: &str, value: &Value) -> Result<Value, PatchError> {
    for item in array(field, value)? {
        let text = item.as_str().ok_or_else(|| err(field, "must be an array of strings"))?;
        if text.is_empty() || text.chars().count() > MAX_ITEM_CHARS {
            return Err(err(field, format!("items must have 1 to {MAX_ITEM_CHARS} characters")));
        }
    }
    Ok(value.clone())
}

pub fn one_of<V: Vocabulary>(field: &str, value: &Value) -> Result<V, PatchError> {
    value
        .as_str()
        .and_then(V::parse)
        .ok_or_else(|| err(field, format!("must be one of: {}", V::listing())))
}

/// A non-empty array of distinct vocabulary values.
pub fn many_of<V: Vocabulary + PartialEq>(
    field: &str,
    value: &Value,
) -> Result<Vec<V>, PatchError> {
    let mut out: Vec<V> = Vec::new();
    for item in array(field, value)? {
        let v = item
            .as_str()
            .and_then(V::parse)
            .ok_or_else(|| err(field, format!("items must be among: {}", V::listing())))?;
        if out.contains(&v) {
            return Err(err(field, format!("repeats {}", v.as_str())));
        }
        out.push(v);
    }
    Ok(out)
}

pub fn at_least_one<V: Vocabulary + PartialEq>(
    field: &str,
    value: &Value,
) -> Result<(), PatchError> {
    if many_of::<V>(field, value)?.is_empty() {
        return Err(err(field, "needs at least one value"));
    }
    Ok(())
}

/// A URL setting: every item through the one URL rule ([`UrlPattern`]); administrators
/// may use subdomain wildcards (seed 001).
pub fn url_list(field: &str, value: &Value, setting: UrlSetting) -> Result<Value, PatchError> {
    for (index, item) in array(field, value)?.iter().enumerate() {
        let raw = item.as_str().ok_or_else(|| err(field, "must be an array of strings"))?;
        UrlPattern::parse(raw, setting, true)
            .map_err(|why| err(field, format!("item {index}: {why}")))?;
    }
    Ok(value.clone())
}

/// An http(s) URL (`logo_uri`, `cross_origin_loc`).
pub fn web_url(field: &str, value: &Value) -> Result<Value, PatchError> {
    let uri = CheckedUri::parse(string(field, value)?).map_err(|why| err(field, why))?;
    if !uri.is_http() && !uri.is_https() {
        return Err(err(field, "URL must use http or https"));
    }
    Ok(value.clone())
}

/// `initiate_login_uri`: https only (seed 004, OIDC DCR §2).
pub fn https_url(field: &str, value: &Value) -> Result<Value, PatchError> {
    check_https_uri(string(field, value)?, false).map_err(|why| err(field, why))?;
    Ok(value.clone())
}

/// `name`: seed 004's `^[^<>]+$`, plus registration's length and no control characters
/// (a name is shown on consent screens, where a newline or bidi override can disguise it).
pub fn name(value: &Value) -> Result<Value, PatchError> {
    let text = value.as_str().ok_or_else(|| err("name", "must be a string"))?;
    if text.is_empty() {
        return Err(err("name", "must contain at least one character"));
    }
    if text.contains(['<', '>']) {
        return Err(err("name", "must not contain < or >"));
    }
    if text.chars().count() > MAX_NAME_CHARS {
        return Err(err("name", format!("at most {MAX_NAME_CHARS} characters")));
    }
    if text.chars().any(fields::is_hidden) {
        return Err(err("name", fields::HIDDEN_MESSAGE));
    }
    Ok(value.clone())
}

pub fn description(value: &Value) -> Result<Value, PatchError> {
    if string("description", value)?.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(err("description", format!("at most {MAX_DESCRIPTION_CHARS} characters")));
    }
    Ok(value.clone())
}

/// A whole number within `range`.
pub fn integer_in(
    field: &str,
    value: &Value,
    range: std::ops::RangeInclusive<u64>,
) -> Result<Value, PatchError> {
    match value.as_u64() {
        Some(n) if range.contains(&n) => Ok(value.clone()),
        _ => {
            Err(err(field, format!("must be an integer from {} to {}", range.start(), range.end())))
        }
    }
}

/// `client_secret`: printable ASCII without spaces, so that it survives HTTP Basic and
/// form encoding unchanged (RFC 6749 §2.3.1), and long enough to be a key.
pub fn client_secret(value: &Value) -> Result<String, PatchError> {
    let text = string("client_secret", value)?;
    if !(MIN_SECRET_CHARS..=MAX_SECRET_CHARS).contains(&text.len()) {
        return Err(err(
            "client_secret",
            format!("must have {MIN_SECRET_CHARS} to {MAX_SECRET_CHARS} characters"),
        ));
    }
    if !text.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(err("client_secret", "must be printable ASCII without spaces"));
    }
    Ok(text.to_owned())
}

/// `client_metadata` changes: a null value removes its key (Auth0 merges this object key
/// by key). `view` is the client's current `client_metadata`, which holds only what a
/// user put there. The limit of 10 keys applies to the result.
pub fn client_metadata(value: &Value, view: &Map<String, Value>) -> Result<Value, PatchError> {
    let field = "client_metadata";
    let changes = object(field, value)?;
    let mut keys: Vec<&str> = view.keys().map(String::as_str).collect();
    let mut out = Map::new();
    for (key, item) in changes {
        let key_ok = (1..=MAX_CLIENT_METADATA_VALUE_CHARS).contains(&key.chars().count())
            && key.chars().all(|c| c.is_ascii_alphanumeric() || METADATA_KEY_SPECIALS.contains(c));
        if !key_ok {
            return Err(err(
                field,
                "key names have 1 to 255 characters: letters, digits, tab, space and :,-+=_*?\"/()<>@",
            ));
        }
        match item {
            // Removing a key the client does not have changes nothing; leaving it out
            // keeps a stray null from being stored.
            Value::Null => {
                if view.contains_key(key) {
                    keys.retain(|k| k != key);
                    out.insert(key.clone(), Value::Null);
                }
            }
            Value::String(text) if text.chars().count() <= MAX_CLIENT_METADATA_VALUE_CHARS => {
                if !keys.contains(&key.as_str()) {
                    keys.push(key);
                }
                out.insert(key.clone(), item.clone());
            }
            _ => {
                return Err(err(
                    field,
                    format!(
                        "values must be strings of at most {MAX_CLIENT_METADATA_VALUE_CHARS} characters"
                    ),
                ))
            }
        }
    }
    if keys.len() > MAX_CLIENT_METADATA_KEYS {
        return Err(err(field, format!("at most {MAX_CLIENT_METADATA_KEYS} keys")));
    }
    Ok(Value::Object(out))
}
