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
static ALLOCATOR: NaturallyAligned = NaturallyAligned;

/// mimalloc through its plain entry points where they already give the alignment asked
/// for. The `mimalloc` crate sends every allocation through `mi_malloc_aligned`, whose
/// checks cost about 46 instructions a call against the plain path's ~20 (callgrind:
/// about 170 allocations per file of a scan; docs/performance.md). mimalloc places a block
/// of `size` bytes at an address aligned to `size` up to 16 bytes (`MI_MAX_ALIGN_SIZE`;
/// its own `mi_malloc_is_naturally_aligned` relies on that), so an alignment of at most 16
/// and at most the size needs nothing more; any other layout takes the aligned path.
struct NaturallyAligned;

/// The alignment every `mi_malloc` block of at least this many bytes has (`MI_MAX_ALIGN_SIZE`
/// in mimalloc's types.h).
const PLAIN_ALIGN: usize = 16;

fn plain(align: usize, size: usize) -> bool {
    align <= PLAIN_ALIGN && align <= size
}

// SAFETY: every block comes from mimalloc and goes back to it (`mi_free` takes blocks of
// either entry point); a block from `mi_malloc`/`mi_realloc` is only handed out where
// `plain` holds, where mimalloc's placement gives the layout's alignment.
unsafe impl std::alloc::GlobalAlloc for NaturallyAligned {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        use libmimalloc_sys::{mi_malloc, mi_malloc_aligned};
        // SAFETY: mimalloc's allocation functions take any size and power-of-two alignment.
        unsafe {
            if plain(layout.align(), layout.size()) {
                mi_malloc(layout.size()).cast()
            } else {
                mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        use libmimalloc_sys::{mi_zalloc, mi_zalloc_aligned};
        // SAFETY: as in `alloc`.
        unsafe {
            if plain(layout.align(), layout.size()) {
                mi_zalloc(layout.size()).cast()
            } else {
                mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: std::alloc::Layout) {
        // SAFETY: `ptr` came from this allocator, so from mimalloc.
        unsafe { libmimalloc_sys::mi_free(ptr.cast()) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        use libmimalloc_sys::{mi_realloc, mi_realloc_aligned};
        // SAFETY: `ptr` came from this allocator; the new block keeps `layout`'s alignment
        // (the plain path only where `plain` holds for the new size).
        unsafe {
            if plain(layout.align(), new_size) {
                mi_realloc(ptr.cast(), new_size).cast()
            } else {
                mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast()
            }
        }
    }
}

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

#[cfg(test)]
mod allocator_tests {
    use super::ALLOCATOR;
    use std::alloc::{GlobalAlloc, Layout};

    fn aligned(block: *mut u8, align: usize) -> bool {
        !block.is_null() && block as usize % align == 0
    }

    /// Every layout up to 64-byte alignment gets a block of that alignment, whichever of
    /// mimalloc's entry points serves it: by `alloc`, `alloc_zeroed` (all zero) and
    /// `realloc` to smaller and larger sizes (contents kept); many blocks of each size are
    /// held at once, so that blocks other than a page's first are seen.
    #[test]
    fn every_block_has_its_layouts_alignment() {
        let mut held = Vec::new();
        for size in (1..=300).chain([511, 512, 1000, 4096, 10_000, 70_000, 1 << 20]) {
            for align in [1, 2, 4, 8, 16, 32, 64] {
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: non-zero sizes; every block is freed once, with the layout it
                // has at that moment.
                unsafe {
                    let zeroed = ALLOCATOR.alloc_zeroed(layout);
                    assert!(aligned(zeroed, align), "alloc_zeroed({size}, {align})");
                    assert!(
                        std::slice::from_raw_parts(zeroed, size)
                            .iter()
                            .all(|&b| b == 0)
                    );
                    held.push((zeroed, layout));
                    for new_size in [1, size / 2 + 1, size + 1, size * 3 + 7] {
                        let block = ALLOCATOR.alloc(layout);
                        assert!(aligned(block, align), "alloc({size}, {align})");
                        block.write_bytes(0xA5, size);
                        let moved = ALLOCATOR.realloc(block, layout, new_size);
                        assert!(
                            aligned(moved, align),
                            "realloc({size} to {new_size}, {align})"
                        );
                        let kept = std::slice::from_raw_parts(moved, size.min(new_size));
                        assert!(kept.iter().all(|&b| b == 0xA5));
                        held.push((moved, Layout::from_size_align(new_size, align).unwrap()));
                    }
                }
            }
        }
        for (block, layout) in held {
            // SAFETY: each block was allocated above with this layout.
            unsafe { ALLOCATOR.dealloc(block, layout) };
        }
    }
}
