//! The `dxa-ingest` binary: parse the command line, run, map the result to an exit code.

use std::io::Write;

use anyhow::{Context, Result};
use dxa_ingest::cli::{self, Cli, Command};
use dxa_ingest::net::log::fatal_line;
use dxa_ingest::output::folder::{self, Interruption};
use dxa_ingest::{ExitCode, inspect, profile, scan};

/// mimalloc: each file's parse allocates and frees a few hundred small blocks on every
/// worker thread; glibc malloc spent about 9 % of the instructions of a scan on that
/// (callgrind), and a scan's wall time is 15-25 % lower with mimalloc. Version 2 rather
/// than the crate's default 3: v3 kept 45-72 MB resident (varying from run to run, and more
/// at 100 000 files than at 20 000) where v2 keeps about 40 MB whatever the archive size
/// (memory must not grow with the archive: docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = cli::parse().unwrap_or_else(|error| exit_usage(error));
    let code = match run(cli) {
        Ok(code) => code,
        Err(error) => {
            // A closed pipe (`| head`) is not a failure.
            if io_kinds(&error).any(|kind| kind == std::io::ErrorKind::BrokenPipe) {
                ExitCode::Success
            } else if let Some(config) = error.downcast_ref::<cli::ConfigError>() {
                eprintln!("{}", fatal_line(&format!("{error:#}")));
                config.exit_code()
            } else if let Some(usage) = error
                .chain()
                .find_map(|e| e.downcast_ref::<dxa_ingest::config::UsageError>())
            {
                eprintln!("{}", fatal_line(&usage.to_string()));
                ExitCode::Usage
            } else {
                // A full file system (space or inodes) says "No space left on device": say
                // which to check.
                let full = io_kinds(&error).any(|kind| kind == std::io::ErrorKind::StorageFull);
                let hint = if full {
                    " (the file system is full: check its space with `df -h` and its inodes with `df -i`)"
                } else {
                    ""
                };
                eprintln!("{}", fatal_line(&format!("{error:#}{hint}")));
                ExitCode::Fatal
            }
        }
    };
    std::process::exit(code.into());
}

/// A command line clap refuses: printed by clap (with its usage and colours), or, when the
/// log was started as JSON (`listen`, `pull`), as one `error` event; `--help` and
/// `--version` are clap's to print.
/// The kinds of the I/O errors among `error`'s causes (the write side's bare cause, which
/// its chain does not repeat, included).
fn io_kinds(error: &anyhow::Error) -> impl Iterator<Item = std::io::ErrorKind> + '_ {
    error.chain().filter_map(|e| {
        e.downcast_ref::<std::io::Error>()
            .or_else(|| {
                e.downcast_ref::<dxa_ingest::pipeline::PipelineError>()
                    .and_then(|p| p.io_error())
            })
            .map(std::io::Error::kind)
    })
}

fn exit_usage(error: clap::Error) -> ! {
    if !error.use_stderr() || !dxa_ingest::net::log::json_started() {
        error.exit()
    }
    let text = error.to_string();
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    // The error, without clap's pointers to the usage and to --help.
    let text = ["\n\nUsage:", "\n\nFor more information"]
        .iter()
        .filter_map(|tail| text.find(tail))
        .min()
        .map_or(text, |end| &text[..end]);
    let message: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    eprintln!("{}", fatal_line(&message.join(" ")));
    std::process::exit(error.exit_code())
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Scan(args) => {
            exit_on_signal()?;
            let config = cli::scan_config(args)?;
            let mapper = profile::load(&config.profiles)?;
            let (summary, elapsed) = scan::run(&config, &mapper)
                .map_err(|e| anyhow::Error::from_boxed(e.into_cause()))?;
            eprintln!("{}", summary_line(&summary, &config.target, elapsed));
            Ok(exit_code(&summary, &config.target))
        }
        Command::Merge(args) => {
            exit_on_signal()?;
            let config = cli::merge_config(args)?;
            let (summary, elapsed) = dxa_ingest::merge::run(&config)
                .map_err(|e| anyhow::Error::from_boxed(e.into_cause()))?;
            eprintln!("{}", summary_line(&summary, &config.target, elapsed));
            Ok(exit_code(&summary, &config.target))
        }
        Command::Pull(args) => {
            exit_on_signal()?;
            let config = cli::pull_config(args)?;
            let mapper = profile::load(config.scan.as_ref().map_or(&[][..], |s| &s.profiles))?;
            dxa_ingest::net::pull::run(&config, &mapper)
                .map_err(|e| anyhow::Error::from_boxed(e.into_cause()))
        }
        Command::Listen(args) => {
            let mut interrupts =
                folder::catch_signals().context("cannot install the SIGINT/SIGTERM handler")?;
            std::thread::Builder::new()
                .name("signals".into())
                .spawn(move || {
                    while interrupts.next_signal().is_some() {
                        if let Some(interruption) = dxa_ingest::net::listen::stop_requested() {
                            exit_interrupted(interruption);
                        }
                    }
                })?;
            let stop = dxa_ingest::net::listen::stop_flag();
            let config = cli::listen_config(args)?;
            let mapper = profile::load(config.scan.as_ref().map_or(&[][..], |s| &s.profiles))?;
            dxa_ingest::net::listen::run(&config, &mapper, stop)
                .map_err(|e| anyhow::Error::from_boxed(e.into_cause()))
        }
        Command::Inspect(args) => {
            let mapper = profile::load(&args.profile)?;
            let limits = cli::limits(64);
            let name = dxa_ingest::path_text::path_text(&args.file);
            // Opened as `scan` opens a file (never a FIFO or a device), read up to its pixel
            // data; a file that cannot be read is fatal, one too large is a verdict.
            let bytes = match dxa_ingest::read::read_file(&args.file, true, &limits) {
                Ok(file) => file.head.bytes,
                Err(error) if error.reason == dxa_ingest::Reason::TooLarge => {
                    println!(
                        "file: {name}\nnot ingested: error too_large: {}",
                        error.message
                    );
                    return Ok(ExitCode::FilesFailed);
                }
                Err(error) => {
                    let hint = if args.file.is_dir() {
                        " (inspect reads one file; `dxa-ingest scan` reads folders)"
                    } else {
                        ""
                    };
                    anyhow::bail!("cannot inspect {name}: {}{hint}", error.message)
                }
            };
            let options = dxa_ingest::ClassifyOptions {
                radius_diagnostic: args.radius_diagnostic,
            };
            let mut out = std::io::stdout().lock();
            let ingestible = if args.visit {
                inspect::inspect_visit(&args.file, &mapper, &limits, &options, &mut out)?
            } else {
                inspect::inspect(&name, &bytes, &mapper, &limits, &options, &mut out)?
            };
            out.flush()?;
            Ok(if ingestible {
                ExitCode::Success
            } else {
                ExitCode::FilesFailed
            })
        }
    }
}

/// On SIGINT or SIGTERM the run's outputs are settled (docs/columns.md, "Interrupted runs")
/// and the process ends at once with 128 + the signal.
fn exit_on_signal() -> Result<()> {
    let mut interrupts =
        folder::catch_signals().context("cannot install the SIGINT/SIGTERM handler")?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(interruption) = interrupts.next_interruption() {
                exit_interrupted(interruption);
            }
        })
        .context("cannot install the SIGINT/SIGTERM handler")?;
    Ok(())
}

/// Says what the interruption left and ends the process while it still holds the commit's
/// lock.
fn exit_interrupted(interruption: Interruption) -> ! {
    eprintln!("{}", interruption.message);
    std::process::exit(interruption.exit_code)
}

/// Exit 4 (nothing ingested) is for runs that write outputs; a partial is a piece.
fn exit_code(
    summary: &dxa_ingest::pipeline::Summary,
    target: &dxa_ingest::config::Target,
) -> ExitCode {
    match target {
        dxa_ingest::config::Target::Outputs(_) => summary.exit_code(),
        dxa_ingest::config::Target::Partial(_) => summary.partial_exit_code(),
    }
}

/// The last line on stderr: the outputs' counts, or what a partial recorded.
fn summary_line(
    summary: &dxa_ingest::pipeline::Summary,
    target: &dxa_ingest::config::Target,
    elapsed: std::time::Duration,
) -> String {
    match target {
        dxa_ingest::config::Target::Outputs(_) => summary.line(elapsed),
        dxa_ingest::config::Target::Partial(file) => summary.partial_line(file, elapsed),
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Error, ErrorKind};

    use dxa_ingest::pipeline::PipelineError;

    /// The kinds the exit code and the hint depend on are found whatever stage said them.
    #[test]
    fn io_kinds_are_found_through_every_stage() {
        // A cause named by a step: in the chain.
        let doing =
            PipelineError::doing("cannot write in out", Error::from(ErrorKind::StorageFull));
        let error = anyhow::Error::new(doing);
        assert!(super::io_kinds(&error).any(|k| k == ErrorKind::StorageFull));
        // A bare cause (a partial's record): not repeated in the chain, still found.
        let bare = PipelineError::from(Error::from(ErrorKind::BrokenPipe));
        let error = anyhow::Error::new(bare);
        assert_eq!(
            format!("{error:#}"),
            Error::from(ErrorKind::BrokenPipe).to_string()
        );
        assert!(super::io_kinds(&error).any(|k| k == ErrorKind::BrokenPipe));
        // Through a `--tar` scan: the stage's error unwrapped by `into_cause`.
        let scan = dxa_ingest::scan::ScanError::from(PipelineError::doing(
            "cannot write the outputs in out",
            Error::from(ErrorKind::StorageFull),
        ));
        let error = anyhow::Error::from_boxed(scan.into_cause());
        assert_eq!(
            format!("{error:#}"),
            format!(
                "cannot write the outputs in out: {}",
                Error::from(ErrorKind::StorageFull)
            )
        );
        assert!(super::io_kinds(&error).any(|k| k == ErrorKind::StorageFull));
        // No I/O error: none found.
        let error = anyhow::anyhow!("cannot inspect x");
        assert_eq!(super::io_kinds(&error).count(), 0);
    }
}
