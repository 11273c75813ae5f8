//! Drawing the deploy pane: the form (with what the pane and the io worker found wrong), the
//! stages of a running deploy, and the result with the endpoints a second write may move.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::form::{Field, Kind};
use super::{DeployPane, Phase};
use crate::tui::io::DeployDone;
use crate::tui::panes::{Cx, clean};
use crate::tui::theme::Theme;

pub(super) fn render(pane: &DeployPane, cx: &Cx<'_>, area: Rect, buf: &mut Buffer) {
    let t = cx.theme;
    let mut lines = vec![header(pane, cx)];
    lines.push(Line::raw(""));
    match &pane.phase {
        Phase::Form | Phase::Checking(_) => lines.extend(form(pane, t)),
        Phase::Running(stages) => {
            lines.extend(stage_lines(stages, t, true));
        }
        Phase::Done(stages, result) => {
            lines.extend(stage_lines(stages, t, false));
            lines.push(Line::raw(""));
            match result {
                Ok(d) => lines.extend(success(pane, d, t)),
                Err(e) => {
                    lines.push(Line::styled(" ✗ the deploy failed", t.error));
                    lines.push(Line::styled(format!("   {}", clean(e)), t.error));
                    lines.push(Line::raw(""));
                    lines.push(hint(t, &[("D", "back to the form"), ("esc", "leave")]));
                }
            }
        }
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(area, buf);
}

fn header(pane: &DeployPane, cx: &Cx<'_>) -> Line<'static> {
    let t = cx.theme;
    let mut spans = vec![Span::styled(format!(" Deploy to {}", pane.env), t.title)];
    if cx.protected(&pane.env) {
        let armed = cx.arming.is_armed(&pane.env, cx.now);
        spans.push(Span::styled(
            if armed {
                "  (protected, armed)"
            } else {
                "  (protected: you will type its name to arm it)"
            },
            if armed { t.armed } else { t.protected },
        ));
    }
    if let Some(op) = pane.op.as_ref().filter(|_| pane.phase != Phase::Form) {
        spans.push(Span::styled(
            format!("  {} from {}", clean(&op.runtime), clean(&op.artifact())),
            t.dim,
        ));
    }
    Line::from(spans)
}

fn form(pane: &DeployPane, t: &Theme) -> Vec<Line<'static>> {
    let f = &pane.form;
    let mut lines = vec![];
    for field in f.fields() {
        let focus = f.focus == field;
        let (label, value, note) = match field {
            Field::Kind => (
                "source",
                [Kind::Dir, Kind::Image, Kind::S3]
                    .iter()
                    .map(|k| {
                        if *k == f.kind {
                            format!("[{}]", k.label())
                        } else {
                            k.label().to_string()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("  "),
                "←/→ to choose",
            ),
            Field::Location => (
                match f.kind {
                    Kind::Dir => "directory",
                    Kind::Image => "image URI",
                    Kind::S3 => "S3 URI",
                },
                f.location.text.clone(),
                match f.kind {
                    Kind::Dir => "packaged, zipped and uploaded",
                    Kind::Image => "e.g. 123456789012.dkr.ecr.…/server:1",
                    Kind::S3 => "s3://bucket/key of a zip",
                },
            ),
            Field::EntryPoint => ("entry point", f.entry_point.text.clone(), "e.g. main.py"),
            Field::CodeRuntime => (
                "code runtime",
                f.code_runtime.text.clone(),
                "PYTHON_3_10…3_14, NODE_22",
            ),
            Field::Runtime => (
                "runtime",
                f.runtime.text.clone(),
                "created if it does not exist",
            ),
            Field::EnvVars => (
                "env vars",
                f.env_vars.text.clone(),
                "KEY=VALUE sets, -KEY drops; others carried over",
            ),
            Field::Endpoint => (
                "then endpoint",
                f.endpoint.text.clone(),
                "optional: offered to move once validated (created if absent)",
            ),
            Field::Posture => (
                "posture",
                f.posture.summary(),
                if f.posture.open {
                    "←/→ to close"
                } else {
                    "←/→ to open"
                },
            ),
            Field::P(p) => (p.label(), f.posture.input(p).text.clone(), p.note()),
            Field::AllowChange => (
                "allow change",
                if f.posture.allow_change { "[x]" } else { "[ ]" }.into(),
                "←/→: let this deploy weaken a protected posture (with arming)",
            ),
        };
        let style = if focus { t.key } else { t.text };
        lines.push(Line::from(vec![
            Span::styled(if focus { " ▸ " } else { "   " }, t.key),
            Span::styled(format!("{label:<14}"), t.dim),
            Span::styled(clean(&value), style),
            Span::styled(
                if focus && f.input(field).is_some() {
                    "▏"
                } else {
                    " "
                },
                t.key,
            ),
            Span::styled(format!("  {note}"), t.dim),
        ]));
    }
    lines.push(Line::raw(""));
    if let Phase::Checking(_) = pane.phase {
        lines.push(Line::styled(
            " … checking that the directory holds the entry point",
            t.dim,
        ));
    } else if let Some(e) = &f.error {
        lines.push(Line::styled(format!(" ✗ {}", clean(e)), t.error));
    }
    if let Ok(p) = f.posture.posture() {
        for w in f.posture.weakenings(&p) {
            lines.push(Line::styled(
                format!(" ! weakens the environment's posture: {}", clean(&w)),
                t.warn,
            ));
        }
    }
    let quiet = f.error.is_none() && pane.phase == Phase::Form;
    if quiet && pane.checked.is_some() && pane.checked == f.check(&pane.env).ok() {
        lines.push(Line::styled(
            " ✓ the directory holds the entry point: enter to review the calls",
            t.ok,
        ));
    }
    lines.push(hint(
        t,
        &[
            (
                "enter",
                "check, then review the exact calls (nothing is sent yet)",
            ),
            ("tab", "next field"),
            ("esc", "leave"),
        ],
    ));
    lines.push(Line::styled(
        " Named endpoints are not moved by a deploy: once it validated, `e` offers that as its own step.",
        t.dim,
    ));
    lines
}

fn stage_lines(stages: &[String], t: &Theme, running: bool) -> Vec<Line<'static>> {
    let mut lines: Vec<Line<'static>> = stages
        .iter()
        .map(|s| Line::styled(format!(" ✓ {}", clean(s)), t.text))
        .collect();
    if running {
        let n = lines.len();
        if let Some(last) = lines.last_mut()
            && n > 0
        {
            *last = Line::styled(
                format!(" … {}", clean(stages.last().map_or("", String::as_str))),
                t.key,
            );
        }
        if stages.is_empty() {
            lines.push(Line::styled(" … starting", t.dim));
        }
    }
    lines
}

fn success(pane: &DeployPane, d: &DeployDone, t: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled(
        format!(
            " ✓ {}version {}: {}",
            if d.created {
                "created the runtime, "
            } else {
                ""
            },
            clean(&d.version),
            clean(&d.status)
        ),
        t.ok,
    )];
    lines.push(match d.tools {
        Some(n) => Line::styled(format!(" ✓ validated: tools/list returned {n} tools"), t.ok),
        None => Line::styled(" – not an MCP runtime: no tools/list validation", t.dim),
    });
    lines.push(Line::styled(
        format!("   artifact {}", clean(&d.artifact)),
        t.dim,
    ));
    if !d.posture.is_empty() {
        lines.push(Line::styled(
            format!("   posture {}", clean(&d.posture.join(" · "))),
            t.dim,
        ));
    }
    if let Some((days, groups)) = d.retention {
        lines.push(Line::styled(
            format!(
                " ✓ log retention {days} days on {groups} log group{}",
                if groups == 1 { "" } else { "s" }
            ),
            t.ok,
        ));
    }
    for w in &d.weakenings {
        lines.push(Line::styled(
            format!(" ! weakened the environment's posture: {}", clean(w)),
            t.warn,
        ));
    }
    lines.push(Line::styled(
        format!(
            "   DEFAULT serves version {} (it follows the latest); named endpoints were not moved:",
            clean(&d.version)
        ),
        t.dim,
    ));
    let endpoints = pane.endpoints();
    if endpoints.is_empty() {
        lines.push(Line::styled(
            "   (no named endpoint: D, then name one in `then endpoint` to create it)",
            t.dim,
        ));
    }
    for (i, (name, live)) in endpoints.iter().enumerate() {
        let sel = i == pane.sel;
        lines.push(Line::from(vec![
            Span::styled(if sel { " ▸ " } else { "   " }, t.key),
            Span::styled(
                format!("{:<16}", clean(name)),
                if sel { t.selected } else { t.text },
            ),
            Span::styled(
                match live {
                    Some(v) => format!("serves v{}", clean(v)),
                    None if pane.is_new(name) => "new: created by the move".into(),
                    None => "serves nothing".into(),
                },
                t.dim,
            ),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(hint(
        t,
        &[
            (
                "e",
                &format!(
                    "move the selected endpoint to v{} (confirmed on its own)",
                    clean(&d.version)
                ),
            ),
            ("D", "deploy again"),
            ("esc", "leave"),
        ],
    ));
    lines
}

fn hint(t: &Theme, keys: &[(&str, &str)]) -> Line<'static> {
    let mut spans = vec![];
    for (k, what) in keys {
        spans.push(Span::styled(format!(" {k}"), t.key));
        spans.push(Span::styled(format!(" {what} "), t.dim));
    }
    Line::from(spans)
}
