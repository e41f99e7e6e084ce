use super::*;
use crate::bodycomp::{
    BodyComposition, BodyRegion, BodySource, IndexKind, Reading, RegionComposition, ReportedIndex,
};
use crate::date::Date;
use crate::document::{
    Bound, Carrier, DocFlag, HistoryEntry, HistorySource, ScoreReference, VertebralFracture,
};
use crate::test_rng::splitmix;

/// Random documents: every field drawn, empty or absent about half the time, strings of
/// ASCII and of other characters, numbers of every size and sign.
struct Gen(Box<dyn FnMut() -> u64>);

impl Gen {
    fn below(&mut self, n: u64) -> u64 {
        (self.0)() % n
    }

    fn coin(&mut self) -> bool {
        self.below(2) == 0
    }

    fn text(&mut self) -> String {
        let len = [0, 1, 5, 64, 200][self.below(5) as usize];
        (0..len)
            .map(|_| match self.below(10) {
                0 => 'é',
                1 => '\u{20AC}',
                2 => '\0',
                _ => char::from(b' ' + self.below(95) as u8),
            })
            .collect()
    }

    fn opt_text(&mut self) -> Option<String> {
        self.coin().then(|| self.text())
    }

    fn decimal(&mut self) -> Decimal {
        let mantissa = match self.below(4) {
            0 => (self.0)() as i64,
            1 => -((self.below(1000)) as i64),
            2 => i64::MIN + self.below(3) as i64,
            _ => self.below(1 << 20) as i64,
        };
        Decimal::from_parts(mantissa, self.below(19) as u32).unwrap()
    }

    fn opt_decimal(&mut self) -> Option<Decimal> {
        self.coin().then(|| self.decimal())
    }

    fn date(&mut self) -> Option<Date> {
        self.coin().then(|| Date {
            year: self.below(1 << 16) as u16,
            month: self.below(256) as u8,
            day: self.below(256) as u8,
        })
    }

    fn pick<T: Copy>(&mut self, all: &[T]) -> T {
        all[self.below(all.len() as u64) as usize]
    }

    fn measurement(&mut self) -> Measurement {
        let (region, laterality) = (self.pick(Region::ALL), self.pick(Laterality::ALL));
        let mut m = Measurement::new(region, laterality, &self.text());
        m.bmd = self.opt_decimal();
        m.bmc = self.opt_decimal();
        m.area = self.opt_decimal();
        m.t_score = self.opt_decimal();
        m.z_score = self.opt_decimal();
        m.pct_young_adult = self.opt_decimal();
        m.pct_age_matched = self.opt_decimal();
        m.notes = (0..self.below(3)).map(|_| self.text()).collect();
        m
    }

    fn document(&mut self) -> Document {
        let mut history = HistoryEntry::placed(
            self.pick(Region::ALL),
            self.pick(Laterality::ALL),
            self.text(),
            self.text(),
            HistorySource::HologicTable,
        );
        history.bmd = self.opt_decimal();
        history.exam_date = self.date();
        Document {
            sop_instance_uid: self.text(),
            study_instance_uid: self.text(),
            series_instance_uid: self.text(),
            sop_class_uid: self.text(),
            patient_id: self.text(),
            patient_sex: self
                .coin()
                .then(|| self.pick(&[Sex::Female, Sex::Male, Sex::Other])),
            birth_date: self.date(),
            patient_age: self.opt_text(),
            study_date: self.date(),
            content_time: self.date().map(|date| Timestamp {
                date,
                micros: (self.0)() >> self.below(64),
            }),
            accession_number: self.text(),
            manufacturer: self.coin().then(|| self.pick(Manufacturer::ALL)),
            manufacturer_raw: self.text(),
            calibration: self.coin().then(|| {
                self.pick(&[
                    Calibration::Hologic,
                    Calibration::GeLunar,
                    Calibration::Norland,
                ])
            }),
            model: self.text(),
            software_version: self.text(),
            device_serial: self.text(),
            institution: self.text(),
            title: self.text(),
            reference_database: self.opt_text(),
            frax_major: self.opt_decimal(),
            frax_hip: self.opt_decimal(),
            tbs: self.opt_decimal(),
            measurements: (0..self.below(12)).map(|_| self.measurement()).collect(),
            unmapped_items: ((self.0)() >> self.below(64)) as usize,
            flags: (0..self.below(3))
                .map(|_| match self.below(3) {
                    0 => DocFlag::StudyDateMissing,
                    1 => DocFlag::ImageCommentsXmlUnreadable(self.text()),
                    _ => DocFlag::HologicTableTypeUnknown(self.below(1 << 31) as u32),
                })
                .collect(),
            carriers: (0..self.below(3))
                .map(|_| {
                    self.pick(&[
                        Carrier::SrTree,
                        Carrier::GeImageCommentsXml,
                        Carrier::HologicResultsDocument,
                        Carrier::EncoreExport,
                    ])
                })
                .collect(),
            frax_major_prior: self.opt_decimal(),
            frax_hip_prior: self.opt_decimal(),
            frax_not_reported: self.opt_text(),
            vertebral_fractures: (0..self.below(3))
                .map(|_| VertebralFracture {
                    vertebra: self.text(),
                    grade: self.text(),
                })
                .collect(),
            history: if self.coin() {
                vec![history]
            } else {
                Vec::new()
            },
            menopause_age: self.opt_decimal(),
            height_cm: self.opt_decimal(),
            weight_kg: self.opt_decimal(),
            ethnicity: self.opt_text(),
            scanner_classification: self.opt_text(),
            t_reference: self.coin().then(|| ScoreReference {
                population: self.text(),
                source: self.text(),
            }),
            frax_neck_t_uniform: self.opt_decimal(),
            frax_major_censored: self
                .coin()
                .then(|| self.pick(&[Bound::Below, Bound::Above])),
            frax_hip_censored: self
                .coin()
                .then(|| self.pick(&[Bound::Below, Bound::Above])),
            body_composition: self.coin().then(|| self.body()),
        }
    }

    /// A reading (or none), its unit added to `body`'s.
    fn reading(&mut self, body: &mut BodyComposition) -> Option<Reading> {
        self.coin().then(|| {
            let written = self.decimal();
            // The value is the number as written (grams, percents), or equal to it with
            // one more decimal (a kilogram's conversion: not the same parts), else a
            // conversion's (or, as here, any other number).
            let (mantissa, scale) = written.to_parts();
            let value = match self.below(3) {
                0 => written,
                1 => mantissa
                    .checked_mul(10)
                    .and_then(|m| Decimal::from_parts(m, scale + 1))
                    .unwrap_or(written),
                _ => self.decimal(),
            };
            self.reading_of(value, written, body)
        })
    }

    fn reading_of(
        &mut self,
        value: Decimal,
        written: Decimal,
        body: &mut BodyComposition,
    ) -> Reading {
        // A few units repeated (as a composition's are), or any text.
        let unit: std::sync::Arc<str> = match self.below(6) {
            0 => self.text(),
            n => ["g", "%", "lbs", "in\u{b3}", ""][n as usize - 1].to_string(),
        }
        .into();
        Reading {
            value,
            written,
            unit: body.unit_id(&unit),
        }
    }

    /// A composition: empty, or regions with every field drawn, and indices.
    fn body(&mut self) -> BodyComposition {
        let source = self.pick(&[BodySource::HologicResultsDocument, BodySource::EncoreExport]);
        let mut body = BodyComposition::new(source);
        let regions = (0..self.below(4) * self.below(8))
            .map(|_| RegionComposition {
                region: self.pick(BodyRegion::ALL),
                label: self.text().into(),
                fat: self.reading(&mut body),
                lean: self.reading(&mut body),
                bmc: self.reading(&mut body),
                lean_bmc: self.reading(&mut body),
                tissue: self.reading(&mut body),
                total_mass: self.reading(&mut body),
                fat_pct: self.reading(&mut body),
                tissue_fat_pct: self.reading(&mut body),
            })
            .collect();
        body.regions = regions;
        let indices = (0..self.below(4))
            .filter_map(|_| {
                let kind = self.pick(IndexKind::ALL);
                self.reading(&mut body)
                    .map(|reading| ReportedIndex { kind, reading })
            })
            .collect();
        body.indices = indices;
        body
    }
}

/// The hand-written encoding is serde's (postcard's) byte for byte, and reads back as the
/// same document; so is serde's reading of it, and the `--partial` files that encode the
/// same documents through serde are unchanged.
#[test]
fn documents_encode_as_postcard_does_and_read_back() {
    let mut generate = Gen(Box::new(splitmix(0x00C0_DEC0)));
    for case in 0..2_000 {
        let doc = if case == 0 {
            Document::default()
        } else {
            generate.document()
        };
        let mut ours = vec![7u8];
        put_document(&mut ours, &doc).unwrap();
        let serde = postcard::to_extend(&doc, vec![7u8]).unwrap();
        assert_eq!(ours, serde, "case {case}: {doc:?}");
        let mut reader = Reader::new(&ours[1..]);
        assert_eq!(reader.document().unwrap(), doc, "case {case}");
        reader.finish().unwrap();
    }
}

/// Every varint of up to four bytes, and random byte strings of up to six, read as
/// postcard reads a u64, a u32 and a u16 from them: the same value and length, or refused
/// by both (the unrolled two- and three-byte readings and the byte loop alike).
#[test]
fn varints_read_as_postcard_reads_them() {
    fn check(bytes: &[u8]) {
        fn same<T: serde::de::DeserializeOwned + Into<u64>>(
            bytes: &[u8],
            ours: Option<(u64, usize)>,
        ) {
            let theirs = postcard::take_from_bytes::<T>(bytes)
                .ok()
                .map(|(value, rest)| (value.into(), bytes.len() - rest.len()));
            assert_eq!(ours, theirs, "{bytes:02x?}");
        }
        let read = |bits: u32| {
            let mut reader = Reader::new(bytes);
            reader.varint(bits).ok().map(|value| (value, reader.at))
        };
        same::<u64>(bytes, read(64));
        same::<u32>(bytes, read(32));
        same::<u16>(bytes, read(16));
    }
    for n in 0u64..(1 << 22) {
        let mut bytes = Vec::new();
        put_varint(&mut bytes, n);
        bytes.push(0x05);
        check(&bytes);
    }
    let mut next = splitmix(0x0000_7A21);
    for _ in 0..200_000 {
        let len = (next() % 7) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| match next() % 4 {
                0 => 0x80 | next() as u8,
                1 => 0x7F & next() as u8,
                _ => next() as u8,
            })
            .collect();
        check(&bytes);
    }
}

/// A varint is read as postcard reads it: longest and largest accepted, one byte more or
/// a bit beyond the integer refused.
#[test]
fn varints_are_bounded_as_postcard_bounds_them() {
    for n in [0u64, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
        let mut bytes = Vec::new();
        put_varint(&mut bytes, n);
        assert_eq!(bytes, postcard::to_allocvec(&n).unwrap());
        assert_eq!(Reader::new(&bytes).u64().unwrap(), n);
    }
    // u64::MAX's varint with a bit beyond 64 in its tenth byte.
    let mut too_large = vec![0xFF; 9];
    too_large.push(0x02);
    assert!(postcard::from_bytes::<u64>(&too_large).is_err());
    assert!(Reader::new(&too_large).u64().is_err());
    let too_long = [0x80; 11];
    assert!(Reader::new(&too_long).u64().is_err());
    // A u32 (a scale, a variant) of more than 32 bits.
    let mut scale = Vec::new();
    put_varint(&mut scale, 1 << 32);
    assert!(Reader::new(&scale).u32().is_err());
}

/// Corrupt records are errors, never a panic or a huge allocation: every cut of a
/// document's encoding, a bad option tag, a bad variant, a string not UTF-8.
#[test]
fn corrupt_documents_are_errors() {
    let mut generate = Gen(Box::new(splitmix(17)));
    let mut doc = generate.document();
    doc.measurements.push(generate.measurement());
    // A composition with regions: its every cut is an error too.
    doc.body_composition = (0..)
        .map(|_| generate.body())
        .find(|body| !body.regions.is_empty());
    let mut bytes = Vec::new();
    put_document(&mut bytes, &doc).unwrap();
    for cut in 0..bytes.len() {
        let mut reader = Reader::new(&bytes[..cut]);
        assert!(reader.document().is_err(), "cut at {cut}");
    }
    let mut trailing = bytes.clone();
    trailing.push(0);
    let mut reader = Reader::new(&trailing);
    reader.document().unwrap();
    assert!(reader.finish().is_err());
    // The first string's first byte made invalid UTF-8; a length beyond the record.
    let empty = Document {
        sop_instance_uid: "a".into(),
        ..Document::default()
    };
    let mut bytes = Vec::new();
    put_document(&mut bytes, &empty).unwrap();
    let mut bad = bytes.clone();
    bad[1] = 0xFF;
    assert!(Reader::new(&bad).document().is_err());
    let mut long = bytes.clone();
    long[0] = 0x7F;
    assert!(Reader::new(&long).document().is_err());
    // patient_sex (after five one-byte-long strings... the first of which is "a"): tag 2.
    let sex_at = 2 + 4;
    assert_eq!(bytes[sex_at], 0);
    let mut bad_option = bytes.clone();
    bad_option[sex_at] = 2;
    assert!(Reader::new(&bad_option).document().is_err());
    let mut bad_variant = bytes.clone();
    bad_variant.splice(sex_at..=sex_at, [1, 3]);
    assert!(Reader::new(&bad_variant).document().is_err());
    assert!(postcard::from_bytes::<Document>(&bad_variant).is_err());
}

/// A composition reads back with each number's parts as written (a value equal to the
/// number written but with another scale is not taken for it), through the store's
/// encoding and through serde's, postcard's and a format without bytes (JSON).
#[test]
fn compositions_read_back_with_their_numbers_parts() {
    fn parts(body: &BodyComposition) -> Vec<(i64, u32, i64, u32, String)> {
        let regions = body.regions.iter().flat_map(|r| {
            [
                &r.fat,
                &r.lean,
                &r.bmc,
                &r.lean_bmc,
                &r.tissue,
                &r.total_mass,
                &r.fat_pct,
                &r.tissue_fat_pct,
            ]
            .into_iter()
            .flatten()
        });
        regions
            .chain(body.indices.iter().map(|i| &i.reading))
            .map(|r| {
                let (vm, vs) = r.value.to_parts();
                let (wm, ws) = r.written.to_parts();
                (vm, vs, wm, ws, body.unit(r).to_string())
            })
            .collect()
    }
    let mut generate = Gen(Box::new(splitmix(0xB0D7)));
    let mut readings = 0;
    for case in 0..500 {
        let body = generate.body();
        let mut bytes = Vec::new();
        body::put_body(&mut bytes, &body);
        assert_eq!(bytes, postcard::to_allocvec(&body).unwrap(), "case {case}");
        let mut reader = Reader::new(&bytes);
        let back = reader.body().unwrap();
        reader.finish().unwrap();
        assert_eq!(back, body, "case {case}");
        assert_eq!(parts(&back), parts(&body), "case {case}");
        let serde: BodyComposition = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(parts(&serde), parts(&body), "case {case}");
        let json: BodyComposition =
            serde_json::from_str(&serde_json::to_string(&body).unwrap()).unwrap();
        assert_eq!(parts(&json), parts(&body), "case {case}");
        readings += parts(&body).len();
    }
    assert!(readings > 1_000, "{readings} readings");
}

/// A reading whose unit is not among the units written after it (an index past their
/// count) is a corrupt store, through the store's reading and serde's; the same bytes with
/// the index in range read back.
#[test]
fn a_reading_of_a_unit_not_written_is_refused() {
    let mut body = BodyComposition::new(BodySource::EncoreExport);
    let grams = body.unit_id(&std::sync::Arc::from("g"));
    let written = Decimal::parse("450").unwrap();
    let reading = Reading {
        value: written,
        written,
        unit: grams,
    };
    assert!(body.set_index(IndexKind::VatMass, reading));
    let mut bytes = Vec::new();
    body::put_body(&mut bytes, &body);
    // The byte string's length, the part's length, the source, no regions, one index, its
    // kind: then the reading's head, `unit << 1 | same`, and the one unit, "g".
    let head = 6;
    assert_eq!(bytes[head], 1, "{bytes:?}");
    assert!(bytes.ends_with(&[1, 1, b'g']), "{bytes:?}");
    let mut reader = Reader::new(&bytes);
    assert_eq!(reader.body().unwrap(), body);
    for unit in [1u8, 2, 63] {
        let mut bad = bytes.clone();
        bad[head] = unit << 1 | 1;
        let error = Reader::new(&bad).body().unwrap_err();
        assert!(error.to_string().contains("a bad unit"), "{error}");
        assert!(postcard::from_bytes::<BodyComposition>(&bad).is_err());
    }
}

/// `Carrier::ALL`, by which the reader takes a carrier's index, holds every carrier at its
/// variant index, as postcard writes it (a carrier added and not listed fails to build
/// here: the match names every one).
#[test]
fn every_carrier_is_read_by_its_index() {
    let index = |carrier: Carrier| match carrier {
        Carrier::SrTree => 0,
        Carrier::GeImageCommentsXml => 1,
        Carrier::HologicResultsDocument => 2,
        Carrier::EncoreExport => 3,
    };
    assert_eq!(Carrier::ALL.len(), 4);
    for (at, &carrier) in Carrier::ALL.iter().enumerate() {
        assert_eq!(index(carrier), at);
        assert_eq!(postcard::to_allocvec(&carrier).unwrap(), [at as u8]);
    }
}

mod numbers;
