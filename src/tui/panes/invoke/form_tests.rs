//! The form model against real schemas: the sample server's tools, `$ref`/`$defs` (with a
//! recursive one), `allOf`, `oneOf`, nullable, and the round trip form → JSON → form.

use serde_json::{Value, json};

use super::form::{Form, Kind};

fn obj(props: Value, required: &[&str]) -> Value {
    json!({"type": "object", "properties": props, "required": required, "additionalProperties": false})
}

/// The sample server's `create_ticket` (assets/sample-mcp-server/main.py).
fn create_ticket() -> Value {
    obj(
        json!({
            "title": {"type": "string", "minLength": 1, "maxLength": 120},
            "priority": {"type": "string", "enum": ["low", "normal", "high"]},
            "customer": obj(json!({
                "name": {"type": "string", "minLength": 1},
                "email": {"type": "string", "format": "email", "pattern": "^[^@\\s]+@[^@\\s]+$"}
            }), &["name", "email"]),
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 5},
        }),
        &["title", "customer"],
    )
}

fn refs() -> Value {
    json!({
        "type": "object",
        "$defs": {
            "Address": {"type": "object", "properties": {"city": {"type": "string"}, "zip": {"type": ["string", "null"]}}, "required": ["city"]},
            "Tree": {"type": "object", "properties": {"label": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#/$defs/Tree"}}, "next": {"$ref": "#/$defs/Tree"}}},
        },
        "properties": {
            "home": {"$ref": "#/$defs/Address"},
            "work": {"allOf": [{"$ref": "#/$defs/Address"}, {"properties": {"floor": {"type": "integer"}}, "required": ["floor"]}]},
            "tree": {"$ref": "#/$defs/Tree"},
            "legacy": {"$ref": "#/definitions/Old"}
        },
        "definitions": {"Old": {"type": "boolean"}},
        "required": ["home"]
    })
}

fn one_of() -> Value {
    json!({"type": "object", "properties": {
        "target": {"oneOf": [
            {"title": "by id", "type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"], "additionalProperties": false},
            {"title": "by name", "type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"], "additionalProperties": false}
        ]},
        "limit": {"type": ["integer", "string"]}
    }, "required": ["target"]})
}

fn nullable() -> Value {
    json!({"type": "object", "properties": {
        "a": {"type": ["string", "null"]},
        "b": {"type": "integer", "nullable": true},
        "c": {"anyOf": [{"type": "number"}, {"type": "null"}], "default": null},
        "d": {"type": "string", "enum": ["x", "y", null]}
    }, "required": ["a", "b", "c", "d"]})
}

fn labels(f: &Form) -> Vec<String> {
    f.rows()
        .iter()
        .map(|r| {
            format!(
                "{}{}{}",
                "  ".repeat(r.depth),
                r.label,
                if r.required { "*" } else { "" }
            )
        })
        .collect()
}

fn focus(f: &mut Form, label: &str) {
    f.focus = f.rows().iter().position(|r| r.label == label).expect(label);
}

fn type_in(f: &mut Form, label: &str, text: &str) {
    focus(f, label);
    for c in text.chars() {
        assert!(f.type_char(c), "{label} takes {c}");
    }
}

#[test]
fn create_ticket_nests_objects_and_sends_arrays_as_arrays() {
    let mut f = Form::new(&create_ticket());
    assert_eq!(
        labels(&f),
        [
            "customer*",
            "  email*",
            "  name*",
            "priority",
            "tags",
            "title*"
        ]
    );
    assert_eq!(f.rows()[1].hint, "email");
    assert_eq!(f.rows()[5].hint, "1-120 chars");
    type_in(&mut f, "title", "Printer on fire");
    type_in(&mut f, "name", "Ada");
    type_in(&mut f, "email", "ada@example.com");
    assert_eq!(
        f.arguments(),
        Ok(
            json!({"title": "Printer on fire", "customer": {"name": "Ada", "email": "ada@example.com"}})
        ),
        "optional fields stay out until edited"
    );
    focus(&mut f, "tags");
    f.add_item().expect("add");
    assert_eq!(f.rows()[f.focus].label, "[0]", "the new item is focused");
    for c in "urgent".chars() {
        f.type_char(c);
    }
    f.add_item().expect("add from an item");
    "hw".chars().for_each(|c| {
        f.type_char(c);
    });
    focus(&mut f, "priority");
    f.cycle(1);
    f.cycle(1);
    let args = f.arguments().expect("valid");
    assert_eq!(args["tags"], json!(["urgent", "hw"]));
    assert_eq!(args["priority"], json!("high"));
    focus(&mut f, "[0]");
    f.remove().expect("removed");
    focus(&mut f, "priority");
    assert_eq!(f.remove(), Ok("priority left out".into()));
    focus(&mut f, "title");
    assert!(f.remove().is_err(), "required");
    let args = f.arguments().expect("valid");
    assert_eq!(args["tags"], json!(["hw"]));
    assert!(args.get("priority").is_none());
    let schema =
        serde_json::Map::from_iter(create_ticket().as_object().cloned().unwrap_or_default());
    assert_eq!(crate::backend::mcp::violations(&schema, &args), Ok(vec![]));
}

#[test]
fn numbers_are_numbers_and_bad_ones_are_named() {
    let add = obj(
        json!({"a": {"type": "number"}, "b": {"type": "number"}}),
        &["a", "b"],
    );
    let count = obj(
        json!({"steps": {"type": "integer", "minimum": 1, "maximum": 50}}),
        &["steps"],
    );
    type Case<'a> = (&'a Value, &'a [(&'a str, &'a str)], Result<Value, &'a str>);
    let cases: &[Case] = &[
        (
            &add,
            &[("a", "1.5"), ("b", "2")],
            Ok(json!({"a": 1.5, "b": 2})),
        ),
        (
            &add,
            &[("a", "-1e3"), ("b", "0")],
            Ok(json!({"a": -1000.0, "b": 0})),
        ),
        (
            &add,
            &[("a", "x"), ("b", "1")],
            Err("a: `x` is not a number"),
        ),
        (&add, &[("a", "1")], Err("b: type a number")),
        (&count, &[("steps", "3")], Ok(json!({"steps": 3}))),
        (
            &count,
            &[("steps", "2.5")],
            Err("steps: `2.5` is not a whole number"),
        ),
    ];
    for (schema, typed, want) in cases {
        let mut f = Form::new(schema);
        for (label, text) in *typed {
            type_in(&mut f, label, text);
        }
        match (f.arguments(), want) {
            (Ok(got), Ok(w)) => assert_eq!(&got, w, "{typed:?}"),
            (Err(got), Err(w)) => assert_eq!(got, vec![w.to_string()], "{typed:?}"),
            (got, w) => panic!("{typed:?}: {got:?} but wanted {w:?}"),
        }
    }
    let f = Form::new(&count);
    assert_eq!(f.rows()[0].hint, "1..50");
}

#[test]
fn refs_defs_all_of_and_recursion() {
    let mut f = Form::new(&refs());
    assert_eq!(
        labels(&f),
        [
            "home*",
            "  city*",
            "  zip",
            "legacy",
            "tree",
            "  children",
            "  label",
            "  next",
            "work",
            "  city*",
            "  floor*",
            "  zip"
        ]
    );
    let next = f
        .rows()
        .into_iter()
        .find(|r| r.label == "next")
        .expect("next");
    assert_eq!(
        next.edit, "type JSON",
        "the recursive reference is raw JSON"
    );
    focus(&mut f, "legacy");
    assert!(f.type_char(' '), "a boolean through #/definitions");
    focus(&mut f, "children");
    f.add_item().expect("an item of the recursive type");
    type_in(&mut f, "label", "child"); // the first `label` row is the new item's
    let args = f.arguments().expect("valid");
    assert_eq!(args["legacy"], json!(true));
    assert_eq!(args["home"], json!({"city": ""}));
    assert_eq!(args["tree"]["children"], json!([{"label": "child"}]));
    assert!(
        args["tree"].get("label").is_none(),
        "a new item has no optional fields"
    );
    let cyc = json!({"$defs": {"A": {"$ref": "#/$defs/B"}, "B": {"$ref": "#/$defs/A"}}, "$ref": "#/$defs/A"});
    let f = Form::new(&cyc);
    assert!(
        matches!(f.root.kind, Kind::Raw { .. }),
        "a reference loop ends as raw JSON"
    );
}

#[test]
fn one_of_picks_the_branch_and_fills_it() {
    let mut f = Form::new(&one_of());
    assert_eq!(
        labels(&f),
        ["limit", "  (integer)", "target*", "  (by id)", "    id*"]
    );
    type_in(&mut f, "id", "7");
    assert_eq!(f.arguments(), Ok(json!({"target": {"id": 7}})));
    focus(&mut f, "target");
    f.cycle(1);
    type_in(&mut f, "name", "ada");
    assert_eq!(f.arguments(), Ok(json!({"target": {"name": "ada"}})));
    let f = Form::with_value(
        &one_of(),
        Some(&json!({"target": {"name": "bo"}, "limit": "all"})),
    );
    let shown: Vec<String> = f.rows().iter().map(|r| r.value.clone()).collect();
    assert!(shown.contains(&"‹by name› 2 of 2".to_string()), "{shown:?}");
    assert!(shown.contains(&"‹string› 2 of 2".to_string()), "{shown:?}");
}

#[test]
fn nullable_fields_toggle_null() {
    let mut f = Form::new(&nullable());
    assert_eq!(
        f.rows()
            .iter()
            .find(|r| r.label == "c")
            .map(|r| r.value.as_str()),
        Some("null")
    );
    type_in(&mut f, "a", "x");
    type_in(&mut f, "b", "4");
    assert_eq!(
        f.arguments(),
        Ok(json!({"a": "x", "b": 4, "c": null, "d": "x"}))
    );
    for label in ["a", "b", "d"] {
        focus(&mut f, label);
        f.toggle_null().expect(label);
    }
    focus(&mut f, "c");
    f.toggle_null().expect("c back to a value");
    type_in(&mut f, "c", "2.5");
    assert_eq!(
        f.arguments(),
        Ok(json!({"a": null, "b": null, "c": 2.5, "d": null}))
    );
    let mut g = Form::new(&create_ticket());
    focus(&mut g, "title");
    assert!(g.toggle_null().is_err());
}

#[test]
fn form_to_json_to_form_round_trips() {
    let cases = [
        (
            create_ticket(),
            json!({"title": "t", "priority": "low", "customer": {"name": "n", "email": "e@x"}, "tags": ["a", "b"]}),
        ),
        (
            create_ticket(),
            json!({"title": "", "customer": {"name": "", "email": ""}, "tags": []}),
        ),
        (
            refs(),
            json!({"home": {"city": "Oslo", "zip": null}, "work": {"city": "Bergen", "floor": 3}, "tree": {"label": "r", "children": [{"label": "c", "children": []}], "next": {"label": "n", "next": {"label": "deep"}}}}),
        ),
        (one_of(), json!({"target": {"id": 1}, "limit": 5})),
        (one_of(), json!({"target": {"name": "x"}, "limit": "many"})),
        (nullable(), json!({"a": null, "b": 3, "c": 1.25, "d": "y"})),
        // What does not fit the schema is kept as it is.
        (
            create_ticket(),
            json!({"title": 5, "priority": "urgent", "customer": {"name": "n", "email": "e", "vip": true}, "other": [1, {"x": null}]}),
        ),
        (
            json!({"type": "object"}),
            json!({"anything": [1, 2.5, "x", null]}),
        ),
    ];
    for (schema, value) in cases {
        let f = Form::with_value(&schema, Some(&value));
        assert_eq!(f.arguments(), Ok(value.clone()), "filled from {value}");
        let mut g = f.clone();
        g.toggle_raw().expect("to raw");
        assert_eq!(g.arguments(), Ok(value.clone()), "raw of {value}");
        g.toggle_raw().expect("back to the form");
        assert!(g.raw.is_none());
        assert_eq!(g.arguments(), Ok(value.clone()), "back from raw: {value}");
        assert_eq!(
            Form::with_value(&schema, g.arguments().ok().as_ref()).arguments(),
            Ok(value)
        );
    }
}

#[test]
fn raw_mode_keeps_bad_json_with_the_reason() {
    let mut f = Form::new(&create_ticket());
    f.toggle_raw().expect("to raw");
    f.edit_raw(None, true);
    for c in "{\"title\": ".chars() {
        f.edit_raw(Some(c), false);
    }
    assert!(f.toggle_raw().is_err());
    assert!(f.raw.as_ref().is_some_and(|r| r.error.is_some()));
    for c in "\"x\", \"customer\": {\"name\": \"a\", \"email\": \"b\"}, \"tags\": [\"t\"]}".chars()
    {
        f.edit_raw(Some(c), false);
    }
    f.toggle_raw().expect("valid JSON");
    let tags = f
        .rows()
        .into_iter()
        .find(|r| r.label == "tags")
        .expect("tags");
    assert_eq!(tags.value, "[1 items]");
    assert!(!tags.absent);
    let mut bad = Form::new(&obj(json!({"n": {"type": "integer"}}), &["n"]));
    type_in(&mut bad, "n", "x");
    assert!(
        bad.toggle_raw()
            .is_err_and(|e| e.contains("not a whole number"))
    );
}
