//! The folders of ours in an output folder (`--fhir`, `--omop`), and the files we write in
//! each: below the commit, its fallback and the permissions that read them.

/// The folders a run can write (`--fhir`, `--omop`: docs/interop.md), with the names of
/// the files it writes in each; anything else in them is the user's.
pub const OUTPUT_FOLDERS: &[(&str, &[&str])] = &[
    ("fhir", &["bundles.ndjson"]),
    (
        "omop",
        &[
            "person.csv",
            "observation_period.csv",
            "visit_occurrence.csv",
            "measurement.csv",
        ],
    ),
];

/// The files we write in a folder of ours, when `name` is one.
pub fn our_folder(name: &str) -> Option<&'static [&'static str]> {
    OUTPUT_FOLDERS
        .iter()
        .find(|(folder, _)| *folder == name)
        .map(|(_, files)| *files)
}
