//! One partition of the run: every document of some patients, read back alone, grouped
//! into visits, classified, compared over time, and rendered into sorted runs of rows:
//! measurements, documents and history by document (path order), studies by visit (its
//! first document), follow-up by patient, site, side and date. Under --pseudonymize, "path
//! order" is the order of the pseudonymised paths (`put_row_key`), in scan and merge alike.

use std::collections::HashSet;
use std::io;
use std::sync::Arc;

use super::pieces;
use crate::pipeline::held::{self, Held};

use crate::config::{FollowupMode, OutputOptions};
use crate::followup;
use crate::output::RowRenderer;
use crate::output::rows;
use crate::report::{Collector, ReportData};
use crate::store::{RUN_BYTES, RunBuf, Runs, Spooled};
use crate::visit::{self, Ingested, VisitFlag, VisitKeys, VisitRows};

/// The sorted runs of every file the partitions write.
pub(super) struct AllRuns {
    pub(super) measurements: Runs,
    pub(super) studies: Runs,
    pub(super) documents: Runs,
    pub(super) history: Runs,
    pub(super) followup: Runs,
    pub(super) body_composition: Runs,
    pub(super) body_followup: Runs,
    pub(super) wide: Runs,
    pub(super) fhir: Runs,
    pub(super) omop: Runs,
}

/// Decodes a partition's documents (in path order: they were appended so), frame by frame:
/// the encoded partition is never held beside the documents. An identical re-send shares
/// the document it re-sends, which is before it in the piece (`pieces`).
fn read_documents(piece: Spooled) -> io::Result<Vec<Ingested>> {
    let mut docs: Vec<Ingested> = Vec::new();
    piece.for_each_frame(|frame| {
        let (seq, path, held) = held::decode(frame)?;
        match held {
            Held::Document(doc) => docs.push(Ingested {
                seq,
                path,
                doc,
                resent_as: None,
            }),
            Held::Resend { sop, kept } => {
                let kept = docs
                    .binary_search_by_key(&kept, |d| d.seq)
                    .map_err(|_| io::Error::other(pieces::NO_KEPT))?;
                docs.push(Ingested {
                    seq,
                    path,
                    doc: Arc::clone(&docs[kept].doc),
                    resent_as: Some(sop),
                });
            }
        }
        Ok(())
    })?;
    Ok(docs)
}

/// What a partition counted (or several, added up).
#[derive(Default)]
pub struct PartitionCounts {
    /// Its visits.
    pub visits: usize,
    /// Its part of the report.
    pub report: ReportData,
    /// The `--lsc` file's device serials that its documents have (to warn about the rest).
    pub serials: std::collections::BTreeSet<String>,
}

impl PartitionCounts {
    /// Adds another partition's counts to these.
    pub fn add(&mut self, other: PartitionCounts) {
        self.visits += other.visits;
        self.report.merge(other.report);
        self.serials.extend(other.serials);
    }
}

/// The sort key of a document's rows (a visit's: its first document's): its place in path
/// order; under --pseudonymize, its pseudonymised path first, since the original order
/// tells folder names, which often sort by surname.
/// It is written into `key` (one buffer for a partition's keys, not a vector per
/// document).
fn put_row_key(view: &VisitRows, position: usize, key: &mut Vec<u8>) {
    let member = view.member(position);
    key.clear();
    if view.ids.pseudonymizer.is_some() {
        key.extend_from_slice(view.ids.path(&member.path).as_bytes());
    }
    key.extend_from_slice(&member.seq.to_be_bytes());
}

/// The groups of a partition over `pieces::GROUP_DOCUMENTS`, read in parts.
#[derive(Clone, Copy)]
pub struct Over<'a> {
    /// Those groups (`pieces::Cut::over`).
    pub groups: &'a HashSet<u64>,
    /// Whether this piece is a later part of one of them.
    pub later_part: bool,
}

/// Renders one partition's rows into `runs`; adds its counts to `counts` (which of
/// `lsc_serials`, the `--lsc` file's device serials, its documents have among them). The
/// counts of a run's partitions are added up as they are made, not each made apart and
/// merged: a partition's B-tree maps of a few keys each, built and merged, cost more than
/// its visits' counting (docs/performance.md).
pub fn render(
    piece: Spooled,
    over: Over<'_>,
    options: &OutputOptions,
    runs: &AllRuns,
    lsc_serials: &[&str],
    counts: &mut PartitionCounts,
) -> io::Result<()> {
    let docs: Vec<Ingested> = read_documents(piece)?;
    let mut visits = visit::visits(&docs);
    for visit in &mut visits {
        if over.later_part
            || visit
                .members
                .iter()
                .any(|&i| pieces::in_group(&docs[i].doc, over.groups))
        {
            visit
                .flags
                .push(VisitFlag::ReadInParts(pieces::GROUP_DOCUMENTS));
        }
    }
    let ids = options.ids();
    let visit_ids = crate::export::visit_id::visit_ids(&docs, &visits, ids);
    let (mut wide, mut fhir) = (RunBuf::default(), RunBuf::default());
    let mut omop_visits = Vec::new();
    let mut render = RowRenderer::new(options.parquet);
    let (mut measurements, mut documents, mut history, mut studies, mut body) = (
        RunBuf::default(),
        RunBuf::default(),
        RunBuf::default(),
        RunBuf::default(),
        RunBuf::default(),
    );
    let mut points = Vec::new();
    let mut body_points = Vec::new();
    let mut member_key = Vec::with_capacity(48);
    let mut report = Collector::new(&options.lsc, ids, &mut counts.report);
    for (visit, visit_id) in visits.iter().zip(&visit_ids) {
        let assessed = visit::assess(&docs, visit, &options.classify);
        let keys = VisitKeys::new(&docs, visit, ids, visit_id);
        let view = VisitRows {
            docs: &docs,
            visit,
            assessed: &assessed,
            ids,
            visit_id,
            body: None,
            keys: &keys,
        };
        let visit_body = rows::visit_body(&view);
        let view = VisitRows {
            body: visit_body.as_ref(),
            ..view
        };
        for position in 0..visit.members.len() {
            put_row_key(&view, position, &mut member_key);
            let key: &[u8] = &member_key;
            let keys = rows::measurement_keys(&view, position);
            measurements.push_with(key, |out| {
                render.render_into(rows::measurement_rows(&view, position, &keys), out)
            })?;
            let document = rows::document_row(&view, position);
            documents.push_with(key, |out| render.render_into([&document], out))?;
            if !view.member(position).doc.history.is_empty() {
                history.push_with(key, |out| {
                    render.render_into(rows::history_rows(&view, position), out)
                })?;
            }
            // A visit of thousands of documents (identical re-sends, held as one) renders
            // its members' rows out as they grow.
            for (buf, runs) in [
                (&mut measurements, &runs.measurements),
                (&mut documents, &runs.documents),
                (&mut history, &runs.history),
            ] {
                if buf.bytes() > RUN_BYTES {
                    runs.append(std::mem::take(buf))?;
                }
            }
        }
        put_row_key(&view, 0, &mut member_key);
        let key: &[u8] = &member_key;
        if let Some(composition) = view.body {
            let keys = rows::body_keys(&view);
            body.push_with(key, |out| {
                render.render_into(rows::body_composition_rows(&view, composition, &keys), out)
            })?;
        }
        let study = rows::study_row(&view);
        studies.push_with(key, |out| render.render_into([&study], out))?;
        let wide_row = crate::export::wide::wide_row(&view);
        wide.push_with(key, |out| render.render_into([&wide_row], out))?;
        crate::export::render_visit(&view, key, options, &mut fhir, &mut omop_visits)?;
        body_points.extend(followup::body::body_point(&view, &docs, visit_id));
        let start = points.len();
        followup::push_points(&view, &docs, visit_id, &mut points);
        report.visit(&view, &points[start..]);
        // A partition of one giant visit or patient renders hundreds of MB of rows: they go
        // to disk as they grow (equal keys keep their order: segments merge in order).
        for (buf, runs) in [
            (&mut measurements, &runs.measurements),
            (&mut documents, &runs.documents),
            (&mut history, &runs.history),
            (&mut studies, &runs.studies),
            (&mut wide, &runs.wide),
            (&mut fhir, &runs.fhir),
        ] {
            if buf.bytes() > RUN_BYTES {
                runs.append(std::mem::take(buf))?;
            }
        }
    }
    let mut followups = RunBuf::default();
    // `--followup never`: no followup.csv, and nothing of it in the report either.
    if options.followup == FollowupMode::Never {
        points.clear();
        body_points.clear();
    }
    for (key, row, family) in followup::rows(points, &options.lsc) {
        report.followup_row(&key, &row, family);
        followups.push_with(&key, |out| {
            render.render_into([rows::followup_line(&row)], out)
        })?;
    }
    let mut body_followups = RunBuf::default();
    for (key, row) in followup::body::body_rows(body_points) {
        body_followups.push_with(&key, |out| {
            render.render_into([rows::body_followup_line(&row)], out)
        })?;
    }
    runs.measurements.append(measurements)?;
    runs.documents.append(documents)?;
    runs.history.append(history)?;
    runs.studies.append(studies)?;
    runs.followup.append(followups)?;
    runs.body_composition.append(body)?;
    runs.body_followup.append(body_followups)?;
    runs.wide.append(wide)?;
    runs.fhir.append(fhir)?;
    let mut omop = RunBuf::default();
    crate::export::omop::records(omop_visits, &mut omop)?;
    runs.omop.append(omop)?;
    let attention = report.finish(&docs);
    // The worker's table only ever had parts merged into it: in `row_order` already.
    counts.report.attention.merge_part(attention);
    counts.visits += visits.len();
    // Only the --lsc file's serials are looked for: an archive can hold thousands of
    // scanners, and a set of all their serials would grow with it.
    counts.serials.extend(
        docs.iter()
            .map(|d| d.doc.device_serial.trim())
            .filter(|s| lsc_serials.contains(s))
            .map(str::to_string),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Document;
    use crate::pipeline::held::HeldRef;
    use crate::store::codec;
    use std::io::{Seek, SeekFrom, Write};

    fn file_of(frames: &[(u64, &str, HeldRef<'_>)]) -> Spooled {
        let mut bytes = Vec::new();
        for frame in frames {
            codec::encode_frame(frame, &mut bytes).unwrap();
        }
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(&bytes).unwrap();
        file.seek(SeekFrom::Start(0)).unwrap();
        Spooled::file(file).unwrap()
    }

    /// A re-send is read as the document it names, shared, under its own UID and path.
    #[test]
    fn a_resend_shares_the_document_it_names() {
        let kept = Document {
            sop_instance_uid: "1.1".into(),
            study_instance_uid: "9".into(),
            title: "Left Hip".into(),
            ..Document::default()
        };
        let other = Document {
            sop_instance_uid: "2.1".into(),
            ..Document::default()
        };
        let resend = |kept| HeldRef::Resend { sop: "1.2", kept };
        let file = file_of(&[
            (3, "a", HeldRef::Document(&kept)),
            (5, "b", HeldRef::Document(&other)),
            (8, "c", resend(3)),
        ]);
        let docs = read_documents(file).unwrap();
        assert_eq!(docs.len(), 3);
        assert_eq!((docs[2].seq, docs[2].path.as_str()), (8, "c"));
        assert_eq!(docs[2].sop_instance_uid(), "1.2");
        assert_eq!(docs[0].sop_instance_uid(), "1.1");
        assert!(Arc::ptr_eq(&docs[0].doc, &docs[2].doc));
        assert_eq!(*docs[2].doc, kept);
        // A re-send of a document the piece does not hold is a corrupt partition.
        let error = read_documents(file_of(&[
            (5, "b", HeldRef::Document(&other)),
            (8, "c", resend(3)),
        ]))
        .unwrap_err();
        assert!(error.to_string().contains("corrupt"), "{error}");
    }
}
