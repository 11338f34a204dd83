//! Human-readable members with language-tagged variants (RFC 7591 §2.2, OIDC DCR §2.1):
//! `client_name`, `client_name#ja-Jpan-JP`, ... kept verbatim and returned as sent.

use serde_json::{Map, Value};

use super::fields::{printable_ascii, string_value, Fields, QUOTED_CHARS};
use super::lang::LanguageTag;
use super::MetadataError;

/// The members that may carry a `#tag` suffix.
pub const LOCALIZABLE: &[&str] =
    &["client_name", "client_uri", "logo_uri", "policy_uri", "tos_uri"];

/// Most language variants of one member; more is flooding.
const MAX_VARIANTS: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Localized<T> {
    /// The untagged value, used as given (RFC 7591 §2.2: no language assumed).
    pub default: Option<T>,
    pub tagged: Vec<(LanguageTag, T)>,
}

impl<T> Default for Localized<T> {
    fn default() -> Self {
        Localized { default: None, tagged: Vec::new() }
    }
}

impl<T> Localized<T> {
    /// Reads `field` and every `field#tag`, checking each value with `check`.
    pub fn read(
        fields: &Fields<'_>,
        field: &str,
        mut check: impl FnMut(&str, &str) -> Result<T, MetadataError>,
    ) -> Result<Self, MetadataError> {
        let default = match fields.string(field)? {
            Some(value) => Some(check(field, value)?),
            None => None,
        };
        let mut tagged: Vec<(LanguageTag, T)> = Vec::new();
        for (key, value) in fields.map() {
            let Some((base, tag)) = key.split_once('#') else { continue };
            if base != field {
                continue;
            }
            let member = format!("{field}#{}", printable_ascii(tag, QUOTED_CHARS));
            let tag = LanguageTag::parse(tag).map_err(|e| {
                MetadataError::field(&member, format!("invalid language tag ({e})"))
            })?;
            let Some(text) = string_value(&member, Some(value))? else { continue };
            if tagged.iter().any(|(seen, _)| seen.same_tag(&tag)) {
                return Err(MetadataError::field(&member, "language tag given twice"));
            }
            if tagged.len() == MAX_VARIANTS {
                return Err(MetadataError::field(field, "too many language variants"));
            }
            tagged.push((tag, check(&member, text)?));
        }
        Ok(Localized { default, tagged })
    }

    pub fn is_empty(&self) -> bool {
        self.default.is_none() && self.tagged.is_empty()
    }

    /// Writes `field` and its tagged variants into `out`.
    pub fn write(&self, field: &str, out: &mut Map<String, Value>, show: impl Fn(&T) -> &str) {
        if let Some(value) = &self.default {
            out.insert(field.to_owned(), Value::from(show(value)));
        }
        for (tag, value) in &self.tagged {
            out.insert(format!("{field}#{}", tag.as_str()), Value::from(show(value)));
        }
    }
}
