//! `dxa-fixtures`: regenerate the committed sample tree or a benchmark corpus.
//!
//! ```text
//! dxa-fixtures sample <DIR> [--print-table]
//! dxa-fixtures corpus <DIR> --n N [--seed S] [--junk-pct P]
//!                    [--image-heavy | --archive | --giant-visits V]
//! dxa-fixtures body-composition <DIR>
//! dxa-fixtures body-corpus <DIR> --n N
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use dxa_fixtures::corpus::{CorpusOptions, Shape, write_shaped};
use dxa_fixtures::encore::{Units, export_set};
use dxa_fixtures::evidence::hologic_header;
use dxa_fixtures::sample::{manifest_markdown, write_sample};
use dxa_fixtures::whole_body::{Codes, whole_body_document, whole_body_image};

const USAGE: &str = "usage:
  dxa-fixtures sample <DIR> [--print-table]
      delete and regenerate the sample export tree (e.g. fixtures/sample);
      --print-table prints the Markdown manifest used in fixtures/README.md
  dxa-fixtures corpus <DIR> --n N [--seed S] [--junk-pct P]
                     [--image-heavy | --archive | --giant-visits V]
      write N DXA SR files (default seed 1, junk 5 %) as DIR/<site>/<year>/<patient>/<n>.dcm;
      a third of the studies are split over 2-5 documents; --image-heavy adds beside each
      document a 1-3 MB report image (Hologic-style: with its results document);
      --archive: as DIR/<site>/<patient>/<k>.dcm, two studies per patient, each one small
      file (one scan); --giant-visits V: the N documents in V visits, as
      DIR/visit-<v>/<thousand>/<i>.dcm (even visits re-send one study under new SOP
      Instance UIDs, odd ones are studies of different people under one patient ID; no junk)
  dxa-fixtures body-composition <DIR>
      write the body composition fixtures (fuzzing seeds; not in the sample yet): a Hologic
      whole-body report image and its results document (type codes absent and placeholder),
      and a GE enCORE export set in pounds and in grams
  dxa-fixtures body-corpus <DIR> --n N
      write N body composition files (the benchmark's): half Hologic whole-body report
      images, half GE enCORE Total Body Comp exports of three exams, all of other patients";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => {
            eprintln!("error: {msg}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Io(e)) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

enum Failure {
    Usage(String),
    Io(std::io::Error),
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Io(e)
    }
}

fn run(args: &[String]) -> Result<(), Failure> {
    let (cmd, rest) = args
        .split_first()
        .ok_or_else(|| Failure::Usage("missing command".into()))?;
    match cmd.as_str() {
        "sample" => {
            let mut dir = None;
            let mut print_table = false;
            for a in rest {
                match a.as_str() {
                    "--print-table" => print_table = true,
                    s if s.starts_with('-') => {
                        return Err(Failure::Usage(format!("unknown option {s}")));
                    }
                    s if dir.is_none() => dir = Some(PathBuf::from(s)),
                    s => return Err(Failure::Usage(format!("unexpected argument {s}"))),
                }
            }
            let dir = dir.ok_or_else(|| Failure::Usage("missing <DIR>".into()))?;
            let files = write_sample(&dir)?;
            if print_table {
                print!("{}", manifest_markdown(&files));
            } else {
                println!("wrote {} files to {}", files.len(), dir.display());
            }
            Ok(())
        }
        "corpus" => {
            let mut dir = None;
            let mut opts = CorpusOptions::default();
            let mut n = None;
            let mut shape = Shape::Mixed;
            let mut set_shape = |new: Shape| {
                if shape != Shape::Mixed {
                    return Err(Failure::Usage("one of --archive and --giant-visits".into()));
                }
                shape = new;
                Ok(())
            };
            let mut it = rest.iter();
            while let Some(a) = it.next() {
                let mut value = |name: &str| {
                    it.next()
                        .ok_or_else(|| Failure::Usage(format!("{name} needs a value")))
                        .and_then(|v| {
                            v.parse::<u64>()
                                .map_err(|_| Failure::Usage(format!("{name}: not a number: {v}")))
                        })
                };
                match a.as_str() {
                    "--image-heavy" => opts.image_heavy = true,
                    "--archive" => set_shape(Shape::Archive)?,
                    "--giant-visits" => {
                        let visits = value("--giant-visits")?.max(1) as usize;
                        set_shape(Shape::GiantVisits { visits })?;
                    }
                    "--n" => n = Some(value("--n")? as usize),
                    "--seed" => opts.seed = value("--seed")?,
                    "--junk-pct" => {
                        opts.junk_pct = u32::try_from(value("--junk-pct")?.min(100)).unwrap_or(100);
                    }
                    s if s.starts_with('-') => {
                        return Err(Failure::Usage(format!("unknown option {s}")));
                    }
                    s if dir.is_none() => dir = Some(PathBuf::from(s)),
                    s => return Err(Failure::Usage(format!("unexpected argument {s}"))),
                }
            }
            let dir = dir.ok_or_else(|| Failure::Usage("missing <DIR>".into()))?;
            opts.n = n.ok_or_else(|| Failure::Usage("missing --n N".into()))?;
            if opts.image_heavy && shape != Shape::Mixed {
                return Err(Failure::Usage(
                    "--image-heavy is for the mixed shape only".into(),
                ));
            }
            let stats = write_shaped(&dir, &opts, shape)?;
            println!(
                "wrote {} SR files, {} report images and {} junk files for {} patients ({} bytes) to {}",
                stats.sr_files,
                stats.images,
                stats.junk_files,
                stats.patients,
                stats.bytes,
                dir.display()
            );
            Ok(())
        }
        "body-composition" => {
            let [dir] = rest else {
                return Err(Failure::Usage("body-composition needs <DIR>".into()));
            };
            let dir = PathBuf::from(dir);
            std::fs::create_dir_all(&dir)?;
            let mut written = 0;
            let mut write = |name: &str, bytes: &[u8]| -> std::io::Result<()> {
                written += 1;
                std::fs::write(dir.join(name), bytes)
            };
            let header = hologic_header(
                "body-composition/whole-body",
                "body-composition/whole-body",
                ("LEE^MAY", "HOL000901", "F", Some("19700211"), "054Y"),
                ("20240603", "101500"),
                "Horizon A",
                "300888M",
            );
            for (codes, name) in [
                (Codes::Absent, "absent"),
                (Codes::Placeholder, "placeholder"),
            ] {
                let text = whole_body_document(codes);
                write(&format!("whole_body_{name}.txt"), text.as_bytes())?;
                write(
                    &format!("whole_body_{name}.dcm"),
                    &whole_body_image(&header, &text),
                )?;
            }
            for (units, name) in [(Units::Pounds, "lbs"), (Units::Grams, "g")] {
                let set = export_set(units);
                write(&format!("encore_{name}_Total_Body_Comp.txt"), &set.comp)?;
                write(&format!("encore_{name}_Total_Body.txt"), &set.bmd)?;
                write(
                    &format!("encore_{name}_Total_Body_CoreScan.txt"),
                    &set.core_scan,
                )?;
            }
            println!("wrote {written} files to {}", dir.display());
            Ok(())
        }
        "body-corpus" => {
            let [dir, flag, n] = rest else {
                return Err(Failure::Usage("body-corpus needs <DIR> --n N".into()));
            };
            let n: usize = match (flag.as_str(), n.parse()) {
                ("--n", Ok(n)) => n,
                _ => return Err(Failure::Usage("body-corpus needs <DIR> --n N".into())),
            };
            let written = dxa_fixtures::body_corpus::write_body_corpus(&PathBuf::from(dir), n)?;
            println!(
                "wrote {} whole-body images and {} enCORE exports ({} lines) to {dir}",
                written.images, written.exports, written.export_lines
            );
            Ok(())
        }
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(Failure::Usage(format!("unknown command {other}"))),
    }
}
