//! Issue 15, found from outside: invisible characters in names, audit and log abuse,
//! duplicated credentials.

use serde_json::json;

use crate::admin_helpers::{assert_invalid_body, spawn_admin_app};
use crate::helpers::{assert_oauth_error, minimal_with};

/// Invisible or direction-changing characters, each hidden inside an innocent name.
const HIDDEN: [char; 9] = [
    '\u{200B}',
    '\u{200D}',
    '\u{2060}',
    '\u{FEFF}',
    '\u{00AD}',
    '\u{202E}',
    '\u{2066}',
    '\u{061C}',
    '\u{E0041}',
];

#[tokio::test]
async fn names_with_invisible_format_characters_are_refused_by_both_apis() {
    // Arrange
    let app = spawn_admin_app().await;

    for hidden in HIDDEN {
        let name = format!("Pay{hidden}Pal");

        // Act
        let registered = app.register(&minimal_with(json!({ "client_name": name }))).await;
        let created = app.management_create(app.tokens.all(), &json!({ "name": name })).await;

        // Assert
        assert_oauth_error(&registered, 400, "invalid_client_metadata", "client_name");
        assert_eq!(created.status, 400, "U+{:04X}\n{created}", hidden as u32);
        assert_invalid_body(&created, "name");
    }
    let plain = app.register(&minimal_with(json!({ "client_name": "Café ❤️ Ünïcode" }))).await;
    plain.assert_status(201);
}
