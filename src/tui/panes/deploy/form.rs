//! The deploy form: where the code comes from (a directory with its entry point and language
//! runtime, a container image, or a zip in S3), the runtime's name and its environment
//! variables. Everything that can be checked without I/O is checked here, before anything is
//! asked of anyone; whether a directory holds the entry point is the io worker's to check.

use std::path::PathBuf;

use super::posture_form::{PField, PostureForm};
use crate::backend::deploy::Source;
use crate::config::smoke;
use crate::domain::Environment;
use crate::domain::secret::Secret;
use crate::tui::action::Action;
use crate::tui::widgets::text_input::TextInput;
use crate::tui::write::DeployOp;

/// The language runtimes AgentCore runs code on (as the CLI's `--code-runtime`).
pub const CODE_RUNTIMES: &[&str] = &[
    "PYTHON_3_10",
    "PYTHON_3_11",
    "PYTHON_3_12",
    "PYTHON_3_13",
    "PYTHON_3_14",
    "NODE_22",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Dir,
    Image,
    S3,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Dir => "directory",
            Kind::Image => "container image",
            Kind::S3 => "zip in S3",
        }
    }

    fn next(self) -> Self {
        match self {
            Kind::Dir => Kind::Image,
            Kind::Image => Kind::S3,
            Kind::S3 => Kind::Dir,
        }
    }

    fn prev(self) -> Self {
        self.next().next()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Kind,
    Location,
    EntryPoint,
    CodeRuntime,
    Runtime,
    EnvVars,
    /// The endpoint to offer moving once the deploy validated (optional).
    Endpoint,
    /// The posture section's header: ←/→ opens or closes it.
    Posture,
    P(PField),
    /// ←/→ toggles `allow posture change`.
    AllowChange,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeployForm {
    pub kind: Kind,
    /// The directory, the image URI or the `s3://bucket/key`.
    pub location: TextInput,
    pub entry_point: TextInput,
    pub code_runtime: TextInput,
    pub runtime: TextInput,
    /// `KEY=VALUE` pairs separated by spaces.
    pub env_vars: TextInput,
    /// The named endpoint the result offers to move (created if absent); empty for none.
    pub endpoint: TextInput,
    /// The runtime settings sent, prefilled from the environment's.
    pub posture: PostureForm,
    pub focus: Field,
    /// Why the last enter was refused (or what the directory check said).
    pub error: Option<String>,
}

/// What an action did to the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Editing,
    Cancelled,
    /// Checked as far as the form can: this deploy.
    Ready(Box<DeployOp>),
}

impl DeployForm {
    pub fn new(runtime: &str, env: &Environment) -> Self {
        Self {
            posture: PostureForm::new(env),
            kind: Kind::Dir,
            location: TextInput::default(),
            entry_point: TextInput::with("main.py"),
            code_runtime: TextInput::with("PYTHON_3_12"),
            runtime: TextInput::with(runtime),
            env_vars: TextInput::default(),
            endpoint: TextInput::default(),
            focus: Field::Location,
            error: None,
        }
    }

    /// The fields shown for the kind of source, in order.
    pub fn fields(&self) -> Vec<Field> {
        let mut f = vec![Field::Kind, Field::Location];
        if self.kind != Kind::Image {
            f.extend([Field::EntryPoint, Field::CodeRuntime]);
        }
        f.extend([
            Field::Runtime,
            Field::EnvVars,
            Field::Endpoint,
            Field::Posture,
        ]);
        if self.posture.open {
            f.extend(PField::ALL.map(Field::P));
            f.push(Field::AllowChange);
        }
        f
    }

    pub fn input(&self, field: Field) -> Option<&TextInput> {
        Some(match field {
            Field::Kind | Field::Posture | Field::AllowChange => return None,
            Field::P(p) => self.posture.input(p),
            Field::Location => &self.location,
            Field::EntryPoint => &self.entry_point,
            Field::CodeRuntime => &self.code_runtime,
            Field::Runtime => &self.runtime,
            Field::EnvVars => &self.env_vars,
            Field::Endpoint => &self.endpoint,
        })
    }

    fn input_mut(&mut self, field: Field) -> Option<&mut TextInput> {
        Some(match field {
            Field::Kind | Field::Posture | Field::AllowChange => return None,
            Field::P(p) => self.posture.input_mut(p),
            Field::Location => &mut self.location,
            Field::EntryPoint => &mut self.entry_point,
            Field::CodeRuntime => &mut self.code_runtime,
            Field::Runtime => &mut self.runtime,
            Field::EnvVars => &mut self.env_vars,
            Field::Endpoint => &mut self.endpoint,
        })
    }

    fn move_focus(&mut self, by: isize) {
        let fields = self.fields();
        let at = fields.iter().position(|f| *f == self.focus).unwrap_or(0) as isize;
        let n = fields.len() as isize;
        self.focus = fields[((at + by).rem_euclid(n)) as usize];
    }

    /// Take an action for a deploy to `env`.
    pub fn handle(&mut self, action: &Action, env: &str) -> Outcome {
        match action {
            Action::Back => return Outcome::Cancelled,
            Action::Complete | Action::Down => self.move_focus(1),
            Action::Up => self.move_focus(-1),
            Action::Left | Action::Right if self.focus == Field::Kind => {
                self.kind = if *action == Action::Right {
                    self.kind.next()
                } else {
                    self.kind.prev()
                };
                self.error = None;
            }
            Action::Left | Action::Right if self.focus == Field::Posture => {
                self.posture.open = !self.posture.open;
            }
            Action::Left | Action::Right if self.focus == Field::AllowChange => {
                self.posture.allow_change = !self.posture.allow_change;
                self.error = self.posture.check().err();
            }
            Action::Submit => match self.check(env) {
                Ok(op) => return Outcome::Ready(Box::new(op)),
                Err(e) => self.error = Some(e),
            },
            other => {
                if let Some(input) = self.input_mut(self.focus)
                    && input.edit(other)
                {
                    // Posture fields are checked as typed; the others on enter.
                    self.error = match self.focus {
                        Field::P(_) => self.posture.check().err(),
                        _ => None,
                    };
                }
            }
        }
        Outcome::Editing
    }

    /// The deploy the form describes, or why there is none.
    pub fn check(&self, env: &str) -> Result<DeployOp, String> {
        let one = crate::domain::sanitize::one_line;
        let runtime = self.runtime.text.trim();
        if runtime.is_empty() {
            return Err("name the runtime (it is created if it does not exist)".into());
        }
        self.endpoint()?;
        let location = self.location.text.trim();
        let code = || {
            let entry = self.entry_point.text.trim();
            if entry.is_empty() {
                return Err("name the entry point (e.g. main.py)".to_string());
            }
            let lang = self.code_runtime.text.trim().to_uppercase();
            if !CODE_RUNTIMES.contains(&lang.as_str()) {
                return Err(format!(
                    "code runtime `{}` is not one of {}",
                    one(&lang),
                    CODE_RUNTIMES.join(", ")
                ));
            }
            Ok((entry.to_string(), lang))
        };
        let source = match self.kind {
            Kind::Image if location.is_empty() => {
                return Err("give the image URI (e.g. 123456789012.dkr.ecr…/server:1)".into());
            }
            Kind::Image => Source::Image(location.to_string()),
            Kind::Dir if location.is_empty() => {
                return Err("give the directory to package".into());
            }
            Kind::Dir => {
                let (entry_point, language) = code()?;
                Source::Dir {
                    dir: PathBuf::from(location),
                    entry_point,
                    language,
                }
            }
            Kind::S3 => {
                let (bucket, key) = parse_s3(location)?;
                let (entry_point, language) = code()?;
                Source::S3 {
                    bucket,
                    key,
                    entry_point,
                    language,
                }
            }
        };
        let (env_vars, unset_env) = parse_env_vars(&self.env_vars.text)?;
        let posture = self.posture.check()?;
        // DIR/smoke.toml runs after tools/list, as `deploy --from-dir DIR` runs it.
        let smoke = match &source {
            Source::Dir { dir, .. } => smoke::beside(dir)
                .map(|p| smoke::load(&p))
                .transpose()
                .map_err(|e| crate::domain::sanitize::one_line(&e.to_string()))?,
            _ => None,
        };
        Ok(DeployOp {
            env: env.to_string(),
            runtime: runtime.to_string(),
            source,
            env_vars,
            unset_env,
            posture,
            allow_posture_change: self.posture.allow_change,
            env_posture: self.posture.env_posture.clone(),
            smoke,
        })
    }
}

impl DeployForm {
    /// The named endpoint to offer moving afterwards, checked as AgentCore names endpoints.
    pub fn endpoint(&self) -> Result<Option<String>, String> {
        let name = self.endpoint.text.trim();
        if name.is_empty() {
            return Ok(None);
        }
        if name == "DEFAULT" {
            return Err(
                "DEFAULT follows the latest version by itself; name another endpoint".into(),
            );
        }
        let mut chars = name.chars();
        let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
            && name.len() <= 48;
        if !valid {
            return Err(format!(
                "endpoint `{}` is not a valid name (a letter, then letters, digits or _; 48 at most)",
                crate::domain::sanitize::one_line(name)
            ));
        }
        Ok(Some(name.to_string()))
    }
}

/// `s3://bucket/key` (as the CLI's `--s3`).
pub fn parse_s3(uri: &str) -> Result<(String, String), String> {
    uri.strip_prefix("s3://")
        .and_then(|r| r.split_once('/'))
        .filter(|(b, k)| !b.is_empty() && !k.is_empty())
        .map(|(b, k)| (b.to_string(), k.to_string()))
        .ok_or_else(|| {
            format!(
                "`{}` is not s3://bucket/key",
                crate::domain::sanitize::one_line(uri)
            )
        })
}

/// Variables set and dropped.
type EnvChanges = (Vec<(String, Secret)>, Vec<String>);

/// `A=1 B=two -C` → the pairs to set and the names to drop; every word is KEY=VALUE or -KEY
/// with a non-empty key, each key once.
pub fn parse_env_vars(text: &str) -> Result<EnvChanges, String> {
    let mut out: Vec<(String, Secret)> = vec![];
    let mut unset: Vec<String> = vec![];
    for word in text.split_whitespace() {
        if let Some(k) = word
            .strip_prefix('-')
            .filter(|k| !k.is_empty() && !k.contains('='))
        {
            if unset.iter().any(|seen| seen == k) || out.iter().any(|(seen, _)| seen == k) {
                return Err(format!("{k} is given twice"));
            }
            unset.push(k.to_string());
            continue;
        }
        let (k, v) = word
            .split_once('=')
            .filter(|(k, _)| !k.is_empty())
            .ok_or_else(|| {
                format!(
                    "`{}` is not KEY=VALUE",
                    crate::domain::sanitize::one_line(word)
                )
            })?;
        if out.iter().any(|(seen, _)| seen == k) || unset.iter().any(|seen| seen == k) {
            return Err(format!("{k} is given twice"));
        }
        out.push((k.to_string(), Secret::new(v)));
    }
    Ok((out, unset))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(form: &mut DeployForm, text: &str) {
        form.handle(&Action::ClearInput, "dev");
        for c in text.chars() {
            form.handle(&Action::Char(c), "dev");
        }
    }

    #[test]
    fn sources_are_checked_before_anything_is_sent() {
        let mut f = DeployForm::new("weather_mcp", &Environment::default());
        assert_eq!(f.handle(&Action::Submit, "dev"), Outcome::Editing);
        assert!(f.error.as_deref().is_some_and(|e| e.contains("directory")));
        typed(&mut f, "./server");
        let Outcome::Ready(op) = f.handle(&Action::Submit, "dev") else {
            panic!("{:?}", f.error)
        };
        assert_eq!(
            op.source,
            Source::Dir {
                dir: "./server".into(),
                entry_point: "main.py".into(),
                language: "PYTHON_3_12".into()
            }
        );
        // To S3: the shape is checked.
        f.focus = Field::Kind;
        f.handle(&Action::Right, "dev");
        f.handle(&Action::Right, "dev");
        assert_eq!(f.kind, Kind::S3);
        f.handle(&Action::Down, "dev");
        for bad in ["s3://bucket", "s3:///key", "bucket/key", ""] {
            typed(&mut f, bad);
            assert_eq!(f.handle(&Action::Submit, "dev"), Outcome::Editing, "{bad}");
            assert!(
                f.error
                    .as_deref()
                    .is_some_and(|e| e.contains("s3://bucket/key"))
            );
        }
        typed(&mut f, "s3://b/k/server.zip");
        assert!(matches!(
            f.handle(&Action::Submit, "dev"),
            Outcome::Ready(_)
        ));
        // An image needs a URI, and no entry point.
        f.focus = Field::Kind;
        f.handle(&Action::Left, "dev");
        assert_eq!(f.kind, Kind::Image);
        assert!(!f.fields().contains(&Field::EntryPoint));
        f.location.text.clear();
        assert!(f.check("dev").is_err_and(|e| e.contains("image URI")));
        f.location.text = "123.dkr.ecr/x:1".into();
        assert_eq!(
            f.check("dev").map(|o| o.source),
            Ok(Source::Image("123.dkr.ecr/x:1".into()))
        );
        assert_eq!(f.handle(&Action::Back, "dev"), Outcome::Cancelled);
    }

    #[test]
    fn a_directory_with_smoke_toml_runs_it_and_its_preview_says_so() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut f = DeployForm::new("weather_mcp", &Environment::default());
        f.location.text = dir.path().display().to_string();
        let op = f.check("dev").expect("no smoke file");
        assert_eq!(op.smoke, None);
        let file = dir.path().join("smoke.toml");
        std::fs::write(&file, "[[check]]\ntool = \"echo\"\n").expect("write");
        let op = f.check("dev").expect("a smoke file");
        assert_eq!(op.smoke.as_ref().map(|s| s.checks.len()), Some(1));
        let w = crate::tui::write::WriteOp::Deploy(Box::new(op));
        assert!(
            w.calls()
                .iter()
                .any(|c| c.text.contains("smoke checks (1 check)") && !c.write),
            "{:?}",
            w.calls()
        );
        std::fs::write(&file, "[[check]]\ntool = \"echo\"\nwhat = 1\n").expect("write");
        let e = f.check("dev").expect_err("a bad smoke file");
        assert!(
            e.contains(&format!("{}:3:1: key `check[1].what`", file.display())),
            "{e}"
        );
    }

    #[test]
    fn env_vars_runtimes_and_names_are_checked() {
        assert_eq!(
            parse_env_vars(" A=1  B=x=y C= -D"),
            Ok((
                vec![
                    ("A".into(), "1".into()),
                    ("B".into(), "x=y".into()),
                    ("C".into(), Secret::default())
                ],
                vec!["D".to_string()]
            ))
        );
        assert!(parse_env_vars("A=1 -A").is_err_and(|e| e.contains("twice")));
        assert!(parse_env_vars("-").is_err());
        assert!(parse_env_vars("A=1 oops").is_err_and(|e| e.contains("`oops`")));
        assert!(parse_env_vars("=1").is_err());
        assert!(parse_env_vars("A=1 A=2").is_err_and(|e| e.contains("twice")));
        let mut f = DeployForm::new("", &Environment::default());
        f.location.text = "./server".into();
        assert!(
            f.check("dev")
                .is_err_and(|e| e.contains("name the runtime"))
        );
        f.runtime.text = "rt".into();
        f.code_runtime.text = "python_3_12".into();
        assert!(f.check("dev").is_ok(), "case does not matter");
        f.code_runtime.text = "RUBY".into();
        assert!(f.check("dev").is_err_and(|e| e.contains("NODE_22")));
        f.code_runtime.text = "NODE_22".into();
        for (name, ok) in [
            ("", true),
            ("canary_2", true),
            ("DEFAULT", false),
            ("2nd", false),
            ("a-b", false),
        ] {
            f.endpoint.text = name.into();
            assert_eq!(f.check("dev").is_ok(), ok, "endpoint `{name}`");
        }
        f.endpoint.text = "x".repeat(49);
        assert!(f.check("dev").is_err(), "49 characters");
    }
}
