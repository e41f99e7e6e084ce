use super::*;

#[test]
fn headers_and_shapes_of_the_public_set() {
    let set = export_set(Units::Pounds);
    let comp = utf16le_text(&set.comp);
    let lines: Vec<&str> = comp.split("\r\n").collect();
    assert_eq!(
        lines.len(),
        5,
        "header, three rows, the empty split after the last CRLF"
    );
    assert_eq!(lines[0].split('\t').count(), 160);
    assert!(lines[0].starts_with(
        "Last Name\tFirst Name\tPatient ID\tMeasure Date\tArms Bone Mass\tArm Right Bone Mass"
    ));
    assert!(lines[0].ends_with("TBLH Tissue %Fat\tTBW\tICW\tECW\tTBW Device"));
    assert!(lines[1].contains("\t0.8 lbs\t"), "{}", lines[1]);
    assert_eq!(lines[1].split('\t').count(), 160);
    let bmd = utf16le_text(&set.bmd);
    let header = bmd.split("\r\n").next().unwrap();
    assert_eq!(header.split('\t').count(), 123);
    assert!(header.contains("\tTotal Right Average Width"));
    assert!(
        bmd.contains("\t2,188\t"),
        "the total's BMC, with a thousands separator"
    );
    let vat = utf16le_text(&set.core_scan);
    assert!(
        vat.starts_with(
            "Last Name\tFirst Name\tPatient ID\tMeasure Date\tVAT Mass\tVAT Volume\r\n"
        )
    );
    assert!(vat.contains("\t1.01 lbs\t29.60 in³\r\n"));
    assert!(vat.contains("\t0.00 lbs\t31.20 in³\r\n"));
    let metric = utf16le_text(&export_set(Units::Grams).core_scan);
    assert!(metric.contains("\t458 g\t485.1 cm³\r\n"), "{metric}");
}

#[test]
fn pounds_to_whole_grams() {
    assert_eq!(grams(99, 1), 4491, "9.9 lb = 4490.56 g");
    assert_eq!(grams(-3, 1), -136, "-0.3 lb = -136.08 g");
    assert_eq!(grams(101, 2), 458);
    assert_eq!(grouped(4491), "4,491");
    assert_eq!(grouped(-1234567), "-1,234,567");
    assert_eq!(grouped(12), "12");
}
