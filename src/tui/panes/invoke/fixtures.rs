//! Fixed data for the invoke pane's tests: the sample server's tools (as
//! assets/sample-mcp-server/main.py lists them) plus a read-only one, and results.

use serde_json::{Value, json};

use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::fixtures::{loaded, press};
use crate::tui::io::{CallOutcome, Job, Reply, Request, Response, ToolInfo, ToolList};
use crate::tui::time::Millis;

fn obj(props: Value, required: &[&str]) -> Value {
    json!({"type": "object", "properties": props, "required": required, "additionalProperties": false})
}

fn tool(name: &str, description: &str, schema: Value) -> ToolInfo {
    ToolInfo {
        name: name.into(),
        description: Some(description.into()),
        schema,
        read_only: false,
        destructive: false,
    }
}

pub fn tool_list() -> ToolList {
    let mut status = tool("status", "Health of the server.", obj(json!({}), &[]));
    status.read_only = true;
    ToolList {
        qualifier: "live".into(),
        server: Some("sample-mcp-server 1.4.0".into()),
        tools: vec![
            tool(
                "echo",
                "Echo the text back.",
                obj(json!({"text": {"type": "string"}}), &["text"]),
            ),
            tool(
                "add",
                "Add two numbers.",
                obj(
                    json!({"a": {"type": "number"}, "b": {"type": "number"}}),
                    &["a", "b"],
                ),
            ),
            tool(
                "weather",
                "A (fake, deterministic) forecast for a city.",
                obj(
                    json!({"city": {"type": "string", "minLength": 1},
                           "units": {"type": "string", "enum": ["metric", "imperial"]}}),
                    &["city"],
                ),
            ),
            tool(
                "create_ticket",
                "Open a support ticket for a customer.",
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
                ),
            ),
            status,
        ],
    }
}

/// `weather` for Oslo: text and structured content, in session 9f2c4e1a7b.
pub fn forecast() -> CallOutcome {
    CallOutcome {
        is_error: false,
        content: vec!["Oslo: 4°C, rain".into()],
        structured: Some(
            json!({"city": "Oslo", "temperature": 4, "units": "metric", "sky": "rain"}),
        ),
        session_id: Some("9f2c4e1a7b".into()),
        millis: 212,
        at: 1_767_262_989, // 2026-01-01 10:23:09 UTC
    }
}

/// The invoke pane of weather_mcp in `env`, its tools answered (unless `tools` is None).
pub fn opened(env: &str, tools: Option<Result<ToolList, String>>) -> App {
    let mut app = loaded(&[]);
    let reqs = press(
        &mut app,
        &[Action::OpenInvoke {
            env: env.into(),
            runtime: "weather_mcp".into(),
        }],
        Millis(0),
    );
    if let (Some(tools), [req]) = (tools, &reqs[..]) {
        app.apply(
            Response {
                ticket: req.ticket,
                reply: Reply::InvokeTools(tools.map(Box::new)),
            },
            Millis(0),
        );
    }
    app
}

/// Select `tool` in the list (from the top).
pub fn select(app: &mut App, tool: &str) {
    let i = tool_list()
        .tools
        .iter()
        .position(|t| t.name == tool)
        .unwrap_or(0);
    let mut keys = vec![Action::Top];
    keys.extend(std::iter::repeat_n(Action::Down, i));
    press(app, &keys, Millis(0));
}

/// The one call job among `reqs`.
pub fn the_call(reqs: &[Request]) -> (Request, Value) {
    let calls: Vec<&Request> = reqs
        .iter()
        .filter(|r| matches!(r.job, Job::InvokeCall(_)))
        .collect();
    assert_eq!(calls.len(), 1, "exactly one call: {reqs:?}");
    let Job::InvokeCall(job) = &calls[0].job else {
        unreachable!()
    };
    (calls[0].clone(), job.args.clone())
}
