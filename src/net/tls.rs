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

use anyhow::{Context, Result, bail};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::server::WebPkiClientVerifier;
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

/// rustls's `ring` provider. rustls deprecates it for lacking post-quantum key exchange
/// (X25519MLKEM768), which BCP 195 does not ask for; the provider that has it (aws-lc-rs)
/// is a C library built with every build of dxa-ingest.
#[allow(deprecated)]
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .with_context(|| format!("cannot read the certificates of {}", path.display()))?;
    if certs.is_empty() {
        bail!("{} holds no PEM certificate", path.display());
    }
    Ok(certs)
}

fn private_key(path: &Path) -> Result<PrivateKeyDer<'static>> {
    PrivateKeyDer::from_pem_file(path)
        .with_context(|| format!("cannot read a private key from {}", path.display()))
}

fn roots(path: &Path) -> Result<Arc<RootCertStore>> {
    let mut store = RootCertStore::empty();
    for cert in certificates(path)? {
        store.add(cert).with_context(|| {
            format!("{} holds a certificate that cannot be a CA", path.display())
        })?;
    }
    Ok(Arc::new(store))
}

/// The configuration of a TLS `listen`: our certificate and key; with a CA, a client
/// certificate signed by it is required.
pub fn server_config(files: &TlsFiles) -> Result<Arc<ServerConfig>> {
    let (Some(cert), Some(key)) = (&files.cert, &files.key) else {
        bail!("listen with TLS needs --tls-cert and --tls-key");
    };
    let builder = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .context("TLS set-up")?;
    let builder = match &files.ca {
        Some(ca) => builder.with_client_cert_verifier(
            WebPkiClientVerifier::builder_with_provider(roots(ca)?, provider())
                .build()
                .context("the client certificate check (--tls-ca)")?,
        ),
        None => builder.with_no_client_auth(),
    };
    let config = builder
        .with_single_cert(certificates(cert)?, private_key(key)?)
        .with_context(|| {
            format!(
                "{} and {} are not a certificate and its key",
                cert.display(),
                key.display()
            )
        })?;
    Ok(Arc::new(config))
}

/// The configuration of a TLS `pull`: the CA that signs the PACS's certificate, and our
/// certificate and key when given.
pub fn client_config(files: &TlsFiles) -> Result<Arc<ClientConfig>> {
    let Some(ca) = &files.ca else {
        bail!("pull with TLS needs --tls-ca (the CA that signed the PACS's certificate)");
    };
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .context("TLS set-up")?
        .with_root_certificates(roots(ca)?);
    let config = match (&files.cert, &files.key) {
        (Some(cert), Some(key)) => builder
            .with_client_auth_cert(certificates(cert)?, private_key(key)?)
            .with_context(|| {
                format!(
                    "{} and {} are not a certificate and its key",
                    cert.display(),
                    key.display()
                )
            })?,
        (None, None) => builder.with_no_client_auth(),
        _ => bail!("--tls-cert and --tls-key go together"),
    };
    Ok(Arc::new(config))
}

/// Whether `host` can name a TLS server (a DNS name or an IP address).
pub fn server_name(host: &str) -> Result<ServerName<'static>> {
    ServerName::try_from(host.to_string())
        .with_context(|| format!("`{host}` cannot be checked against a certificate"))
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
        let error = format!("{:#}", server_config(&files).unwrap_err());
        assert!(error.contains("missing.pem"), "{error}");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let error = format!(
            "{:#}",
            client_config(&TlsFiles {
                ca: Some(empty),
                ..TlsFiles::default()
            })
            .unwrap_err()
        );
        assert!(error.contains("holds no PEM certificate"), "{error}");
        assert!(client_config(&TlsFiles::default()).is_err());
        assert!(server_config(&TlsFiles::default()).is_err());
    }

    #[test]
    fn server_names_are_hosts_or_addresses() {
        assert!(server_name("pacs.example.org").is_ok());
        assert!(server_name("127.0.0.1").is_ok());
        assert!(server_name("::1").is_ok());
        assert!(server_name("not a host").is_err());
    }
}
