//! DICOM TLS (docs/network.md, "TLS") with certificates made here by the openssl command:
//! dcmtk's storescu sending to `listen`, and `pull` from Orthanc with `DicomTlsEnabled`.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::checks::{assert_pulled, results, run_in};
use super::objects::{archive_objects, fixture_objects};
use super::peers::{Listener, Orthanc, storescu_command};
use crate::util::{code, stderr};

/// A CA, a certificate for 127.0.0.1 (the node) and one for a client, each signed by the
/// CA, with their keys (PEM).
pub struct Certificates {
    pub ca: PathBuf,
    pub node_cert: PathBuf,
    pub node_key: PathBuf,
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
}

fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run openssl (scripts/test.sh installs it)");
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        stderr(&output)
    );
}

/// Makes the certificates in `dir` (RSA 2048: what every peer here supports).
pub fn certificates(dir: &Path) -> Certificates {
    std::fs::create_dir_all(dir).expect("certificate folder");
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=dxa-ingest test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    for (name, san) in [
        ("node", "IP:127.0.0.1,DNS:localhost"),
        ("client", "DNS:scanner.test"),
    ] {
        std::fs::write(
            dir.join(format!("{name}.ext")),
            format!(
                "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n\
                 extendedKeyUsage=serverAuth,clientAuth\nsubjectAltName={san}\n"
            ),
        )
        .expect("extensions");
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.csr"),
                "-subj",
                &format!("/CN={name}"),
            ],
        );
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &format!("{name}.csr"),
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-out",
                &format!("{name}.pem"),
                "-extfile",
                &format!("{name}.ext"),
            ],
        );
    }
    Certificates {
        ca: dir.join("ca.pem"),
        node_cert: dir.join("node.pem"),
        node_key: dir.join("node.key"),
        client_cert: dir.join("client.pem"),
        client_key: dir.join("client.key"),
    }
}

fn text(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

#[test]
fn listen_over_tls_takes_only_senders_with_a_client_certificate() {
    let dir = tempfile::tempdir().expect("temp dir");
    let certs = certificates(&dir.path().join("certs"));
    let fixtures = fixture_objects();
    let mut files = fixtures.values();
    let (first, first_id) = files.next().expect("a fixture").clone();
    let (second, second_id) = files.next().expect("another fixture").clone();
    let listener = Listener::start(
        dir.path(),
        &[
            "--archive",
            "archive",
            "--tls-cert",
            text(&certs.node_cert),
            "--tls-key",
            text(&certs.node_key),
            "--tls-ca",
            text(&certs.ca),
        ],
    );
    assert!(listener.log().contains("(TLS)"), "{}", listener.log());
    let port = listener.port;
    // Mutual TLS: dcmtk with its certificate, checking ours against the CA.
    let with_cert = storescu_command("SCANNER", "DXA", port, &[first.as_path()])
        .args(["+tls", text(&certs.client_key), text(&certs.client_cert)])
        .args(["+cf", text(&certs.ca)])
        .output()
        .expect("storescu +tls");
    assert!(
        with_cert.status.success(),
        "{}\n{}",
        stderr(&with_cert),
        listener.log()
    );
    // Anonymous TLS (no client certificate): refused.
    let anonymous = storescu_command("SCANNER", "DXA", port, &[second.as_path()])
        .args(["+tla", "+cf", text(&certs.ca)])
        .output()
        .expect("storescu +tla");
    assert!(!anonymous.status.success(), "{}", stderr(&anonymous));
    // No TLS at all: refused.
    let plain = storescu_command("SCANNER", "DXA", port, &[second.as_path()])
        .output()
        .expect("storescu");
    assert!(!plain.status.success(), "{}", stderr(&plain));
    let (exit, log) = listener.terminate();
    assert_eq!(exit, 0, "{log}");
    let archived = archive_objects(&dir.path().join("archive"));
    assert!(archived.contains_key(&first_id.sop_instance), "{log}");
    assert!(!archived.contains_key(&second_id.sop_instance), "{log}");
    assert!(log.contains("TLS handshake failed"), "{log}");
}

#[test]
fn pull_over_tls_from_orthanc() {
    let dir = tempfile::tempdir().expect("temp dir");
    let certs = certificates(&dir.path().join("certs"));
    let orthanc = Orthanc::start_with(
        &dir.path().join("orthanc"),
        None,
        &format!(
            r#""DicomTlsEnabled": true,
  "DicomTlsCertificate": "{}",
  "DicomTlsPrivateKey": "{}",
  "DicomTlsTrustedCertificates": "{}",
  "DicomTlsRemoteCertificateRequired": true,"#,
            text(&certs.node_cert),
            text(&certs.node_key),
            text(&certs.ca)
        ),
    );
    // Orthanc speaks only TLS now: the fixtures go in over TLS too.
    let fixtures = fixture_objects();
    let stored: std::collections::BTreeMap<_, _> = fixtures
        .into_iter()
        .filter(|(_, (path, _))| {
            storescu_command("DXA-TEST", "ORTHANC", orthanc.port, &[path.as_path()])
                .args(["+tls", text(&certs.client_key), text(&certs.client_cert)])
                .args(["+cf", text(&certs.ca)])
                .status()
                .is_ok_and(|s| s.success())
        })
        .collect();
    let expected = results(&stored);
    assert!(expected.len() >= 10, "{expected:?}");
    let from = format!("ORTHANC@127.0.0.1:{}", orthanc.port);
    let plain = run_in(
        dir.path(),
        &[
            "pull",
            "--from",
            &from,
            "--archive",
            "plain",
            "--timeout",
            "10",
        ],
    );
    assert_eq!(
        code(&plain),
        1,
        "a plain pull from a TLS port: {}",
        stderr(&plain)
    );
    let pull = run_in(
        dir.path(),
        &[
            "pull",
            "--from",
            &from,
            "--tls-ca",
            text(&certs.ca),
            "--tls-cert",
            text(&certs.client_cert),
            "--tls-key",
            text(&certs.client_key),
            "--archive",
            "archive",
            "--out",
            "out",
            "--quiet",
        ],
    );
    assert_pulled(dir.path(), &pull, &expected, &stored);
}
