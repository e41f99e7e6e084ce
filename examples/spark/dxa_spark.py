#!/usr/bin/env python3
"""dxa-ingest on Spark: one partial scan per partition, then one exact merge.

The files are listed on the driver (or read from a listing file by Spark), split into N
partitions (contiguous ranges of the sorted list, or hashed paths), and each partition runs

    dxa-ingest scan --files-from - --partial <parts>/part-<k>.part

(or `scan --tar -`, fed a tar stream of the partition's files: what a task reading an object
store does). The driver then runs

    dxa-ingest merge <parts>/part-*.part --out <out> [merge options]

which writes, byte for byte, what one `dxa-ingest scan` of all the files writes
(docs/scale.md). Spark only schedules the per-file work; every cross-file step (duplicates,
re-analyses, visits, follow-up, counts, report) happens once, in `merge`.

Run with spark-submit, or with plain Python and `--master local[N]`. See README.md beside
this file.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import shlex
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import time

# Bytes of a partial sent to the driver per record with --collect-parts.
CHUNK_BYTES = 8 * 1024 * 1024
# Lines of a task's stderr quoted when its scan fails.
STDERR_TAIL_LINES = 20
# How partials are named in the parts folder.
PART_PREFIX = "part-"
PART_SUFFIX = ".part"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="dxa_spark.py",
        description="Scan DXA exports with dxa-ingest on Spark: partial scans per partition, "
        "then one exact merge.",
    )
    parser.add_argument(
        "inputs",
        nargs="*",
        help="folders or files to scan, as a single `dxa-ingest scan` would be given them "
        "(source_path in the outputs is the path as listed from these); a URL such as "
        "s3://bucket/prefix is listed and read with fsspec, and implies --tar",
    )
    parser.add_argument("--out", required=True, help="output folder of the merge")
    parser.add_argument(
        "--list",
        metavar="FILE",
        help="a listing of the files, one path per line, read by Spark (textFile), instead "
        "of listing INPUTS on the driver: for archives too large to list in one process",
    )
    parser.add_argument("--partitions", type=int, default=4, help="number of partitions")
    parser.add_argument(
        "--split",
        choices=["contiguous", "hashed"],
        default="contiguous",
        help="contiguous ranges of the sorted list (a patient's folder stays together), or "
        "a hash of each path (even sizes whatever the tree's shape)",
    )
    parser.add_argument(
        "--binary",
        default="dxa-ingest",
        help="path of the dxa-ingest binary on the driver and the executors (a shared path), "
        "or a name on their PATH",
    )
    parser.add_argument(
        "--ship-binary",
        action="store_true",
        help="send --binary from the driver to the executors (SparkContext.addFile), for "
        "clusters without a shared path",
    )
    parser.add_argument(
        "--parts",
        metavar="DIR",
        help="folder for the partials (default: OUT.parts); without --collect-parts it must "
        "be the same path on the driver and every executor (a shared file system)",
    )
    parser.add_argument(
        "--collect-parts",
        action="store_true",
        help="tasks write their partial locally and send its bytes to the driver, which "
        "writes it into --parts: no shared file system needed",
    )
    parser.add_argument(
        "--tar",
        action="store_true",
        help="each task streams its files as a tar archive to `dxa-ingest scan --tar -` "
        "(the object-store path) instead of giving it their paths",
    )
    parser.add_argument(
        "--known",
        action="append",
        default=[],
        metavar="PART",
        help="incremental run: skip the files this partial (kept from an earlier run) holds, "
        "and merge it with the new partials; repeatable; readable at the same path by every "
        "executor",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        help="worker threads of each task's scan (default: spark.task.cpus)",
    )
    parser.add_argument(
        "--scan-args",
        default="",
        help="extra options for every scan, one shell-quoted string: options that change "
        "what a file gives (--profile, --max-file-size); files they name must be readable "
        "by the executors",
    )
    parser.add_argument(
        "--merge-args",
        default="",
        help="extra options for the merge, one shell-quoted string, e.g. "
        "\"--pseudonymize key --shift-dates --format parquet\"",
    )
    parser.add_argument(
        "--master",
        help="Spark master URL (e.g. local[2]) when not started by spark-submit",
    )
    args = parser.parse_args(argv)
    if bool(args.inputs) == bool(args.list):
        parser.error("give INPUTS or --list, not both and not neither")
    if args.partitions < 1:
        parser.error("--partitions must be at least 1")
    if any("://" in root for root in args.inputs):
        args.tar = True
    if args.tar and args.known:
        # `scan` refuses --known with --tar (a tar stream comes in any order).
        parser.error("--known works with path lists, not with --tar")
    scan_args = shlex.split(args.scan_args)
    if "--follow-symlinks" in scan_args:
        parser.error(
            "--follow-symlinks: the recipe lists files without following links; list "
            "them with `find -L` and give --list instead"
        )
    for forbidden in ("--out", "--partial", "--files-from", "--tar", "--known", "--jobs", "-j"):
        if forbidden in scan_args:
            parser.error(f"--scan-args: {forbidden} is set by the recipe")
    return args


# Listing ----------------------------------------------------------------------------------


def list_local(root: str) -> list[str]:
    """Every non-folder entry under root, as `dxa-ingest scan root` walks it: regular files,
    and links or special files (which the scan reports as not_regular_file). Links to
    folders are not followed, as the scan does not follow them by default."""
    try:
        info = os.lstat(root)
    except OSError:
        return [root]  # the scan reports it: io_error
    if not stat.S_ISDIR(info.st_mode):
        return [root]
    found: list[str] = []
    pending = [root]
    while pending:
        folder = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                else:
                    found.append(entry.path)
    return found


def list_url(root: str) -> list[str]:
    """Every object under an object-store URL, by fsspec (s3fs, gcsfs, adlfs...), named as
    `protocol://key`: the source_path the outputs will show."""
    import fsspec  # only needed for URLs

    fs, prefix = fsspec.core.url_to_fs(root)
    protocol = root.split("://", 1)[0]
    return [f"{protocol}://{key}" for key in fs.find(prefix)]


def list_inputs(inputs: list[str]) -> list[str]:
    paths: list[str] = []
    for root in inputs:
        paths.extend(list_url(root) if "://" in root else list_local(root))
    # One path is one file, however often it was listed; byte order, as the tool sorts.
    return sorted(set(paths), key=os.fsencode)


def check_listable(paths: list[str]) -> None:
    """`--files-from` reads one path per line, without the spaces, tabs and carriage return
    around it, and skips lines that start with `#` (docs/columns.md, "--files-from LIST"):
    a path that the list would change cannot be given."""
    bad = [
        p
        for p in paths
        if p == "" or "\n" in p or p != p.strip(" \t\r") or p.startswith("#")
    ]
    if bad:
        raise SystemExit(
            f"dxa_spark: {len(bad)} path(s) cannot be given one per line (a line break, "
            f"spaces around the name, or a leading #), e.g. {bad[0]!r}: use --tar"
        )


def path_hash(path: str) -> int:
    """A stable hash (the same on every executor and every run, unlike Python's hash())."""
    return int.from_bytes(hashlib.blake2b(os.fsencode(path), digest_size=8).digest(), "little")


# The task ---------------------------------------------------------------------------------


class TaskPlan:
    """What every task needs, sent with the closure (small and picklable)."""

    def __init__(self, args: argparse.Namespace, cwd: str, binary: str, parts: str):
        self.cwd = cwd
        self.binary = binary
        self.ship_binary = args.ship_binary
        self.parts = parts
        self.collect = args.collect_parts
        self.tar = args.tar
        self.known = [os.path.abspath(k) for k in args.known]
        self.jobs = args.jobs
        self.scan_args = shlex.split(args.scan_args)


def executor_binary(plan: TaskPlan) -> str:
    if plan.ship_binary:
        from pyspark import SparkFiles

        path = SparkFiles.get(os.path.basename(plan.binary))
        if not os.access(path, os.X_OK):
            os.chmod(path, os.stat(path).st_mode | 0o755)
        return path
    return plan.binary


def write_tar(paths: list[str], stream) -> None:
    """The partition's files as a tar stream; each member is named by its path, the
    source_path the outputs show. Links and special files become members of their own
    type, which the scan reports as not_regular_file."""
    with tarfile.open(fileobj=stream, mode="w|", format=tarfile.GNU_FORMAT) as archive:
        for path in paths:
            if "://" in path:
                import fsspec

                with fsspec.open(path, "rb") as source:
                    data = source.read()
                info = tarfile.TarInfo(path)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
                continue
            info = os.lstat(path)
            member = tarfile.TarInfo(path)
            member.mode = stat.S_IMODE(info.st_mode)
            member.mtime = int(info.st_mtime)
            if stat.S_ISREG(info.st_mode):
                member.size = info.st_size
                with open(path, "rb") as source:
                    archive.addfile(member, source)
            else:
                member.type = tarfile.SYMTYPE if stat.S_ISLNK(info.st_mode) else tarfile.FIFOTYPE
                if stat.S_ISLNK(info.st_mode):
                    member.linkname = os.readlink(path)
                archive.addfile(member)


def scan_partition(index: int, paths_iter, plan: TaskPlan):
    """Runs one partial scan over this partition's paths. Yields (index, part path) or, with
    --collect-parts, (index, chunk number, bytes) records of the partial."""
    paths = sorted({p for p in paths_iter}, key=os.fsencode)
    cwd = plan.cwd
    if not os.path.isdir(cwd):
        raise RuntimeError(
            f"the driver's working directory {cwd} does not exist on this executor: give "
            "absolute input paths"
        )
    local = tempfile.mkdtemp(prefix="dxa-spark-") if plan.collect else None
    folder = local if plan.collect else plan.parts
    part = os.path.join(folder, f"{PART_PREFIX}{index:05d}{PART_SUFFIX}")
    command = [executor_binary(plan), "scan", "--quiet", "--partial", part]
    command += ["--tar", "-"] if plan.tar else ["--files-from", "-"]
    for known in plan.known:
        command += ["--known", known]
    if plan.jobs:
        command += ["--jobs", str(plan.jobs)]
    command += plan.scan_args
    try:
        with tempfile.TemporaryFile() as errors:
            process = subprocess.Popen(
                command, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors
            )
            try:
                if plan.tar:
                    write_tar(paths, process.stdin)
                else:
                    for path in paths:
                        process.stdin.write(os.fsencode(path) + b"\n")
                process.stdin.close()
            except BrokenPipeError:
                pass  # the scan stopped early: its exit code and stderr say why
            except OSError as error:
                # A file that cannot be read in --tar mode cannot become a row (no member
                # says "unreadable"): the task fails, naming it, rather than lose it.
                process.kill()
                process.wait()
                raise RuntimeError(f"partition {index}: {error}") from error
            code = process.wait()
            errors.seek(0)
            text = errors.read().decode("utf-8", "replace")
        # 0: every file ingested or skipped; 3: some files are `error` rows. Both are a
        # complete partial; anything else is a failure of the task (Spark retries it).
        if code not in (0, 3):
            tail = "\n".join(text.splitlines()[-STDERR_TAIL_LINES:])
            raise RuntimeError(
                f"partition {index}: `{shlex.join(command)}` exited {code}:\n{tail}"
            )
        if not plan.collect:
            yield (index, part)
            return
        with open(part, "rb") as source:
            # A partial is never empty (its header comes first): at least one chunk.
            for number, chunk in enumerate(iter(lambda: source.read(CHUNK_BYTES), b"")):
                yield (index, number, chunk)
    finally:
        if local:
            shutil.rmtree(local, ignore_errors=True)


# The driver -------------------------------------------------------------------------------


def clear_old_parts(parts: str, known: list[str]) -> None:
    """Partials of an earlier run in this folder (another N) would confuse a later
    `merge parts/*.part`: only this run's are left. A --known partial there would be
    removed or overwritten: refused."""
    folder = os.path.realpath(parts)
    for path in known:
        if os.path.dirname(os.path.realpath(path)) == folder:
            raise SystemExit(
                f"dxa_spark: --known {path} is in {parts}, where this run writes its "
                "partials: keep it elsewhere"
            )
    for name in os.listdir(parts):
        if name.startswith(PART_PREFIX) and name.endswith(PART_SUFFIX):
            os.remove(os.path.join(parts, name))


def resolve_binary(binary: str) -> str:
    if os.sep in binary:
        return os.path.abspath(binary)
    found = shutil.which(binary)
    if not found:
        raise SystemExit(f"dxa_spark: {binary} is not on the PATH: give --binary PATH")
    return found


def partitioned(sc, args: argparse.Namespace):
    """The paths in args.partitions partitions, and their count when the driver listed them."""
    n = args.partitions
    if args.list:
        source = args.list if "://" in args.list else os.path.abspath(args.list)
        listed, count = sc.textFile(source, minPartitions=n).filter(bool), None
    else:
        paths = list_inputs(args.inputs)
        if not args.tar:
            check_listable(paths)
        listed, count = sc.parallelize(paths, n), len(paths)  # n contiguous slices
        if args.split == "contiguous":
            return listed, count
    # A listing read by textFile comes in byte ranges, not n parts: hashed, or contiguous by
    # line order (zipWithIndex), into exactly n partitions.
    if args.split == "hashed":
        keyed = listed.map(lambda p: (path_hash(p) % n, p))
    else:
        total = max(listed.count(), 1)
        keyed = listed.zipWithIndex().map(lambda pi: (pi[1] * n // total, pi[0]))
    return keyed.partitionBy(n, lambda k: k).values(), count


def run_scans(listed, plan: TaskPlan, parts: str) -> list[str]:
    """Runs every partition's scan; the paths of the partials, in the parts folder."""
    scans = listed.mapPartitionsWithIndex(lambda k, it: scan_partition(k, it, plan))
    if not plan.collect:
        return [part for _index, part in sorted(scans.collect())]
    # Every task runs (in parallel) into the cache, then the driver fetches the partials one
    # partition at a time: memory for one chunk, not for all the partials.
    from pyspark import StorageLevel

    scans = scans.persist(StorageLevel.MEMORY_AND_DISK)
    scans.count()
    written: list[str] = []
    sink = None
    for index, number, chunk in scans.toLocalIterator():
        if number == 0:
            if sink:
                sink.close()
            written.append(os.path.join(parts, f"{PART_PREFIX}{index:05d}{PART_SUFFIX}"))
            sink = open(written[-1] + ".tmp", "wb")
        sink.write(chunk)
    if sink:
        sink.close()
    for path in written:
        os.replace(path + ".tmp", path)
    scans.unpersist()
    return written


def task_failure(error: Exception) -> str:
    """The task's own message out of Spark's report (a Java stack trace around a Python
    traceback)."""
    text = str(error)
    at = text.find("RuntimeError: ")
    if at < 0:
        return "\n".join(text.splitlines()[:STDERR_TAIL_LINES])
    message = text[at + len("RuntimeError: ") :]
    for marker in ("\n\tat ", " SQLSTATE"):
        message = message.split(marker, 1)[0]
    return message.rstrip()


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    from pyspark import SparkConf, SparkContext

    started = time.monotonic()
    # Only the RDD API is used: a SparkContext starts faster than a SparkSession.
    conf = SparkConf().setAppName("dxa-ingest")
    conf = conf.setIfMissing("spark.ui.showConsoleProgress", "false")
    if args.master:
        conf = conf.setMaster(args.master)
    sc = SparkContext.getOrCreate(conf)
    try:
        binary = resolve_binary(args.binary)
        parts = os.path.abspath(args.parts or args.out.rstrip("/") + ".parts")
        os.makedirs(parts, exist_ok=True)
        clear_old_parts(parts, args.known)
        if args.ship_binary:
            sc.addFile(binary)
        plan = TaskPlan(args, os.getcwd(), binary, parts)
        if plan.jobs is None:
            plan.jobs = int(sc.getConf().get("spark.task.cpus", "1"))
        listed, count = partitioned(sc, args)
        listed_at = time.monotonic()
        try:
            written = run_scans(listed, plan, parts)
        except Exception as error:  # a task failed (after Spark's retries)
            failure = task_failure(error)
            print(f"dxa_spark: a scan failed, nothing merged: {failure}", file=sys.stderr)
            return 1
        scanned_at = time.monotonic()
    finally:
        sc.stop()

    command = [binary, "merge", *written, *(os.path.abspath(k) for k in args.known)]
    command += ["--out", args.out, "--quiet", *shlex.split(args.merge_args)]
    merge = subprocess.run(command)
    merged_at = time.monotonic()
    files = f"{count} files" if count is not None else "listed files"
    print(
        f"dxa_spark: {files} in {args.partitions} {args.split} partitions: start and listing "
        f"{listed_at - started:.1f} s, scans {scanned_at - listed_at:.1f} s, merge "
        f"{merged_at - scanned_at:.1f} s, total {merged_at - started:.1f} s",
        file=sys.stderr,
    )
    return merge.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
