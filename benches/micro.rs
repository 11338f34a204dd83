//! Micro-benchmarks of the pure parts of a registration: metadata parsing and validation,
//! credential generation, sealing, and building (and decoding) the stored record.
//!
//! `cargo bench --bench micro` (about 40 s; add `-- --quick` for a faster, rougher run, or
//! a name filter such as `-- seal`). Under `cargo test --all-targets` each function runs
//! once, as a smoke test.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::{json, Map, Value};

use registrar::credentials::seal::Sealer;
use registrar::credentials::{AccessToken, NewCredentials};
use registrar::domain::metadata::{ClientMetadata, RegistrationPolicy};
use registrar::domain::settings::ClientSettings;
use registrar::service::client_info::to_raw;
use registrar::service::clients::ClientRecord;
use registrar::service::register::{prepare, Origin};

fn policy() -> RegistrationPolicy {
    RegistrationPolicy {
        allow_native_https_redirects: false,
        http_documents: false,
        scopes_supported: "openid profile email address phone offline_access"
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
    }
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("bench bodies are objects"),
    }
}

/// What bench/register.lua posts.
fn minimal_body() -> Map<String, Value> {
    object(json!({ "redirect_uris": ["https://rp.example/cb"], "client_name": "bench" }))
}

/// Most of RFC 7591 §2 and OIDC DCR §2 in one document, with a by-value RSA key.
fn full_body() -> Map<String, Value> {
    // Key generation is slow and not what is measured: done once, outside the timed loops.
    let pair = josekit::jws::RS256.generate_key_pair(2048).expect("RSA key generation");
    let mut jwk: Map<String, Value> = pair.to_jwk_public_key().into();
    jwk.insert("use".into(), "sig".into());
    jwk.insert("kid".into(), "bench-1".into());
    object(json!({
        "redirect_uris": [
            "https://rp.example/cb",
            "https://rp.example/cb2",
            "https://rp.example/callback?from=bench"
        ],
        "response_types": ["code", "id_token", "code id_token"],
        "grant_types": ["authorization_code", "implicit", "refresh_token"],
        "application_type": "web",
        "client_name": "Bench Relying Party",
        "client_name#ja": "ベンチマーク",
        "client_uri": "https://rp.example/",
        "logo_uri": "https://rp.example/logo.png",
        "logo_uri#ja": "https://rp.example/ja/logo.png",
        "policy_uri": "https://rp.example/policy",
        "tos_uri": "https://rp.example/tos",
        "contacts": ["ops@rp.example", "dev@rp.example"],
        "jwks": { "keys": [jwk] },
        "token_endpoint_auth_method": "private_key_jwt",
        "token_endpoint_auth_signing_alg": "RS256",
        "id_token_signed_response_alg": "RS256",
        "userinfo_signed_response_alg": "RS256",
        "request_object_signing_alg": "RS256",
        "subject_type": "public",
        "default_max_age": 3600,
        "require_auth_time": true,
        "default_acr_values": ["urn:mace:incommon:iap:silver"],
        "initiate_login_uri": "https://rp.example/login",
        "request_uris": ["https://rp.example/request"],
        "post_logout_redirect_uris": ["https://rp.example/bye"],
        "scope": "openid profile email",
        "software_id": "registrar-bench",
        "software_version": "1.0"
    }))
}

fn sealer() -> Sealer {
    Sealer::from_keys(&Sealer::generate_key().expect("key"), &[]).expect("sealer")
}

fn metadata(c: &mut Criterion) {
    let policy = policy();
    let (minimal, full) = (minimal_body(), full_body());
    let parsed_full = ClientMetadata::parse(&full, &policy).expect("the full body is valid");
    let mut g = c.benchmark_group("metadata");
    g.bench_function("parse_minimal", |b| {
        b.iter(|| ClientMetadata::parse(black_box(&minimal), &policy).expect("valid"))
    });
    g.bench_function("parse_full", |b| {
        b.iter(|| ClientMetadata::parse(black_box(&full), &policy).expect("valid"))
    });
    g.bench_function("to_json_full", |b| b.iter(|| black_box(&parsed_full).to_json()));
    let stored_full = parsed_full.to_json();
    // The Auth0 settings view, derived from stored metadata (management API reads).
    g.bench_function("settings_derive_full", |b| {
        b.iter(|| ClientSettings::derive("client-id", black_box(&stored_full)))
    });
    g.finish();
}

fn credentials(c: &mut Criterion) {
    let mut g = c.benchmark_group("credentials");
    g.bench_function("generate", |b| b.iter(|| NewCredentials::generate().expect("OS RNG")));
    let creds = NewCredentials::generate().expect("OS RNG");
    let token = creds.registration_access_token;
    let hash = token.hash();
    g.bench_function("token_hash", |b| b.iter(|| black_box(&token).hash()));
    g.bench_function("token_verify", |b| b.iter(|| hash.verify(black_box(&token))));
    g.finish();
}

fn seal(c: &mut Criterion) {
    let sealer = sealer();
    let secret = NewCredentials::generate().expect("OS RNG").client_secret;
    let owner = "MTIzNDU2Nzg5MDEyMzQ1Ng";
    let sealed = sealer.seal(secret.expose().as_bytes(), owner).expect("seal");
    let mut g = c.benchmark_group("seal");
    g.bench_function("seal_secret", |b| {
        b.iter(|| sealer.seal(black_box(secret.expose().as_bytes()), owner).expect("seal"))
    });
    g.bench_function("open_secret", |b| {
        b.iter(|| sealer.open(black_box(&sealed), owner).expect("open"))
    });
    g.finish();
}

fn record(c: &mut Criterion) {
    let (policy, sealer) = (policy(), sealer());
    let now = 1_700_000_000;
    let minimal = ClientMetadata::parse(&minimal_body(), &policy).expect("valid");
    let minimal_json = to_raw(&minimal.to_json()).expect("json");
    let full = ClientMetadata::parse(&full_body(), &policy).expect("valid");
    let full_json = to_raw(&full.to_json()).expect("json");
    let stored =
        prepare(&sealer, now, &minimal, &minimal_json, Origin::default()).expect("prepare");
    let mut g = c.benchmark_group("record");
    // Registration minus HTTP and Redis: credentials, seal, token hash, settings, JSON.
    g.bench_function("prepare_minimal", |b| {
        b.iter(|| {
            prepare(&sealer, now, black_box(&minimal), &minimal_json, Origin::default())
                .expect("prepare")
        })
    });
    g.bench_function("prepare_full", |b| {
        b.iter(|| {
            prepare(&sealer, now, black_box(&full), &full_json, Origin::default()).expect("prepare")
        })
    });
    g.bench_function("metadata_to_raw_minimal", |b| {
        b.iter(|| to_raw(&black_box(&minimal).to_json()).expect("json"))
    });
    // The RFC 7592 read path minus HTTP and Redis: decode the record, check the token,
    // open the secret.
    g.bench_function("read_decode_verify_open", |b| {
        b.iter(|| {
            let record: ClientRecord =
                serde_json::from_slice(black_box(&stored.bytes)).expect("record");
            assert!(record.rat.as_ref().is_some_and(|rat| rat.verify(&stored.token)));
            let sealed = record.secret.as_deref().expect("sealed secret");
            sealer.open(sealed, &record.client_id).expect("open")
        })
    });
    let presented = AccessToken::from_presented(stored.token.expose().to_owned());
    let rat = stored.record.rat.as_ref().expect("registered clients have a token hash");
    g.bench_function("record_decode", |b| {
        b.iter(|| serde_json::from_slice::<ClientRecord>(black_box(&stored.bytes)).expect("record"))
    });
    g.bench_function("token_verify_presented", |b| b.iter(|| rat.verify(black_box(&presented))));
    g.finish();
}

criterion_group! {
    name = benches;
    // Short by default so the whole suite stays well under a minute; flags override.
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50);
    targets = metadata, credentials, seal, record
}
criterion_main!(benches);
