//! What to run for a version: its code unpacked from the local S3, or its container image.

use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

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

/// How many entries a code artifact may hold. AWS documents no count; this bounds the work
/// (and inodes) of unpacking far above a real project's vendored dependencies.
pub const MAX_ENTRIES: usize = 100_000;

/// What a code artifact may unpack to.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_unzipped: u64,
    pub max_entries: usize,
}

impl Limits {
    /// AWS's 750 MB unzipped, and [`MAX_ENTRIES`].
    pub const AWS: Self = Self {
        max_unzipped: MAX_UNZIPPED,
        max_entries: MAX_ENTRIES,
    };
}

/// Unpack a zip into `dest` (replacing what was there), within [`Limits::AWS`]. Entries are
/// streamed to disk, so memory stays flat whatever the archive holds; on failure nothing is
/// left behind.
pub fn extract(zip: impl Read + Seek, dest: &Path) -> Result<(), String> {
    extract_within(zip, dest, Limits::AWS)
}

pub fn extract_within(zip: impl Read + Seek, dest: &Path, limits: Limits) -> Result<(), String> {
    let tmp = dest.with_extension("partial");
    let _ = std::fs::remove_dir_all(&tmp);
    crate::private_fs::create_dir(&tmp)
        .map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
    let placed = unpack(zip, &tmp, limits).and_then(|()| {
        let _ = std::fs::remove_dir_all(dest);
        std::fs::rename(&tmp, dest)
            .map_err(|e| format!("cannot move the unpacked code into place: {e}"))
    });
    if placed.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    placed
}

fn unpack(zip: impl Read + Seek, root: &Path, limits: Limits) -> Result<(), String> {
    let too_big = || {
        format!(
            "the code artifact unzips to more than {} MB, AWS's limit for direct code deployment",
            limits.max_unzipped / (1024 * 1024)
        )
    };
    let mut archive = zip::ZipArchive::new(zip)
        .map_err(|e| format!("the code artifact is not a valid zip: {e}"))?;
    if archive.len() > limits.max_entries {
        return Err(format!(
            "the code artifact has {} entries, more than the {} the local AgentCore unpacks",
            archive.len(),
            limits.max_entries
        ));
    }
    // What the entries declare (unknown with data descriptors), before writing anything;
    // the copy below is capped as well, since an archive may declare less than it holds.
    if archive
        .decompressed_size()
        .is_some_and(|n| n > u128::from(limits.max_unzipped))
    {
        return Err(too_big());
    }
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| format!("corrupt zip entry {i}: {e}"))?;
        let rel = entry.enclosed_name().ok_or_else(|| {
            let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
            format!("zip entry `{name}` escapes the archive root")
        })?;
        let path = root.join(&rel);
        if entry.is_dir() {
            std::fs::create_dir_all(&path)
                .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        // A symlink entry becomes a file holding its target: nothing unpacked points outside.
        let mut out = std::fs::File::create(&path)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        let budget = limits.max_unzipped - total;
        total += std::io::copy(&mut (&mut entry).take(budget.saturating_add(1)), &mut out)
            .map_err(|e| format!("cannot unzip `{}`: {e}", rel.display()))?;
        if total > limits.max_unzipped {
            return Err(too_big());
        }
        #[cfg(unix)]
        if let Some(mode) = entry.unix_mode() {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode & 0o755));
        }
    }
    Ok(())
}

/// The program and arguments for a code artifact, run with the unpacked root as working dir.
/// Every path in the entry point must resolve inside the artifact: AWS runs the entry point
/// from the unpacked code, so an absolute path, a `..` or a symlink leading out of it would
/// run something that was never deployed.
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
    for script in entry_point.iter().filter(|a| is_script(a)) {
        confine(root, script)?;
    }
    if is_script(first) {
        return Ok((interpreter.to_string(), entry_point.to_vec()));
    }
    // A wrapper such as `opentelemetry-instrument main.py`: a program vendored in the zip
    // (`bin/NAME`), a path in it, or a bare name found on PATH.
    let bare = Path::new(first).components().count() == 1
        && !Path::new(first).is_absolute()
        && first != ".."
        && first != ".";
    let program = if !bare {
        confine(root, first)?
    } else if root.join("bin").join(first).symlink_metadata().is_ok() {
        confine(root, &format!("bin/{first}"))?
    } else {
        PathBuf::from(first)
    };
    Ok((program.display().to_string(), entry_point[1..].to_vec()))
}

/// `rel` as a file inside `root`, once `..` and symlinks are followed.
fn confine(root: &Path, rel: &str) -> Result<PathBuf, String> {
    if Path::new(rel).is_absolute() {
        return Err(format!(
            "the entry point `{rel}` is an absolute path: name a file in the code artifact, \
             relative to its root"
        ));
    }
    let missing = || format!("the entry point `{rel}` is not in the code artifact");
    let root = root.canonicalize().map_err(|_| missing())?;
    let full = root.join(rel).canonicalize().map_err(|_| missing())?;
    if !full.starts_with(&root) {
        return Err(format!(
            "the entry point `{rel}` leads outside the code artifact (through `..` or a \
             symlink): name a file inside it"
        ));
    }
    if !full.is_file() {
        return Err(missing());
    }
    Ok(full)
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
        assert!(
            !dir.path().join("v.partial").exists(),
            "nothing left behind"
        );
        let garbage = std::io::Cursor::new(b"not a zip".to_vec());
        assert!(extract(garbage, &dir.path().join("w")).is_err());
        assert!(!dir.path().join("w.partial").exists());
    }

    #[test]
    fn a_zip_bomb_is_refused_and_leaves_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let zeros = vec![0u8; 4 << 20];
        let bomb = zip_of(&[("main.py", b"x"), ("a.bin", &zeros), ("b.bin", &zeros)]);
        assert!(bomb.len() < 64 << 10, "{} bytes zipped", bomb.len());
        let limits = |max_unzipped| Limits {
            max_unzipped,
            max_entries: 10,
        };
        let dest = dir.path().join("v");
        for max in [6 << 20, 1 << 20] {
            let err = extract_within(std::io::Cursor::new(bomb.clone()), &dest, limits(max))
                .expect_err("too big");
            assert!(err.contains("unzips to more than"), "{err}");
            assert!(!dest.exists() && !dir.path().join("v.partial").exists());
        }
        // Written as a stream, its entries declare no sizes up front: the copy is what stops.
        let mut w = zip::ZipWriter::new_stream(Vec::new());
        for name in ["a.bin", "b.bin"] {
            w.start_file(name, zip::write::SimpleFileOptions::default())
                .expect("start");
            w.write_all(&zeros).expect("write");
        }
        let streamed = w.finish().expect("finish").into_inner();
        let err = extract_within(std::io::Cursor::new(streamed), &dest, limits(6 << 20))
            .expect_err("too big, found while copying");
        assert!(err.contains("unzips to more than 6 MB"), "{err}");
        assert!(!dest.exists() && !dir.path().join("v.partial").exists());
        extract_within(std::io::Cursor::new(bomb), &dest, limits(8 << 20 | 1)).expect("fits");
        assert_eq!(
            std::fs::metadata(dest.join("b.bin")).expect("b").len(),
            4 << 20
        );
    }

    #[test]
    fn too_many_entries_are_refused_before_writing_any() {
        let dir = tempfile::tempdir().expect("tempdir");
        let names: Vec<String> = (0..=100).map(|i| format!("f/{i}")).collect();
        let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
        let limits = Limits {
            max_entries: 100,
            ..Limits::AWS
        };
        let err = extract_within(
            std::io::Cursor::new(zip_of(&files)),
            &dir.path().join("v"),
            limits,
        )
        .expect_err("too many");
        assert!(err.contains("101 entries, more than the 100"), "{err}");
        assert!(!dir.path().join("v").exists() && !dir.path().join("v.partial").exists());
    }

    #[test]
    fn entry_points_stay_inside_the_artifact() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("v1");
        std::fs::create_dir_all(root.join("lib")).expect("mkdir");
        std::fs::create_dir_all(root.join("bin")).expect("mkdir");
        std::fs::write(root.join("main.py"), "").expect("write");
        let outside = dir.path().join("outside.py");
        std::fs::write(&outside, "").expect("write");
        let py = |ep: &[&str]| {
            let ep: Vec<String> = ep.iter().map(|s| (*s).to_string()).collect();
            command("PYTHON_3_12", &ep, &root)
        };
        assert!(py(&["lib/../main.py"]).is_ok(), "a `..` that stays inside");
        let abs = outside.display().to_string();
        let err = py(&[&abs]).expect_err("absolute");
        assert!(err.contains("absolute path"), "{err}");
        let err = py(&["../outside.py"]).expect_err("dot-dot");
        assert!(err.contains("leads outside"), "{err}");
        let err = py(&["opentelemetry-instrument", "../outside.py"]).expect_err("wrapped");
        assert!(err.contains("leads outside"), "{err}");
        let err = py(&["../../bin/sh"]).expect_err("a program outside");
        assert!(
            err.contains("leads outside") || err.contains("not in"),
            "{err}"
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&outside, root.join("link.py")).expect("symlink");
            let err = py(&["link.py"]).expect_err("symlink out");
            assert!(err.contains("leads outside"), "{err}");
            std::os::unix::fs::symlink(&outside, root.join("bin/tool")).expect("symlink");
            let err = py(&["tool", "main.py"]).expect_err("vendored symlink out");
            assert!(err.contains("leads outside"), "{err}");
        }
        let (prog, args) = py(&["opentelemetry-instrument", "main.py"]).expect("on PATH");
        assert_eq!(
            (prog.as_str(), args),
            ("opentelemetry-instrument", vec!["main.py".into()])
        );
    }
}
