#!/usr/bin/env python3
"""Benchmark peer: the `dxa-ingest scan` job, written the way a Python developer would.

    python3 bench/peer_pydicom.py DIR --out OUT.csv [--jobs N]

Walks DIR (sorted), reads every file with pydicom (``stop_before_pixels=True``), keeps
DICOM SR documents (SOP class 1.2.840.10008.5.1.4.1.1.88.*), walks their content tree and
writes one CSV row per recognised DXA measurement (BMD, BMC, area, T-score, Z-score):

    path, sop_instance_uid, region_label, measure, value, unit

The region label is the nearest ancestor label of the NUM item: the meaning of an
enclosing CONTAINER, or the value of a "Finding Site" CODE item of that container (GE
Lunar style), or, for flat reports ("Left Hip Neck BMD"), the prefix of the NUM's own
meaning. Files pydicom cannot read are counted as errors and skipped. Files are processed
by a ``multiprocessing.Pool`` of N workers (``imap``, results in path order).

This is the comparison program of bench/run.sh, not part of dxa-ingest: it is meant to be
an honest, ordinary implementation (no clinical classification, no unit normalisation).
"""

from __future__ import annotations

import argparse
import csv
import io
import multiprocessing
import os
import sys
import time
import warnings

import pydicom
from pydicom.errors import InvalidDicomError

SR_PREFIX = "1.2.840.10008.5.1.4.1.1.88."

# Concept meanings (case-insensitive) of the vendors' NUM items.
MEANINGS = {
    "bmd": "bmd",
    "bmc": "bmc",
    "area": "area",
    "t-score": "t_score",
    "z-score": "z_score",
    "young-adult t-score": "t_score",
    "age-matched z-score": "z_score",
}

# LOINC codes (CodeValue) of gateway-style reports.
LOINC = {
    "24966-4": "bmd",  # L-spine BMD
    "38261-4": "bmd",  # Hip BMD
    "46278-8": "bmd",  # Hip-L BMD
    "46279-6": "bmd",  # Hip-R BMD
    "24890-6": "bmd",  # Radius+Ulna BMD
    "38267-1": "t_score",
    "38264-8": "t_score",
    "80946-7": "t_score",
    "80945-9": "t_score",
    "38265-5": "t_score",
    "85394-5": "z_score",
    "80933-5": "z_score",
    "80938-4": "z_score",
    "80937-6": "z_score",
    "80932-7": "z_score",
}

# Flat third-party reports: "<group> <row> BMD" etc.
FLAT_SUFFIXES = ((" bmd", "bmd"), (" t-score", "t_score"), (" z-score", "z_score"))


def walk(root: str) -> list[str]:
    """Every regular file below root, in sorted path order."""
    if os.path.isfile(root):
        return [root]
    paths = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            paths.append(os.path.join(dirpath, name))
    paths.sort()
    return paths


def read(path: str) -> pydicom.Dataset:
    """pydicom.dcmread, plus the common export quirk of a Part 10 file written without
    its 128-byte preamble (starts directly with "DICM"), which pydicom refuses."""
    try:
        return pydicom.dcmread(path, stop_before_pixels=True)
    except InvalidDicomError:
        with open(path, "rb") as f:
            data = f.read()
        if data[:4] != b"DICM":
            raise
        return pydicom.dcmread(io.BytesIO(b"\0" * 128 + data), stop_before_pixels=True)


def concept(item) -> tuple[str, str]:
    """(CodeValue, CodeMeaning) of an item's concept name, or empty strings."""
    seq = item.get("ConceptNameCodeSequence")
    if not seq:
        return "", ""
    code = seq[0]
    return str(code.get("CodeValue", "")), str(code.get("CodeMeaning", ""))


def measure_of(code_value: str, meaning: str) -> tuple[str | None, str | None]:
    """(measure, label from the meaning itself) of a NUM concept; measure None if unknown."""
    if code_value in LOINC:
        return LOINC[code_value], None
    low = meaning.strip().lower()
    if low in MEANINGS:
        return MEANINGS[low], None
    for suffix, measure in FLAT_SUFFIXES:
        if low.endswith(suffix):
            return measure, meaning.strip()[: -len(suffix)].strip()
    return None, None


def container_labels(item, parent_labels: tuple[str, ...]) -> tuple[str, ...]:
    """Labels seen by the children of a CONTAINER item."""
    labels = list(parent_labels)
    _, meaning = concept(item)
    if meaning:
        labels.append(meaning)
    for child in item.get("ContentSequence") or ():
        if child.get("ValueType") == "CODE" and concept(child)[1] == "Finding Site":
            seq = child.get("ConceptCodeSequence")
            if seq and seq[0].get("CodeMeaning"):
                labels.append(str(seq[0].CodeMeaning))
    return tuple(labels)


def num_items(node, labels: tuple[str, ...]):
    """Yield (code value, meaning, value, unit, ancestor labels) of every NUM item below
    node, in document order."""
    for child in node.get("ContentSequence") or ():
        vt = child.get("ValueType")
        if vt == "NUM":
            mv = child.get("MeasuredValueSequence")
            if mv:
                units = mv[0].get("MeasurementUnitsCodeSequence")
                unit = str(units[0].get("CodeValue", "")) if units else ""
                code_value, meaning = concept(child)
                yield code_value, meaning, mv[0].get("NumericValue"), unit, labels
        if "ContentSequence" in child:
            inner = container_labels(child, labels) if vt == "CONTAINER" else labels
            yield from num_items(child, inner)


def process(path: str) -> tuple[str, list[list[str]]]:
    """('error' | 'other' | 'sr', rows) for one file."""
    warnings.simplefilter("ignore")
    try:
        ds = read(path)
        sop_class = ds.get("SOPClassUID") or ds.file_meta.get("MediaStorageSOPClassUID", "")
        if not str(sop_class).startswith(SR_PREFIX):
            return "other", []
        sop_uid = str(ds.get("SOPInstanceUID", ""))
        rows = []
        for code_value, meaning, value, unit, labels in num_items(ds, container_labels(ds, ())):
            measure, label = measure_of(code_value, meaning)
            if measure is None:
                continue
            if label is None:
                label = labels[-1] if labels else ""
            if isinstance(value, pydicom.multival.MultiValue):
                value = value[0] if value else ""
            rows.append([path, sop_uid, label, measure, "" if value is None else str(value), unit])
        return "sr", rows
    except Exception:  # noqa: BLE001 - any unreadable file is an error row, go on
        return "error", []


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("--out", required=True, help="output CSV file")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    if not os.path.exists(args.dir):
        print(f"error: {args.dir}: no such file or directory", file=sys.stderr)
        return 1

    start = time.perf_counter()
    paths = walk(args.dir)
    counts = {"sr": 0, "other": 0, "error": 0}
    n_rows = 0
    with open(args.out, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["path", "sop_instance_uid", "region_label", "measure", "value", "unit"])
        if args.jobs > 1:
            with multiprocessing.Pool(args.jobs) as pool:
                results = pool.imap(process, paths, chunksize=64)
                for kind, rows in results:
                    counts[kind] += 1
                    out.writerows(rows)
                    n_rows += len(rows)
        else:
            for kind, rows in map(process, paths):
                counts[kind] += 1
                out.writerows(rows)
                n_rows += len(rows)
    seconds = time.perf_counter() - start
    print(
        f"peer_pydicom: {len(paths)} files, {counts['sr']} SR files, {n_rows} rows, "
        f"{counts['error']} errors, {seconds:.2f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
