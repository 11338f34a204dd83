//! RFC 8705 §2.1.2: the certificate subject a `tls_client_auth` client registers (exactly
//! one of five members), and the pure match of a presented certificate against it, for
//! whichever code authenticates clients at the token endpoint.

use std::net::IpAddr;

use validator::ValidateEmail;

use crate::domain::fields::Fields;
use crate::domain::uri::CheckedUri;
use crate::domain::vocab::AuthMethod;
use crate::domain::MetadataError;

/// The five subject members, in the order RFC 8705 §2.1.2 lists them.
pub const SUBJECT_MEMBERS: [&str; 5] = [
    "tls_client_auth_subject_dn",
    "tls_client_auth_san_dns",
    "tls_client_auth_san_uri",
    "tls_client_auth_san_ip",
    "tls_client_auth_san_email",
];

/// Longest subject value accepted.
const MAX_SUBJECT_CHARS: usize = 1024;

/// The registered certificate subject; the wire string is kept for echoing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsSubject {
    SubjectDn { wire: String, rdns: Vec<(String, String)> },
    SanDns(String),
    SanUri(String),
    SanIp { wire: String, ip: IpAddr },
    SanEmail(String),
}

/// What a presented client certificate says about itself (from its subject and its
/// subjectAltName extension), as the authenticating code extracted it.
#[derive(Debug, Clone, Default)]
pub struct CertificateIdentity {
    /// RFC 4514 string form of the subject.
    pub subject_dn: Option<String>,
    pub dns_names: Vec<String>,
    pub uris: Vec<String>,
    pub ips: Vec<IpAddr>,
    pub emails: Vec<String>,
}

impl TlsSubject {
    pub fn member(&self) -> &'static str {
        SUBJECT_MEMBERS[match self {
            TlsSubject::SubjectDn { .. } => 0,
            TlsSubject::SanDns(_) => 1,
            TlsSubject::SanUri(_) => 2,
            TlsSubject::SanIp { .. } => 3,
            TlsSubject::SanEmail(_) => 4,
        }]
    }

    pub fn value(&self) -> &str {
        match self {
            TlsSubject::SubjectDn { wire, .. } | TlsSubject::SanIp { wire, .. } => wire,
            TlsSubject::SanDns(v) | TlsSubject::SanUri(v) | TlsSubject::SanEmail(v) => v,
        }
    }

    /// Parses the value of one of [`SUBJECT_MEMBERS`] (which `member` must be).
    pub fn parse(member: &str, raw: &str) -> Result<TlsSubject, &'static str> {
        if raw.chars().count() > MAX_SUBJECT_CHARS {
            return Err("at most 1024 characters");
        }
        match member {
            "tls_client_auth_subject_dn" => {
                Ok(TlsSubject::SubjectDn { wire: raw.to_owned(), rdns: parse_dn(raw)? })
            }
            "tls_client_auth_san_dns" if is_dns_name(raw) => Ok(TlsSubject::SanDns(raw.to_owned())),
            "tls_client_auth_san_dns" => Err("must be a DNS name"),
            "tls_client_auth_san_uri" => {
                CheckedUri::parse(raw)?;
                Ok(TlsSubject::SanUri(raw.to_owned()))
            }
            "tls_client_auth_san_ip" => raw
                .parse::<IpAddr>()
                .map(|ip| TlsSubject::SanIp { wire: raw.to_owned(), ip })
                .map_err(|_| "must be an IPv4 or IPv6 address"),
            _ if raw.validate_email() => Ok(TlsSubject::SanEmail(raw.to_owned())),
            _ => Err("must be an e-mail address"),
        }
    }

    /// Whether the certificate carries the registered subject: the DN compared attribute
    /// by attribute (types case-insensitively), DNS names case-insensitively, IP
    /// addresses in binary (RFC 8705 §2.1.2, RFC 5952 §8), URIs and e-mails exactly.
    pub fn matches(&self, cert: &CertificateIdentity) -> bool {
        match self {
            TlsSubject::SubjectDn { rdns, .. } => {
                cert.subject_dn.as_deref().and_then(|dn| parse_dn(dn).ok()).as_ref() == Some(rdns)
            }
            TlsSubject::SanDns(name) => cert.dns_names.iter().any(|d| d.eq_ignore_ascii_case(name)),
            TlsSubject::SanUri(uri) => cert.uris.iter().any(|u| u == uri),
            TlsSubject::SanIp { ip, .. } => cert.ips.contains(ip),
            TlsSubject::SanEmail(email) => cert.emails.iter().any(|e| e == email),
        }
    }
}

/// Reads the subject members against the authentication method: exactly one with
/// `tls_client_auth`, none with any other; `self_signed_tls_client_auth` needs the client's
/// certificates in `jwks` or `jwks_uri` (RFC 8705 §2.2.2).
pub fn read_subject(
    f: &Fields<'_>,
    method: AuthMethod,
    has_keys: bool,
) -> Result<Option<TlsSubject>, MetadataError> {
    let mut sent = Vec::new();
    for member in SUBJECT_MEMBERS {
        if let Some(raw) = f.string(member)? {
            sent.push((member, raw));
        }
    }
    if method == AuthMethod::SelfSignedTlsClientAuth && !has_keys {
        return Err(MetadataError::field(
            "token_endpoint_auth_method",
            "self_signed_tls_client_auth needs jwks or jwks_uri holding the client's certificates",
        ));
    }
    match (method, sent.as_slice()) {
        (AuthMethod::TlsClientAuth, []) => Err(MetadataError::field(
            "token_endpoint_auth_method",
            format!("tls_client_auth needs exactly one of {}", SUBJECT_MEMBERS.join(", ")),
        )),
        (AuthMethod::TlsClientAuth, [(member, raw)]) => TlsSubject::parse(member, raw)
            .map(Some)
            .map_err(|why| MetadataError::field(member, why)),
        (AuthMethod::TlsClientAuth, [(first, _), (second, _), ..]) => Err(MetadataError::field(
            first,
            format!(
                "tls_client_auth takes exactly one certificate subject member, not also {second}"
            ),
        )),
        (_, [(member, _), ..]) => Err(MetadataError::field(
            member,
            "only with token_endpoint_auth_method tls_client_auth",
        )),
        (_, []) => Ok(None),
    }
}

/// RFC 4514 distinguished name: `type=value` attributes separated by `,` (or `+` within
/// one RDN), with `\` escapes. Returns (lower-cased type, unescaped trimmed value) pairs.
fn parse_dn(raw: &str) -> Result<Vec<(String, String)>, &'static str> {
    const BAD: &str = "must be an RFC 4514 distinguished name, e.g. CN=client,O=Example";
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = raw.chars();
    let mut parts: Vec<String> = Vec::new();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                current.push('\\');
                current.push(chars.next().ok_or(BAD)?);
            }
            ',' | '+' => parts.push(std::mem::take(&mut current)),
            c if c.is_control() => return Err(BAD),
            c => current.push(c),
        }
    }
    parts.push(current);
    for part in parts {
        let (kind, value) = part.split_once('=').ok_or(BAD)?;
        let kind = kind.trim();
        let descr = kind.starts_with(|c: char| c.is_ascii_alphabetic())
            && kind.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        let oid = !kind.is_empty()
            && kind.split('.').all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if !descr && !oid {
            return Err(BAD);
        }
        let value = unescape(value.trim());
        if value.is_empty() {
            return Err(BAD);
        }
        out.push((kind.to_ascii_lowercase(), value));
    }
    Ok(out)
}

fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    out
}

/// A DNS name as a dNSName SAN holds it: LDH labels, a leading `*` label allowed.
fn is_dns_name(raw: &str) -> bool {
    let name = raw.strip_prefix("*.").unwrap_or(raw);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_match_certificates_by_their_own_rules() {
        let dn =
            TlsSubject::parse("tls_client_auth_subject_dn", "CN=client, O=Example\\, Inc").unwrap();
        let cert = CertificateIdentity {
            subject_dn: Some("cn=client,O=Example\\, Inc".into()),
            dns_names: vec!["API.example.com".into()],
            ips: vec!["2001:db8::1".parse().unwrap()],
            ..Default::default()
        };
        assert!(dn.matches(&cert));
        let other =
            TlsSubject::parse("tls_client_auth_subject_dn", "CN=other,O=Example\\, Inc").unwrap();
        assert!(!other.matches(&cert));
        assert!(TlsSubject::parse("tls_client_auth_san_dns", "api.example.com")
            .unwrap()
            .matches(&cert));
        let ip = TlsSubject::parse("tls_client_auth_san_ip", "2001:0db8:0:0::1").unwrap();
        assert!(ip.matches(&cert), "IP addresses compare in binary");
        for (member, bad) in [
            ("tls_client_auth_subject_dn", "no equals sign"),
            ("tls_client_auth_subject_dn", "CN="),
            ("tls_client_auth_san_dns", "bad_name.example"),
            ("tls_client_auth_san_ip", "10.0.0"),
            ("tls_client_auth_san_email", "not-an-email"),
            ("tls_client_auth_san_uri", "relative/path"),
        ] {
            assert!(TlsSubject::parse(member, bad).is_err(), "{member} {bad}");
        }
    }
}
