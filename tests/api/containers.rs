//! The container set-up, kept right by reading it (no Docker engine runs the tests):
//! docker-compose.yml and the Dockerfile use only subcommands, flags and variables the
//! binary has, with values it accepts, and .dockerignore keeps the build context to the
//! sources.

use std::collections::BTreeMap;

use clap::CommandFactory;
use registrar::app::config::{Cli, Settings};
use yaml_rust2::{Yaml, YamlLoader};

use crate::helpers::SECRET_KEY;

fn read(path: &str) -> String {
    let path = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `--long` name and `REGISTRAR_*` variable of every `serve` argument, and whether it
/// takes a value.
struct ServeCli {
    by_env: BTreeMap<String, (String, bool)>,
    longs: Vec<String>,
}

impl ServeCli {
    fn new() -> ServeCli {
        let cli = Cli::command();
        let serve = cli.find_subcommand("serve").expect("a serve subcommand");
        let mut by_env = BTreeMap::new();
        let mut longs = Vec::new();
        for arg in serve.get_arguments() {
            let Some(long) = arg.get_long() else { continue };
            longs.push(format!("--{long}"));
            if let Some(env) = arg.get_env() {
                let takes_value = arg.get_action().takes_values();
                by_env.insert(env.to_string_lossy().into_owned(), (long.to_owned(), takes_value));
            }
        }
        ServeCli { by_env, longs }
    }
}

fn subcommands() -> Vec<String> {
    Cli::command().get_subcommands().map(|c| c.get_name().to_owned()).collect()
}

/// `${NAME:-default}` as compose interpolates it with NAME unset (`.env` absent), except
/// for the at-rest key, which the README has the reader put into `.env` first.
fn interpolate(name: &str, value: &str) -> String {
    if name == "REGISTRAR_SECRET_KEY" {
        return SECRET_KEY.to_owned();
    }
    match value.strip_prefix("${").and_then(|v| v.strip_suffix('}')) {
        Some(inner) => {
            let (_, default) = inner.split_once(":-").unwrap_or_else(|| {
                panic!("{name}: {value} must have a default (`${{{name}:-...}}`): `docker compose run` of gen-key needs the file to load with nothing set")
            });
            default.to_owned()
        }
        None => value.to_owned(),
    }
}

fn scalar(value: &Yaml) -> String {
    match value {
        Yaml::String(s) | Yaml::Real(s) => s.clone(),
        Yaml::Integer(i) => i.to_string(),
        Yaml::Boolean(b) => b.to_string(),
        other => panic!("not a scalar: {other:?}"),
    }
}

#[test]
fn docker_compose_uses_only_variables_and_flags_the_cli_has_with_values_it_accepts() {
    // Arrange
    let docs = YamlLoader::load_from_str(&read("docker-compose.yml")).expect("valid YAML");
    let registrar = &docs[0]["services"]["registrar"];
    assert_eq!(registrar["build"].as_str(), Some("."), "registrar is built from the Dockerfile");
    let cli = ServeCli::new();

    // Act: the service's environment and command as the flags they stand for.
    let environment = registrar["environment"].as_hash().expect("an environment map");
    let mut flags = Vec::new();
    for (name, value) in environment {
        let name = name.as_str().expect("variable names are strings");
        if !(name.starts_with("REGISTRAR_") || name.starts_with("REDIS_")) {
            assert_eq!(name, "RUST_LOG", "{name}: not a variable Registrar reads");
            continue;
        }
        let (long, takes_value) = cli
            .by_env
            .get(name)
            .unwrap_or_else(|| panic!("docker-compose.yml sets {name}, which serve does not read"));
        let value = interpolate(name, &scalar(value));
        match takes_value {
            true => flags.push(format!("--{long}={value}")),
            false if value == "true" => flags.push(format!("--{long}")),
            false => {}
        }
    }
    let command: Vec<String> =
        registrar["command"].as_vec().expect("a command list").iter().map(scalar).collect();

    // Assert
    assert_eq!(command.first().map(String::as_str), Some("serve"), "{command:?}");
    for word in command.iter().skip(1).filter(|w| w.starts_with('-')) {
        let long = word.split('=').next().unwrap_or_default();
        assert!(cli.longs.iter().any(|l| l == long), "serve has no {long} (compose command)");
    }
    flags.extend(command.iter().skip(1).cloned());
    let settings = Settings::from_flags(&flags)
        .unwrap_or_else(|e| panic!("serve refuses the compose settings {flags:?}: {e}"));
    assert!(matches!(settings.store, registrar::app::config::StoreSettings::Redis { .. }));
    assert!(registrar["depends_on"]["redis"].as_hash().is_some(), "registrar waits for redis");
}

#[test]
fn the_dockerfile_runs_subcommands_and_sets_variables_the_cli_has() {
    // Arrange
    let dockerfile = read("Dockerfile");
    let cli = ServeCli::new();
    let subcommands = subcommands();
    assert!(subcommands.iter().any(|c| c == "gen-key"), "the README makes the key with gen-key");

    // Act / Assert
    let mut entrypoint = None;
    for line in dockerfile.lines().map(str::trim) {
        if let Some(env) = line.strip_prefix("ENV ") {
            let (name, _) = env.split_once('=').expect("ENV NAME=value");
            assert!(cli.by_env.contains_key(name), "the Dockerfile sets {name}: serve has none");
        }
        if let Some(list) = line.strip_prefix("ENTRYPOINT ") {
            entrypoint = Some(serde_json::from_str::<Vec<String>>(list).expect("exec form"));
        }
        if let Some(list) = line.strip_prefix("CMD ") {
            let cmd: Vec<String> = serde_json::from_str(list).expect("CMD in exec form");
            assert!(subcommands.contains(&cmd[0]), "CMD {cmd:?}: no such subcommand");
        }
    }
    // The entrypoint is the binary alone, so `docker compose run registrar gen-key` works.
    assert_eq!(entrypoint, Some(vec!["registrar".to_owned()]));
}

/// `*` within a path segment, `**` across segments, `?` one character: what Docker's
/// .dockerignore patterns use.
fn glob(pattern: &[u8], path: &[u8]) -> bool {
    match pattern {
        [] => path.is_empty(),
        [b'*', b'*', rest @ ..] => (0..=path.len()).any(|i| glob(rest, &path[i..])),
        [b'*', rest @ ..] => (0..=path.len())
            .take_while(|&i| i == 0 || path[i - 1] != b'/')
            .any(|i| glob(rest, &path[i..])),
        [b'?', rest @ ..] => path.first().is_some_and(|&c| c != b'/') && glob(rest, &path[1..]),
        [c, rest @ ..] => path.first() == Some(c) && glob(rest, &path[1..]),
    }
}

/// Docker's rule: the last pattern matching the path or one of its parents decides.
fn ignored(patterns: &[(bool, String)], path: &str) -> bool {
    let prefixes: Vec<&str> =
        path.match_indices('/').map(|(i, _)| &path[..i]).chain([path]).collect();
    patterns.iter().fold(false, |ignored, (exclude, pattern)| {
        match prefixes.iter().any(|p| glob(pattern.as_bytes(), p.as_bytes())) {
            true => *exclude,
            false => ignored,
        }
    })
}

#[test]
fn the_image_build_context_holds_the_sources_and_nothing_heavy_or_secret() {
    // Arrange
    let patterns: Vec<(bool, String)> = read(".dockerignore")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| match line.strip_prefix('!') {
            Some(kept) => (false, kept.trim_matches('/').to_owned()),
            None => (true, line.trim_matches('/').to_owned()),
        })
        .collect();

    // Act / Assert
    for path in [
        "target/release/registrar",
        ".git/HEAD",
        ".env",
        "tests/interop/node_modules/openid-client/package.json",
        "bench-results/run.md",
        "bench/results/latest.md",
        "dump.rdb",
    ] {
        assert!(ignored(&patterns, path), "{path} would be sent to the image build");
    }
    let dockerfile = read("Dockerfile");
    let copied = dockerfile
        .lines()
        .filter_map(|line| line.trim().strip_prefix("COPY "))
        .filter(|args| !args.starts_with("--from"))
        .flat_map(|args| {
            let words: Vec<&str> = args.split_whitespace().collect();
            words[..words.len() - 1].iter().map(|w| w.to_string()).collect::<Vec<_>>()
        });
    for source in copied.chain(["src/main.rs".to_owned(), "src/store/mod.rs".to_owned()]) {
        assert!(
            !ignored(&patterns, &source),
            "the Dockerfile needs {source}: .dockerignore drops it"
        );
    }
}
