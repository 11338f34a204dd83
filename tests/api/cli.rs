//! What a newcomer sees of the binary: `registrar serve --help` grouped under headings
//! with one line per flag, the details behind `--help-long`, and a start-up that says what
//! is happening, one line per finding.

use std::process::Command;

use clap::CommandFactory;
use registrar::app::config::Cli;
use serde_json::Value;

use crate::server_process::ServerProcess;

const HEADINGS: [&str; 6] = [
    "Network and TLS:",
    "Storage:",
    "Registration policy:",
    "Security limits:",
    "Observability:",
    "Performance:",
];

fn run(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_registrar"))
        .args(args)
        .output()
        .expect("failed to run the registrar binary");
    assert!(output.status.success(), "registrar {args:?}: {output:?}");
    String::from_utf8(output.stdout).expect("UTF-8 help")
}

/// Every flag `serve` shows, from the library's own command definition.
fn visible_serve_flags() -> Vec<String> {
    let cli = Cli::command();
    let serve = cli.find_subcommand("serve").expect("a serve subcommand");
    serve
        .get_arguments()
        .filter(|arg| !arg.is_hide_set())
        .filter_map(|arg| arg.get_long().map(|long| format!("--{long}")))
        .collect()
}

#[test]
fn serve_help_groups_every_flag_under_a_heading_with_one_line_of_help() {
    // Act
    let help = run(&["serve", "--help"]);

    // Assert: the headings, every flag, and one help line per flag (clap puts it under the
    // flag when the name is long), so no flag spreads over a paragraph.
    for heading in HEADINGS {
        assert!(help.lines().any(|line| line == heading), "no {heading:?} in:\n{help}");
    }
    let lines: Vec<&str> = help.lines().collect();
    for flag in visible_serve_flags() {
        let at = lines
            .iter()
            .map(|line| line.trim_start().trim_start_matches("-h, "))
            .position(|line| line == flag || line.starts_with(&format!("{flag} ")))
            .unwrap_or_else(|| panic!("{flag} missing from serve --help:\n{help}"));
        let help_lines = lines[at + 1..]
            .iter()
            .take_while(|line| !line.trim().is_empty() && !line.trim_start().starts_with('-'))
            .count();
        assert!(help_lines <= 1, "{flag} has {help_lines} lines of help:\n{help}");
    }
}

#[test]
fn the_details_of_every_flag_are_behind_help_long() {
    // Act
    let short = run(&["serve", "--help"]);
    let long = run(&["serve", "--help-long"]);

    // Assert: the long help says more, flag by flag.
    assert!(long.lines().count() > short.lines().count() * 2, "--help-long is not longer");
    assert!(long.contains("Port 0 picks a free port"), "{long}");
    assert!(!short.contains("Port 0 picks a free port"), "{short}");
    for heading in HEADINGS {
        assert!(long.lines().any(|line| line == heading), "no {heading:?} in:\n{long}");
    }
}

#[test]
fn start_up_warnings_are_one_line_per_finding_saying_what_is_happening() {
    // Arrange: no Redis, no key, plain HTTP: every finding of a development start.
    let mut server = ServerProcess::start(&[]);

    // Act
    let log = server.stop();

    // Assert
    let warnings: Vec<String> = log
        .iter()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["level"] == "WARN")
        .map(|line| line["fields"]["message"].as_str().unwrap_or_default().to_owned())
        // The machine's own finding: whether the open-file limit fits --max-connections
        // depends on where the test runs (tests/api/connections.rs covers it).
        .filter(|message| !message.contains("open-file limit"))
        .collect();
    let expected = [
        "travel in clear",
        "the listener serves plain HTTP",
        "a random at-rest key was made: client secrets and the server's signing keys die with \
         this process",
        "clients live in this process only",
    ];
    for finding in expected {
        let lines = warnings.iter().filter(|w| w.contains(finding)).count();
        assert_eq!(lines, 1, "one warning line should say {finding:?}; got {warnings:#?}");
    }
    assert_eq!(warnings.len(), expected.len(), "{warnings:#?}");
    assert!(warnings.iter().all(|w| !w.contains('\n') && w.len() < 240), "{warnings:#?}");
}

#[test]
fn docs_configuration_lists_every_flag_with_its_variable() {
    // Arrange: `| `--flag` | `VARIABLE` | ...` rows of the full reference.
    let path = format!("{}/docs/configuration.md", env!("CARGO_MANIFEST_DIR"));
    let reference = std::fs::read_to_string(&path).expect("docs/configuration.md");
    let documented: Vec<(String, String)> = reference
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(|c| c.trim().trim_matches('`')).collect();
            (line.starts_with("| `--") && cells.len() > 3)
                .then(|| (cells[1].to_owned(), cells[2].to_owned()))
        })
        .collect();
    let cli = Cli::command();
    let serve = cli.find_subcommand("serve").expect("a serve subcommand");

    // Assert: each documented flag exists with that variable, and each flag is documented.
    for (flag, variable) in &documented {
        let arg = serve
            .get_arguments()
            .find(|arg| arg.get_long().is_some_and(|long| format!("--{long}") == *flag))
            .unwrap_or_else(|| panic!("docs/configuration.md documents {flag}: serve has none"));
        let env = arg.get_env().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default();
        assert_eq!(&env, variable, "{flag}: docs/configuration.md names the wrong variable");
    }
    let missing: Vec<String> = visible_serve_flags()
        .into_iter()
        .filter(|flag| !matches!(flag.as_str(), "--help" | "--help-long"))
        .filter(|flag| !documented.iter().any(|(f, _)| f == flag))
        .collect();
    assert!(missing.is_empty(), "add these flags to docs/configuration.md: {missing:?}");
}
