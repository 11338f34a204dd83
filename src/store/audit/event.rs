//! One audit event, in the shape of an Auth0 log event (seed 002): `date`, `type`,
//! `description`, `client_id`, `client_name`, `ip`, `user_agent`, `details`.
//!
//! Absent values are serialized as `null` rather than left out, so every event has the same
//! eight keys and a reader (or the OpenAPI schema) never has to guess.
//!
//! No secret ever reaches an event: the description is a `&'static str` chosen by the
//! caller's code (never request input), and `details` can only be built through [`Details`],
//! which drops every key that names a credential, at any depth.

use std::borrow::Cow;
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// Longest `user_agent` kept, in characters: the header is attacker-controlled and every
/// event is kept up to `--audit-max-events` times over.
const MAX_USER_AGENT_CHARS: usize = 256;
/// Longest `client_id` kept: generated ids are 22 characters; anything longer is an
/// outsider's path segment, kept only as far as it shows what was tried.
const MAX_CLIENT_ID_CHARS: usize = 64;
/// Registration's `client_name` limit.
const MAX_CLIENT_NAME_CHARS: usize = 255;
/// Longest string kept in `details`.
const MAX_DETAIL_CHARS: usize = 512;

/// Free text from a request, as an event keeps it: at most `max` characters, control
/// characters written as `\u{..}` escapes, so no field can forge a log line or fill the
/// capped log with one request.
pub fn bounded(text: &str, max: usize) -> String {
    let plain = text.len() <= max && !text.chars().any(char::is_control);
    if plain {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len().min(max * 2));
    for c in text.chars().take(max) {
        if c.is_control() {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// What happened. Each kind has a short code, Auth0-style (`s…` success, `f…` failure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// `sdcr`: a client registered itself (RFC 7591 §3.1).
    Registration,
    /// `sdcrr`: a client read its configuration (RFC 7592 §2.1).
    RegistrationRead,
    /// `sdcru`: a client replaced its configuration (RFC 7592 §2.2).
    RegistrationUpdate,
    /// `sdcrd`: a client deleted itself (RFC 7592 §2.3).
    RegistrationDelete,
    /// `smcc`: an administrator created a client (`POST /api/v2/clients`).
    ManagementCreate,
    /// `smcu`: an administrator updated a client (`PATCH /api/v2/clients/{id}`).
    ManagementUpdate,
    /// `smcd`: an administrator deleted a client (`DELETE /api/v2/clients/{id}`).
    ManagementDelete,
    /// `smcrs`: an administrator rotated a client secret (`POST …/rotate-secret`).
    ManagementRotateSecret,
    /// `sdcc`: a self-registered client never used was removed (`--cleanup-unused-after`).
    UnusedClientRemoved,
    /// `fdcrt`: a registration access token was missing or wrong (RFC 7592 §2, 401).
    RegistrationTokenFailure,
    /// `fmat`: an admin token was missing, malformed, expired or foreign (401).
    AdminTokenFailure,
    /// `fmas`: a valid admin token lacked the scope the operation needs (403).
    AdminScopeRefused,
    /// `seccft`: a client exchanged its credentials for an access token (Auth0's code).
    ClientCredentialsExchange,
    /// `feccft`: a client credentials token request failed (Auth0's code).
    ClientCredentialsFailure,
    /// `sapi`: an administrator changed a resource server or a client grant.
    ManagementApiOperation,
}

impl EventType {
    /// Every kind, in the order of the table in docs/management-api.md.
    pub const ALL: [EventType; 15] = [
        EventType::Registration,
        EventType::RegistrationRead,
        EventType::RegistrationUpdate,
        EventType::RegistrationDelete,
        EventType::ManagementCreate,
        EventType::ManagementUpdate,
        EventType::ManagementDelete,
        EventType::ManagementRotateSecret,
        EventType::UnusedClientRemoved,
        EventType::RegistrationTokenFailure,
        EventType::AdminTokenFailure,
        EventType::AdminScopeRefused,
        EventType::ClientCredentialsExchange,
        EventType::ClientCredentialsFailure,
        EventType::ManagementApiOperation,
    ];

    /// The wire code (`type` in events and in the `GET /api/v2/logs` filter).
    pub fn code(self) -> &'static str {
        match self {
            EventType::Registration => "sdcr",
            EventType::RegistrationRead => "sdcrr",
            EventType::RegistrationUpdate => "sdcru",
            EventType::RegistrationDelete => "sdcrd",
            EventType::ManagementCreate => "smcc",
            EventType::ManagementUpdate => "smcu",
            EventType::ManagementDelete => "smcd",
            EventType::ManagementRotateSecret => "smcrs",
            EventType::UnusedClientRemoved => "sdcc",
            EventType::RegistrationTokenFailure => "fdcrt",
            EventType::AdminTokenFailure => "fmat",
            EventType::AdminScopeRefused => "fmas",
            EventType::ClientCredentialsExchange => "seccft",
            EventType::ClientCredentialsFailure => "feccft",
            EventType::ManagementApiOperation => "sapi",
        }
    }

    /// This kind's bit in a set of kinds (fifteen kinds, sixteen bits).
    pub(crate) fn bit(self) -> u16 {
        1 << (self as u16)
    }

    /// The kind with this code; `None` for anything else (codes are case-sensitive).
    pub fn parse(code: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// One line for docs/management-api.md and the default `description` of an event.
    pub fn description(self) -> &'static str {
        match self {
            EventType::Registration => "Dynamic client registration (RFC 7591)",
            EventType::RegistrationRead => "Client read its configuration (RFC 7592)",
            EventType::RegistrationUpdate => "Client updated its configuration (RFC 7592)",
            EventType::RegistrationDelete => "Client deleted its registration (RFC 7592)",
            EventType::ManagementCreate => "Client created through the Management API",
            EventType::ManagementUpdate => "Client updated through the Management API",
            EventType::ManagementDelete => "Client deleted through the Management API",
            EventType::ManagementRotateSecret => "Client secret rotated through the Management API",
            EventType::UnusedClientRemoved => "Self-registered client removed as never used",
            EventType::RegistrationTokenFailure => {
                "Failed registration access token authentication"
            }
            EventType::AdminTokenFailure => "Failed Management API token authentication",
            EventType::AdminScopeRefused => "Management API token lacks the required scope",
            EventType::ClientCredentialsExchange => {
                "Client credentials exchanged for an access token"
            }
            EventType::ClientCredentialsFailure => "Failed client credentials token request",
            EventType::ManagementApiOperation => {
                "Resource server or client grant changed through the Management API"
            }
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for EventType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for EventType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        EventType::parse(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown event type `{code}`")))
    }
}

/// The event-type table in Markdown, for docs/management-api.md.
pub fn markdown_table() -> String {
    let mut table = String::from("| type | event |\n| --- | --- |\n");
    for kind in EventType::ALL {
        table.push_str(&format!("| `{}` | {} |\n", kind.code(), kind.description()));
    }
    table
}

/// An audit event. Built with [`Event::new`] and the `with_*` methods; read with the getters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    date: String,
    #[serde(rename = "type")]
    r#type: EventType,
    /// Borrowed from [`EventType::description`] unless read back from the store: every
    /// request builds an event, and this saves it a copy.
    description: Cow<'static, str>,
    client_id: Option<String>,
    client_name: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    /// Sanitized again when read back, so no path into an `Event` skips the filter.
    #[serde(deserialize_with = "sanitized_details")]
    details: Value,
}

impl Event {
    /// An event of `kind` happening now, described by [`EventType::description`], with
    /// empty `details` and no client or requester.
    pub fn new(kind: EventType) -> Event {
        Event {
            date: rfc3339(SystemTime::now()),
            r#type: kind,
            description: Cow::Borrowed(kind.description()),
            client_id: None,
            client_name: None,
            ip: None,
            user_agent: None,
            details: Value::Object(Map::new()),
        }
    }

    /// Sets the time (tests, or a caller with an injected clock).
    pub fn at(mut self, time: SystemTime) -> Event {
        self.date = rfc3339(time);
        self
    }

    /// A more specific description. Static on purpose: request data (and so any token)
    /// cannot end up here; put variable facts in [`Details`].
    pub fn with_description(mut self, description: &'static str) -> Event {
        self.description = Cow::Borrowed(description);
        self
    }

    /// The client concerned (its ID, and its name when known).
    pub fn with_client(mut self, client_id: &str, client_name: Option<&str>) -> Event {
        self.client_id = Some(bounded(client_id, MAX_CLIENT_ID_CHARS));
        self.client_name = client_name.map(|name| bounded(name, MAX_CLIENT_NAME_CHARS));
        self
    }

    /// Who made the request: peer address and `User-Agent` (truncated to 256 characters).
    /// Takes the address as a `String` the caller has just formatted, so it is not copied.
    pub fn with_origin(mut self, ip: Option<String>, user_agent: Option<&str>) -> Event {
        self.ip = ip;
        self.user_agent = user_agent.map(|ua| bounded(ua, MAX_USER_AGENT_CHARS));
        self
    }

    pub fn with_details(mut self, details: Details) -> Event {
        self.details = Value::Object(details.0);
        self
    }

    /// RFC 3339 UTC with milliseconds, e.g. `2026-11-23T05:30:00.123Z`.
    pub fn date(&self) -> &str {
        &self.date
    }

    pub fn kind(&self) -> EventType {
        self.r#type
    }

    pub fn description(&self) -> &str {
        &self.description
    }

    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }

    pub fn client_name(&self) -> Option<&str> {
        self.client_name.as_deref()
    }

    pub fn ip(&self) -> Option<&str> {
        self.ip.as_deref()
    }

    pub fn user_agent(&self) -> Option<&str> {
        self.user_agent.as_deref()
    }

    /// Always a JSON object, already stripped of secrets.
    pub fn details(&self) -> &Value {
        &self.details
    }
}

/// An event as the Redis log stores it, beside the entry's `type` and `client_id` fields:
/// without those two, without the description when it is the type's own, and without
/// empty members. Every request writes one, and the stream and the AOF carry each; this
/// form is about a third of the full one for a typical RFC 7592 read.
#[derive(Serialize)]
struct StoredForm<'a> {
    date: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ip: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_agent: Option<&'a str>,
    #[serde(skip_serializing_if = "is_empty_object")]
    details: &'a Value,
}

fn is_empty_object(value: &&Value) -> bool {
    value.as_object().is_some_and(Map::is_empty)
}

impl Event {
    /// Writes the stored form (see [`StoredForm`]) to `out`.
    pub(crate) fn write_stored(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        let own_description = self.description == self.r#type.description();
        serde_json::to_writer(
            out,
            &StoredForm {
                date: &self.date,
                description: (!own_description).then_some(&*self.description),
                client_name: self.client_name.as_deref(),
                ip: self.ip.as_deref(),
                user_agent: self.user_agent.as_deref(),
                details: &self.details,
            },
        )
    }

    /// The event back from its stored form and the entry's fields. Entries written before
    /// the stored form existed hold the whole event, whose own members win.
    pub(crate) fn from_stored(
        kind: Option<EventType>,
        client_id: Option<&str>,
        json: &str,
    ) -> serde_json::Result<Event> {
        let mut event: Map<String, Value> = serde_json::from_str(json)?;
        if let Some(kind) = kind {
            event.entry("type").or_insert_with(|| kind.code().into());
            event.entry("description").or_insert_with(|| kind.description().into());
        }
        if let Some(client_id) = client_id {
            event.entry("client_id").or_insert_with(|| client_id.into());
        }
        event.entry("details").or_insert_with(|| Value::Object(Map::new()));
        serde_json::from_value(Value::Object(event))
    }
}

/// The `details` object of an event. Keys that name a credential are dropped at every depth
/// (see [`is_sensitive_key`]), and string values that carry an HTTP credential
/// (`Bearer …`, `Basic …`) are replaced by `"[redacted]"`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Details(Map<String, Value>);

impl Details {
    pub fn new() -> Details {
        Details::default()
    }

    /// Adds `key`, unless it names a credential; `value` is sanitized recursively.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Details {
        if !is_sensitive_key(key) {
            self.0.insert(key.to_owned(), sanitize(value.into()));
        }
        self
    }

    /// Details from a whole JSON value (e.g. the fields of a request body), sanitized. A
    /// value that is not an object is kept under `"value"`.
    pub fn from_value(value: Value) -> Details {
        match sanitize(value) {
            Value::Object(map) => Details(map),
            other => Details::new().with("value", other),
        }
    }
}

/// True for keys that name a credential: `authorization`, `cookie`, anything whose last
/// word is `secret`, `token` or `password` (`client_secret`, `registration_access_token`,
/// `token`), and private or API keys. Case, `-`, `.` and camelCase are normalized first;
/// names that merely mention a credential (`token_endpoint_auth_method`,
/// `client_secret_expires_at`) are kept because they describe, not carry, one.
pub fn is_sensitive_key(key: &str) -> bool {
    let words = words(key);
    let last = words.last().map(String::as_str).unwrap_or_default();
    let before_last = words.len().checked_sub(2).and_then(|i| words.get(i)).map(String::as_str);
    matches!(
        last,
        "secret"
            | "secrets"
            | "token"
            | "tokens"
            | "password"
            | "passwd"
            | "authorization"
            | "cookie"
            | "apikey"
    ) || (last == "key" && matches!(before_last, Some("private" | "api")))
}

/// Lower-case words of an identifier: `clientSecret`, `client-secret`, `CLIENT_SECRET` all
/// give `["client", "secret"]`.
fn words(key: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in key.chars() {
        if !c.is_alphanumeric() {
            words.push(std::mem::take(&mut current));
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    words.push(current);
    words.retain(|word| !word.is_empty());
    words
}

fn sanitize(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(key, _)| !is_sensitive_key(key))
                .map(|(key, value)| (key, sanitize(value)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(sanitize).collect()),
        Value::String(text) if carries_credential(&text) => Value::from("[redacted]"),
        Value::String(text) => Value::String(bounded(&text, MAX_DETAIL_CHARS)),
        other => other,
    }
}

/// An `Authorization` header value (RFC 9110 §11.6.2) pasted into a detail.
fn carries_credential(text: &str) -> bool {
    let lower = text.trim_start().to_ascii_lowercase();
    ["bearer ", "basic ", "dpop "].iter().any(|scheme| lower.starts_with(scheme))
}

fn sanitized_details<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
    let value = Value::deserialize(deserializer)?;
    Ok(Value::Object(Details::from_value(value).0))
}

/// RFC 3339 UTC with milliseconds. Times before 1970 (a broken clock) print as the epoch.
pub fn rfc3339(time: SystemTime) -> String {
    let since_epoch = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since_epoch.as_secs();
    let (year, month, day) = civil_from_days(seconds / 86_400);
    let of_day = seconds % 86_400;
    if year > 9999 {
        let (h, m, sec) = (of_day / 3600, of_day % 3600 / 60, of_day % 60);
        let ms = since_epoch.subsec_millis();
        return format!("{year}-{month:02}-{day:02}T{h:02}:{m:02}:{sec:02}.{ms:03}Z");
    }
    // Digit by digit rather than `format!`: this runs for every audit event, so for every
    // RFC 7592 read, where the formatting machinery was a visible share of the CPU.
    let mut out = String::with_capacity(24);
    let fields = [
        (year, 4, '-'),
        (month, 2, '-'),
        (day, 2, 'T'),
        (of_day / 3600, 2, ':'),
        (of_day % 3600 / 60, 2, ':'),
        (of_day % 60, 2, '.'),
        (u64::from(since_epoch.subsec_millis()), 3, 'Z'),
    ];
    for (value, width, separator) in fields {
        for place in (0..width).rev() {
            let digit = value / 10u64.pow(place) % 10;
            out.push(char::from(b'0' + digit as u8));
        }
        out.push(separator);
    }
    out
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms", `civil_from_days`).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::*;

    fn at(unix_millis: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(unix_millis)
    }

    #[test]
    fn dates_are_rfc3339_utc_with_milliseconds() {
        let cases = [
            (0, "1970-01-01T00:00:00.000Z"),
            (1_795_411_800_123, "2026-11-23T05:30:00.123Z"),
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (951_868_799_999, "2000-02-29T23:59:59.999Z"),
            (1_709_251_199_000, "2024-02-29T23:59:59.000Z"),
            (4_107_542_400_000, "2100-03-01T00:00:00.000Z"),
        ];
        for (millis, expected) in cases {
            assert_eq!(rfc3339(at(millis)), expected, "for {millis} ms");
        }
        assert_eq!(rfc3339(UNIX_EPOCH - Duration::from_secs(5)), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn the_digit_writer_matches_the_format_machinery() {
        for step in 0..5_000u64 {
            let millis = step * 1_987_654_321 + step % 1000;
            let since = Duration::from_millis(millis);
            let seconds = since.as_secs();
            let (year, month, day) = civil_from_days(seconds / 86_400);
            let of_day = seconds % 86_400;
            let expected = format!(
                "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
                of_day / 3600,
                of_day % 3600 / 60,
                of_day % 60,
                since.subsec_millis()
            );
            assert_eq!(rfc3339(at(millis)), expected, "for {millis} ms");
        }
    }

    #[test]
    fn an_event_serializes_to_the_auth0_log_shape_with_nulls_for_absent_values() {
        let event = Event::new(EventType::RegistrationUpdate)
            .at(at(1_795_411_800_123))
            .with_client("abc", None)
            .with_details(Details::new().with("changed", json!(["client_name"])));

        let json = serde_json::to_value(&event).unwrap();

        assert_eq!(
            json,
            json!({
                "date": "2026-11-23T05:30:00.123Z",
                "type": "sdcru",
                "description": "Client updated its configuration (RFC 7592)",
                "client_id": "abc",
                "client_name": null,
                "ip": null,
                "user_agent": null,
                "details": {"changed": ["client_name"]}
            })
        );
        let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
        let expected = [
            "date",
            "type",
            "description",
            "client_id",
            "client_name",
            "ip",
            "user_agent",
            "details",
        ];
        assert_eq!(keys, expected, "keys in seed 002 order");
        assert_eq!(serde_json::from_value::<Event>(json).unwrap(), event, "round trip");
    }

    #[test]
    fn every_code_parses_back_to_its_kind_and_codes_are_unique() {
        for kind in EventType::ALL {
            assert_eq!(EventType::parse(kind.code()), Some(kind));
            assert_eq!(kind.to_string(), kind.code());
            // Auth0's own codes run to six characters (`seccft`, `feccft`).
            assert!(kind.code().len() <= 6, "{kind:?}: codes stay short");
        }
        let mut codes: Vec<&str> = EventType::ALL.iter().map(|kind| kind.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), EventType::ALL.len());
        assert_eq!(EventType::parse("SDCR"), None);
        assert_eq!(EventType::parse(""), None);
        assert!(serde_json::from_value::<EventType>(json!("nope")).is_err());
    }

    #[test]
    fn the_markdown_table_has_a_row_per_kind() {
        let table = markdown_table();
        assert_eq!(table.lines().count(), 2 + EventType::ALL.len());
        assert!(table.contains("| `fmas` | Management API token lacks the required scope |"));
    }

    #[test]
    fn credential_keys_are_recognised_and_descriptive_keys_are_not() {
        let sensitive = [
            "client_secret",
            "registration_access_token",
            "authorization",
            "Authorization",
            "token",
            "secret",
            "access_token",
            "refresh_token",
            "id_token",
            "clientSecret",
            "X-Api-Key",
            "private_key",
            "password",
            "Cookie",
        ];
        for key in sensitive {
            assert!(is_sensitive_key(key), "{key} must be stripped");
        }
        let descriptive = [
            "client_id",
            "client_name",
            "token_endpoint_auth_method",
            "client_secret_expires_at",
            "registration_client_uri",
            "scope",
            "required_scope",
            "jwks_uri",
            "signing_keys",
            "key",
        ];
        for key in descriptive {
            assert!(!is_sensitive_key(key), "{key} must be kept");
        }
    }

    #[test]
    fn details_strip_secrets_at_every_depth() {
        let body = json!({
            "client_name": "Example",
            "client_secret": "s3cr3t",
            "registration_access_token": "rat",
            "headers": {"Authorization": "Bearer abc", "accept": "application/json"},
            "attempts": [{"token": "t", "ok": false}, "Basic dXNlcjpwYXNz", "plain"],
            "nested": {"deeper": {"secret": "x", "kept": 1}},
        });

        let details = Details::from_value(body)
            .with("client_secret", "again")
            .with("header", "bearer xyz")
            .with("scope", "read:clients");
        let json =
            serde_json::to_string(&Event::new(EventType::ManagementUpdate).with_details(details))
                .unwrap();

        for secret in ["s3cr3t", "rat", "Bearer abc", "\"t\"", "dXNlcjpwYXNz", "again", "xyz"] {
            assert!(!json.contains(secret), "{secret} leaked into {json}");
        }
        let event: Event = serde_json::from_str(&json).unwrap();
        assert_eq!(
            event.details(),
            &json!({
                "client_name": "Example",
                "headers": {"accept": "application/json"},
                "attempts": [{"ok": false}, "[redacted]", "plain"],
                "nested": {"deeper": {"kept": 1}},
                "header": "[redacted]",
                "scope": "read:clients",
            })
        );
    }

    #[test]
    fn secrets_are_stripped_even_from_events_read_back_from_storage() {
        let stored = json!({
            "date": "2026-11-23T05:30:00.123Z", "type": "smcrs", "description": "d",
            "client_id": "c", "client_name": null, "ip": null, "user_agent": null,
            "details": {"client_secret": "leak", "kept": true}
        });

        let event: Event = serde_json::from_value(stored).unwrap();

        assert_eq!(event.details(), &json!({"kept": true}));
    }

    #[test]
    fn a_non_object_detail_is_kept_under_value_and_user_agents_are_truncated() {
        let event = Event::new(EventType::Registration)
            .with_origin(Some("192.0.2.1".into()), Some(&"x".repeat(1000)))
            .with_details(Details::from_value(json!([1, 2])));

        assert_eq!(event.details(), &json!({"value": [1, 2]}));
        assert_eq!(event.user_agent().map(str::len), Some(MAX_USER_AGENT_CHARS));
        assert_eq!(event.ip(), Some("192.0.2.1"));
    }

    #[test]
    fn user_agents_are_truncated_by_characters_not_bytes() {
        let long = Event::new(EventType::Registration).with_origin(None, Some(&"é".repeat(300)));
        let short = Event::new(EventType::Registration).with_origin(None, Some("curl/8 é"));

        assert_eq!(long.user_agent().map(|ua| ua.chars().count()), Some(MAX_USER_AGENT_CHARS));
        assert_eq!(short.user_agent(), Some("curl/8 é"));
    }
}
