//! Package a directory into a deterministic zip for direct code deployment: sorted entries,
//! fixed timestamps and modes, no VCS directories or caches.

use std::io::{Cursor, ErrorKind, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::super::BackendError;

/// AWS limits for direct code deployment.
pub const MAX_ZIPPED: u64 = 250 * 1024 * 1024;
pub const MAX_UNZIPPED: u64 = 750 * 1024 * 1024;

const SKIP_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".tox",
    ".idea",
    ".vscode",
];
const SKIP_FILES: &[&str] = &[".DS_Store", "Thumbs.db"];
const SKIP_SUFFIXES: &[&str] = &[".pyc", ".pyo"];

/// The zip, and what went into it.
pub struct Package {
    pub bytes: Vec<u8>,
    pub files: usize,
    pub unzipped: u64,
}

/// Zip `dir`, which must contain `entry_point`, within AWS's size limits.
pub fn package_dir(dir: &Path, entry_point: &str) -> Result<Package, BackendError> {
    package_within(dir, entry_point, MAX_ZIPPED, MAX_UNZIPPED)
}

fn package_within(
    dir: &Path,
    entry_point: &str,
    max_zipped: u64,
    max_unzipped: u64,
) -> Result<Package, BackendError> {
    let fail = |m: String| BackendError::Other(m);
    if !dir.is_dir() {
        return Err(fail(format!("{} is not a directory", dir.display())));
    }
    if !dir.join(entry_point).is_file() {
        return Err(fail(format!(
            "{}: the entry point `{entry_point}` is not in the directory",
            dir.display()
        )));
    }
    let mut files = vec![];
    walk(dir, dir, &mut files).map_err(|e| fail(format!("{}: {e}", dir.display())))?;
    files.sort();
    // What the files say they hold, before reading any of them: a directory far over the
    // limit is refused at once, without reading gigabytes into memory.
    let listed: u64 = files
        .iter()
        .filter_map(|rel| std::fs::metadata(dir.join(rel)).ok())
        .map(|m| m.len())
        .sum();
    if listed > max_unzipped {
        return Err(too_big(dir, max_unzipped));
    }
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let zip_too_big = || {
        fail(format!(
            "the zip is over AWS's limit of {max_zipped} bytes for code deployments"
        ))
    };
    // Past the limit a write fails at once, rather than the whole zip being built first.
    let io_err = |e: std::io::Error, what: &Path| {
        if e.kind() == ErrorKind::FileTooLarge {
            zip_too_big()
        } else {
            fail(format!("{}: {e}", what.display()))
        }
    };
    let zip_err = |e: zip::result::ZipError| match e {
        zip::result::ZipError::Io(e) => io_err(e, dir),
        e => fail(e.to_string()),
    };
    let mut w = zip::ZipWriter::new(Capped {
        out: Cursor::new(Vec::new()),
        max: max_zipped,
    });
    let mut unzipped = 0u64;
    for rel in &files {
        let path = dir.join(rel);
        let name = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        w.start_file(
            name,
            opts.unix_permissions(if executable(&path) { 0o755 } else { 0o644 }),
        )
        .map_err(zip_err)?;
        // Streamed: a file is never held whole (a 300 MB file peaked at 330 MB).
        let file = std::fs::File::open(&path).map_err(|e| io_err(e, &path))?;
        unzipped += std::io::copy(
            &mut file.take((max_unzipped - unzipped).saturating_add(1)),
            &mut w,
        )
        .map_err(|e| io_err(e, &path))?;
        if unzipped > max_unzipped {
            return Err(too_big(dir, max_unzipped));
        }
    }
    let bytes = w.finish().map_err(zip_err)?.out.into_inner();
    Ok(Package {
        bytes,
        files: files.len(),
        unzipped,
    })
}

/// The zip being written, which refuses to grow past `max` bytes.
struct Capped {
    out: Cursor<Vec<u8>>,
    max: u64,
}

impl Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.out.position().saturating_add(buf.len() as u64) > self.max {
            return Err(ErrorKind::FileTooLarge.into());
        }
        self.out.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Seek for Capped {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.out.seek(pos)
    }
}

fn too_big(dir: &Path, max_unzipped: u64) -> BackendError {
    BackendError::Other(format!(
        "{} holds more than {} MB, AWS's limit for code deployments",
        dir.display(),
        max_unzipped / (1024 * 1024)
    ))
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = entry.file_type()?;
        // Symlinks are skipped: they could point outside the directory.
        if kind.is_symlink() {
            continue;
        }
        if kind.is_dir() {
            if !SKIP_DIRS.contains(&name.as_str()) {
                walk(root, &entry.path(), out)?;
            }
        } else if kind.is_file()
            && !SKIP_FILES.contains(&name.as_str())
            && !SKIP_SUFFIXES.iter().any(|s| name.ends_with(s))
        {
            out.push(
                entry
                    .path()
                    .strip_prefix(root)
                    .map(Path::to_path_buf)
                    .unwrap_or_default(),
            );
        }
    }
    Ok(())
}

#[cfg(unix)]
fn executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn executable(_: &Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_without_caches() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        std::fs::write(d.join("main.py"), "print('hi')").expect("write");
        std::fs::create_dir_all(d.join("lib/__pycache__")).expect("mkdir");
        std::fs::create_dir_all(d.join(".git")).expect("mkdir");
        std::fs::write(d.join("lib/util.py"), "x = 1").expect("write");
        std::fs::write(d.join("lib/__pycache__/util.cpython-311.pyc"), "junk").expect("write");
        std::fs::write(d.join(".git/HEAD"), "ref").expect("write");
        let a = package_dir(d, "main.py").expect("package");
        std::thread::sleep(std::time::Duration::from_millis(1100));
        std::fs::write(d.join("main.py"), "print('hi')").expect("touch");
        let b = package_dir(d, "main.py").expect("package again");
        assert_eq!(a.bytes, b.bytes, "same tree, same bytes");
        assert_eq!(a.files, 2);
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(a.bytes)).expect("zip");
        let names: Vec<String> = (0..z.len())
            .map(|i| {
                z.by_index(i)
                    .expect("entry")
                    .name()
                    .expect("name")
                    .into_owned()
            })
            .collect();
        assert_eq!(names, ["lib/util.py", "main.py"]);
    }

    #[test]
    fn size_limits_are_enforced() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("main.py"), "x".repeat(4096)).expect("write");
        let noise: Vec<u8> = (0..8192u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        std::fs::write(dir.path().join("blob.bin"), noise).expect("write");
        let zipped = package_within(dir.path(), "main.py", 1024, u64::MAX)
            .err()
            .expect("zip too big");
        assert!(zipped.to_string().contains("over AWS's limit"), "{zipped}");
        let unzipped = package_within(dir.path(), "main.py", u64::MAX, 1024 * 1024 / 512)
            .err()
            .expect("too big");
        assert!(
            unzipped.to_string().contains("holds more than"),
            "{unzipped}"
        );
        assert!(package_within(dir.path(), "main.py", u64::MAX, u64::MAX).is_ok());
    }

    #[test]
    fn the_entry_point_must_exist() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = package_dir(dir.path(), "main.py")
            .err()
            .expect("missing entry point");
        assert!(err.to_string().contains("entry point `main.py`"), "{err}");
        assert!(package_dir(&dir.path().join("nope"), "main.py").is_err());
    }
}
