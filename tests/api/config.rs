//! `registrar serve` flags as the library parses them: refusals happen at startup, not
//! at the first request.

use registrar::app::config::Settings;

use crate::helpers::SECRET_KEY;

#[test]
fn the_flags_the_harness_uses_are_accepted() {
    // Arrange
    let cases: [&[&str]; 4] = [
        &["--listen", "127.0.0.1:0"],
        &[
            "--listen",
            "127.0.0.1:0",
            "--redis-url",
            "redis://127.0.0.1:1/",
            "--secret-key",
            SECRET_KEY,
        ],
        &[
            "--listen",
            "127.0.0.1:0",
            "--issuer",
            "https://op.example",
            "--redis-prefix",
            "x:",
            "--redis-url",
            "redis://127.0.0.1:1/",
            "--secret-key",
            SECRET_KEY,
            "--rotate-registration-access-token",
            "--max-body-bytes",
            "1024",
            "--allow-native-https-redirects",
            "--scopes",
            "openid custom",
        ],
        &["--listen", "127.0.0.1:0", "--secret-key", SECRET_KEY],
    ];

    for flags in cases {
        // Act
        let settings = Settings::from_flags(flags.iter().copied());

        // Assert
        assert!(settings.is_ok(), "{flags:?} should be accepted");
    }
}

/// True when the flags are refused by `Settings::from_flags` or, failing that, by
/// `Application::build` (where key material is decoded).
async fn refused_at_startup(flags: &[&str]) -> bool {
    match Settings::from_flags(flags.iter().copied()) {
        Err(_) => true,
        Ok(settings) => registrar::app::startup::Application::build(settings).await.is_err(),
    }
}

#[tokio::test]
async fn invalid_flags_are_refused_at_startup() {
    // Arrange: (flags, why); key checks use the memory store so that no Redis
    // connection failure can be mistaken for a refused key.
    let with_key = |key: &'static str| vec!["--listen", "127.0.0.1:0", "--secret-key", key];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--listen", "127.0.0.1:0", "--redis-url", "redis://127.0.0.1:1/"],
            "a Redis URL without a secret key",
        ),
        (with_key("AAECAwQFBgcICQoLDA0ODw"), "a 16-byte secret key"),
        (with_key("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gIQ"), "a 34-byte secret key"),
        (with_key("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+"), "standard base64 characters"),
        (with_key(""), "an empty secret key"),
        (vec!["--listen", "127.0.0.1:0", "--max-body-bytes", "lots"], "a non-numeric body limit"),
        (vec!["--listen", "127.0.0.1:0", "--no-such-flag"], "an unknown flag"),
        (vec!["--listen", "127.0.0.1:0", "--audit-skip", "sdcrr,reads"], "an unknown event type"),
        (vec!["--listen", "127.0.0.1:0", "--audit-skip", "SDCRR"], "an event type in capitals"),
    ];

    for (flags, why) in cases {
        // Act
        let refused = refused_at_startup(&flags).await;

        // Assert
        assert!(refused, "{why} ({flags:?}) should be refused");
    }
}
