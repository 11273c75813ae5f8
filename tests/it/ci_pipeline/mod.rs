//! `assets/ci/pipeline.sh`, the seed's release pipeline, run end to end with the built console
//! against one local AgentCore holding dev, staging and prod (two regions, two accounts):
//! deploy dev, smoke, promote to staging, smoke, promote to prod with a rollout, tag. And the
//! workflow that calls it runs the same stages in the same order.

mod workflow;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::cli::BIN;
use crate::support::emulator::{Local, start};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/ci/pipeline.sh");
const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample-mcp-server");
const RUNTIME: &str = "weather";

/// A passing smoke file for the sample server.
const SMOKE: &str = r#"[health]
max_latency_ms = 10000

[[check]]
name = "echo answers"
tool = "echo"
arguments = { text = "hello pipeline" }
text_contains = "hello pipeline"
"#;

/// A release repository: the server's code with its smoke file, a git repository to tag, an
/// environments file with three environments on one local AgentCore, and a short plan.
struct Release {
    dir: tempfile::TempDir,
    local: Local,
}

impl Release {
    async fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let local = start(&dir.path().join("local")).await;
        let root = dir.path().join("repo");
        let server = root.join("server");
        std::fs::create_dir_all(&server).expect("server dir");
        std::fs::copy(Path::new(SAMPLE).join("main.py"), server.join("main.py")).expect("copy");
        std::fs::write(server.join("smoke.toml"), SMOKE).expect("smoke");
        // dev and staging in two regions of one account, prod in another account (protected
        // by its name); the console's state (audit) under the repository's parent.
        std::fs::write(
            root.join("environments.toml"),
            format!(
                "[environments.dev]\nendpoint_url = \"{0}\"\nregion = \"us-west-2\"\n\
                 [environments.staging]\nendpoint_url = \"{0}\"\nregion = \"us-east-1\"\n\
                 [environments.prod]\nendpoint_url = \"{0}\"\nregion = \"us-east-1\"\n\
                 account_id = \"111122223333\"\n",
                local.url
            ),
        )
        .expect("environments");
        // Prod's rollout: the seed's shape, with seconds-long bakes and no gates (no traffic).
        std::fs::write(
            root.join("plan.toml"),
            "[[step]]\nweight = 10\nbake = \"1s\"\n[[step]]\nweight = 50\nbake = \"1s\"\n",
        )
        .expect("plan");
        for args in [
            &["init", "-q", "-b", "main"][..],
            &["add", "."],
            &[
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.com",
                "commit",
                "-qm",
                "server",
            ],
        ] {
            git(&root, args);
        }
        Release { dir, local }
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    /// Run the pipeline's stages; (exit code, stderr).
    async fn pipeline(&self, stages: &[&str]) -> (i32, String) {
        let root = self.root();
        let mut cmd = Command::new("bash");
        cmd.arg(SCRIPT)
            .args(stages)
            .current_dir(&root)
            .env("CONSOLE", BIN)
            .env("RUNTIME", RUNTIME)
            .env("SERVER_DIR", root.join("server"))
            .env("ROLLOUT_PLAN", root.join("plan.toml"))
            .env("REPORTS_DIR", root.join("reports"))
            .env("AGENTCORE_CONSOLE_CONFIG", root.join("environments.toml"))
            .env("AGENTCORE_CONSOLE_STATE_DIR", self.dir.path().join("state"))
            .env("GIT_AUTHOR_NAME", "ci")
            .env("GIT_AUTHOR_EMAIL", "ci@example.com")
            .env("GIT_COMMITTER_NAME", "ci")
            .env("GIT_COMMITTER_EMAIL", "ci@example.com");
        let out = tokio::task::spawn_blocking(move || cmd.output().expect("bash"))
            .await
            .expect("join");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// The console with `--output json` on this release's environments.
    async fn console(&self, args: &[&str]) -> Value {
        let mut cmd = Command::new(BIN);
        cmd.arg("--output")
            .arg("json")
            .args(args)
            .env(
                "AGENTCORE_CONSOLE_CONFIG",
                self.root().join("environments.toml"),
            )
            .env("AGENTCORE_CONSOLE_STATE_DIR", self.dir.path().join("state"));
        let out = tokio::task::spawn_blocking(move || cmd.output().expect("run"))
            .await
            .expect("join");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("json")
    }

    fn report(&self, name: &str) -> Value {
        let path = self.root().join("reports").join(format!("{name}.json"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        // A result followed by a stream (promote --rollout) is its first line.
        serde_json::from_str(&text)
            .or_else(|_| serde_json::from_str(text.lines().next().unwrap_or_default()))
            .unwrap_or_else(|e| panic!("{path:?}: {e}: {text}"))
    }

    fn tags(&self) -> String {
        git(&self.root(), &["tag", "-n1"])
    }
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The version the runtime's stable endpoint (`live`) serves in `env`, from `runtimes`.
async fn live_version(r: &Release, env: &str) -> Option<String> {
    let rows = r.console(&["--env", env, "runtimes"]).await;
    let row = rows.as_array()?.iter().find(|row| row["name"] == RUNTIME)?;
    row["endpoints"].as_array()?.iter().find_map(|e| {
        (e["name"] == "live").then(|| e["liveVersion"].as_str().map(str::to_string))?
    })
}

#[tokio::test]
async fn dev_to_staging_to_prod_runs_the_same_bytes_and_tags_each_release() {
    let r = Release::new().await;
    // The first release: nothing is live in prod yet, so its endpoint moves directly.
    let (code, err) = r.pipeline(&["all"]).await;
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("first release"), "{err}");
    let first = r.report("promote-prod");
    assert_eq!(first["rollout"], Value::Null, "{first}");
    assert_eq!(first["endpoint"]["endpoint"], "live", "{first}");
    let first_sha = same_bytes_everywhere(&r);

    // The next release: new code, and prod takes it through the rollout.
    let main = r.root().join("server/main.py");
    let code_now = std::fs::read_to_string(&main).expect("main.py");
    std::fs::write(&main, format!("{code_now}\n# release 2\n")).expect("edit");
    git(&r.root(), &["commit", "-qam", "release 2"]);
    let (code, err) = r.pipeline(&["all"]).await;
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("first release"), "{err}");
    let second = r.report("promote-prod");
    assert!(
        second["rollout"]
            .as_str()
            .is_some_and(|p| p.ends_with("plan.toml") || p == "plan"),
        "{second}"
    );
    let stream =
        std::fs::read_to_string(r.root().join("reports/promote-prod.json")).expect("stream");
    let summary: Value =
        serde_json::from_str(stream.lines().last().expect("a summary")).expect("json");
    assert_eq!(summary["event"], "summary", "{stream}");
    assert_eq!(summary["exitCode"], 0, "{stream}");
    let second_sha = same_bytes_everywhere(&r);
    assert_ne!(first_sha, second_sha, "new code, new bytes");

    // Prod's live endpoint serves the promoted version, which says where it came from.
    let prod_version = second["to"]["version"]
        .as_str()
        .expect("version")
        .to_string();
    assert_eq!(
        live_version(&r, "prod").await.as_deref(),
        Some(prod_version.as_str())
    );
    let show = r
        .console(&["--env", "prod", "runtime", "show", RUNTIME])
        .await;
    let text = show.to_string();
    assert!(
        text.contains(&second_sha),
        "prod's version records the SHA-256: {show}"
    );
    assert!(text.contains("staging"), "and its source: {show}");

    // Each release is tagged with what prod runs.
    let tags = r.tags();
    let first_version = first["to"]["version"].as_str().expect("version");
    for (version, sha) in [
        (first_version, &first_sha),
        (prod_version.as_str(), &second_sha),
    ] {
        assert!(
            tags.contains(&format!("release/{RUNTIME}-v{version} ")) && tags.contains(sha.as_str()),
            "{tags}"
        );
    }
    r.local.stop().await;
}

/// One artifact, three environments: what dev built is what staging and prod run, by SHA-256,
/// and both smoke stages passed with their JUnit reports. The hash.
fn same_bytes_everywhere(r: &Release) -> String {
    let staging = r.report("promote-staging");
    let prod = r.report("promote-prod");
    let sha = staging["from"]["sha256"]
        .as_str()
        .expect("sha256")
        .to_string();
    assert_eq!(sha.len(), 64, "{staging}");
    assert_eq!(staging["to"]["sha256"], sha.as_str());
    assert_eq!(prod["from"]["sha256"], sha.as_str());
    assert_eq!(prod["to"]["sha256"], sha.as_str());
    assert_eq!(staging["from"]["env"], "dev");
    assert_eq!(prod["from"]["env"], "staging");
    assert_eq!(prod["from"]["version"], staging["to"]["version"]);
    for env in ["dev", "staging"] {
        let smoke = r.report(&format!("smoke-{env}"));
        assert_eq!(smoke["failed"], 0, "{smoke}");
        assert!(smoke["passed"].as_u64() >= Some(1), "{smoke}");
        let junit = std::fs::read_to_string(r.root().join(format!("reports/smoke-{env}.xml")))
            .expect("junit");
        assert!(junit.contains("echo answers"), "{junit}");
        assert!(!junit.contains("<failure"), "{junit}");
    }
    sha
}

#[tokio::test]
async fn a_failing_smoke_in_staging_stops_the_pipeline_before_prod() {
    let r = Release::new().await;
    // Staging's own configuration makes every tool fail (a promotion keeps the target's
    // variables): the bytes are the same, the smoke checks there are not.
    let staging_broken = [
        "--env",
        "staging",
        "deploy",
        RUNTIME,
        "--from-dir",
        SAMPLE,
        "--env-var",
        "MCP_TOOL_ERROR_RATE=1",
        "--no-smoke",
        "--endpoint",
        "live",
        "--yes",
    ];
    r.console(&staging_broken).await;
    let staging_live = live_version(&r, "staging").await;
    assert!(staging_live.is_some());

    let (code, err) = r.pipeline(&["all"]).await;
    assert_eq!(code, 5, "smoke checks failed: {err}");
    assert!(err.contains("promote-staging failed (exit 5)"), "{err}");
    // Dev went through; staging's live endpoint did not move; prod was never touched.
    assert_eq!(r.report("smoke-dev")["failed"], 0);
    assert_eq!(live_version(&r, "staging").await, staging_live);
    let prod = r.console(&["--env", "prod", "runtimes"]).await;
    assert!(!prod.to_string().contains(RUNTIME), "{prod}");
    assert!(!r.root().join("reports/promote-prod.json").exists());
    assert_eq!(r.tags(), "");
    r.local.stop().await;
}
