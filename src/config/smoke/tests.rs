use serde_json::json;

use super::*;

const GOOD: &str = r#"
[health]
max_latency_ms = 1000

[[check]]
name = "echo says hi"
tool = "echo"
arguments = { text = "hi" }
text_contains = "hi"
is_error = false
max_latency_ms = 2000

[[check]]
tool = "add"
arguments = { a = 1, b = 2 }
[check.json]
"/sum" = 3
"" = { sum = 3 }
"#;

/// The refusal's line and key, and that its message holds `says`.
fn refused(text: &str, line: usize, key: &str, says: &str) {
    let e = parse(text).expect_err("refused");
    assert_eq!(
        (e.line, e.key.as_deref()),
        (line, Some(key)),
        "{}",
        e.message
    );
    assert!(e.message.contains(says), "{}", e.message);
}

#[test]
fn a_full_file_parses_with_defaults_filled_in() {
    let spec = parse(GOOD).expect("valid");
    assert_eq!(
        spec.health,
        Some(Health {
            max_latency_ms: Some(1000)
        })
    );
    assert_eq!(spec.checks.len(), 2);
    let echo = &spec.checks[0];
    assert_eq!(echo.name, "echo says hi");
    assert_eq!(Value::Object(echo.arguments.clone()), json!({"text": "hi"}));
    assert_eq!(echo.text_contains.as_deref(), Some("hi"));
    assert_eq!(echo.max_latency_ms, Some(2000));
    let add = &spec.checks[1];
    assert_eq!(add.name, "add #2", "the tool name and its place");
    assert!(!add.is_error);
    assert_eq!(add.json.get("/sum"), Some(&json!(3)));
    assert_eq!(add.json.get(""), Some(&json!({"sum": 3})));
}

#[test]
fn health_alone_or_checks_alone_are_enough() {
    let h = parse("[health]\n").expect("health only");
    assert!(h.health.is_some() && h.checks.is_empty());
    let c = parse("[[check]]\ntool = \"echo\"\narguments = { text = \"x\" }\n").expect("check");
    assert!(c.health.is_none() && c.checks.len() == 1);
}

#[test]
fn an_unknown_key_names_its_line_and_path() {
    refused(
        "[[check]]\ntool = \"echo\"\n\n[[check]]\ntool = \"add\"\ntxt_contains = \"3\"\n",
        6,
        "check[2].txt_contains",
        "unknown field `txt_contains`",
    );
    refused(
        "[health]\nmax_latency = 5\n",
        2,
        "health.max_latency",
        "unknown field",
    );
    refused(
        "[checks]\ntool = \"x\"\n",
        1,
        "checks",
        "unknown field `checks`",
    );
}

#[test]
fn a_bad_json_pointer_names_the_pointer() {
    refused(
        "[[check]]\ntool = \"add\"\n[check.json]\n\"/sum\" = 3\n\"sum\" = 3\n",
        5,
        "check[1].json.\"sum\"",
        "not a JSON pointer",
    );
    refused(
        "[[check]]\ntool = \"add\"\njson = { \"/a~2\" = 1 }\n",
        3,
        "check[1].json.\"/a~2\"",
        "not a JSON pointer",
    );
}

#[test]
fn a_wrong_type_names_the_key() {
    refused(
        "[[check]]\ntool = \"echo\"\nis_error = \"no\"\n",
        3,
        "check[1].is_error",
        "invalid type",
    );
    refused(
        "[[check]]\ntool = \"echo\"\n\n[[check]]\ntool = \"echo\"\narguments = \"text=hi\"\n",
        6,
        "check[2].arguments",
        "invalid type",
    );
    refused(
        "[health]\nmax_latency_ms = -5\n",
        2,
        "health.max_latency_ms",
        "invalid value",
    );
    refused(
        "[[check]]\ntool = \"echo\"\nmax_latency_ms = 0\n",
        3,
        "check[1].max_latency_ms",
        "at least 1",
    );
}

#[test]
fn missing_tool_empty_names_and_duplicates_are_refused() {
    refused(
        "[[check]]\nname = \"x\"\n",
        1,
        "check[1].tool",
        "missing field `tool`",
    );
    refused(
        "[[check]]\ntool = \" \"\n",
        2,
        "check[1].tool",
        "must name a tool",
    );
    refused(
        "[[check]]\ntool = \"echo\"\nname = \"\"\n",
        3,
        "check[1].name",
        "must not be empty",
    );
    refused(
        "[[check]]\ntool = \"echo\"\nname = \"same\"\n[[check]]\ntool = \"add\"\nname = \"same\"\n",
        6,
        "check[2].name",
        "already the name of check[1]",
    );
}

#[test]
fn nothing_to_run_and_bad_toml_are_refused() {
    refused("# empty\n", 1, "check", "nothing to run");
    let e = parse("[[check]\ntool = 1\n").expect_err("syntax");
    assert_eq!(e.line, 1, "{}", e.message);
}

#[test]
fn load_names_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(FILE_NAME);
    std::fs::write(&path, "[[check]]\ntool = \"echo\"\nbogus = 1\n").expect("write");
    let e = load(&path).expect_err("refused").to_string();
    let want = format!(
        "{}:3:1: key `check[1].bogus`: unknown field `bogus`",
        path.display()
    );
    assert!(e.starts_with(&want), "{e}");
    assert_eq!(beside(dir.path()), Some(path.clone()));
    assert_eq!(beside(&dir.path().join("nowhere")), None);
    let missing = load(&dir.path().join("none.toml"))
        .expect_err("missing")
        .to_string();
    assert!(missing.contains("none.toml: cannot read"), "{missing}");
}
