//! The registry table, the parser, discovery and docs/metadata-registry.md agree.

use serde_json::{json, Map, Value};

use super::capabilities::{apply_to_discovery, CapabilityEndpoints};
use super::registry::{render_flags, render_table, Status, REGISTRY};
use super::*;
use crate::domain::metadata::{ClientMetadata, RegistrationPolicy};

fn jwks() -> Value {
    let pair = josekit::jws::ES256.generate_key_pair().unwrap();
    json!({ "keys": [Value::from(pair.to_jwk_public_key().as_ref().clone())] })
}

/// A valid registration carrying `member` (and what it needs), for every registry member.
fn sample(member: &str) -> Value {
    let base = json!({ "redirect_uris": ["https://rp.example/cb"] });
    let ciba = json!({ "grant_types": ["urn:openid:params:grant-type:ciba"], "redirect_uris": [],
        "backchannel_token_delivery_mode": "poll" });
    let tls = |m: &str, v: &str| json!({ "token_endpoint_auth_method": "tls_client_auth", m: v });
    let uri = "https://rp.example/x";
    let extra = match member {
        "redirect_uris" => json!({}),
        "token_endpoint_auth_method" => json!({ member: "client_secret_post" }),
        "grant_types" => json!({ member: ["authorization_code", "refresh_token"] }),
        "response_types" => json!({ member: ["code"] }),
        "contacts" => json!({ member: ["ops@rp.example"] }),
        "jwks" => json!({ member: jwks() }),
        "application_type" => json!({ member: "web" }),
        "subject_type" => json!({ member: "public" }),
        "default_max_age" => json!({ member: 60 }),
        "default_acr_values" => json!({ member: ["urn:acr:1"] }),
        "request_uris" | "post_logout_redirect_uris" => json!({ member: [uri] }),
        "request_object_signing_alg" => json!({ member: "ES256", "jwks": jwks() }),
        "client_uri"
        | "logo_uri"
        | "tos_uri"
        | "policy_uri"
        | "jwks_uri"
        | "initiate_login_uri"
        | "sector_identifier_uri" => json!({ member: uri }),
        "request_object_encryption_alg" => json!({ member: "RSA-OAEP", "jwks": jwks() }),
        "request_object_encryption_enc" => {
            json!({ member: "A256GCM", "request_object_encryption_alg": "RSA-OAEP", "jwks": jwks() })
        }
        "backchannel_logout_uri" => json!({ member: "https://rp.example/bc" }),
        "frontchannel_logout_uri" => json!({ member: "https://rp.example/fc" }),
        "backchannel_logout_session_required" => {
            json!({ "backchannel_logout_uri": "https://rp.example/bc", member: true })
        }
        "frontchannel_logout_session_required" => {
            json!({ "frontchannel_logout_uri": "https://rp.example/fc", member: true })
        }
        "tls_client_auth_subject_dn" => tls(member, "CN=rp,O=Example"),
        "tls_client_auth_san_dns" => tls(member, "rp.example"),
        "tls_client_auth_san_uri" => tls(member, "spiffe://rp.example/app"),
        "tls_client_auth_san_ip" => tls(member, "192.0.2.7"),
        "tls_client_auth_san_email" => tls(member, "ops@rp.example"),
        "authorization_details_types" => json!({ member: ["payment_initiation"] }),
        "authorization_signed_response_alg" | "introspection_signed_response_alg" => {
            json!({ member: "ES256" })
        }
        m if m.ends_with("_encrypted_response_alg") => {
            json!({ member: "RSA-OAEP", "jwks": jwks() })
        }
        m if m.ends_with("_encrypted_response_enc") => json!({
            member: "A256GCM", format!("{}_alg", m.trim_end_matches("_enc")): "RSA-OAEP", "jwks": jwks() }),
        "backchannel_token_delivery_mode" => ciba,
        "backchannel_client_notification_endpoint" => {
            json!({ "grant_types": ["urn:openid:params:grant-type:ciba"],
            "redirect_uris": [], "backchannel_token_delivery_mode": "ping", member: "https://rp.example/cb-notify" })
        }
        "backchannel_authentication_request_signing_alg" => {
            let mut body = ciba;
            body[member] = "ES256".into();
            body["jwks"] = jwks();
            body
        }
        "backchannel_user_code_parameter" => {
            let mut body = ciba;
            body[member] = true.into();
            body
        }
        "signed_jwks_uri" | "information_uri" | "organization_uri" | "claims_redirect_uris" => {
            json!({ member: "https://rp.example/x" })
        }
        "keywords" | "vp_formats_supported" | "encrypted_response_enc_values_supported" => {
            json!({ member: ["a"] })
        }
        m if m.ends_with("_alg") || m.ends_with("_enc") => json!({ member: "RS256" }),
        // Booleans: `true` asks for the capability.
        m if m.starts_with("require_") || m.ends_with("_tokens") || m.starts_with("use_") => {
            json!({ member: true })
        }
        _ => json!({ member: "x" }),
    };
    let mut body = base;
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    body
}

fn parse(body: &Value, caps: Capabilities) -> Result<Map<String, Value>, MetadataError> {
    let policy = RegistrationPolicy {
        allow_native_https_redirects: false,
        http_documents: false,
        scopes_supported: vec!["openid".into()],
        capabilities: caps,
    };
    ClientMetadata::parse(body.as_object().unwrap(), &policy).map(|m| m.to_json())
}

fn without(capability: Capability) -> Capabilities {
    let mut caps = Capabilities::all();
    match capability {
        Capability::Core => {}
        Capability::BackchannelLogout => caps.backchannel_logout = false,
        Capability::FrontchannelLogout => caps.frontchannel_logout = false,
        Capability::Par => caps.par = false,
        Capability::Dpop => caps.dpop = false,
        Capability::Mtls => caps.mtls = false,
        Capability::Jarm => caps.jarm = false,
        Capability::IntrospectionJwt => caps.introspection_jwt = false,
        Capability::Rar => caps.authorization_details_types.clear(),
        Capability::Ciba => caps.ciba_modes.clear(),
    }
    caps
}

fn message(e: &MetadataError) -> String {
    e.to_string()
}

/// Core members the registration parser reads beyond the registry's supported ones.
const CORE_SERVER_ISSUED: &[&str] = &[
    "client_id",
    "client_secret",
    "client_id_issued_at",
    "client_secret_expires_at",
    "registration_access_token",
    "registration_client_uri",
];

#[test]
fn every_registry_member_gets_the_status_the_table_gives_it() {
    for member in REGISTRY {
        let body = sample(member.name);
        let parsed = parse(&body, Capabilities::all());
        match member.status {
            Status::Supported if member.name == "scope" => {}
            Status::Supported => {
                let out = parsed.unwrap_or_else(|e| panic!("{}: {e}", member.name));
                assert!(out.contains_key(member.name), "{} is supported but not kept", member.name);
            }
            Status::Refused => {
                let e = parsed.expect_err(member.name);
                assert!(message(&e).starts_with(member.name), "{}: {e}", member.name);
                assert!(
                    !member.reason.is_empty() && member.reason != "-",
                    "{} needs a reason",
                    member.name
                );
            }
            Status::Ignored => {
                let out = parsed.unwrap_or_else(|e| panic!("{}: {e}", member.name));
                assert!(!out.contains_key(member.name), "{} is ignored but kept", member.name);
                assert!(member.reason.len() > 10, "{} needs a reason", member.name);
            }
        }
        if member.status == Status::Supported && member.capability != Capability::Core {
            let e = parse(&body, without(member.capability))
                .expect_err(&format!("{} must be refused without its capability", member.name));
            // The error names this member, or another of the same feature the body sends.
            let mut named = vec!["token_endpoint_auth_method", "grant_types"];
            named.extend(
                REGISTRY.iter().filter(|m| m.capability == member.capability).map(|m| m.name),
            );
            let text = message(&e);
            assert!(
                named.iter().any(|n| text.starts_with(&format!("{n}:"))),
                "{}: {e}",
                member.name
            );
        }
    }
}

#[test]
fn the_parser_keeps_no_member_the_registry_does_not_list() {
    let mut everything = Map::new();
    for member in REGISTRY.iter().filter(|m| m.status == Status::Supported) {
        let out = parse(&sample(member.name), Capabilities::all()).unwrap();
        everything.extend(out);
    }
    for key in everything.keys() {
        let listed = registry::get(key).is_some_and(|m| m.status == Status::Supported);
        assert!(
            listed,
            "the parser keeps {key}, which the registry table does not list as supported"
        );
    }
    for name in CORE_SERVER_ISSUED {
        assert_eq!(registry::get(name).map(|m| m.status), Some(Status::Ignored));
    }
    let mut names: Vec<&str> = REGISTRY.iter().map(|m| m.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), REGISTRY.len(), "a member is listed twice");
}

#[test]
fn discovery_advertises_a_capability_exactly_when_it_is_on() {
    let endpoints = CapabilityEndpoints {
        pushed_authorization_request: "https://op.example/oauth/par".into(),
        backchannel_authentication: "https://op.example/bc-authorize".into(),
    };
    let document = |caps: &Capabilities| {
        let mut doc = Map::new();
        doc.insert("response_modes_supported".into(), json!(["query"]));
        apply_to_discovery(caps, &endpoints, &mut doc);
        doc
    };
    let all = document(&Capabilities::all());
    for capability in Capability::SWITCHES {
        let off = document(&without(*capability));
        for member in capability.discovery_members() {
            assert!(all.contains_key(*member), "{member} missing with {capability:?} on");
            assert!(!off.contains_key(*member), "{member} advertised with {capability:?} off");
        }
    }
    let methods = |doc: &Map<String, Value>| doc["token_endpoint_auth_methods_supported"].clone();
    assert!(methods(&all).as_array().unwrap().contains(&json!("tls_client_auth")));
    assert!(!methods(&document(&without(Capability::Mtls)))
        .as_array()
        .unwrap()
        .contains(&json!("tls_client_auth")));
    let grants = document(&without(Capability::Ciba))["grant_types_supported"].clone();
    assert!(!grants.as_array().unwrap().contains(&json!("urn:openid:params:grant-type:ciba")));
}

/// `REGISTRAR_WRITE_DOCS=1 cargo test --lib members::tests` rewrites the docs tables.
#[test]
fn the_docs_table_is_the_registry_table() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/metadata-registry.md");
    let doc = std::fs::read_to_string(path).expect("docs/metadata-registry.md");
    let mut expected = doc.clone();
    for (name, table) in [("registry", render_table()), ("flags", render_flags())] {
        let (start, end) = (format!("<!-- {name}:start -->\n"), format!("<!-- {name}:end -->"));
        let from = expected.find(&start).expect("start marker") + start.len();
        let to = expected.find(&end).expect("end marker");
        expected.replace_range(from..to, &table);
    }
    if std::env::var_os("REGISTRAR_WRITE_DOCS").is_some() {
        std::fs::write(path, &expected).unwrap();
        return;
    }
    assert!(doc == expected, "docs/metadata-registry.md is out of date: REGISTRAR_WRITE_DOCS=1 cargo test --lib members::tests");
}
