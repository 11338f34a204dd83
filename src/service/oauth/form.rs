//! A token, introspection or revocation request body (RFC 6749 §3.2).

use super::OAuthError;

/// Most parameters read from one form.
const MAX_PARAMS: usize = 32;

/// A token request body: each parameter at most once (RFC 6749 §3.2), empty values read as
/// absent (§3.1).
pub struct Form {
    params: Vec<(String, String)>,
}

impl Form {
    pub fn parse(body: &[u8]) -> Result<Form, OAuthError> {
        let mut params: Vec<(String, String)> = Vec::new();
        for (name, value) in url::form_urlencoded::parse(body) {
            if params.len() >= MAX_PARAMS {
                return Err(OAuthError::InvalidRequest(format!(
                    "more than {MAX_PARAMS} parameters"
                )));
            }
            if params.iter().any(|(n, _)| *n == name) {
                let name = crate::domain::fields::printable_ascii(&name, 64);
                return Err(OAuthError::InvalidRequest(format!(
                    "{name}: sent more than once (RFC 6749 3.2)"
                )));
            }
            params.push((name.into_owned(), value.into_owned()));
        }
        params.retain(|(_, v)| !v.is_empty());
        Ok(Form { params })
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}
