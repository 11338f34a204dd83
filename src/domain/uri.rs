//! URI rules for client metadata. Every URI is kept byte for byte as the client sent it
//! (OIDC DCR §2: redirect URIs are matched by simple string comparison); `url` parses a copy
//! only to check it.

use url::{Host, Url};

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

    /// A scheme that is neither http nor https: a private-use scheme (RFC 8252 §7.1).
    pub fn is_private_use(&self) -> bool {
        !is_web_scheme(self.url.scheme())
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

/// What kind of client a redirect URI belongs to; decides which schemes it may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RedirectProfile {
    pub native: bool,
    /// A response type returns tokens in the front channel (implicit or hybrid).
    pub implicit: bool,
    /// Operator setting: native apps may claim https URIs (RFC 8252 §7.2).
    pub allow_native_https: bool,
}

/// Checks one redirect URI (RFC 6749 §3.1.2, RFC 7591 §5, RFC 8252 §7, OIDC DCR §2).
pub fn check_redirect_uri(raw: &str, profile: RedirectProfile) -> Result<CheckedUri, &'static str> {
    let uri = CheckedUri::parse(raw)?;
    if uri.has_fragment() {
        return Err("URI must not contain a fragment");
    }
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
        let raw = "HTTPS://RP.example:443/a/../cb?x=%41";
        assert_eq!(check_redirect_uri(raw, WEB).unwrap().as_str(), raw);
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
        let uri = CheckedUri::parse("https://rp.example:443/cb?x#y").unwrap();
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
