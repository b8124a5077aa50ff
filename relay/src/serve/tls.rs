//! TLS for the relay's listeners: the user's certificate chain and key, PEM files, served with
//! rustls (ring provider; TLS 1.2 and 1.3).

use std::path::Path;
use std::sync::Arc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject as _;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The acceptor for `cert` and `key`, when both are given; the flags name them in errors.
pub fn acceptor(
    cert: Option<&Path>,
    key: Option<&Path>,
    flags: (&str, &str),
) -> Result<Option<TlsAcceptor>, String> {
    let (cert, key) = match (cert, key) {
        (None, None) => return Ok(None),
        (Some(cert), Some(key)) => (cert, key),
        (Some(_), None) => return Err(format!("{} needs {} too", flags.0, flags.1)),
        (None, Some(_)) => return Err(format!("{} needs {} too", flags.1, flags.0)),
    };
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("{} {}: not a PEM certificate chain: {e}", flags.0, cert.display()))?;
    if chain.is_empty() {
        return Err(format!("{} {}: no certificate in it", flags.0, cert.display()));
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| format!("{} {}: not a PEM private key: {e}", flags.1, key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("{} and {}: {e}", flags.0, flags.1))?;
    Ok(Some(TlsAcceptor::from(Arc::new(config))))
}
