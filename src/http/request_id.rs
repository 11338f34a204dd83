//! Request IDs: the caller's `X-Request-Id` when it is a safe token, else 128 random bits.
//! Every response echoes it and every log line of the request carries it (`observe`).

use std::fmt;

use actix_web::http::header::{HeaderName, HeaderValue};
use rand::Rng;

/// `X-Request-Id`, read from requests and set on every response.
pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Longest incoming ID kept; longer ones are replaced, so logs stay bounded.
const MAX_LEN: usize = 128;

/// One request's ID: 1 to 128 characters of `[A-Za-z0-9._:-]`, so it is safe in a header,
/// a log line and a URL, whoever chose it.
#[derive(Clone)]
pub struct RequestId(HeaderValue);

impl RequestId {
    /// The caller's ID if it is acceptable, else a fresh one.
    pub fn from_request(incoming: Option<&HeaderValue>) -> RequestId {
        incoming.and_then(RequestId::accept).unwrap_or_else(RequestId::generate)
    }

    fn accept(value: &HeaderValue) -> Option<RequestId> {
        let bytes = value.as_bytes();
        let ok = (1..=MAX_LEN).contains(&bytes.len()) && bytes.iter().copied().all(allowed);
        ok.then(|| RequestId(value.clone()))
    }

    /// 128 bits from the thread's CSPRNG, as 32 hex digits. Not a credential: it only has
    /// to be unique, so it does not come from `credentials`.
    pub fn generate() -> RequestId {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let bytes: [u8; 16] = rand::rng().random();
        // Written by hand rather than through `format!`: this runs on every request.
        let mut text = [0u8; 32];
        for (pair, byte) in text.chunks_exact_mut(2).zip(bytes) {
            pair[0] = HEX[usize::from(byte >> 4)];
            pair[1] = HEX[usize::from(byte & 0x0f)];
        }
        RequestId(HeaderValue::from_bytes(&text).expect("hex digits are a valid header value"))
    }

    pub fn as_str(&self) -> &str {
        // Checked or generated as ASCII above.
        self.0.to_str().unwrap_or_default()
    }

    pub fn header_value(&self) -> HeaderValue {
        self.0.clone()
    }
}

fn allowed(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-')
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RequestId({})", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(raw: &[u8]) -> String {
        let value = HeaderValue::from_bytes(raw).unwrap();
        RequestId::from_request(Some(&value)).to_string()
    }

    #[test]
    fn safe_incoming_ids_are_kept() {
        for id in ["a", "req-1.2_3:4", &"x".repeat(128), "0123456789abcdefABCDEF"] {
            assert_eq!(from(id.as_bytes()), id);
        }
    }

    #[test]
    fn unsafe_or_oversized_ids_are_replaced_by_fresh_ones() {
        let cases: [(&[u8], &str); 6] = [
            (b"", "empty"),
            (&[b'x'; 129], "too long"),
            (b"a b", "space"),
            (b"a\"b", "quote"),
            (b"a/b", "slash"),
            (b"\xc3\xa9", "non-ASCII"),
        ];
        for (raw, why) in cases {
            let id = from(raw);
            assert_ne!(id.as_bytes(), raw, "{why}");
            assert_eq!(id.len(), 32, "{why}: {id}");
            assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{why}: {id}");
        }
    }

    #[test]
    fn generated_ids_differ() {
        assert_ne!(RequestId::generate().to_string(), RequestId::generate().to_string());
        let id = RequestId::from_request(None);
        assert_eq!(id.as_str().len(), 32);
        assert!(id.as_str().bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    }
}
