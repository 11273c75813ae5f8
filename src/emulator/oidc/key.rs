//! The issuer's one signing key: RSA-2048 generated with aws-lc-rs, kept as PKCS#8 PEM in the
//! state dir (0600, like the rest of it), so tokens issued before a restart still verify after.
//! Its `kid` is the key's RFC 7638 thumbprint: stable for the key, new when the file is replaced.

use std::path::Path;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use base64::Engine as _;
use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, EncodingKey};

/// The file under the state dir.
pub const KEY_FILE: &str = "oidc-signing-key.pem";

/// The signing key with what the JWKS publishes of it.
pub struct SigningKey {
    pub kid: String,
    pub encoding: EncodingKey,
    jwk: Jwk,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read or write the signing key {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("the signing key {path} is not an RSA private key in PKCS#8 PEM: {reason}")]
    Invalid {
        path: std::path::PathBuf,
        reason: String,
    },
    #[error("cannot generate an RSA key: {0}")]
    Generate(String),
}

impl SigningKey {
    /// Load the key from `dir`, or generate and store one.
    pub fn load_or_create(dir: &Path) -> Result<Self, KeyError> {
        let path = dir.join(KEY_FILE);
        let io = |source| KeyError::Io {
            path: path.clone(),
            source,
        };
        let pem = match std::fs::read(&path) {
            Ok(pem) => pem,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let pem = generate_pem()?;
                let mut f = crate::private_fs::open(&path, false).map_err(io)?;
                std::io::Write::write_all(&mut f, pem.as_bytes()).map_err(io)?;
                f.sync_all().map_err(io)?;
                pem.into_bytes()
            }
            Err(e) => return Err(io(e)),
        };
        Self::from_pem(&pem).map_err(|reason| KeyError::Invalid { path, reason })
    }

    fn from_pem(pem: &[u8]) -> Result<Self, String> {
        let encoding = EncodingKey::from_rsa_pem(pem).map_err(|e| e.to_string())?;
        let mut jwk =
            Jwk::from_encoding_key(&encoding, Algorithm::RS256).map_err(|e| e.to_string())?;
        let kid = jwk
            .thumbprint(ThumbprintHash::SHA256)
            .map_err(|e| e.to_string())?;
        jwk.common.key_id = Some(kid.clone());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        Ok(Self { kid, encoding, jwk })
    }

    /// The JWKS document: the public half only.
    pub fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: vec![self.jwk.clone()],
        }
    }
}

fn generate_pem() -> Result<String, KeyError> {
    let pair =
        KeyPair::generate(KeySize::Rsa2048).map_err(|e| KeyError::Generate(e.to_string()))?;
    let der = pair
        .as_der()
        .map_err(|e| KeyError::Generate(e.to_string()))?;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
    let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
    for line in b64.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END PRIVATE KEY-----\n");
    Ok(pem)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn the_key_is_private_kept_and_has_a_stable_kid() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = SigningKey::load_or_create(dir.path()).expect("create");
        let mode = std::fs::metadata(dir.path().join(KEY_FILE))
            .expect("stat")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let b = SigningKey::load_or_create(dir.path()).expect("load");
        assert_eq!(a.kid, b.kid);
        let jwks = serde_json::to_value(b.jwks()).expect("json");
        let key = &jwks["keys"][0];
        assert_eq!(key["kty"], "RSA");
        assert_eq!(key["alg"], "RS256");
        assert_eq!(key["use"], "sig");
        assert_eq!(key["kid"], a.kid.as_str());
        assert!(key.get("d").is_none(), "no private member in the JWKS");
    }

    #[test]
    fn a_damaged_key_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(KEY_FILE), "not a key").expect("write");
        let err = SigningKey::load_or_create(dir.path())
            .err()
            .expect("refused")
            .to_string();
        assert!(err.contains(KEY_FILE), "{err}");
    }
}
