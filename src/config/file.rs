//! Parse and validate the TOML text. Walks the spanned document by hand so every error can
//! point at the exact line and key.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::error::Located;
use crate::domain::Environment;

const ENV_KEYS: &[&str] = &[
    "region",
    "profile",
    "endpoint_url",
    "read_only",
    "gateway",
    "account_id",
    "artifact_bucket",
    "role_arn",
    "stable_endpoint",
    "canary_endpoint",
    "alarms",
    "plans",
    "runtime",
    "token_command",
];

type Entry<'a, 'i> = (
    &'a Spanned<std::borrow::Cow<'i, str>>,
    &'a Spanned<DeValue<'i>>,
);

/// Parse the environments file's text into validated environments, in file order.
pub(crate) fn parse(text: &str) -> Result<Vec<Environment>, Located> {
    let doc = DeTable::parse(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let mut message = first_line(e.message());
        // toml says "duplicate key" without naming it: name it, as every other error does.
        if let Some(key) = e.span().and_then(|s| text.get(s)).map(str::trim)
            && message.starts_with("duplicate key")
            && !key.is_empty()
        {
            message = format!("duplicate key `{key}`");
        }
        Located::at(text, offset, None, message)
    })?;
    let err = |span: Range<usize>, key: &str, msg: String| {
        Located::at(text, span.start, Some(key.to_string()), msg)
    };
    let mut environments = Vec::new();
    for (key, value) in in_file_order(doc.get_ref()) {
        if key.get_ref() != "environments" {
            return Err(err(
                key.span(),
                key.get_ref(),
                "unknown top-level key (expected `environments`)".into(),
            ));
        }
        let Some(envs) = value.get_ref().as_table() else {
            return Err(err(value.span(), "environments", must_be("a table", value)));
        };
        for (name, body) in in_file_order(envs) {
            let path = format!("environments.{}", name.get_ref());
            validate_name(name.get_ref()).map_err(|m| err(name.span(), &path, m))?;
            let Some(table) = body.get_ref().as_table() else {
                return Err(err(body.span(), &path, must_be("a table", body)));
            };
            environments.push(environment(text, name.get_ref(), &path, table)?);
        }
    }
    if environments.is_empty() {
        return Err(Located::at(
            text,
            0,
            Some("environments".into()),
            "the file defines no environments (add an [environments.NAME] table)".into(),
        ));
    }
    Ok(environments)
}

fn environment(
    text: &str,
    name: &str,
    path: &str,
    table: &DeTable<'_>,
) -> Result<Environment, Located> {
    let mut env = Environment {
        name: name.to_string(),
        region: None,
        profile: None,
        endpoint_url: None,
        read_only: Environment::default_read_only(name),
        ..Environment::default()
    };
    // Where the last of stable_endpoint / canary_endpoint was set, to point at if they clash.
    let mut endpoint_key: Option<(usize, String)> = None;
    for (key, value) in in_file_order(table) {
        let k = key.get_ref().as_ref();
        let full = format!("{path}.{k}");
        let fail = |m: String| Located::at(text, value.span().start, Some(full.clone()), m);
        if !ENV_KEYS.contains(&k) {
            return Err(Located::at(
                text,
                key.span().start,
                Some(full.clone()),
                format!("unknown key (expected one of: {})", ENV_KEYS.join(", ")),
            ));
        }
        if k == "alarms" {
            let Some(sub) = value.get_ref().as_table() else {
                return Err(fail(must_be("a table", value)));
            };
            env.alarms = super::alarms::template(text, path, sub)?;
            continue;
        }
        if k == "plans" {
            let Some(sub) = value.get_ref().as_table() else {
                return Err(fail(must_be("a table", value)));
            };
            env.plans = plans(text, &full, sub)?;
            continue;
        }
        if k == "runtime" {
            let Some(sub) = value.get_ref().as_table() else {
                return Err(fail(must_be("a table", value)));
            };
            env.posture = super::posture::posture(text, path, sub)?;
            continue;
        }
        if k == "read_only" {
            env.read_only = value
                .get_ref()
                .as_bool()
                .ok_or_else(|| fail(must_be("true or false", value)))?;
            continue;
        }
        let s = value
            .get_ref()
            .as_str()
            .ok_or_else(|| fail(must_be("a string", value)))?
            .to_string();
        if s.trim().is_empty() {
            return Err(fail("must not be empty".into()));
        }
        match k {
            "region" => {
                valid_region(&s).map_err(fail)?;
                env.region = Some(s);
            }
            "profile" => env.profile = Some(s),
            "endpoint_url" => {
                valid_url(&s).map_err(fail)?;
                env.endpoint_url = Some(s.trim_end_matches('/').to_string());
            }
            "gateway" => env.gateway = Some(s),
            "token_command" => {
                // One command line: a line break would make `sh -c` run several commands.
                if s.contains(['\n', '\r']) {
                    return Err(fail(
                        "must be one line (a command run with `sh -c` whose stdout is the token)"
                            .into(),
                    ));
                }
                env.token_command = Some(s);
            }
            "artifact_bucket" => env.artifact_bucket = Some(s),
            "role_arn" => {
                if !(s.starts_with("arn:") && s.contains(":role/")) {
                    return Err(fail(format!("`{s}` is not an IAM role ARN")));
                }
                env.role_arn = Some(s);
            }
            "stable_endpoint" | "canary_endpoint" => {
                let ok = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                    && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !ok {
                    return Err(fail(format!(
                        "`{s}` is not an endpoint name ([a-zA-Z][a-zA-Z0-9_]*)"
                    )));
                }
                if k == "stable_endpoint" {
                    env.stable_endpoint = Some(s);
                } else {
                    env.canary_endpoint = Some(s);
                }
                endpoint_key = Some((value.span().start, full.clone()));
            }
            "account_id" => {
                if s.len() != 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(fail(format!("`{s}` is not a 12-digit AWS account id")));
                }
                env.account_id = Some(s);
            }
            _ => {}
        }
    }
    // One endpoint on both sides would send a "10%" canary all the traffic.
    if let Some((offset, key)) = endpoint_key
        && env.stable_endpoint() == env.canary_endpoint()
    {
        return Err(Located::at(
            text,
            offset,
            Some(key),
            format!(
                "stable_endpoint and canary_endpoint are both `{}` (defaults: `live` and \
                 `canary`): a canary needs an endpoint of its own",
                env.stable_endpoint()
            ),
        ));
    }
    Ok(env)
}

/// `[environments.NAME.plans.PLAN]`: named rollout plans; a built-in's name is taken.
fn plans(
    text: &str,
    path: &str,
    table: &DeTable<'_>,
) -> Result<Vec<crate::domain::rollout::plan::Plan>, Located> {
    let mut out = Vec::new();
    for (name, body) in in_file_order(table) {
        let full = format!("{path}.{}", name.get_ref());
        let at = |m: String| Located::at(text, name.span().start, Some(full.clone()), m);
        if crate::domain::rollout::plan::BUILTINS.contains(&name.get_ref().as_ref()) {
            return Err(at(format!(
                "`{}` is a built-in plan; give yours another name",
                name.get_ref()
            )));
        }
        let Some(plan) = body.get_ref().as_table() else {
            return Err(Located::at(
                text,
                body.span().start,
                Some(full.clone()),
                must_be("a table", body),
            ));
        };
        out.push(super::plans::parse_plan_table(text, plan, &full)?);
    }
    Ok(out)
}

pub(super) fn in_file_order<'a, 'i>(table: &'a DeTable<'i>) -> Vec<Entry<'a, 'i>> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
}

pub(super) fn must_be(what: &str, value: &Spanned<DeValue<'_>>) -> String {
    format!("must be {what}, found {}", value.get_ref().type_str())
}

fn first_line(msg: &str) -> String {
    msg.lines()
        .next()
        .unwrap_or("invalid TOML")
        .trim()
        .to_string()
}

fn validate_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "environment name `{name}` must be 1-64 letters, digits, `-` or `_`"
        ))
    }
}

pub(super) fn valid_region(s: &str) -> Result<(), String> {
    // e.g. us-west-2, eu-central-1, us-gov-west-1, ap-southeast-4
    let parts: Vec<&str> = s.split('-').collect();
    let ok = parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if ok {
        Ok(())
    } else {
        Err(format!("`{s}` is not an AWS region (like `us-west-2`)"))
    }
}

fn valid_url(s: &str) -> Result<(), String> {
    let rest = s
        .strip_prefix("http://")
        .or_else(|| s.strip_prefix("https://"))
        .ok_or_else(|| format!("`{s}` must start with http:// or https://"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(format!("`{s}` has no host"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_err(text: &str) -> Located {
        parse(text).expect_err("should fail")
    }

    #[test]
    fn a_duplicate_environment_is_named() {
        let e = parse_err("[environments.e1]\nregion = \"a\"\n[environments.e1]\n");
        assert_eq!((e.line, e.message.as_str()), (3, "duplicate key `e1`"));
    }

    #[test]
    fn parses_the_example_file() {
        let text = include_str!("../../assets/environments.example.toml");
        let envs = parse(text).expect("example parses");
        let names: Vec<_> = envs.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["local", "dev", "staging", "prod"]);
        let prod = envs.iter().find(|e| e.name == "prod").expect("prod");
        assert!(prod.read_only, "prod defaults to read-only");
        assert!(envs[0].is_loopback());
    }

    #[test]
    fn read_only_defaults_by_name_and_can_be_overridden() {
        let envs = parse(
            "[environments.prod-eu]\nregion = \"eu-west-1\"\n[environments.production]\nread_only = false\n[environments.dev]\n",
        )
        .expect("parse");
        assert!(envs[0].read_only);
        assert!(!envs[1].read_only);
        assert!(!envs[2].read_only);
    }

    #[test]
    fn wrong_type_names_line_and_key() {
        let e = parse_err("[environments.dev]\nregion = \"us-west-2\"\nread_only = \"yes\"\n");
        assert_eq!(e.line, 3);
        assert_eq!(e.key.as_deref(), Some("environments.dev.read_only"));
        assert!(e.message.contains("true or false"), "{}", e.message);
    }

    #[test]
    fn unknown_key_is_a_typo_error() {
        let e = parse_err("[environments.dev]\n\nregoin = \"us-west-2\"\n");
        assert_eq!((e.line, e.column), (3, 1));
        assert_eq!(e.key.as_deref(), Some("environments.dev.regoin"));
        assert!(e.message.contains("region"));
    }

    #[test]
    fn malformed_toml_has_a_line() {
        let e = parse_err("[environments.dev]\nregion = \"us-west-2\n");
        assert_eq!(e.line, 2);
        assert!(e.key.is_none());
    }

    #[test]
    fn stable_and_canary_must_be_different_endpoints() {
        let e = parse_err(
            "[environments.dev]\nstable_endpoint = \"main\"\ncanary_endpoint = \"main\"\n",
        );
        assert_eq!(e.line, 3);
        assert_eq!(e.key.as_deref(), Some("environments.dev.canary_endpoint"));
        assert!(e.message.contains("both `main`"), "{}", e.message);
        // One key is enough when it names the other's default.
        let e =
            parse_err("[environments.dev]\nregion = \"us-west-2\"\nstable_endpoint = \"canary\"\n");
        assert_eq!(e.line, 3);
        assert_eq!(e.key.as_deref(), Some("environments.dev.stable_endpoint"));
        let e = parse_err("[environments.dev]\ncanary_endpoint = \"live\"\n");
        assert_eq!(e.key.as_deref(), Some("environments.dev.canary_endpoint"));
        assert!(
            parse("[environments.dev]\nstable_endpoint = \"canary\"\ncanary_endpoint = \"live\"\n")
                .is_ok(),
            "swapped is fine"
        );
    }

    #[test]
    fn named_plans_are_read_and_their_errors_located() {
        let ok = "[environments.prod]\n[environments.prod.plans.fast]\nstep = [{ weight = 20, bake = \"2m\" }, { weight = 60, bake = \"2m\" }]\n[environments.prod.plans.fast.gates]\nmax_error_rate = 2.0\n";
        let envs = parse(ok).expect("parses");
        let plans = &envs[0].plans;
        assert_eq!(plans.len(), 1);
        assert_eq!((plans[0].name.as_str(), plans[0].steps.len()), ("fast", 2));
        let e = parse_err(
            "[environments.prod]\n[environments.prod.plans.fast]\nstep = [{ weight = 20, bake = \"2m\" },\n  { weight = 10, bake = \"2m\" }]\n",
        );
        assert_eq!(e.line, 4, "{}", e.message);
        assert!(
            e.key
                .as_deref()
                .is_some_and(|k| k.starts_with("environments.prod.plans.fast.step")),
            "{:?}",
            e.key
        );
        let e =
            parse_err("[environments.prod.plans.seed]\nstep = [{ weight = 5, bake = \"1m\" }]\n");
        assert_eq!(e.key.as_deref(), Some("environments.prod.plans.seed"));
        assert!(e.message.contains("built-in"), "{}", e.message);
    }

    #[test]
    fn token_command_is_one_nonempty_string() {
        let envs = parse("[environments.prod]\ntoken_command = \"get-token --aud prod\"\n")
            .expect("parses");
        assert_eq!(
            envs[0].token_command.as_deref(),
            Some("get-token --aud prod")
        );
        for (bad, needle) in [
            ("token_command = 5", "must be a string"),
            ("token_command = \"  \"", "must not be empty"),
            ("token_command = \"a\\nb\"", "one line"),
        ] {
            let e = parse_err(&format!("[environments.prod]\n{bad}\n"));
            assert_eq!(e.line, 2, "{bad}");
            assert_eq!(e.key.as_deref(), Some("environments.prod.token_command"));
            assert!(e.message.contains(needle), "{bad}: {}", e.message);
        }
    }

    #[test]
    fn bad_values_are_rejected() {
        assert!(
            parse_err("[environments.a]\nregion = \"uswest2\"\n")
                .message
                .contains("region")
        );
        assert!(
            parse_err("[environments.a]\nendpoint_url = \"127.0.0.1:80\"\n")
                .message
                .contains("http://")
        );
        assert!(
            parse_err("[environments.a]\naccount_id = \"123\"\n")
                .message
                .contains("12-digit")
        );
        assert!(
            parse_err("[environments.\"a b\"]\n")
                .message
                .contains("environment name")
        );
        assert!(parse_err("").message.contains("no environments"));
        assert!(parse_err("[envs.dev]\n").message.contains("top-level"));
    }
}
