//! The `mikit` command line. Glue only: argument parsing, output, prompts, sessions and
//! progress; every protocol lives in the library crates.
//!
//! # Layout
//!
//! | module | holds |
//! |---|---|
//! | `cli` | the clap argument definitions (global flags, the command tree) |
//! | `context` | config file + flags + environment resolved once: paths, endpoint map, HTTP client, store |
//! | `output` | the one printer: tables on a terminal, `--json`, broken pipes, progress bars; escapes control characters in all text output |
//! | `prompt` | asking for passwords (never echoed, never from argv) and lines |
//! | `command/*` | one module per subcommand: `struct Cmd` (its arguments) and `fn run` |
//! | `export` | streaming CSV / JSON-lines writers and the `-o` target (complete-or-nothing files, devices, FIFOs, stdout) |

mod cli;
mod command;
mod context;
mod export;
mod output;
mod prompt;
mod session;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    if let Err(e) = command::fit::dates::check_cli(&cli) {
        e.exit();
    }
    init_logging(&cli.global);
    mikit_core::http::install_crypto_provider();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            output::error_line(&format!("cannot start the async runtime: {e}"));
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(command::run(cli));
    // Do not wait for lingering background tasks (an emulator's connections) on exit.
    runtime.shutdown_background();
    match result {
        Ok(code) => code,
        Err(err) => {
            if output::is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            output::report_error(&err);
            ExitCode::from(command::exit_code(&err))
        }
    }
}

fn init_logging(g: &cli::Global) {
    use tracing_subscriber::EnvFilter;
    // -v levels apply to mikit's own crates only: dependencies at trace level could print
    // request headers, which carry tokens. RUST_LOG is the explicit way to see those.
    let level = match (g.quiet, g.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => {
            "warn,mikit=info,mikit_core=info,mikit_huami=info,mikit_store=info,mikit_emulator=info"
        }
        (false, 2) => {
            "warn,mikit=debug,mikit_core=debug,mikit_huami=debug,mikit_store=debug,mikit_emulator=debug"
        }
        _ => {
            "warn,mikit=trace,mikit_core=trace,mikit_huami=trace,mikit_store=trace,mikit_emulator=trace"
        }
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    // Colours only for a person at a terminal: a pipe, a file or a log collector gets plain
    // text, and NO_COLOR (https://no-color.org) turns them off everywhere.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
