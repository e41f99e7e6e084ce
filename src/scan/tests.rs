use super::*;

#[test]
fn a_panic_becomes_an_internal_error_row() {
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let outcome: Result<(), FileError> = isolate(|| panic!("boom at byte 12"));
    panic::set_hook(hook);
    let error = outcome.unwrap_err();
    assert_eq!(error.reason, Reason::InternalError);
    assert_eq!(error.reason.status(), crate::error::Status::Error);
    assert!(
        error.message.contains("boom at byte 12"),
        "{}",
        error.message
    );
    assert_eq!(isolate(|| Ok::<_, FileError>(7)), Ok(7));
}

#[test]
fn summary_words_agree_with_their_numbers() {
    let one = Summary {
        files_seen: 1,
        ingested: 1,
        visits: 1,
        skipped: 0,
        errors: 1,
    };
    let line = one.line(Duration::from_millis(50));
    assert_eq!(
        line,
        "dxa-ingest: 1 file seen, 1 document ingested, 1 visit, 0 skipped, 1 error in 0.05 s"
    );
    let many = Summary {
        files_seen: 20,
        ingested: 10,
        visits: 7,
        skipped: 10,
        errors: 0,
    };
    assert!(many.line(Duration::ZERO).starts_with(
        "dxa-ingest: 20 files seen, 10 documents ingested, 7 visits, 10 skipped, 0 errors"
    ));
}
