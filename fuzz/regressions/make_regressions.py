#!/usr/bin/env python3
"""Regenerates the hand-minimised regression inputs of this folder (see ../README.md).

    python3 fuzz/regressions/make_regressions.py fuzz/regressions
    python3 fuzz/regressions/make_regressions.py /tmp/big --levels 16000   # aborts a release `scan`

Every file: "DICM" magic (no preamble), a meta group holding only the Transfer Syntax UID
(explicit VR little endian), then the data set.
"""
import argparse
import pathlib
import struct

SR = b"1.2.840.10008.5.1.4.1.1.88.22"  # Enhanced SR


def el(group, elem, vr, value):
    """An explicit VR little endian element, padded to even length."""
    if len(value) % 2:
        value += b"\0" if vr == b"UI" else b" "
    if vr in (b"OB", b"OW", b"SQ", b"UN", b"UT", b"UC", b"UR"):
        return struct.pack("<HH", group, elem) + vr + b"\0\0" + struct.pack("<I", len(value)) + value
    return struct.pack("<HH", group, elem) + vr + struct.pack("<H", len(value)) + value


def meta():
    return b"DICM" + el(0x0002, 0x0010, b"UI", b"1.2.840.10008.1.2.1")


def head(charset=None):
    out = meta()
    if charset:
        out += el(0x0008, 0x0005, b"CS", charset)
    return out + el(0x0008, 0x0016, b"UI", SR)


def content_time(time):
    # ContentDate valid, ContentTime with a byte above 0x7F: decoded as Latin-1 it becomes a
    # 2-byte UTF-8 char straddling byte 6, where sortable_datetime slices the string.
    return head() + el(0x0008, 0x0023, b"DA", b"20110922") + el(0x0008, 0x0033, b"TM", time)


def unknown_vr_alloc(charset):
    # (0009,0010) with the unknown VR "XX" and a 2-byte length of 8 (what the walk reads).
    # dicom-rs maps XX to UN: the 2 length bytes become "reserved" and the first 4 value
    # bytes the length (0x7FFFFFF0): read_value_ob try_reserve_exact + resize of 2 GiB.
    return (head(charset) + struct.pack("<HH", 0x0009, 0x0010) + b"XX" + struct.pack("<H", 8)
            + struct.pack("<I", 0x7FFFFFF0) + b"ABCD")


def unknown_vr_nesting(levels):
    # Each level is one flat top-level element for the walk: (0009,0010) "XX", 2-byte
    # length 12. dicom-rs reads UN, reserved, length FFFFFFFF (undefined-length UN, parsed
    # as a sequence), an undefined-length item: the next "top-level" element is nested one
    # level deeper. The walk's 64-level cap never sees it; dicom-object recurses per level.
    level = (struct.pack("<HH", 0x0009, 0x0010) + b"XX" + struct.pack("<H", 12)
             + b"\xff\xff\xff\xff" + b"\xfe\xff\x00\xe0\xff\xff\xff\xff")
    return head(b"ISO_IR 144") + level * levels


def pixel_data_stops_walk(tail):
    # A top-level (7FE0,0010) Pixel Data ends the walk ("nothing after it is read"), but
    # with a character set the index does not decode, dicom-object parses the whole data
    # set, including the unchecked elements after the pixel data.
    return head(b"ISO_IR 144") + el(0x7FE0, 0x0010, b"OB", b"") + tail


def odd_length_binary_desync(tail_for_dicom_rs):
    # An FD value of 12 bytes (not a multiple of 8). The walk skips 12 bytes; dicom-parser
    # decodes 12 >> 3 = 1 double, reads 8 bytes and is 4 bytes behind from then on. Its next
    # header starts with the FD's last 4 bytes (tag), then reads the walk's next header as
    # VR "OB" (the walk's tag group 0x424F), reserved (the walk's element) and a 4-byte
    # length made of the walk's VR "OB" and reserved bytes F0 7F: 0x7FF0424F.
    # For the walk that next element is (424F,0000) OB, length 0: valid.
    fd = struct.pack("<HH", 0x0009, 0x1000) + b"FD" + struct.pack("<H", 12) + b"\0" * 8 \
        + struct.pack("<HH", 0x0009, 0x1002)
    walk_next = struct.pack("<HH", 0x424F, 0x0000) + b"OB" + b"\xf0\x7f" + struct.pack("<I", 0)
    return head(b"ISO_IR 144") + fd + walk_next + tail_for_dicom_rs


def odd_length_binary_desync_nesting(levels):
    # Same desync; this time dicom-parser reads the walk's next header (4F4C,0008) as VR "LO"
    # with length 8 (the walk's element number), swallows the walk's "OB" header as that
    # value, then parses the OB value, opaque to the walk, as elements: unchecked nesting.
    fd = struct.pack("<HH", 0x0009, 0x1000) + b"FD" + struct.pack("<H", 12) + b"\0" * 8 \
        + struct.pack("<HH", 0x0009, 0x1002)
    nested = (struct.pack("<HH", 0x0040, 0xA730) + b"SQ\0\0\xff\xff\xff\xff"
              + b"\xfe\xff\x00\xe0\xff\xff\xff\xff") * levels
    walk_next = struct.pack("<HH", 0x4F4C, 0x0008) + b"OB\0\0" + struct.pack("<I", len(nested))
    return head(b"ISO_IR 144") + fd + walk_next + nested


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir", type=pathlib.Path)
    ap.add_argument("--levels", type=int, default=3000,
                    help="nesting levels of the stack-overflow input (3000: the ASAN fuzz "
                         "binary on an 8 MiB stack; ~16000: a release `dxa-ingest scan`)")
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    files = {
        "content-time-non-ascii-whole-slice.bin": content_time(b"12345\xff"),
        "content-time-non-ascii-fraction-slice.bin": content_time(b"120000.12345\xff"),
        "unknown-vr-lying-length-alloc.bin": unknown_vr_alloc(b"ISO_IR 144"),
        "unknown-vr-lying-length-alloc-default-charset.bin": unknown_vr_alloc(None),
        "unknown-vr-hidden-nesting-stack-overflow.bin": unknown_vr_nesting(args.levels),
        # TextValue (0040,A160) UT declaring 0x7FFFFFF0 bytes with 4 present:
        # read_value_strs resize_with (an infallible 2 GiB allocation) in dicom-parser.
        "pixel-data-then-lying-length-alloc.bin": pixel_data_stops_walk(
            struct.pack("<HH", 0x0040, 0xA160) + b"UT\0\0" + struct.pack("<I", 0x7FFFFFF0) + b"abcd"),
        # dicom-parser 2 GiB try_reserve + resize in read_value_ob after the desync.
        "odd-length-fd-desync-lying-length-alloc.bin": odd_length_binary_desync(b""),
        "odd-length-fd-desync-deep-nesting-stack-overflow.bin":
            odd_length_binary_desync_nesting(args.levels),
        # Nesting after the pixel data is not capped at 64 levels either.
        "pixel-data-then-deep-nesting-stack-overflow.bin": pixel_data_stops_walk(
            (struct.pack("<HH", 0x0040, 0xA730) + b"SQ\0\0\xff\xff\xff\xff"
             + b"\xfe\xff\x00\xe0\xff\xff\xff\xff") * args.levels),
    }
    for name, data in files.items():
        (args.dir / name).write_bytes(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
