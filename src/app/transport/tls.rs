//! TLS on the listener (RFC 7591 §5, RFC 7592 §5: registration, tokens and secrets only
//! over TLS): rustls with the `ring` provider, TLS 1.2 and 1.3 with rustls' safe defaults.
//! ALPN (h2, http/1.1) is added by actix-web.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;

/// PEM files of the listener's certificate chain (leaf first) and its private key.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("--tls-cert {}: {reason}", path.display())]
    Certificate { path: PathBuf, reason: String },
    #[error("--tls-key {}: {reason}", path.display())]
    Key { path: PathBuf, reason: String },
    #[error("--tls-cert and --tls-key do not make a usable pair: {0}")]
    Pair(rustls::Error),
}

/// The process-wide rustls provider: `ring`, installed on first use unless the embedding
/// program installed one. Installing it explicitly means rustls never has to pick one
/// from its enabled features (which panics when more than one is compiled in).
pub fn crypto_provider() -> Arc<CryptoProvider> {
    if let Some(provider) = CryptoProvider::get_default() {
        return provider.clone();
    }
    // Err only when another thread installed one first, which is as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
    CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()))
}

/// Reads and checks both files; the key must belong to the leaf certificate.
pub fn server_config(files: &TlsFiles) -> Result<ServerConfig, TlsError> {
    let certs = read_certificates(&files.cert)?;
    let key = read_key(&files.key)?;
    ServerConfig::builder_with_provider(crypto_provider())
        .with_safe_default_protocol_versions()
        .map_err(TlsError::Pair)?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(TlsError::Pair)
}

fn read_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let fail = |reason: String| TlsError::Certificate { path: path.to_owned(), reason };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| fail(describe(e, "CERTIFICATE")))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| fail(describe(e, "CERTIFICATE")))?;
    if certs.is_empty() {
        return Err(fail(describe(pem::Error::NoItemsFound, "CERTIFICATE")));
    }
    Ok(certs)
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_file(path)
        .map_err(|e| TlsError::Key { path: path.to_owned(), reason: describe(e, "PRIVATE KEY") })
}

fn describe(error: pem::Error, block: &str) -> String {
    match error {
        pem::Error::NoItemsFound => format!("no PEM {block} block found"),
        pem::Error::Io(e) => format!("cannot read: {e}"),
        other => format!("not valid PEM: {other}"),
    }
}
