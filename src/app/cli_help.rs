//! How `registrar serve --help` is laid out: the headings its flags are grouped under, and
//! the short `--help` beside `--help-long`.

/// Headings that group the flags of `registrar serve --help`.
pub mod heading {
    pub const NETWORK: &str = "Network and TLS";
    pub const STORAGE: &str = "Storage";
    pub const POLICY: &str = "Registration policy";
    pub const LIMITS: &str = "Security limits";
    pub const OBSERVE: &str = "Observability";
    pub const PERFORMANCE: &str = "Performance";
    pub const CAPABILITIES: &str = "OpenID Provider capabilities (what discovery advertises)";
    pub const CONSOLE: &str = "Web console";
}

/// `-h`/`--help` and `--help-long` of the commands that take every `serve` flag: `--help`
/// stays short (one line per flag, under headings); the details are one flag away.
pub fn help_flags() -> [clap::Arg; 2] {
    [
        clap::Arg::new("help")
            .short('h')
            .long("help")
            .action(clap::ArgAction::HelpShort)
            .help("Print help, one line per flag (--help-long for the details)"),
        clap::Arg::new("help-long")
            .long("help-long")
            .action(clap::ArgAction::HelpLong)
            .help("Print help with the details of every flag"),
    ]
}
