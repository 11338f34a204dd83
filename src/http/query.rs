//! Query-string values of the management API, refused in its format naming the parameter.

use crate::domain::fields::{printable_ascii, QUOTED_CHARS};
use crate::http::error::ManagementError;

/// `a,b, c` as `["a", "b", "c"]`, empty items dropped.
pub fn split_list(value: &str) -> Vec<String> {
    value.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

pub fn boolean(name: &str, value: &str) -> Result<bool, ManagementError> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(bad_query(&format!("{name}: must be true or false"))),
    }
}

pub fn number(name: &str, value: &str, min: usize, max: usize) -> Result<usize, ManagementError> {
    value
        .parse::<usize>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| bad_query(&format!("{name}: must be an integer from {min} to {max}")))
}

pub fn bad_query(message: &str) -> ManagementError {
    ManagementError::BadRequest { message: message.to_owned(), code: "invalid_query_string" }
}

/// A client-sent name, quoted in an error message.
pub fn ascii(text: &str) -> String {
    printable_ascii(text, QUOTED_CHARS)
}
