//! DICOM TLS (PS3.15 B.1 and the BCP 195 profiles of PS3.15 B.9-B.11): certificates and keys
//! read from PEM files, rustls with the `ring` provider. rustls offers only what BCP 195
//! (RFC 9325) recommends: TLS 1.2 and 1.3, ECDHE key exchange, AEAD ciphers (AES-GCM,
//! ChaCha20-Poly1305); no TLS 1.0/1.1, no RC4, no CBC, no renegotiation, no compression.
//!
//! - `listen --tls-cert --tls-key`: every connection is TLS (a plain one is refused);
//!   with `--tls-ca`, the sender must present a certificate signed by that CA (mutual TLS).
//! - `pull --tls-ca [--tls-cert --tls-key]`: the PACS's certificate must be signed by that CA
//!   and name the host of `--from` (DNS name or IP address); a client certificate when the
//!   PACS requires one.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, InvalidDnsNameError, PrivateKeyDer, ServerName};
use rustls::server::{VerifierBuilderError, WebPkiClientVerifier};
use rustls::{ClientConfig, RootCertStore, ServerConfig};

/// TLS files given on the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsFiles {
    /// Our certificate chain (PEM), ours first.
    pub cert: Option<PathBuf>,
    /// Its private key (PEM: PKCS#8, PKCS#1 or SEC1).
    pub key: Option<PathBuf>,
    /// The CA certificates (PEM) that sign the peer's certificate.
    pub ca: Option<PathBuf>,
}

impl TlsFiles {
    /// Whether any TLS option was given.
    pub fn any(&self) -> bool {
        self.cert.is_some() || self.key.is_some() || self.ca.is_some()
    }
}

/// Why TLS cannot be set up from the files given (each names the file or option).
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A PEM file of certificates cannot be read.
    #[error("cannot read the certificates of {}", path.display())]
    Certificates {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: pem::Error,
    },
    /// A PEM file holds no certificate.
    #[error("{} holds no PEM certificate", .0.display())]
    NoCertificate(PathBuf),
    /// A PEM file holds no private key that can be read.
    #[error("cannot read a private key from {}", path.display())]
    PrivateKey {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: pem::Error,
    },
    /// A certificate of `--tls-ca` cannot be a trust anchor.
    #[error("{} holds a certificate that cannot be a CA", path.display())]
    NotACa {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: rustls::Error,
    },
    /// rustls refuses the protocol versions (the provider lacks them).
    #[error("TLS set-up")]
    SetUp(#[source] rustls::Error),
    /// The client certificate check cannot be built from `--tls-ca`.
    #[error("the client certificate check (--tls-ca)")]
    ClientCheck(#[source] VerifierBuilderError),
    /// `--tls-cert` and `--tls-key` do not belong together.
    #[error("{} and {} are not a certificate and its key", cert.display(), key.display())]
    NotAPair {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
        /// Why.
        #[source]
        source: rustls::Error,
    },
    /// `listen` with TLS and without a certificate or key.
    #[error("listen with TLS needs --tls-cert and --tls-key")]
    ListenNeedsCertAndKey,
    /// `pull` with TLS and without a CA.
    #[error("pull with TLS needs --tls-ca (the CA that signed the PACS's certificate)")]
    PullNeedsCa,
    /// One of `--tls-cert` and `--tls-key` without the other.
    #[error("--tls-cert and --tls-key go together")]
    CertWithoutKey,
    /// A host that no certificate can name.
    #[error("`{host}` cannot be checked against a certificate")]
    ServerName {
        /// The host.
        host: String,
        /// Why.
        #[source]
        source: InvalidDnsNameError,
    },
}

/// rustls's `ring` provider. rustls deprecates it for lacking post-quantum key exchange
/// (X25519MLKEM768), which BCP 195 does not ask for; the provider that has it (aws-lc-rs)
/// is a C library built with every build of dxa-ingest.
#[allow(deprecated)]
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|source| TlsError::Certificates {
            path: path.to_path_buf(),
            source,
        })?;
    if certs.is_empty() {
        return Err(TlsError::NoCertificate(path.to_path_buf()));
    }
    Ok(certs)
}

fn private_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_file(path).map_err(|source| TlsError::PrivateKey {
        path: path.to_path_buf(),
        source,
    })
}

fn roots(path: &Path) -> Result<Arc<RootCertStore>, TlsError> {
    let mut store = RootCertStore::empty();
    for cert in certificates(path)? {
        store.add(cert).map_err(|source| TlsError::NotACa {
            path: path.to_path_buf(),
            source,
        })?;
    }
    Ok(Arc::new(store))
}

fn not_a_pair(cert: &Path, key: &Path) -> impl FnOnce(rustls::Error) -> TlsError {
    let (cert, key) = (cert.to_path_buf(), key.to_path_buf());
    move |source| TlsError::NotAPair { cert, key, source }
}

/// The configuration of a TLS `listen`: our certificate and key; with a CA, a client
/// certificate signed by it is required.
pub fn server_config(files: &TlsFiles) -> Result<Arc<ServerConfig>, TlsError> {
    let (Some(cert), Some(key)) = (&files.cert, &files.key) else {
        return Err(TlsError::ListenNeedsCertAndKey);
    };
    let builder = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(TlsError::SetUp)?;
    let builder = match &files.ca {
        Some(ca) => builder.with_client_cert_verifier(
            WebPkiClientVerifier::builder_with_provider(roots(ca)?, provider())
                .build()
                .map_err(TlsError::ClientCheck)?,
        ),
        None => builder.with_no_client_auth(),
    };
    let config = builder
        .with_single_cert(certificates(cert)?, private_key(key)?)
        .map_err(not_a_pair(cert, key))?;
    Ok(Arc::new(config))
}

/// The configuration of a TLS `pull`: the CA that signs the PACS's certificate, and our
/// certificate and key when given.
pub fn client_config(files: &TlsFiles) -> Result<Arc<ClientConfig>, TlsError> {
    let Some(ca) = &files.ca else {
        return Err(TlsError::PullNeedsCa);
    };
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(TlsError::SetUp)?
        .with_root_certificates(roots(ca)?);
    let config = match (&files.cert, &files.key) {
        (Some(cert), Some(key)) => builder
            .with_client_auth_cert(certificates(cert)?, private_key(key)?)
            .map_err(not_a_pair(cert, key))?,
        (None, None) => builder.with_no_client_auth(),
        _ => return Err(TlsError::CertWithoutKey),
    };
    Ok(Arc::new(config))
}

/// Whether `host` can name a TLS server (a DNS name or an IP address).
pub fn server_name(host: &str) -> Result<ServerName<'static>, TlsError> {
    ServerName::try_from(host.to_string()).map_err(|source| TlsError::ServerName {
        host: host.to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let files = TlsFiles {
            cert: Some(missing.clone()),
            key: Some(missing.clone()),
            ca: None,
        };
        let error = server_config(&files).unwrap_err();
        assert!(
            matches!(&error, TlsError::Certificates { path, .. } if *path == missing),
            "{error:?}"
        );
        assert!(error.to_string().contains("missing.pem"), "{error}");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let error = client_config(&TlsFiles {
            ca: Some(empty.clone()),
            ..TlsFiles::default()
        })
        .unwrap_err();
        assert!(
            matches!(&error, TlsError::NoCertificate(path) if *path == empty),
            "{error:?}"
        );
        assert!(error.to_string().contains("holds no PEM certificate"));
        assert!(matches!(
            client_config(&TlsFiles::default()),
            Err(TlsError::PullNeedsCa)
        ));
        assert!(matches!(
            server_config(&TlsFiles::default()),
            Err(TlsError::ListenNeedsCertAndKey)
        ));
    }

    #[test]
    fn server_names_are_hosts_or_addresses() {
        assert!(server_name("pacs.example.org").is_ok());
        assert!(server_name("127.0.0.1").is_ok());
        assert!(server_name("::1").is_ok());
        assert!(matches!(
            server_name("not a host"),
            Err(TlsError::ServerName { host, .. }) if host == "not a host"
        ));
    }
}
