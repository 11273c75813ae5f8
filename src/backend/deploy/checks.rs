//! Checks of a write's input that need no AWS call, run before the first one so that bad input
//! changes nothing (no bucket, no upload, no version). One function per command:
//! [`deploy_request`], [`endpoint_move`]; traffic's is `traffic::check`. Limits are AgentCore's
//! (botocore's `bedrock-agentcore-control` model), so AWS would refuse the same input later.

use std::path::{Component, Path};
use std::time::Duration;

use super::{DeployRequest, Source};
use crate::backend::BackendError;

/// The longest a deploy may wait for its version: beyond it a typo, not a plan.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 3600);
/// AgentCore's limits on a runtime's configuration.
const MAX_ENTRY_POINT: usize = 128;
const MAX_DESCRIPTION: usize = 4096;
const MAX_ENV_VARS: usize = 50;
const MAX_IMAGE_URI: usize = 1024;

fn refuse(msg: String) -> BackendError {
    BackendError::Other(msg)
}

/// `[a-zA-Z][a-zA-Z0-9_]{0,47}`: runtime and endpoint names (no hyphens).
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && s.len() <= 48
}

/// A runtime id, `[a-zA-Z][a-zA-Z0-9_]{0,99}-[a-zA-Z0-9]{10}`: a name, `-`, 10 characters.
fn is_runtime_id(s: &str) -> bool {
    s.rsplit_once('-').is_some_and(|(name, suffix)| {
        let mut chars = name.chars();
        name.len() <= 100
            && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
            && suffix.len() == 10
            && suffix.chars().all(|c| c.is_ascii_alphanumeric())
    })
}

/// A runtime named by name or id.
pub fn runtime(s: &str) -> Result<(), BackendError> {
    if is_name(s) || is_runtime_id(s) {
        return Ok(());
    }
    Err(refuse(format!(
        "`{s}` is not a runtime name ([a-zA-Z][a-zA-Z0-9_]{{0,47}}: letters, digits and `_`, \
         no `-`) nor a runtime id"
    )))
}

/// A runtime name a deploy may create.
pub fn new_runtime_name(s: &str) -> Result<(), BackendError> {
    if is_name(s) {
        return Ok(());
    }
    Err(refuse(format!(
        "no runtime `{s}`, and `{s}` cannot name a new one: a runtime name is 1-48 letters, \
         digits and `_`, starting with a letter (no `-`)"
    )))
}

/// A named endpoint an operation moves: a valid name, and not DEFAULT.
pub fn endpoint(s: &str) -> Result<(), BackendError> {
    if s == "DEFAULT" {
        return Err(refuse(
            "DEFAULT follows the latest version and is not moved; name an endpoint".into(),
        ));
    }
    if is_name(s) {
        return Ok(());
    }
    Err(refuse(format!(
        "`{s}` is not an endpoint name: 1-48 letters, digits and `_`, starting with a letter \
         (no `-`)"
    )))
}

/// `[1-9][0-9]{0,4}`: a runtime version number.
pub fn version(what: &str, v: &str) -> Result<(), BackendError> {
    let ok =
        (1..=5).contains(&v.len()) && !v.starts_with('0') && v.bytes().all(|b| b.is_ascii_digit());
    if ok {
        return Ok(());
    }
    Err(refuse(format!(
        "{what} `{v}` is not a version number (1 to 99999)"
    )))
}

/// Everything a deploy can check before its first call.
pub fn deploy_request(req: &DeployRequest) -> Result<(), BackendError> {
    runtime(&req.runtime)?;
    if let Some(ep) = &req.endpoint {
        endpoint(ep)?;
    }
    if req.timeout.is_zero() || req.timeout > MAX_TIMEOUT {
        return Err(refuse(format!(
            "a timeout of {}s (--timeout) is not usable: give 1 to {} seconds to wait for the new version",
            req.timeout.as_secs(),
            MAX_TIMEOUT.as_secs()
        )));
    }
    if let Some(d) = &req.description
        && !(1..=MAX_DESCRIPTION).contains(&d.chars().count())
    {
        return Err(refuse(format!(
            "the description must be 1 to {MAX_DESCRIPTION} characters"
        )));
    }
    if let Some(role) = &req.role_arn
        && !(role.starts_with("arn:") && role.contains(":role/"))
    {
        return Err(refuse(format!("`{role}` is not an IAM role ARN")));
    }
    if req.env_vars.len() > MAX_ENV_VARS {
        return Err(refuse(format!(
            "{} environment variables given; a runtime has at most {MAX_ENV_VARS}",
            req.env_vars.len()
        )));
    }
    if let Some((k, _)) = req.env_vars.iter().find(|(k, _)| req.unset_env.contains(k)) {
        return Err(refuse(format!(
            "`{k}` is both set and unset: keep one of --env-var {k}=… and --unset-env-var {k}"
        )));
    }
    match &req.source {
        Source::Image(uri) => {
            if uri.is_empty() || uri.len() > MAX_IMAGE_URI {
                return Err(refuse(format!(
                    "the image URI must be 1 to {MAX_IMAGE_URI} characters"
                )));
            }
            Ok(())
        }
        Source::S3 { entry_point, .. } => entry_point_path(entry_point),
        Source::Dir {
            dir, entry_point, ..
        } => source_dir(dir, entry_point),
    }
}

/// An entry point names a file inside the code: relative, staying inside, not too long.
pub fn entry_point_path(entry: &str) -> Result<(), BackendError> {
    if entry.is_empty() || entry.chars().count() > MAX_ENTRY_POINT {
        return Err(refuse(format!(
            "the entry point must be 1 to {MAX_ENTRY_POINT} characters"
        )));
    }
    let path = Path::new(entry);
    if path.has_root() || entry.starts_with('\\') {
        return Err(refuse(format!(
            "the entry point `{entry}` is an absolute path: give it relative to the code's \
             directory (e.g. `main.py`)"
        )));
    }
    if path.components().any(|c| c == Component::ParentDir) {
        return Err(refuse(format!(
            "the entry point `{entry}` leaves the code's directory (`..`): give a file inside it"
        )));
    }
    Ok(())
}

/// The directory exists and holds the entry point as a regular file, reached through no
/// symbolic link (packaging leaves links out: they could point outside the directory).
pub fn source_dir(dir: &Path, entry: &str) -> Result<(), BackendError> {
    entry_point_path(entry)?;
    match std::fs::metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(refuse(format!(
                "{}: no such directory (check --from-dir)",
                dir.display()
            )));
        }
        Err(e) => return Err(refuse(format!("{}: cannot read: {e}", dir.display()))),
        Ok(m) if !m.is_dir() => {
            return Err(refuse(format!(
                "{}: not a directory (--from-dir takes the directory that holds the code)",
                dir.display()
            )));
        }
        Ok(_) => {}
    }
    let mut at = dir.to_path_buf();
    for part in Path::new(entry).components() {
        let Component::Normal(name) = part else {
            continue;
        };
        at.push(name);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(refuse(format!(
                    "{}: the entry point `{entry}` goes through the symbolic link `{}`, which \
                     packaging leaves out (links could point outside the directory): copy the \
                     file in instead",
                    dir.display(),
                    at.strip_prefix(dir).unwrap_or(&at).display()
                )));
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    if !at.is_file() {
        return Err(refuse(format!(
            "{}: the entry point `{entry}` is not in the directory",
            dir.display()
        )));
    }
    Ok(())
}

/// Everything a move of an endpoint (rollback, point) can check before its first call.
pub fn endpoint_move(
    runtime_name: &str,
    endpoint_name: &str,
    to_version: Option<&str>,
) -> Result<(), BackendError> {
    runtime(runtime_name)?;
    endpoint(endpoint_name)?;
    to_version.map_or(Ok(()), |v| version("version", v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(source: Source) -> DeployRequest {
        DeployRequest {
            runtime: "weather".into(),
            source,
            endpoint: Some("live".into()),
            role_arn: None,
            env_vars: vec![],
            unset_env: vec![],
            description: None,
            timeout: Duration::from_secs(300),
            armed: false,
            posture: Default::default(),
            allow_posture_change: false,
            smoke: None,
        }
    }

    fn image() -> DeployRequest {
        request(Source::Image("repo/img:1".into()))
    }

    fn refused(req: &DeployRequest) -> String {
        deploy_request(req).expect_err("refused").to_string()
    }

    #[test]
    fn names_and_versions_follow_agentcore() {
        assert!(is_name("live") && is_name("canary_2") && is_name(&"a".repeat(48)));
        for bad in ["", "2live", "my-live", "a b", &"a".repeat(49)] {
            assert!(!is_name(bad), "{bad}");
        }
        assert!(runtime("weather-DUQgnrHqCl").is_ok());
        assert!(runtime("weather-short").is_err());
        for ok in ["1", "99999"] {
            assert!(version("v", ok).is_ok(), "{ok}");
        }
        for bad in ["0", "01", "100000", "v2", "", "-1"] {
            assert!(version("v", bad).is_err(), "{bad}");
        }
        assert!(endpoint("DEFAULT").is_err());
    }

    #[test]
    fn a_deploy_request_is_refused_on_bad_flags() {
        assert!(deploy_request(&image()).is_ok());
        let cases: Vec<(DeployRequest, &str)> = vec![
            (
                DeployRequest {
                    endpoint: Some("my-live".into()),
                    ..image()
                },
                "not an endpoint name",
            ),
            (
                DeployRequest {
                    endpoint: Some("DEFAULT".into()),
                    ..image()
                },
                "DEFAULT follows the latest",
            ),
            (
                DeployRequest {
                    timeout: Duration::ZERO,
                    ..image()
                },
                "timeout of 0s",
            ),
            (
                DeployRequest {
                    timeout: Duration::from_secs(u64::MAX),
                    ..image()
                },
                "not usable",
            ),
            (
                DeployRequest {
                    description: Some(String::new()),
                    ..image()
                },
                "description",
            ),
            (
                DeployRequest {
                    role_arn: Some("admin".into()),
                    ..image()
                },
                "not an IAM role ARN",
            ),
            (
                DeployRequest {
                    env_vars: vec![("K".into(), "v".into())],
                    unset_env: vec!["K".into()],
                    ..image()
                },
                "both set and unset",
            ),
            (
                DeployRequest {
                    runtime: "my weather".into(),
                    ..image()
                },
                "not a runtime name",
            ),
        ];
        for (req, said) in cases {
            let msg = refused(&req);
            assert!(msg.contains(said), "`{said}` missing from: {msg}");
        }
    }

    #[test]
    fn entry_points_stay_inside_the_directory() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        std::fs::write(d.join("main.py"), "").expect("write");
        std::fs::create_dir(d.join("src")).expect("mkdir");
        std::fs::write(d.join("src/app.py"), "").expect("write");
        let outside = tempfile::tempdir().expect("tempdir");
        std::fs::write(outside.path().join("evil.py"), "").expect("write");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(outside.path().join("evil.py"), d.join("link.py"))
                .expect("symlink");
            std::os::unix::fs::symlink(outside.path(), d.join("lib")).expect("symlink");
        }
        let dir_req = |entry: &str| {
            request(Source::Dir {
                dir: d.to_path_buf(),
                entry_point: entry.into(),
                language: "PYTHON_3_12".into(),
            })
        };
        assert!(deploy_request(&dir_req("main.py")).is_ok());
        assert!(deploy_request(&dir_req("src/app.py")).is_ok());
        assert!(deploy_request(&dir_req("./main.py")).is_ok());
        let abs = d.join("main.py").display().to_string();
        let mut cases = vec![
            (abs.as_str(), "absolute path"),
            ("../main.py", "leaves the code's directory"),
            ("src/../../x.py", "leaves the code's directory"),
            ("absent.py", "is not in the directory"),
            ("src", "is not in the directory"),
        ];
        if cfg!(unix) {
            cases.extend([
                ("link.py", "symbolic link `link.py`"),
                ("lib/evil.py", "symbolic link `lib`"),
            ]);
        }
        for (entry, said) in cases {
            let msg = refused(&dir_req(entry));
            assert!(msg.contains(said), "{entry}: `{said}` missing from: {msg}");
        }
        let s3 = request(Source::S3 {
            bucket: "b".into(),
            key: "k.zip".into(),
            entry_point: "/abs/main.py".into(),
            language: "PYTHON_3_12".into(),
        });
        assert!(refused(&s3).contains("absolute path"));
    }

    #[test]
    fn a_missing_directory_is_named_as_such() {
        let dir = tempfile::tempdir().expect("tempdir");
        let gone = dir.path().join("nope");
        let msg = source_dir(&gone, "main.py")
            .expect_err("missing")
            .to_string();
        assert!(msg.contains("no such directory"), "{msg}");
        let file = dir.path().join("file");
        std::fs::write(&file, "").expect("write");
        let msg = source_dir(&file, "main.py")
            .expect_err("a file")
            .to_string();
        assert!(msg.contains("not a directory"), "{msg}");
    }

    #[test]
    fn the_plan_lists_the_smoke_step_after_tools_list() {
        let plain = crate::backend::deploy::plan(&image(), &Default::default());
        assert!(!plain.iter().any(|l| l.contains("smoke")), "{plain:?}");
        let spec =
            crate::config::smoke::parse("[health]\n[[check]]\ntool = \"echo\"\n").expect("spec");
        let req = DeployRequest {
            smoke: Some(spec),
            ..image()
        };
        let plan = crate::backend::deploy::plan(&req, &Default::default());
        let at = |needle: &str| plan.iter().position(|l| l.contains(needle));
        assert_eq!(
            plan[at("smoke").expect("a smoke step")],
            "InvokeAgentRuntime (smoke checks (1 check, health probe)) on the new version; any \
             failure fails validation"
        );
        assert!(at("tools/list") < at("smoke") && at("smoke") < at("UpdateAgentRuntimeEndpoint"));
    }
}
