//! Typed reads of top-level JSON members, each failure naming its member.
//!
//! Registration bodies are read member by member from a JSON object rather than through a
//! derived struct: RFC 7591 §2 says unknown members are ignored, OIDC DCR §7 wants each
//! type error reported against its member, and `null` or `""` mean "not sent" (RFC 7592
//! §2.2 lets the server treat them so, and update bodies rely on it).

use serde_json::{Map, Value};

use super::MetadataError;

/// Most items accepted in one array member; more is flooding, not a client.
pub const MAX_ITEMS: usize = 100;
/// Longest free-text value accepted.
pub const MAX_TEXT_CHARS: usize = 1024;

pub struct Fields<'a> {
    map: &'a Map<String, Value>,
}

impl<'a> Fields<'a> {
    pub fn new(map: &'a Map<String, Value>) -> Self {
        Fields { map }
    }

    pub fn map(&self) -> &'a Map<String, Value> {
        self.map
    }

    /// The member's value, with `null` read as absent.
    pub fn value(&self, field: &str) -> Option<&'a Value> {
        self.map.get(field).filter(|v| !v.is_null())
    }

    pub fn has(&self, field: &str) -> bool {
        self.value(field).is_some()
    }

    /// An optional string; `""` counts as absent.
    pub fn string(&self, field: &str) -> Result<Option<&'a str>, MetadataError> {
        string_value(field, self.value(field))
    }

    /// An optional array of strings; an empty array counts as absent for callers that
    /// use `unwrap_or_default`, but `Some(vec![])` is kept for those where `[]` differs
    /// from a missing member (response_types).
    pub fn strings(&self, field: &str) -> Result<Option<Vec<&'a str>>, MetadataError> {
        let Some(value) = self.value(field) else { return Ok(None) };
        let Value::Array(items) = value else {
            return Err(MetadataError::field(field, "must be an array of strings"));
        };
        if items.len() > MAX_ITEMS {
            return Err(MetadataError::field(field, format!("at most {MAX_ITEMS} values")));
        }
        items
            .iter()
            .map(|item| match item {
                Value::String(s) if !s.is_empty() => Ok(s.as_str()),
                Value::String(_) => Err(MetadataError::field(field, "values must not be empty")),
                _ => Err(MetadataError::field(field, "must be an array of strings")),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    pub fn boolean(&self, field: &str) -> Result<Option<bool>, MetadataError> {
        match self.value(field) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(MetadataError::field(field, "must be a boolean")),
        }
    }

    pub fn unsigned(&self, field: &str) -> Result<Option<u64>, MetadataError> {
        match self.value(field) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_u64()
                .map(Some)
                .ok_or_else(|| MetadataError::field(field, "must be a non-negative integer")),
            Some(_) => Err(MetadataError::field(field, "must be a non-negative integer")),
        }
    }
}

pub fn string_value<'a>(
    field: &str,
    value: Option<&'a Value>,
) -> Result<Option<&'a str>, MetadataError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(MetadataError::field(field, "must be a string")),
    }
}

/// Client-sent text quoted in an error message: printable ASCII (RFC 7591 §3.2.2 wants
/// ASCII descriptions; other bytes become `?`, so nothing an attacker sends reaches a
/// client's logs or screen as is), at most `max_chars` characters.
pub fn printable_ascii(text: &str, max_chars: usize) -> String {
    text.chars()
        .take(max_chars)
        .map(|c| if c == ' ' || c.is_ascii_graphic() { c } else { '?' })
        .collect()
}

/// How much of a client-sent name an error message quotes.
pub const QUOTED_CHARS: usize = 64;

/// Free text shown to people: bounded, and without control or invisible characters that
/// could disguise a name on a consent screen.
pub fn check_text(field: &str, text: &str, max_chars: usize) -> Result<(), MetadataError> {
    if text.chars().count() > max_chars {
        return Err(MetadataError::field(field, format!("at most {max_chars} characters")));
    }
    if text.chars().any(is_hidden) {
        return Err(MetadataError::field(field, HIDDEN_MESSAGE));
    }
    Ok(())
}

pub const HIDDEN_MESSAGE: &str = "must not contain control, bidi or invisible format characters";

/// Characters a reader cannot see but that change what a text shows or how it compares:
/// controls (Cc), line and paragraph separators, and the format characters (Cf: bidi
/// embeddings, overrides and isolates, zero-width space and joiners, word joiner,
/// invisible operators, byte order mark, interlinear annotation, tag characters), plus
/// the invisible letters used to pad names (Hangul fillers, the combining grapheme joiner).
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{0600}'..='\u{0605}'
                | '\u{061C}'
                | '\u{06DD}'
                | '\u{070F}'
                | '\u{0890}'..='\u{0891}'
                | '\u{08E2}'
                | '\u{115F}'..='\u{1160}'
                | '\u{17B4}'..='\u{17B5}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{110BD}'
                | '\u{110CD}'
                | '\u{13430}'..='\u{1343F}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E007F}'
        )
}

/// Parses every element with `parse`, naming the field in the error of `err`.
pub fn parse_each<T, E>(
    field: &str,
    values: &[&str],
    mut parse: impl FnMut(&str) -> Result<T, &'static str>,
    err: E,
) -> Result<Vec<T>, MetadataError>
where
    E: Fn(&str, &'static str) -> MetadataError,
{
    values.iter().map(|v| parse(v).map_err(|why| err(field, why))).collect()
}
