//! Auth0 URL settings (seed 001): allowed callback URLs, allowed logout URLs, allowed
//! origins (CORS) and web origins. This module is the one place that decides whether such a
//! URL may be stored and whether a URL presented at run time matches it.
//!
//! A pattern keeps the exact bytes the administrator sent. Matching works on those bytes,
//! not on a normalised `Url`, so that what matches is what was reviewed: only the scheme and
//! the host compare case-insensitively (they are case-insensitive on the wire, RFC 3986
//! §3.1 and §3.2.2), and origins compare as RFC 6454 origins.
//!
//! Administrators may put one wildcard in place of the leftmost host label
//! (`https://*.example.com/cb`); it stands for exactly one DNS label, never for dots. A
//! wildcard directly over a public suffix (`https://*.com`, `https://*.github.io`) would
//! hand the setting to anyone who can register a domain there, so it is refused using the
//! Public Suffix List, private section included.

use url::{Host, Url};

use super::uri::{check_redirect_target, CheckedUri};

/// Which Auth0 setting a URL belongs to; decides its schemes and how it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlSetting {
    /// `callbacks`: redirect URIs, matched exactly (RFC 6749 §3.1.2.2).
    Callback,
    /// `allowed_logout_urls`: `returnTo` targets; query and fragment are ignored (seed 001).
    AllowedLogoutUrl,
    /// `allowed_origins`: CORS origins (RFC 6454).
    AllowedOrigin,
    /// `web_origins`: origins for web message response mode.
    WebOrigin,
}

impl UrlSetting {
    fn is_origin(self) -> bool {
        matches!(self, UrlSetting::AllowedOrigin | UrlSetting::WebOrigin)
    }
}

/// Why a URL cannot be stored in a URL setting. Messages are ASCII and name no value, so
/// they can be echoed whatever the input was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlRuleError {
    /// A general URI rule (length, characters, scheme, userinfo, host): see [`CheckedUri`].
    #[error("{0}")]
    Uri(&'static str),
    #[error("URL must use http or https")]
    NotWeb,
    /// Query and fragment never take part in origin matching; refusing them keeps a stored
    /// origin from suggesting otherwise.
    #[error("an origin is scheme, host and port only: no path, query or fragment")]
    NotAnOrigin,
    #[error("wildcards are not allowed here")]
    WildcardNotAllowed,
    #[error("a wildcard may appear once, as the whole leftmost host label: https://*.example.com")]
    WildcardPosition,
    #[error("a wildcard cannot stand for part of an IP address")]
    WildcardOverIp,
    #[error("the domain under a wildcard must be a plain DNS name")]
    WildcardParent,
    #[error("a wildcard cannot stand directly over a public suffix")]
    WildcardOverPublicSuffix,
}

/// A URL accepted for one URL setting, with at most one subdomain wildcard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlPattern {
    raw: String,
    setting: UrlSetting,
    wildcard: bool,
    /// Scheme, host (for a wildcard: the domain under it) and port, for origin matching.
    origin: Option<Origin>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    port: Option<u16>,
}

/// Stands in for `*.` while `url` checks the rest of a wildcard pattern.
const PLACEHOLDER: &str = "wildcard.";

impl UrlPattern {
    pub fn parse(
        raw: &str,
        setting: UrlSetting,
        allow_wildcard: bool,
    ) -> Result<UrlPattern, UrlRuleError> {
        let wildcard = raw.contains('*');
        if wildcard && !allow_wildcard {
            return Err(UrlRuleError::WildcardNotAllowed);
        }
        let checked = if wildcard { check_wildcard(raw)? } else { raw.to_owned() };
        // Callbacks are redirect URIs: the same rule as self-registration's redirect_uris.
        let uri = match setting {
            UrlSetting::Callback => check_redirect_target(&checked),
            _ => CheckedUri::parse(&checked),
        }
        .map_err(UrlRuleError::Uri)?;
        let web = uri.is_http() || uri.is_https();
        let parts = split(&checked).ok_or(UrlRuleError::Uri("not an absolute URI"))?;
        match setting {
            UrlSetting::AllowedOrigin | UrlSetting::WebOrigin if !web => {
                return Err(UrlRuleError::NotWeb)
            }
            UrlSetting::AllowedOrigin | UrlSetting::WebOrigin
                if !matches!(parts.rest, "" | "/") =>
            {
                return Err(UrlRuleError::NotAnOrigin)
            }
            _ => {}
        }
        let origin = uri.url().host_str().map(|host| Origin {
            scheme: uri.url().scheme().to_owned(),
            host: match wildcard {
                true => host.strip_prefix(PLACEHOLDER).unwrap_or(host),
                false => host,
            }
            .to_owned(),
            port: uri.url().port_or_known_default(),
        });
        if let Some(Origin { host: parent, .. }) = origin.as_ref().filter(|_| wildcard) {
            check_parent(parent)?;
        }
        Ok(UrlPattern { raw: raw.to_owned(), setting, wildcard, origin })
    }

    pub fn as_str(&self) -> &str {
        &self.raw
    }

    pub fn setting(&self) -> UrlSetting {
        self.setting
    }

    pub fn has_wildcard(&self) -> bool {
        self.wildcard
    }

    /// Whether `candidate` (a redirect_uri, a returnTo URL, an Origin header) is allowed by
    /// this pattern. Anything that is not itself an acceptable URI never matches.
    pub fn matches(&self, candidate: &str) -> bool {
        let Ok(uri) = CheckedUri::parse(candidate) else { return false };
        if self.setting.is_origin() {
            return self.matches_origin(uri.url());
        }
        let (Some(pattern), Some(candidate)) = (split(&self.raw), split(candidate)) else {
            return false;
        };
        let authority_matches = match (pattern.authority, candidate.authority) {
            (None, None) => true,
            (Some(p), Some(c)) => authority_matches(p, c, self.wildcard),
            _ => false,
        };
        let rest_matches = if self.setting == UrlSetting::Callback {
            pattern.rest == candidate.rest
        } else {
            // Seed 001: query strings and hash information are not taken into account.
            // An empty http(s) path is `/` (RFC 9110 §4.2.3).
            let has_authority = pattern.authority.is_some();
            path_only(pattern.rest, has_authority) == path_only(candidate.rest, has_authority)
        };
        pattern.scheme.eq_ignore_ascii_case(candidate.scheme) && authority_matches && rest_matches
    }

    /// RFC 6454 §5: same scheme, host and port (default ports filled in).
    fn matches_origin(&self, url: &Url) -> bool {
        let Some(origin) = &self.origin else { return false };
        if url.scheme() != origin.scheme || url.port_or_known_default() != origin.port {
            return false;
        }
        match (url.host(), url.host_str()) {
            (Some(Host::Domain(_)), Some(host)) if self.wildcard => host
                .split_once('.')
                .is_some_and(|(label, rest)| is_dns_label(label) && rest == origin.host),
            (_, Some(host)) => !self.wildcard && host == origin.host,
            _ => false,
        }
    }
}

/// Checks where the `*` stands and returns the pattern with it replaced by a real label, so
/// that the general URI rules can run on the rest.
fn check_wildcard(raw: &str) -> Result<String, UrlRuleError> {
    if raw.matches('*').count() != 1 {
        return Err(UrlRuleError::WildcardPosition);
    }
    let Some((scheme, after)) = raw.split_once("://") else {
        return Err(UrlRuleError::WildcardPosition);
    };
    let Some(below) = after.strip_prefix("*.") else {
        return Err(UrlRuleError::WildcardPosition);
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Err(UrlRuleError::NotWeb);
    }
    // `url` would turn `*.1.2.3.4` into a parse error; say what is wrong instead.
    let parent = host_of(&below[..below.find(['/', '?', '#']).unwrap_or(below.len())]);
    let last_label = parent.trim_end_matches('.').rsplit('.').next().unwrap_or_default();
    let ends_in_number = !last_label.is_empty() && last_label.bytes().all(|b| b.is_ascii_digit());
    if parent.starts_with('[') || ends_in_number {
        return Err(UrlRuleError::WildcardOverIp);
    }
    if !parent.split('.').all(is_dns_label) {
        return Err(UrlRuleError::WildcardParent);
    }
    Ok(format!("{scheme}://{PLACEHOLDER}{below}"))
}

/// The domain under a wildcard (lowercased by `url`) must be more than a public suffix.
fn check_parent(parent: &str) -> Result<(), UrlRuleError> {
    // `psl::domain` finds the registrable domain (a suffix plus one label); a bare suffix,
    // known or implied by the list's default `*` rule, has none.
    if psl::domain(parent.as_bytes()).is_none() {
        return Err(UrlRuleError::WildcardOverPublicSuffix);
    }
    Ok(())
}

/// A URI cut into scheme, authority (after `//`) and the rest (path, query, fragment).
struct Parts<'a> {
    scheme: &'a str,
    authority: Option<&'a str>,
    rest: &'a str,
}

fn split(raw: &str) -> Option<Parts<'_>> {
    let (scheme, after) = raw.split_once(':')?;
    Some(match after.strip_prefix("//") {
        Some(tail) => {
            let end = tail.find(['/', '?', '#']).unwrap_or(tail.len());
            Parts { scheme, authority: Some(&tail[..end]), rest: &tail[end..] }
        }
        None => Parts { scheme, authority: None, rest: after },
    })
}

/// The host of an authority without userinfo: everything before the port.
fn host_of(authority: &str) -> &str {
    match authority.find(']') {
        Some(end) if authority.starts_with('[') => &authority[..=end],
        _ => authority.split(':').next().unwrap_or_default(),
    }
}

fn authority_matches(pattern: &str, candidate: &str, wildcard: bool) -> bool {
    if !wildcard {
        return pattern.eq_ignore_ascii_case(candidate);
    }
    let (Some(parent), Some((label, rest))) =
        (pattern.strip_prefix("*."), candidate.split_once('.'))
    else {
        return false;
    };
    is_dns_label(label) && rest.eq_ignore_ascii_case(parent)
}

fn path_only(rest: &str, has_authority: bool) -> &str {
    let path = &rest[..rest.find(['?', '#']).unwrap_or(rest.len())];
    if has_authority && path.is_empty() {
        "/"
    } else {
        path
    }
}

/// RFC 1123 §2.1 host label: letters, digits and inner hyphens, 1 to 63 bytes.
fn is_dns_label(label: &str) -> bool {
    (1..=63).contains(&label.len())
        && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !label.starts_with('-')
        && !label.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::UrlSetting::WebOrigin as Web;
    use super::UrlSetting::{AllowedLogoutUrl as Logout, AllowedOrigin as Cors, Callback as Cb};
    use super::*;

    #[test]
    fn patterns_match_candidates_as_each_setting_wants() {
        #[rustfmt::skip]
        let cases: &[(&str, UrlSetting, bool, &str, bool)] = &[
            // Callbacks: exact string comparison, scheme and host case-insensitive.
            ("https://a.example.com/cb", Cb, false, "https://a.example.com/cb", true),
            ("https://a.example.com/cb", Cb, false, "HTTPS://A.EXAMPLE.COM/cb", true),
            ("https://a.example.com/cb", Cb, false, "https://a.example.com/CB", false),
            ("https://a.example.com/cb", Cb, false, "https://a.example.com/cb?x=1", false),
            ("https://a.example.com/cb", Cb, false, "https://a.example.com/cb#x", false),
            ("https://a.example.com/cb", Cb, false, "https://a.example.com/cb/", false),
            ("https://a.example.com/cb", Cb, false, "https://a.example.com:443/cb", false),
            ("https://a.example.com/cb", Cb, false, "http://a.example.com/cb", false),
            ("https://a.example.com/cb", Cb, false, "https://user@a.example.com/cb", false),
            ("https://a.example.com/cb?x=1", Cb, false, "https://a.example.com/cb?x=1", true),
            ("https://a.example.com/cb?x=1", Cb, false, "https://a.example.com/cb?x=2", false),
            ("com.example.app:/cb", Cb, false, "com.example.app:/cb", true),
            ("com.example.app:/cb", Cb, false, "COM.EXAMPLE.APP:/cb", true),
            ("com.example.app:/cb", Cb, false, "com.example.app://cb", false),
            ("http://127.0.0.1:8080/cb", Cb, false, "http://127.0.0.1:8080/cb", true),
            ("http://[::1]/cb", Cb, false, "http://[::1]/cb", true),
            // Callback wildcards: exactly one DNS label.
            ("https://*.example.com/cb", Cb, true, "https://a.example.com/cb", true),
            ("https://*.example.com/cb", Cb, true, "https://A-1.Example.com/cb", true),
            ("https://*.example.com/cb", Cb, true, "https://a.b.example.com/cb", false),
            ("https://*.example.com/cb", Cb, true, "https://example.com/cb", false),
            ("https://*.example.com/cb", Cb, true, "https://.example.com/cb", false),
            ("https://*.example.com/cb", Cb, true, "https://-a.example.com/cb", false),
            ("https://*.example.com/cb", Cb, true, "https://*.example.com/cb", false),
            ("https://*.example.com/cb", Cb, true, "https://a.example.com.evil.io/cb", false),
            ("https://*.example.com/cb", Cb, true, "https://evil.io/.example.com/cb", false),
            ("https://*.example.com/cb", Cb, true, "https://evil.io?.example.com/cb", false),
            ("https://*.example.com/cb", Cb, true, "https://x@a.example.com/cb", false),
            ("https://*.example.com/cb", Cb, true, "https://a.example.com/cb/x", false),
            ("https://*.example.com:8443/cb", Cb, true, "https://a.example.com:8443/cb", true),
            ("https://*.example.com:8443/cb", Cb, true, "https://a.example.com/cb", false),
            ("https://*.example.github.io/cb", Cb, true, "https://a.example.github.io/cb", true),
            // Logout URLs: query and fragment are not taken into account (seed 001).
            ("https://a.example.com/bye", Logout, false, "https://a.example.com/bye?x=1#y", true),
            ("https://a.example.com/bye?a=b", Logout, false, "https://a.example.com/bye", true),
            ("https://a.example.com", Logout, false, "https://a.example.com/?next=1", true),
            ("https://a.example.com/bye", Logout, false, "https://a.example.com/bye2", false),
            ("https://a.example.com/bye", Logout, false, "https://b.example.com/bye", false),
            ("https://*.example.com/bye", Logout, true, "https://b.example.com/bye#z", true),
            ("https://*.example.com/bye", Logout, true, "https://x.b.example.com/bye", false),
            ("com.example.app:/bye", Logout, false, "com.example.app:/bye?x", true),
            // Origins: scheme, host and port, default ports filled in.
            ("https://a.example.com", Cors, false, "https://a.example.com", true),
            ("https://a.example.com", Cors, false, "https://A.example.com", true),
            ("https://a.example.com", Cors, false, "https://a.example.com:443", false),
            ("https://a.example.com/", Cors, false, "https://a.example.com/any/path?q#f", true),
            ("https://a.example.com", Cors, false, "http://a.example.com", false),
            ("https://a.example.com", Cors, false, "https://a.example.com:8443", false),
            ("https://a.example.com", Cors, false, "https://b.example.com", false),
            ("https://a.example.com", Cors, false, "null", false),
            ("http://localhost:3000", Cors, false, "http://localhost:3000", true),
            ("http://localhost:3000", Cors, false, "http://localhost", false),
            ("https://*.example.com", Cors, true, "https://shop.example.com", true),
            ("https://*.example.com", Cors, true, "https://shop.example.com:443", false),
            ("https://*.example.com", Cors, true, "https://a.shop.example.com", false),
            ("https://*.example.com", Cors, true, "https://example.com", false),
            ("https://*.example.com", Cors, true, "https://shop.example.com:8443", false),
            ("https://*.example.com", Web, true, "https://shop.example.com", true),
            ("https://a.example.com", Web, false, "https://a.example.com", true),
            ("http://127.0.0.1:5000", Web, false, "http://127.0.0.1:5000", true),
        ];
        for (pattern, setting, wildcard, candidate, expected) in cases {
            let parsed = UrlPattern::parse(pattern, *setting, *wildcard)
                .unwrap_or_else(|e| panic!("{pattern} ({setting:?}) refused: {e}"));
            assert_eq!(parsed.as_str(), *pattern);
            assert_eq!(
                parsed.matches(candidate),
                *expected,
                "{pattern} ({setting:?}) against {candidate}"
            );
        }
    }

    #[test]
    fn refused_patterns_say_why() {
        use UrlRuleError as E;
        const HOST: &str = "host is not written as a browser reads it (no backslash, percent-encoding, IP shorthand or uncompressed IPv6)";
        const PATH: &str = "path is not written as a browser reads it (no dot segments, backslashes or characters a browser would percent-encode)";
        let long = format!("https://a.example.com/{}", "a".repeat(2048));
        #[rustfmt::skip]
        let cases: &[(&str, UrlSetting, bool, UrlRuleError)] = &[
            ("a.example.com/cb", Cb, false, E::Uri("not an absolute URI")),
            ("/cb", Cb, false, E::Uri("not an absolute URI")),
            ("", Cb, false, E::Uri("URI must be printable ASCII without spaces")),
            ("https://a.example.com/c b", Cb, false, E::Uri("URI must be printable ASCII without spaces")),
            ("https://a.ex\u{e4}mple.com/", Cb, false, E::Uri("URI must be printable ASCII without spaces")),
            (&long, Cb, false, E::Uri("URI is longer than 2048 bytes")),
            ("javascript:alert(1)", Cb, false, E::Uri("scheme is not allowed")),
            ("data:text/html,x", Logout, false, E::Uri("scheme is not allowed")),
            ("vbscript:x", Cb, false, E::Uri("scheme is not allowed")),
            ("file:///etc/passwd", Cb, false, E::Uri("scheme is not allowed")),
            ("blob:https://a.example.com/x", Cb, false, E::Uri("scheme is not allowed")),
            ("about:blank", Logout, false, E::Uri("scheme is not allowed")),
            ("https://u:p@a.example.com/cb", Cb, false, E::Uri("URI must not contain user information")),
            ("https:///cb", Cb, false, E::Uri("URI has no host")),
            ("https://a.example.com/cb#f", Cb, false, E::Uri("URI must not contain a fragment")),
            ("https://ex%61mple.com/cb", Cb, false, E::Uri(HOST)),
            ("http://0x7f.1/cb", Cb, false, E::Uri(HOST)),
            ("https://good.example\\@evil.example/cb", Cb, false, E::Uri(HOST)),
            ("https://a.example.com/cb/../x", Cb, false, E::Uri(PATH)),
            ("ftp://a.example.com/cb", Cb, false, E::Uri("scheme is not http, https or a private-use scheme")),
            ("wss://a.example.com/cb", Cb, false, E::Uri("scheme is not http, https or a private-use scheme")),
            ("com.example.app:/cb", Cors, false, E::NotWeb),
            ("https://a.example.com/path", Cors, false, E::NotAnOrigin),
            ("https://a.example.com?x", Web, false, E::NotAnOrigin),
            ("https://a.example.com#x", Cors, false, E::NotAnOrigin),
            // Wildcards: administrators only, one leftmost label, over a registrable domain.
            ("https://*.example.com/cb", Cb, false, E::WildcardNotAllowed),
            ("https://a.example.com/*", Cb, false, E::WildcardNotAllowed),
            ("https://a.example.com/*", Cb, true, E::WildcardPosition),
            ("https://a.example.com/cb?x=*", Logout, true, E::WildcardPosition),
            ("https://a.*.example.com/cb", Cb, true, E::WildcardPosition),
            ("https://a*.example.com/cb", Cb, true, E::WildcardPosition),
            ("https://*a.example.com/cb", Cb, true, E::WildcardPosition),
            ("https://*.*.example.com/cb", Cb, true, E::WildcardPosition),
            ("https://*.example.com/*", Cb, true, E::WildcardPosition),
            ("https://*.example.com:*/cb", Cb, true, E::WildcardPosition),
            ("https://*/cb", Cb, true, E::WildcardPosition),
            ("*://a.example.com/cb", Cb, true, E::WildcardPosition),
            ("https://u@*.example.com/cb", Cb, true, E::WildcardPosition),
            ("com.example.*:/cb", Cb, true, E::WildcardPosition),
            ("myapp://*.example.com/cb", Cb, true, E::NotWeb),
            ("https://*.com", Cors, true, E::WildcardOverPublicSuffix),
            ("https://*.co.uk/cb", Cb, true, E::WildcardOverPublicSuffix),
            ("https://*.github.io/cb", Cb, true, E::WildcardOverPublicSuffix),
            ("https://*.localhost/cb", Logout, true, E::WildcardOverPublicSuffix),
            ("https://*.1.2.3/cb", Cb, true, E::WildcardOverIp),
            ("https://*.[::1]/cb", Cb, true, E::WildcardOverIp),
            ("https://*..example.com/cb", Cb, true, E::WildcardParent),
            ("https://*.example.com./cb", Cb, true, E::WildcardParent),
            ("https://*.ex_ample.com/cb", Cb, true, E::WildcardParent),
        ];
        for (pattern, setting, wildcard, expected) in cases {
            assert_eq!(
                UrlPattern::parse(pattern, *setting, *wildcard).as_ref(),
                Err(expected),
                "{pattern} ({setting:?}, wildcard allowed: {wildcard})"
            );
        }
    }

    #[test]
    fn error_messages_are_ascii() {
        let all = [
            UrlRuleError::NotWeb,
            UrlRuleError::NotAnOrigin,
            UrlRuleError::WildcardNotAllowed,
            UrlRuleError::WildcardPosition,
            UrlRuleError::WildcardOverIp,
            UrlRuleError::WildcardParent,
            UrlRuleError::WildcardOverPublicSuffix,
        ];
        assert!(all.iter().all(|e| e.to_string().is_ascii()));
    }

    const SETTINGS: [UrlSetting; 4] = [Cb, Logout, Cors, Web];

    proptest::proptest! {
        #[test]
        fn parse_and_match_never_panic(raw in "\\PC{0,80}", candidate in "\\PC{0,80}") {
            for setting in SETTINGS {
                for wildcard in [false, true] {
                    if let Ok(p) = UrlPattern::parse(&raw, setting, wildcard) {
                        let _ = p.matches(&candidate);
                    }
                }
            }
        }

        #[test]
        fn url_shaped_patterns_match_themselves_and_never_panic(
            raw in "(https?|HTTP|com\\.app|\\*)://[a-z0-9*.\\[\\]:-]{0,16}(:[0-9*]{1,5})?[/?#*a-z.%]{0,8}",
            candidate in "(https?|com\\.app)://[a-z0-9*.:-]{0,16}[/?#a-z.]{0,8}",
        ) {
            for setting in SETTINGS {
                for wildcard in [false, true] {
                    let Ok(p) = UrlPattern::parse(&raw, setting, wildcard) else { continue };
                    let _ = p.matches(&candidate);
                    if !p.has_wildcard() {
                        proptest::prop_assert!(p.matches(&raw), "{} ({:?})", raw, setting);
                    }
                }
            }
        }
    }
}
