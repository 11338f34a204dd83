use clap::Parser;

use registrar::app::config::{Cli, Command, IatCommand, Settings};
use registrar::app::startup::{self, Application};
use registrar::app::telemetry;
use registrar::credentials::seal::Sealer;
use registrar::service::admin_token;

/// See Cargo.toml: malloc and free were the largest single cost in the profile.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    // Before any TLS use: rustls then never has to choose a provider itself.
    registrar::app::transport::tls::crypto_provider();
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("registrar: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::GenKey => {
            println!("{}", Sealer::generate_key().map_err(|e| e.to_string())?);
            Ok(())
        }
        Command::Token(args) => {
            let ttl = admin_token::parse_ttl(&args.ttl).map_err(|e| e.to_string())?;
            let scopes: Vec<&str> = args.scope.split_whitespace().collect();
            let settings = Settings::try_from(args.serve.clone()).map_err(|e| e.to_string())?;
            let token = startup::mint_admin_token(&settings, &scopes, ttl, &args.subject)
                .await
                .map_err(|e| e.to_string())?;
            println!("{token}");
            Ok(())
        }
        Command::Iat { command: IatCommand::Create(args) } => {
            let expires_in = args
                .expires_in
                .as_deref()
                .map(admin_token::parse_ttl)
                .transpose()
                .map_err(|e| e.to_string())?;
            let settings = Settings::try_from(args.serve.clone()).map_err(|e| e.to_string())?;
            let issued = startup::issue_initial_access_token(
                &settings,
                expires_in,
                args.max_uses,
                args.policy.clone(),
            )
            .await
            .map_err(|e| e.to_string())?;
            println!("{issued}");
            Ok(())
        }
        Command::Serve(args) => {
            let settings = Settings::try_from(*args).map_err(|e| e.to_string())?;
            telemetry::init(settings.log_format);
            let app = Application::build(settings).await.map_err(|e| e.to_string())?;
            app.run_until_stopped().await.map_err(|e| e.to_string())
        }
    }
}
