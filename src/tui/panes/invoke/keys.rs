//! The invoke pane's keys: the tool list (and history), and the form (typed text).

use crate::tui::action::Action as A;
use crate::tui::keymap::{Entry, e};

pub fn keys(nav: &impl Fn(&str) -> Vec<Entry>) -> Vec<Entry> {
    let mut k = vec![
        e(
            A::Open,
            &["enter"],
            "edit the selected tool's arguments",
            Some("edit"),
        ),
        e(
            A::InvokeCall,
            &["ctrl-s"],
            "call the selected tool with its arguments",
            Some("call"),
        ),
        e(
            A::InvokeRaw,
            &["R"],
            "the arguments as raw JSON, or back to the form",
            Some("raw"),
        ),
        e(
            A::InvokeHistory,
            &["H"],
            "the calls made in this environment (enter loads one into the form)",
            Some("history"),
        ),
        e(
            A::Logs,
            &["L"],
            "the logs of the result's MCP session",
            Some("logs"),
        ),
        e(
            A::Metrics,
            &["m"],
            "metrics of this runtime",
            Some("metrics"),
        ),
        e(
            A::Back,
            &["esc"],
            "cancel the running call, or go back",
            Some("back"),
        ),
    ];
    k.extend(nav("tool"));
    k
}

pub fn form_keys() -> Vec<Entry> {
    vec![
        e(A::Submit, &["enter"], "call the tool", Some("call")),
        e(A::InvokeCall, &["ctrl-s"], "call the tool", None),
        e(
            A::Back,
            &["esc"],
            "back to the tools (the form is kept)",
            Some("back"),
        ),
        e(A::Complete, &["tab"], "next field", Some("next")),
        e(A::Down, &["down"], "next field", None),
        e(A::Up, &["up", "backtab"], "previous field", None),
        e(
            A::Left,
            &["left"],
            "previous choice (enum, oneOf branch, boolean)",
            None,
        ),
        e(
            A::Right,
            &["right"],
            "next choice (enum, oneOf branch, boolean)",
            Some("choose"),
        ),
        e(A::Backspace, &["backspace"], "delete a character", None),
        e(A::ClearInput, &["ctrl-u"], "clear the field", None),
        e(
            A::InvokeNull,
            &["ctrl-n"],
            "null, or back to a value (nullable fields)",
            Some("null"),
        ),
        e(
            A::InvokeAddItem,
            &["ctrl-a"],
            "add an item to the list",
            Some("add item"),
        ),
        e(
            A::InvokeRemove,
            &["ctrl-x"],
            "remove the list item, or leave the optional field out",
            Some("remove"),
        ),
        e(
            A::InvokeRaw,
            &["ctrl-r"],
            "raw JSON, or back to the form",
            Some("raw"),
        ),
    ]
}
