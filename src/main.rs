//! The `dxa-ingest` binary: parse the command line, run, map the result to an exit code.

use std::io::Write;

use anyhow::{Context, Result};
use clap::Parser;
use dxa_ingest::cli::{self, Cli, Command};
use dxa_ingest::{ExitCode, inspect, profile, scan};

/// mimalloc: each file's parse allocates and frees a few hundred small blocks on every
/// worker thread; glibc malloc spent about 9 % of the instructions of a scan on that
/// (callgrind), and a scan's wall time is 15-25 % lower with mimalloc. Version 2 rather
/// than the crate's default 3: v3 kept 45-72 MB resident (varying from run to run, and more
/// at 100 000 files than at 20 000) where v2 keeps about 40 MB whatever the archive size
/// (issue 5: memory must not grow with the archive; docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let code = match run(Cli::parse()) {
        Ok(code) => code,
        Err(error) => {
            // A closed pipe (`| head`) is not a failure.
            if error
                .chain()
                .filter_map(|e| e.downcast_ref::<std::io::Error>())
                .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            {
                ExitCode::Success
            } else {
                eprintln!("dxa-ingest: error: {error:#}");
                ExitCode::Fatal
            }
        }
    };
    std::process::exit(code.into());
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Scan(args) => {
            dxa_ingest::output::atomic::remove_pending_on_interrupt()
                .context("cannot install the Ctrl-C handler")?;
            let config = cli::scan_config(args)?;
            let mapper = profile::load(&config.profiles)?;
            let (summary, elapsed) = scan::run(&config, &mapper)?;
            eprintln!("{}", summary.line(elapsed));
            Ok(summary.exit_code())
        }
        Command::Pull(args) => {
            dxa_ingest::output::atomic::remove_pending_on_interrupt()
                .context("cannot install the Ctrl-C handler")?;
            let config = cli::pull_config(args)?;
            let mapper = profile::load(config.scan.as_ref().map_or(&[][..], |s| &s.profiles))?;
            dxa_ingest::net::pull::run(&config, &mapper)
        }
        Command::Listen(args) => {
            let stop = dxa_ingest::net::listen::stop_on_signal()
                .context("cannot install the SIGINT/SIGTERM handler")?;
            let config = cli::listen_config(args)?;
            let mapper = profile::load(config.scan.as_ref().map_or(&[][..], |s| &s.profiles))?;
            dxa_ingest::net::listen::run(&config, &mapper, stop)
        }
        Command::Inspect(args) => {
            let mapper = profile::load(&args.profile)?;
            let bytes = std::fs::read(&args.file)
                .with_context(|| format!("cannot read {}", args.file.display()))?;
            let options = dxa_ingest::ClassifyOptions {
                radius_diagnostic: args.radius_diagnostic,
            };
            let mut out = std::io::stdout().lock();
            let ingestible = inspect::inspect(
                &args.file.display().to_string(),
                &bytes,
                &mapper,
                &cli::limits(64),
                &options,
                &mut out,
            )?;
            out.flush()?;
            Ok(if ingestible {
                ExitCode::Success
            } else {
                ExitCode::FilesFailed
            })
        }
    }
}
