//! BCP 47 language tags for localized client metadata.
//!
//! RFC 7591 §2.2 and OpenID Connect Dynamic Client Registration 1.0 §2.1
//! let human-readable metadata members carry a language tag after a `#`,
//! e.g. `client_name#ja-Jpan-JP`. Tags follow BCP 47 (RFC 5646).
//!
//! This module checks *well-formedness* only (RFC 5646 §2.2.9): the tag must
//! match the §2.1 ABNF. It does not consult the IANA subtag registry, so a
//! well-formed but unregistered tag such as `qq-Zzzz` is accepted; the
//! registration server only needs to store and return the tag faithfully.

use std::fmt;
use std::str::FromStr;

/// Longest tag accepted. RFC 5646 §4.4.1 only sets a 35-character minimum
/// buffer for implementations; 64 keeps member names bounded while leaving
/// room for extensions and private-use subtags.
pub const MAX_TAG_LEN: usize = 64;

/// Irregular grandfathered tags (RFC 5646 §2.1 `irregular`). They do not fit
/// the `langtag` production, so they are matched literally. The `regular`
/// grandfathered tags (`art-lojban`, `zh-min-nan`, ...) are already
/// well-formed `langtag`s and need no special case.
const IRREGULAR: [&str; 17] = [
    "en-GB-oed",
    "i-ami",
    "i-bnn",
    "i-default",
    "i-enochian",
    "i-hak",
    "i-klingon",
    "i-lux",
    "i-mingo",
    "i-navajo",
    "i-pwn",
    "i-tao",
    "i-tay",
    "i-tsu",
    "sgn-BE-FR",
    "sgn-BE-NL",
    "sgn-CH-DE",
];

/// A well-formed BCP 47 language tag, kept exactly as the client sent it.
///
/// The original spelling is kept (not canonicalized) because RFC 7591 §2.2
/// returns metadata as registered; use [`LanguageTag::same_tag`] to compare
/// tags, since RFC 5646 §2.1.1 makes them case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LanguageTag(String);

/// Why a language tag is not well-formed. Messages are ASCII and never echo
/// the input, because they end up in `error_description`.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum LanguageTagError {
    #[error("language tag is empty")]
    Empty,
    #[error("language tag is longer than 64 characters")]
    TooLong,
    #[error("language tag may contain only ASCII letters, digits and hyphens")]
    InvalidCharacter,
    #[error("language tag has an empty subtag")]
    EmptySubtag,
    #[error("language tag has a subtag longer than 8 characters")]
    SubtagTooLong,
    #[error("language tag must start with a 2 to 8 letter language subtag")]
    InvalidLanguage,
    #[error("language tag singleton {0} is not followed by a subtag")]
    EmptySingleton(char),
    #[error("language tag subtag {0} is misplaced or malformed")]
    Malformed(usize),
}

impl LanguageTag {
    /// Parses `tag` per the RFC 5646 §2.1 ABNF:
    ///
    /// ```text
    /// Language-Tag = langtag / privateuse / grandfathered
    /// langtag      = language ["-" script] ["-" region] *("-" variant)
    ///                *("-" extension) ["-" privateuse]
    /// ```
    ///
    /// Matching is case-insensitive (§2.1.1); the tag is stored verbatim.
    pub fn parse(tag: &str) -> Result<LanguageTag, LanguageTagError> {
        if tag.is_empty() {
            return Err(LanguageTagError::Empty);
        }
        if tag.len() > MAX_TAG_LEN {
            return Err(LanguageTagError::TooLong);
        }
        if !tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(LanguageTagError::InvalidCharacter);
        }
        let subtags: Vec<&str> = tag.split('-').collect();
        if subtags.iter().any(|s| s.is_empty()) {
            return Err(LanguageTagError::EmptySubtag);
        }
        if subtags.iter().any(|s| s.len() > 8) {
            return Err(LanguageTagError::SubtagTooLong);
        }
        if IRREGULAR.iter().any(|g| g.eq_ignore_ascii_case(tag)) {
            return Ok(LanguageTag(tag.to_owned()));
        }
        check_subtags(&subtags)?;
        Ok(LanguageTag(tag.to_owned()))
    }

    /// The tag exactly as it was sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether both tags denote the same tag; RFC 5646 §2.1.1 says case
    /// carries no distinction, so `en-US` and `EN-us` are the same.
    pub fn same_tag(&self, other: &LanguageTag) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl fmt::Display for LanguageTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for LanguageTag {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for LanguageTag {
    type Err = LanguageTagError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LanguageTag::parse(s)
    }
}

fn is_alpha(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphabetic())
}

fn is_digit(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// Walks the subtags in ABNF order. Each production is told apart from the
/// next by length and character class, so a single forward pass is enough.
/// Inputs are already known to be non-empty, ASCII alphanumeric, <= 8 long.
fn check_subtags(subtags: &[&str]) -> Result<(), LanguageTagError> {
    let mut rest = subtags.iter().copied().enumerate().peekable();

    // A bare private-use tag, `x-...` (§2.2.7).
    let Some((_, first)) = rest.next() else {
        return Err(LanguageTagError::Empty);
    };
    if first.eq_ignore_ascii_case("x") {
        return check_private_use(first, rest);
    }

    // language = 2*3ALPHA ["-" extlang] / 4ALPHA / 5*8ALPHA (§2.2.1)
    if first.len() < 2 || !is_alpha(first) {
        return Err(LanguageTagError::InvalidLanguage);
    }
    if first.len() <= 3 {
        // extlang = 3ALPHA *2("-" 3ALPHA) (§2.2.2), only after a short language.
        let mut extlangs = 0;
        while extlangs < 3 && rest.next_if(|(_, s)| s.len() == 3 && is_alpha(s)).is_some() {
            extlangs += 1;
        }
    }
    // script = 4ALPHA (§2.2.3)
    rest.next_if(|(_, s)| s.len() == 4 && is_alpha(s));
    // region = 2ALPHA / 3DIGIT (§2.2.4)
    rest.next_if(|(_, s)| (s.len() == 2 && is_alpha(s)) || (s.len() == 3 && is_digit(s)));
    // variant = 5*8alphanum / (DIGIT 3alphanum) (§2.2.5)
    while rest
        .next_if(|(_, s)| {
            s.len() >= 5 || (s.len() == 4 && s.bytes().next().is_some_and(|b| b.is_ascii_digit()))
        })
        .is_some()
    {}
    // extension = singleton 1*("-" (2*8alphanum)) (§2.2.6); singleton is any
    // alphanumeric except "x", which starts private use instead.
    while let Some((_, singleton)) =
        rest.next_if(|(_, s)| s.len() == 1 && !s.eq_ignore_ascii_case("x"))
    {
        let mut count = 0;
        while rest.next_if(|(_, s)| s.len() >= 2).is_some() {
            count += 1;
        }
        if count == 0 {
            return Err(empty_singleton(singleton));
        }
    }
    // privateuse = "x" 1*("-" (1*8alphanum)) (§2.2.7)
    if let Some((_, x)) = rest.next_if(|(_, s)| s.eq_ignore_ascii_case("x")) {
        return check_private_use(x, rest);
    }
    match rest.next() {
        None => Ok(()),
        Some((position, _)) => Err(LanguageTagError::Malformed(position + 1)),
    }
}

/// Everything after the `x` singleton is private use: 1*8alphanum each,
/// which the caller already checked, so only "at least one" remains.
fn check_private_use<'a>(
    singleton: &str,
    mut rest: impl Iterator<Item = (usize, &'a str)>,
) -> Result<(), LanguageTagError> {
    match rest.next() {
        Some(_) => Ok(()),
        None => Err(empty_singleton(singleton)),
    }
}

fn empty_singleton(singleton: &str) -> LanguageTagError {
    // The singleton is one ASCII alphanumeric character, safe to echo.
    LanguageTagError::EmptySingleton(singleton.chars().next().unwrap_or('?'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_well_formed_tags() {
        for tag in [
            "en",
            "en-US",
            "ja-Jpan-JP",
            "zh-Hant-TW",
            "de-CH-1901",
            "sl-rozaj-biske",
            "x-private",
            "en-a-bbb-x-a-ccc",
            "es-419",
            "sr-Latn-RS",
            "zh-yue-HK",
            "zh-min-nan",
            "art-lojban",
            "i-klingon",
            "EN-gb-OED",
            "sgn-CH-DE",
            "de-DE-u-co-phonebk",
            "en-US-x-twain",
            "X-a-b",
            "hy-Latn-IT-arevela",
            "aaa-bbb-ccc-ddd-Latn",
            "abcdefgh",
            "qaa-Qaaa-QM-x-southern",
        ] {
            let parsed = LanguageTag::parse(tag);
            assert!(parsed.is_ok(), "{tag} rejected: {parsed:?}");
            assert_eq!(parsed.map(|t| t.as_str().to_owned()).as_deref(), Ok(tag));
        }
    }

    #[test]
    fn rejects_malformed_tags() {
        for (tag, err) in [
            ("", LanguageTagError::Empty),
            ("-", LanguageTagError::EmptySubtag),
            ("en-", LanguageTagError::EmptySubtag),
            ("en--US", LanguageTagError::EmptySubtag),
            ("toolongtag1", LanguageTagError::SubtagTooLong),
            ("e", LanguageTagError::InvalidLanguage),
            ("1234", LanguageTagError::InvalidLanguage),
            ("en_US", LanguageTagError::InvalidCharacter),
            ("en US", LanguageTagError::InvalidCharacter),
            ("ja-Jpan-JP-", LanguageTagError::EmptySubtag),
            ("日本", LanguageTagError::InvalidCharacter),
            ("x", LanguageTagError::EmptySingleton('x')),
            ("en-a", LanguageTagError::EmptySingleton('a')),
            ("en-a-x-y", LanguageTagError::EmptySingleton('a')),
            ("en-x", LanguageTagError::EmptySingleton('x')),
            ("en-US-Latn", LanguageTagError::Malformed(3)),
            ("en-aaa-bbb-ccc-ddd", LanguageTagError::Malformed(5)),
            ("en-GB-oed-x", LanguageTagError::Malformed(3)),
            ("abcd-ext", LanguageTagError::Malformed(2)),
            ("i-foo", LanguageTagError::InvalidLanguage),
            ("en-a-b", LanguageTagError::EmptySingleton('a')),
        ] {
            assert_eq!(LanguageTag::parse(tag), Err(err), "{tag:?}");
        }
        let long = format!("en-{}", ["abcdefgh"; 7].join("-"));
        assert_eq!(LanguageTag::parse(&long), Err(LanguageTagError::TooLong));
    }

    #[test]
    fn keeps_case_and_compares_case_insensitively() {
        let a = LanguageTag::parse("ja-Jpan-JP").ok();
        let b = LanguageTag::parse("JA-jpan-jp").ok();
        assert_eq!(a.as_ref().map(LanguageTag::as_str), Some("ja-Jpan-JP"));
        assert_ne!(a, b);
        assert!(matches!((&a, &b), (Some(a), Some(b)) if a.same_tag(b)));
    }

    #[test]
    fn messages_are_ascii() {
        for tag in ["", "日本", "x", "en-US-Latn", "toolongtag1", "-", "1"] {
            if let Err(e) = LanguageTag::parse(tag) {
                assert!(e.to_string().is_ascii(), "{e}");
            }
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics_and_round_trips(s in "\\PC{0,80}") {
            if let Ok(tag) = LanguageTag::parse(&s) {
                prop_assert_eq!(tag.as_str(), s.as_str());
            }
        }

        #[test]
        fn parse_tag_shaped_input(s in "[a-zA-Z0-9]{0,9}(-[a-zA-Z0-9]{0,9}){0,8}") {
            match LanguageTag::parse(&s) {
                Ok(tag) => prop_assert_eq!(tag.as_str(), s.as_str()),
                Err(e) => prop_assert!(e.to_string().is_ascii()),
            }
        }
    }
}
