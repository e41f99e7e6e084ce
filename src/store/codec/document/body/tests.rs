//! The composition's codec held to the one it replaced (`reference`): random compositions
//! written by both to the same bytes and read back by both to the same composition, and
//! every cut and altered byte of their bytes read by both to the same composition or
//! refused by both with the same error.

use std::sync::Arc;

use super::*;
use crate::bodycomp::Field;
use crate::decimal::Decimal;
use crate::test_rng::splitmix;

/// Mantissas whose zigzag varints sit at each varint length's edges (0x7f, 0x80, 0x3fff,
/// 0x4000 ... up to ten bytes), with their signs, and the ends of `i64`.
fn edge_mantissas() -> Vec<i64> {
    let mut edges = vec![0, 1, -1, i64::MAX, i64::MIN, i64::MAX - 1, i64::MIN + 1];
    for bytes in 1..=9u32 {
        let top = (1u64 << (7 * bytes)) - 1;
        for zigzag in [top - 1, top, top + 1] {
            edges.push(((zigzag >> 1) as i64) ^ -((zigzag & 1) as i64));
        }
    }
    edges
}

struct Gen {
    next: Box<dyn FnMut() -> u64>,
    edges: Vec<i64>,
}

impl Gen {
    fn new(seed: u64) -> Self {
        Gen {
            next: Box::new(splitmix(seed)),
            edges: edge_mantissas(),
        }
    }

    fn below(&mut self, n: u64) -> u64 {
        (self.next)() % n
    }

    fn decimal(&mut self) -> Decimal {
        let mantissa = match self.below(5) {
            0 => {
                let at = self.below(self.edges.len() as u64) as usize;
                self.edges[at]
            }
            1 => (self.next)() as i64,
            2 => ((self.next)() >> self.below(64)) as i64,
            3 => -(self.below(100_000) as i64),
            _ => self.below(100_000) as i64,
        };
        Decimal::from_parts(mantissa, self.below(19) as u32).unwrap()
    }

    /// A reading (or none, a third of the time) in one of a few units, or, seldom, in one
    /// of many (more than the encoder maps without a search).
    fn reading(&mut self, body: &mut BodyComposition) -> Option<Reading> {
        if self.below(3) == 0 {
            return None;
        }
        let written = self.decimal();
        let value = match self.below(3) {
            0 => written,
            1 => self.decimal(),
            // Equal to the number written, not its parts: not `same`.
            _ => {
                let (mantissa, scale) = written.to_parts();
                mantissa
                    .checked_mul(10)
                    .and_then(|m| Decimal::from_parts(m, scale + 1))
                    .unwrap_or(written)
            }
        };
        let unit: Arc<str> = match self.below(20) {
            0 => format!("unit {}", self.below(40)).into(),
            n => ["g", "%", "lbs", "kg", "in\u{b3}", ""][n as usize % 6].into(),
        };
        let unit = body.unit_id(&unit);
        Some(Reading {
            value,
            written,
            unit,
        })
    }

    fn body(&mut self) -> BodyComposition {
        let source =
            [BodySource::HologicResultsDocument, BodySource::EncoreExport][self.below(2) as usize];
        let mut body = BodyComposition::new(source);
        for _ in 0..self.below(4) * self.below(10) {
            let region = BodyRegion::ALL[self.below(BodyRegion::ALL.len() as u64) as usize];
            let label = match self.below(4) {
                0 => String::new(),
                1 => "L Arm".to_string(),
                2 => "é".repeat(self.below(200) as usize),
                _ => "x".repeat(self.below(300) as usize),
            };
            let mut composition = RegionComposition::new(region, &label);
            for &field in Field::ALL {
                *composition.slot(field) = self.reading(&mut body);
            }
            body.regions.push(composition);
        }
        for _ in 0..self.below(5) {
            let kind = IndexKind::ALL[self.below(IndexKind::ALL.len() as u64) as usize];
            if let Some(reading) = self.reading(&mut body) {
                body.indices.push(ReportedIndex { kind, reading });
            }
        }
        body
    }
}

/// What a reading of `bytes` gives: the composition with every number's parts and its
/// units in order (its `Debug`), and the bytes read; or the error's text.
fn read_with(
    bytes: &[u8],
    read: impl Fn(&mut Reader<'_>) -> io::Result<BodyComposition>,
) -> Result<(String, usize), String> {
    let mut reader = Reader::new(bytes);
    let body = read(&mut reader).map_err(|e| e.to_string())?;
    Ok((format!("{body:?}"), reader.at))
}

fn same_reading(bytes: &[u8], case: &str) {
    let ours = read_with(bytes, |r| r.body());
    let theirs = read_with(bytes, reference::body);
    assert_eq!(ours, theirs, "{case}: {bytes:02x?}");
}

#[test]
fn compositions_encode_and_read_as_the_reference_does() {
    let mut generate = Gen::new(0xC0DE_C007);
    let (mut readings, mut quick) = (0, 0);
    for case in 0..3_000 {
        let body = generate.body();
        let mut ours = vec![9u8];
        put_body(&mut ours, &body);
        let mut theirs = vec![9u8];
        reference::put_body(&mut theirs, &body);
        assert_eq!(ours, theirs, "case {case}: {body:?}");
        let mut reader = Reader::new(&ours[1..]);
        let back = reader.body().unwrap();
        reader.finish().unwrap();
        assert_eq!(back, body, "case {case}");
        assert_eq!(
            read_with(&ours[1..], |r| r.body()),
            read_with(&ours[1..], reference::body),
            "case {case}"
        );
        // Through serde as well (the `--partial` files).
        let serde: BodyComposition = postcard::from_bytes(&ours[1..]).unwrap();
        assert_eq!(format!("{serde:?}"), format!("{back:?}"), "case {case}");
        for reading in body
            .regions
            .iter()
            .flat_map(|r| r.readings().into_iter().flatten())
        {
            readings += 1;
            let short = |d: Decimal| {
                let (mantissa, _) = d.to_parts();
                ((mantissa << 1) ^ (mantissa >> 63)) as u64 >> 49 == 0
            };
            quick += usize::from(short(reading.written) && short(reading.value));
        }
    }
    // Both the one-step reading and the byte-by-byte one were taken, often.
    assert!(
        quick > 10_000 && readings - quick > 10_000,
        "{quick} of {readings}"
    );
}

/// Every cut of a composition's bytes, and bytes altered one at a time (to the varints'
/// edges and to any value), are read as the reference reads them: the same composition,
/// or the same error.
#[test]
fn altered_compositions_read_as_the_reference_reads_them() {
    let mut generate = Gen::new(0xBAD_C0DE);
    for case in 0..100 {
        let body = generate.body();
        let mut bytes = Vec::new();
        put_body(&mut bytes, &body);
        for cut in 0..bytes.len() {
            same_reading(&bytes[..cut], &format!("case {case}, cut at {cut}"));
        }
        for at in 0..bytes.len() {
            for byte in [
                0x00,
                0x01,
                0x12,
                0x13,
                0x7f,
                0x80,
                0x81,
                0xff,
                (generate.next)() as u8,
            ] {
                let mut altered = bytes.clone();
                altered[at] = byte;
                same_reading(&altered, &format!("case {case}, byte {at} as {byte:#x}"));
            }
        }
    }
}

/// A reading's head naming a unit past the units written is refused as before, in the
/// one-step reading (eight bytes or more after it) and byte by byte (at the end).
#[test]
fn a_bad_unit_is_refused_in_both_readings() {
    let mut body = BodyComposition::new(BodySource::HologicResultsDocument);
    let grams = body.unit_id(&Arc::from("g"));
    let mut region = RegionComposition::new(BodyRegion::Trunk, "Trunk");
    let written = Decimal::parse("12345.6").unwrap();
    let reading = Reading {
        value: written,
        written,
        unit: grams,
    };
    region.fat = Some(reading);
    region.lean = Some(reading);
    body.regions.push(region);
    let mut bytes = Vec::new();
    put_body(&mut bytes, &body);
    // The two lengths, the source, one region, its variant, its label, its presence byte:
    // then the first reading's head (unit 0, same), far from the end, and the second's.
    let first = 2 + 1 + 1 + 1 + 1 + "Trunk".len() + 1;
    assert_eq!(bytes[first], 1, "{bytes:02x?}");
    let second = first + 5;
    assert_eq!(bytes[second], 1, "{bytes:02x?}");
    for at in [first, second] {
        let mut bad = bytes.clone();
        bad[at] = 3;
        let error = Reader::new(&bad).body().unwrap_err();
        assert!(error.to_string().contains("a bad unit"), "{error}");
        same_reading(&bad, "a bad unit");
    }
}

/// Regions of eight readings followed by more than a window of bytes (so read in one step
/// each, `quick_in`), with one reading at each place that cannot be (a mantissa of eight
/// bytes or more, a head of two bytes), read as the reference reads them: the reading
/// byte by byte, then the region's readings after it; and every cut of them.
#[test]
fn regions_read_in_a_window_as_the_reference_reads_them() {
    let long = Decimal::from_parts(i64::MAX - 5, 3).unwrap();
    let short = Decimal::from_parts(-1234, 1).unwrap();
    let converted = Decimal::from_parts(56, 0).unwrap();
    for odd_at in 0..=Field::ALL.len() {
        for many_units in [false, true] {
            let mut body = BodyComposition::new(BodySource::EncoreExport);
            let grams = body.unit_id(&Arc::from("g"));
            // With many units, the first nine regions' 72 readings each in a unit of its
            // own, so that the odd reading's unit, met after them, has a head of two bytes.
            let many: Vec<UnitId> = (0..72)
                .map(|n| body.unit_id(&Arc::from(format!("u{n}"))))
                .collect();
            let far = body.unit_id(&Arc::from("far"));
            for r in 0..20 {
                let mut region = RegionComposition::new(BodyRegion::ALL[r % 5], "Trunk");
                for (i, &field) in Field::ALL.iter().enumerate() {
                    let odd = i == odd_at && r >= 9;
                    let unit = match (many_units, r < 9, odd) {
                        (true, true, _) => many[r * 8 + i],
                        (true, false, true) => far,
                        _ => grams,
                    };
                    *region.slot(field) = Some(Reading {
                        value: if i % 2 == 0 { short } else { converted },
                        written: if odd && !many_units { long } else { short },
                        unit,
                    });
                }
                body.regions.push(region);
            }
            let mut ours = Vec::new();
            put_body(&mut ours, &body);
            let mut theirs = Vec::new();
            reference::put_body(&mut theirs, &body);
            assert_eq!(ours, theirs, "odd at {odd_at}");
            // Read back (its units in the order met) and written again: the same bytes.
            let back = Reader::new(&ours).body().unwrap();
            let mut again = Vec::new();
            put_body(&mut again, &back);
            assert_eq!(again, ours, "odd at {odd_at}");
            for cut in 0..=ours.len() {
                same_reading(&ours[..cut], &format!("odd at {odd_at}, cut at {cut}"));
            }
        }
    }
}
