//! What to run for a version: its code unpacked from the local S3, or its container image.

use std::io::{Read, Seek};
use std::path::{Component, Path, PathBuf};

/// AWS limits for direct code deployment: 250 MB zipped, 750 MB unzipped.
pub const MAX_UNZIPPED: u64 = 750 * 1024 * 1024;

/// How one version is launched, read from its configuration.
#[derive(Debug, Clone)]
pub enum Artifact {
    Code {
        bucket: String,
        key: String,
        /// `PYTHON_3_12`, `NODE_22`, …
        language: String,
        entry_point: Vec<String>,
    },
    Container {
        uri: String,
    },
}

impl Artifact {
    pub fn from_config(config: &serde_json::Map<String, serde_json::Value>) -> Option<Self> {
        let a = config.get("agentRuntimeArtifact")?;
        if let Some(uri) = a
            .pointer("/containerConfiguration/containerUri")
            .and_then(|v| v.as_str())
        {
            return Some(Self::Container {
                uri: uri.to_string(),
            });
        }
        let c = a.get("codeConfiguration")?;
        Some(Self::Code {
            bucket: c.pointer("/code/s3/bucket")?.as_str()?.to_string(),
            key: c.pointer("/code/s3/prefix")?.as_str()?.to_string(),
            language: c.get("runtime")?.as_str()?.to_string(),
            entry_point: c
                .get("entryPoint")?
                .as_array()?
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
        })
    }
}

/// Unpack a zip into `dest` (replacing what was there). Refuses entries that would escape
/// `dest` and archives that unpack to more than AWS allows.
pub fn extract(zip: impl Read + Seek, dest: &Path) -> Result<(), String> {
    let tmp = dest.with_extension("partial");
    let _ = std::fs::remove_dir_all(&tmp);
    crate::emulator::store::create_private_dir(&tmp)
        .map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
    let mut archive = zip::ZipArchive::new(zip)
        .map_err(|e| format!("the code artifact is not a valid zip: {e}"))?;
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| format!("corrupt zip entry {i}: {e}"))?;
        let name = entry
            .name()
            .map_err(|e| format!("zip entry {i} has a bad name: {e}"))?
            .into_owned();
        let rel = safe_path(&name)
            .ok_or_else(|| format!("zip entry `{name}` escapes the archive root"))?;
        let path = tmp.join(rel);
        if entry.is_dir() {
            std::fs::create_dir_all(&path).map_err(|e| e.to_string())?;
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        let mut buf = Vec::new();
        let limit = MAX_UNZIPPED.saturating_sub(total) + 1;
        (&mut entry)
            .take(limit)
            .read_to_end(&mut buf)
            .map_err(|e| format!("cannot unzip `{name}`: {e}"))?;
        total += buf.len() as u64;
        if total > MAX_UNZIPPED {
            return Err("the code artifact unzips to more than 750 MB".into());
        }
        std::fs::write(&path, &buf).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        #[cfg(unix)]
        if let Some(mode) = entry.unix_mode() {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode & 0o755));
        }
    }
    let _ = std::fs::remove_dir_all(dest);
    std::fs::rename(&tmp, dest)
        .map_err(|e| format!("cannot move the unpacked code into place: {e}"))
}

fn safe_path(name: &str) -> Option<PathBuf> {
    let p = Path::new(name);
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::Normal(s) => out.push(s),
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!out.as_os_str().is_empty()).then_some(out)
}

/// The program and arguments for a code artifact, run with the unpacked root as working dir.
pub fn command(
    language: &str,
    entry_point: &[String],
    root: &Path,
) -> Result<(String, Vec<String>), String> {
    let first = entry_point.first().ok_or("the entry point is empty")?;
    let interpreter = if language.starts_with("PYTHON_") {
        "python3"
    } else if language.starts_with("NODE_") {
        "node"
    } else {
        return Err(format!("unsupported code runtime {language}"));
    };
    let is_script = |s: &str| {
        [".py", ".js", ".mjs", ".cjs"]
            .iter()
            .any(|x| s.ends_with(x))
    };
    if is_script(first) {
        if !root.join(first).is_file() {
            return Err(format!(
                "the entry point `{first}` is not in the code artifact"
            ));
        }
        return Ok((interpreter.to_string(), entry_point.to_vec()));
    }
    // A wrapper such as `opentelemetry-instrument main.py`: a program vendored in the zip or on PATH.
    let vendored = root.join("bin").join(first);
    let program = if vendored.is_file() {
        vendored.display().to_string()
    } else {
        first.clone()
    };
    Ok((program, entry_point[1..].to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, data) in files {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .expect("start");
            w.write_all(data).expect("write");
        }
        w.finish().expect("finish").into_inner()
    }

    #[test]
    fn extracts_and_finds_the_entry_point() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dest = dir.path().join("v1");
        extract(
            std::io::Cursor::new(zip_of(&[("main.py", b"print(1)"), ("lib/x.py", b"")])),
            &dest,
        )
        .expect("extract");
        assert!(dest.join("lib/x.py").is_file());
        let (prog, args) = command("PYTHON_3_12", &["main.py".into()], &dest).expect("cmd");
        assert_eq!(
            (prog.as_str(), args),
            ("python3", vec!["main.py".to_string()])
        );
        assert!(command("PYTHON_3_12", &["other.py".into()], &dest).is_err());
        assert_eq!(
            command("NODE_22", &["main.py".into()], &dest)
                .map(|c| c.0)
                .ok()
                .as_deref(),
            Some("node")
        );
    }

    #[test]
    fn refuses_escaping_entries_and_garbage() {
        let dir = tempfile::tempdir().expect("tempdir");
        let evil = std::io::Cursor::new(zip_of(&[("../evil.py", b"x")]));
        let err = extract(evil, &dir.path().join("v")).expect_err("zip slip");
        assert!(err.contains("escapes"), "{err}");
        assert!(!dir.path().join("evil.py").exists());
        let garbage = std::io::Cursor::new(b"not a zip".to_vec());
        assert!(extract(garbage, &dir.path().join("w")).is_err());
    }
}
