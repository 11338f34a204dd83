use clap::Parser;

use registrar::config::{Cli, Command, Settings};
use registrar::credentials::seal::Sealer;
use registrar::startup::Application;
use registrar::telemetry;

#[actix_web::main]
async fn main() -> std::process::ExitCode {
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
        Command::Serve(args) => {
            let settings = Settings::try_from(*args).map_err(|e| e.to_string())?;
            telemetry::init(settings.log_format);
            let app = Application::build(settings).await.map_err(|e| e.to_string())?;
            app.run_until_stopped().await.map_err(|e| e.to_string())
        }
    }
}
