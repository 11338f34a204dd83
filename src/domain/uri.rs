//! URI rules for client metadata. Every URI is kept byte for byte as the client sent it
//! (OIDC DCR §2: redirect URIs are matched by simple string comparison); `url` parses a copy
//! only to check it.

use url::{Host, Position, Url};

/// Longest URI we store; longer ones are a flooding vector, not a real client.
pub const MAX_URI_BYTES: usize = 2048;

/// Schemes that execute or embed content instead of navigating: never a redirect target.
const DANGEROUS_SCHEMES: &[&str] = &["javascript", "data", "vbscript", "file", "blob", "about"];

/// A URI that is absolute, printable ASCII, short, without userinfo and without
/// wildcards in its host. What else it must be depends on the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedUri {
    raw: String,
    url: Url,
}

impl CheckedUri {
    pub fn parse(raw: &str) -> Result<CheckedUri, &'static str> {
        if raw.len() > MAX_URI_BYTES {
            return Err("URI is longer than 2048 bytes");
        }
        // `url` silently drops tabs and newlines and trims spaces; refusing them keeps the
        // stored string the one that was checked. Non-ASCII must arrive percent-encoded
        // (or punycode), which also rules out homograph and bidi tricks.
        if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("URI must be printable ASCII without spaces");
        }
        let url = Url::parse(raw).map_err(|_| "not an absolute URI")?;
        if DANGEROUS_SCHEMES.contains(&url.scheme()) {
            return Err("scheme is not allowed");
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("URI must not contain user information");
        }
        if url.host_str().is_some_and(|h| h.contains('*')) {
            return Err("wildcards are not allowed");
        }
        // `url` reads `https:///cb` and `https:rp.example` as `https://cb/` and
        // `https://rp.example/`: insist on the authority being spelled out.
        let after_scheme = raw.get(url.scheme().len() + 1..).unwrap_or_default();
        let has_authority = after_scheme.starts_with("//") && !after_scheme[2..].starts_with('/');
        if is_web_scheme(url.scheme())
            && (!has_authority || url.host_str().is_none_or(str::is_empty))
        {
            return Err("URI has no host");
        }
        check_canonical(raw, &url)?;
        Ok(CheckedUri { raw: raw.to_owned(), url })
    }

    pub fn as_str(&self) -> &str {
        &self.raw
    }

    pub fn url(&self) -> &Url {
        &self.url
    }

    pub fn has_fragment(&self) -> bool {
        self.raw.contains('#')
    }

    pub fn is_https(&self) -> bool {
        self.url.scheme() == "https"
    }

    pub fn is_http(&self) -> bool {
        self.url.scheme() == "http"
    }

    /// A scheme the WHATWG URL standard does not treat as special (http, https, ws, wss,
    /// ftp, file): a private-use scheme (RFC 8252 §7.1).
    pub fn is_private_use(&self) -> bool {
        !self.url.is_special()
    }

    /// Host is `localhost` or a loopback address (RFC 8252 §7.3, OIDC DCR §2).
    pub fn is_loopback(&self) -> bool {
        match self.url.host() {
            Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(Host::Ipv4(ip)) => ip.is_loopback(),
            Some(Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        }
    }

    /// The host, for same-host checks (pairwise subjects).
    pub fn host(&self) -> Option<&str> {
        self.url.host_str()
    }

    /// `scheme://host[:port]` of an http(s) URI (RFC 6454), for CORS origins.
    pub fn origin(&self) -> Option<String> {
        is_web_scheme(self.url.scheme()).then(|| self.url.origin().ascii_serialization())
    }

    pub fn into_string(self) -> String {
        self.raw
    }
}

fn is_web_scheme(scheme: &str) -> bool {
    scheme == "http" || scheme == "https"
}

/// What a browser opens must be exactly what was registered: the URI must already be in
/// the form the WHATWG parser (`url`) serializes it to. Anything the parser would rewrite
/// (a backslash read as `/`, dot segments, a numeric host shorthand, characters it
/// percent-encodes) means the string reviewed and matched is not the one a browser follows.
/// Tolerated, because they never change what is opened: letter case in the scheme and
/// host (both case-insensitive, RFC 3986 §3.1, §3.2.2) and an empty path where the
/// parser writes `/` (RFC 9110 §4.2.3).
fn check_canonical(raw: &str, url: &Url) -> Result<(), &'static str> {
    let serialized = url.as_str();
    if raw == serialized {
        return check_host_and_port(url);
    }
    let (scheme, after) = raw.split_once(':').ok_or("not an absolute URI")?;
    if !scheme.eq_ignore_ascii_case(url.scheme()) {
        return Err("scheme is not written as a browser reads it");
    }
    let rest = match after.strip_prefix("//") {
        Some(tail) if url.has_authority() => {
            // Only `/`, `?` and `#` end an authority here: a backslash that the parser
            // reads as `/` stays inside, so the host comparison catches it.
            let end = tail.find(['/', '?', '#']).unwrap_or(tail.len());
            let (authority, rest) = tail.split_at(end);
            let expected = &serialized[url.scheme().len() + 3..url[..Position::AfterPort].len()];
            if !authority.eq_ignore_ascii_case(expected) {
                return Err(if !host_written_plainly(authority, url) {
                    "host is not written as a browser reads it (no backslash, percent-encoding, IP shorthand or uncompressed IPv6)"
                } else {
                    "port is not written as a browser reads it (no default port, leading zeros or empty port)"
                });
            }
            rest
        }
        _ => after,
    };
    let expected_rest = &serialized[url[..Position::BeforePath].len()..];
    let empty_path_tolerated = url.has_authority()
        && expected_rest.starts_with('/')
        && expected_rest.get(1..) == Some(rest)
        && !rest.starts_with('/');
    if rest != expected_rest && !empty_path_tolerated {
        let path_end = |s: &str| s.find(['?', '#']).unwrap_or(s.len());
        let same_path = rest[..path_end(rest)] == expected_rest[..path_end(expected_rest)];
        return Err(if !same_path {
            "path is not written as a browser reads it (no dot segments, backslashes or characters a browser would percent-encode)"
        } else {
            "query or fragment is not written as a browser reads it (characters a browser would percent-encode)"
        });
    }
    check_host_and_port(url)
}

fn host_written_plainly(authority: &str, url: &Url) -> bool {
    let host = match authority.find(']') {
        Some(end) if authority.starts_with('[') => &authority[..=end],
        _ => authority.rsplit_once(':').map_or(authority, |(host, _)| host),
    };
    url.host_str().is_some_and(|parsed| host.eq_ignore_ascii_case(parsed))
}

/// Host and port rules that hold even for URIs the parser leaves unchanged.
fn check_host_and_port(url: &Url) -> Result<(), &'static str> {
    if url.port() == Some(0) {
        return Err("port 0 is not a port a browser can open");
    }
    // `localhost.` and `rp.example.` are other names than `localhost` and `rp.example` to
    // a browser (origins, cookies, certificates), and slip past rules written for them.
    if matches!(url.host(), Some(Host::Domain(d)) if d.ends_with('.')) {
        return Err("host must not end with a dot");
    }
    Ok(())
}

/// What kind of client a redirect URI belongs to; decides which schemes it may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RedirectProfile {
    pub native: bool,
    /// A response type returns tokens in the front channel (implicit or hybrid).
    pub implicit: bool,
    /// Operator setting: native apps may claim https URIs (RFC 8252 §7.2).
    pub allow_native_https: bool,
}

/// What every redirect URI is, whoever stores it (self-registration's `redirect_uris`,
/// the management API's `callbacks`): a checked URI in canonical form, without fragment
/// (RFC 6749 §3.1.2), whose scheme is http, https or private-use. `ftp`, `ws` and `wss`
/// are special schemes to a browser, not an app's claim (RFC 8252 §7.1).
pub fn check_redirect_target(raw: &str) -> Result<CheckedUri, &'static str> {
    let uri = CheckedUri::parse(raw)?;
    if uri.has_fragment() {
        return Err("URI must not contain a fragment");
    }
    if !uri.is_http() && !uri.is_https() && !uri.is_private_use() {
        return Err("scheme is not http, https or a private-use scheme");
    }
    Ok(uri)
}

/// Checks one redirect URI (RFC 6749 §3.1.2, RFC 7591 §5, RFC 8252 §7, OIDC DCR §2).
pub fn check_redirect_uri(raw: &str, profile: RedirectProfile) -> Result<CheckedUri, &'static str> {
    let uri = check_redirect_target(raw)?;
    // Redirect URIs match exactly; a `*` anywhere reads as a pattern to someone, and
    // patterns are how open redirects start.
    if raw.contains('*') {
        return Err("wildcards are not allowed");
    }
    if profile.native {
        if uri.is_private_use() || (uri.is_http() && uri.is_loopback()) {
            return Ok(uri);
        }
        if uri.is_https() && profile.allow_native_https && !uri.is_loopback() {
            return Ok(uri);
        }
        return Err("native clients must use a private-use scheme or http on a loopback host");
    }
    if profile.implicit {
        if !uri.is_https() {
            return Err("web clients using the implicit grant must use https");
        }
        if uri.is_loopback() {
            return Err("web clients using the implicit grant must not use localhost");
        }
        return Ok(uri);
    }
    if uri.is_https() || uri.is_private_use() || (uri.is_http() && uri.is_loopback()) {
        return Ok(uri);
    }
    Err("web clients must use https (http only on a loopback host)")
}

/// A URI the server or the client dereferences for key material or login (jwks_uri,
/// initiate_login_uri, sector_identifier_uri, request_uris): https only.
pub fn check_https_uri(raw: &str, allow_fragment: bool) -> Result<CheckedUri, &'static str> {
    let uri = CheckedUri::parse(raw)?;
    if !uri.is_https() {
        return Err("URI must use https");
    }
    if !allow_fragment && uri.has_fragment() {
        return Err("URI must not contain a fragment");
    }
    Ok(uri)
}

/// A URI shown to the end user (logo_uri, client_uri, policy_uri, tos_uri): https, or http
/// on loopback for development.
pub fn check_display_uri(raw: &str) -> Result<CheckedUri, &'static str> {
    let uri = CheckedUri::parse(raw)?;
    if uri.is_https() || (uri.is_http() && uri.is_loopback()) {
        return Ok(uri);
    }
    Err("URI must use https")
}

#[cfg(test)]
mod tests {
    use super::*;

    const WEB: RedirectProfile =
        RedirectProfile { native: false, implicit: false, allow_native_https: false };
    const IMPLICIT: RedirectProfile = RedirectProfile { implicit: true, ..WEB };
    const NATIVE: RedirectProfile = RedirectProfile { native: true, ..WEB };

    #[test]
    fn redirect_uri_rules_follow_the_client_profile() {
        let cases: &[(&str, RedirectProfile, bool, &str)] = &[
            ("https://rp.example/cb", WEB, true, "plain https"),
            ("https://rp.example/cb?x=1", WEB, true, "query strings are allowed"),
            ("http://localhost:8080/cb", WEB, true, "loopback http for code flow"),
            ("http://127.0.0.1/cb", WEB, true, "loopback IPv4"),
            ("http://rp.example/cb", WEB, false, "http off loopback"),
            ("com.example.app:/cb", WEB, true, "private-use scheme without implicit"),
            ("https://rp.example/cb#x", WEB, false, "fragment"),
            ("https://rp.example/cb#", WEB, false, "empty fragment"),
            ("/cb", WEB, false, "relative"),
            ("https://*.rp.example/cb", WEB, false, "wildcard host"),
            ("https://rp.example/*", WEB, false, "wildcard path"),
            ("https://user@rp.example/cb", WEB, false, "userinfo"),
            ("https://user:pw@rp.example/cb", WEB, false, "userinfo with password"),
            ("javascript:alert(1)", WEB, false, "javascript"),
            ("data:text/html,hi", WEB, false, "data"),
            ("vbscript:x", WEB, false, "vbscript"),
            ("file:///etc/passwd", WEB, false, "file"),
            ("blob:https://a/b", WEB, false, "blob"),
            ("about:blank", WEB, false, "about"),
            ("https://rp.example/c b", WEB, false, "space"),
            ("https://rp.example/\ncb", WEB, false, "newline that url would drop"),
            ("https://rp.exämple/cb", WEB, false, "raw non-ASCII"),
            ("https:///cb", WEB, false, "no host"),
            ("https:rp.example/cb", WEB, false, "no authority"),
            ("https://rp.example/cb", IMPLICIT, true, "https with implicit"),
            ("https://localhost/cb", IMPLICIT, false, "localhost with implicit"),
            ("https://127.0.0.1/cb", IMPLICIT, false, "loopback IP with implicit"),
            ("http://rp.example/cb", IMPLICIT, false, "http with implicit"),
            ("com.example.app:/cb", IMPLICIT, false, "custom scheme with implicit"),
            ("com.example.app:/cb", NATIVE, true, "native custom scheme"),
            ("http://127.0.0.1:5000/cb", NATIVE, true, "native loopback any port"),
            ("http://[::1]/cb", NATIVE, true, "native IPv6 loopback"),
            ("http://localhost/cb", NATIVE, true, "native localhost"),
            ("http://rp.example/cb", NATIVE, false, "native http off loopback"),
            ("https://rp.example/cb", NATIVE, false, "native claimed https off by default"),
        ];
        for (uri, profile, ok, why) in cases {
            assert_eq!(check_redirect_uri(uri, *profile).is_ok(), *ok, "{why}: {uri}");
        }
        let claimed = RedirectProfile { allow_native_https: true, ..NATIVE };
        assert!(check_redirect_uri("https://rp.example/cb", claimed).is_ok());
    }

    #[test]
    fn checked_uris_keep_the_exact_bytes_sent() {
        let raw = "HTTPS://RP.example/cb?x=%41";
        assert_eq!(check_redirect_uri(raw, WEB).unwrap().as_str(), raw);
    }

    #[test]
    fn what_a_browser_would_open_differently_is_refused() {
        let refused: &[(&str, &str)] = &[
            ("https://good.example\\@evil.example/cb", "host"),
            ("https://good.example\\cb", "host"),
            ("https://rp.example/cb\\x", "path"),
            ("https://pfx.example/cb/../../x", "path"),
            ("https://pfx.example/cb/./x", "path"),
            ("https://pfx.example/cb/%2e%2e/x", "path"),
            ("com.good.app:/oauth/../evil", "path"),
            ("https://rp.example/c{b}", "path"),
            ("https://rp.example/cb?x='", "query"),
            ("http://2130706433/cb", "host"),
            ("http://0x7f000001/cb", "host"),
            ("http://127.1/cb", "host"),
            ("http://0177.0.0.1/cb", "host"),
            ("http://127.000.000.001/cb", "host"),
            ("http://[0:0:0:0:0:0:0:1]/cb", "host"),
            ("https://ex%61mple.com/cb", "host"),
            ("http://localhost:0/cb", "port 0"),
            ("https://rp.example:443/cb", "port"),
            ("http://localhost:08080/cb", "port"),
            ("https://rp.example:/cb", "port"),
            ("https://localhost./cb", "dot"),
            ("https://rp.example./cb", "dot"),
        ];
        for (raw, problem) in refused {
            let why = CheckedUri::parse(raw).expect_err(raw);
            assert!(why.contains(problem), "{raw}: {why}");
        }
        for raw in [
            "https://rp.example/cb",
            "HTTPS://RP.Example/cb",
            "https://rp.example",
            "https://rp.example?x=1",
            "http://localhost:8080/cb?a=%41&b",
            "http://[::1]:5000/cb",
            "com.example.app:/oauth/cb",
            "com.example.app://cb/x",
        ] {
            assert!(CheckedUri::parse(raw).is_ok(), "{raw}");
        }
    }

    #[test]
    fn special_schemes_other_than_http_are_not_private_use() {
        for raw in ["ftp://rp.example/cb", "ws://localhost/cb", "wss://rp.example/cb"] {
            for profile in [WEB, NATIVE] {
                assert!(check_redirect_uri(raw, profile).is_err(), "{raw}");
            }
        }
    }

    #[test]
    fn https_only_uris_refuse_http_and_allow_fragments_only_when_asked() {
        assert!(check_https_uri("http://rp.example/login", false).is_err());
        assert!(check_https_uri("https://rp.example/r#abc", false).is_err());
        assert!(check_https_uri("https://rp.example/r#abc", true).is_ok());
        assert!(check_display_uri("http://localhost:3000/logo.png").is_ok());
        assert!(check_display_uri("http://rp.example/logo.png").is_err());
    }

    #[test]
    fn origins_drop_path_query_and_default_port() {
        let uri = CheckedUri::parse("https://rp.example/cb?x#y").unwrap();
        assert_eq!(uri.origin().as_deref(), Some("https://rp.example"));
        assert_eq!(CheckedUri::parse("com.example:/cb").unwrap().origin(), None);
    }

    proptest::proptest! {
        #[test]
        fn redirect_checks_never_panic(raw in "\\PC{0,80}") {
            let _ = check_redirect_uri(&raw, WEB);
            let _ = check_redirect_uri(&raw, NATIVE);
        }
    }
}
