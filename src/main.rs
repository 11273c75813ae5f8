//! agentcore-console: parse, set up logging, dispatch.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    agentcore_console::tui::install_hooks();
    let cli = agentcore_console::cli::Cli::parse();
    init_logging(cli.opens_tui());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("agentcore-console: error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(agentcore_console::cli::run(cli))
}

/// Logs go to stderr, level from `AGENTCORE_CONSOLE_LOG` (default `warn`). The SDK's
/// wire-level targets are capped so request headers (signatures, tokens) are never logged.
/// While the TUI owns the terminal they go to `console.log` in the state dir instead.
fn init_logging(tui: bool) {
    use tracing_subscriber::EnvFilter;
    let base = std::env::var("AGENTCORE_CONSOLE_LOG").unwrap_or_else(|_| "warn".into());
    let filter = EnvFilter::try_new(format!(
        "{base},aws_sigv4=warn,aws_smithy_runtime=info,aws_smithy_http_client=info,hyper=info,h2=info"
    ))
    .unwrap_or_else(|_| EnvFilter::new("warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    if tui {
        let file = agentcore_console::backend::audit::AuditLog::default_location()
            .ok()
            .map(|a| a.path().with_file_name("console.log"))
            .and_then(|p| {
                use agentcore_console::private_fs;
                private_fs::create_dir(p.parent()?).ok()?;
                private_fs::open(&p, true).ok()
            });
        match file {
            Some(f) => builder
                .with_ansi(false)
                .with_writer(std::sync::Mutex::new(f))
                .init(),
            None => builder.with_writer(std::io::sink).init(),
        }
    } else {
        builder.with_writer(std::io::stderr).init();
    }
}
