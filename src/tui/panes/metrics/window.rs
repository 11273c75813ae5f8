//! What the metrics pane asks for and marks, pure: the time ranges (`1`..`5`), zoom (`+`, `-`,
//! `=`), the period that keeps a series under ~500 points, and the markers on the time axis
//! (deploys, rollbacks and traffic changes from the audit log; version creations not already
//! told by a deploy entry).

use crate::domain::RuntimeVersion;
use crate::domain::audit::AuditEntry;

/// The ranges the number keys pick: label and seconds.
pub const RANGES: [(&str, i64); 5] = [
    ("15m", 15 * 60),
    ("1h", 3600),
    ("3h", 3 * 3600),
    ("12h", 12 * 3600),
    ("24h", 24 * 3600),
];
/// The range a new pane shows (1h).
pub const DEFAULT_RANGE: usize = 1;
/// Points per series the period is chosen to stay under.
pub const MAX_POINTS: i64 = 500;
/// Zooming in stops at this span, zooming out at `MAX_SPAN`.
pub const MIN_SPAN: i64 = 5 * 60;
pub const MAX_SPAN: i64 = 7 * 24 * 3600;

/// The range and zoom level: what the charts cover, ending now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct View {
    pub range: usize,
    /// Positive: zoomed in (each step halves the span); negative: zoomed out.
    pub zoom: i32,
}

impl Default for View {
    fn default() -> Self {
        Self {
            range: DEFAULT_RANGE,
            zoom: 0,
        }
    }
}

impl View {
    fn span_at(range: usize, zoom: i32) -> i64 {
        let base = RANGES.get(range).map_or(3600, |r| r.1) as f64;
        (base * 2f64.powi(-zoom)).round() as i64
    }

    /// Seconds the charts cover.
    pub fn span(&self) -> i64 {
        Self::span_at(self.range, self.zoom)
    }

    /// A multiple of 60 s giving at most [`MAX_POINTS`] points over the span.
    pub fn period(&self) -> i32 {
        period_for(self.span())
    }

    pub fn range_label(&self) -> &'static str {
        RANGES.get(self.range).map_or("1h", |r| r.0)
    }

    /// Zoom in one step; false when the span would drop under [`MIN_SPAN`].
    pub fn zoom_in(&mut self) -> bool {
        let ok = Self::span_at(self.range, self.zoom + 1) >= MIN_SPAN;
        if ok {
            self.zoom += 1;
        }
        ok
    }

    /// Zoom out one step; false past [`MAX_SPAN`].
    pub fn zoom_out(&mut self) -> bool {
        let ok = Self::span_at(self.range, self.zoom - 1) <= MAX_SPAN;
        if ok {
            self.zoom -= 1;
        }
        ok
    }

    /// `2×`, `4×`, `½×`, `¼×`; empty at 1×.
    pub fn zoom_label(&self) -> String {
        match self.zoom {
            0 => String::new(),
            z if z > 0 => format!("{}×", 1_i64 << z.min(30)),
            z => format!("1/{}×", 1_i64 << (-z).min(30)),
        }
    }
}

pub fn period_for(span: i64) -> i32 {
    let per_point = (span + MAX_POINTS - 1) / MAX_POINTS;
    let minutes = ((per_point + 59) / 60).max(1);
    i32::try_from(minutes * 60).unwrap_or(i32::MAX)
}

/// A deploy, rollback or traffic change on the time axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// Epoch seconds.
    pub at: i64,
    pub text: String,
    /// The change failed (or failed half-way).
    pub failed: bool,
}

/// The markers of one runtime in one environment, oldest first. `history` is already the
/// runtime's entries in that environment.
pub fn markers(history: &[AuditEntry], versions: &[RuntimeVersion]) -> Vec<Marker> {
    let mut out: Vec<Marker> = history
        .iter()
        .filter_map(|e| {
            Some(Marker {
                at: epoch(&e.time)?,
                text: describe(e),
                failed: e.result != "ok",
            })
        })
        .collect();
    let deployed = |v: &str| {
        history
            .iter()
            .any(|e| e.action == "deploy" && e.after["version"].as_str() == Some(v))
    };
    out.extend(
        versions
            .iter()
            .filter(|v| !deployed(&v.version))
            .filter_map(|v| {
                Some(Marker {
                    at: epoch(v.last_updated_at.as_deref()?)?,
                    text: format!("v{} created", v.version),
                    failed: v.status.is_failed(),
                })
            }),
    );
    out.sort_by_key(|m| m.at);
    out
}

/// The last time `endpoint` moved to another version inside `[start, end]`, and the version it
/// served before: CloudWatch's series are per endpoint, so the points before that moment are
/// the old version's. Moves are read as `rollback_target` reads them (deploy --endpoint,
/// rollback, point, and the traffic changes that move an endpoint).
pub fn last_move(
    history: &[AuditEntry],
    endpoint: &str,
    start: i64,
    end: i64,
) -> Option<(i64, String)> {
    history.iter().rev().find_map(|e| {
        let went_through = e.result == "ok" || e.action.starts_with("traffic.");
        let before = e.before["version"].as_str()?;
        let moved = went_through
            && e.before["endpoint"] == endpoint
            && e.after["endpoint"] == endpoint
            && e.after["version"].as_str().is_some_and(|v| v != before);
        let at = epoch(&e.time)?;
        (moved && (start..=end).contains(&at)).then(|| (at, before.to_string()))
    })
}

/// One audit entry in a few words: `deploy v4 → live`, `set canary v4 10%`, `abort`.
fn describe(e: &AuditEntry) -> String {
    let s = |v: &serde_json::Value| v.as_str().map(str::to_string);
    let version = |v: &serde_json::Value| s(&v["version"]).map_or("?".into(), |v| format!("v{v}"));
    let text = match e.action.as_str() {
        "deploy" => match s(&e.after["endpoint"]) {
            Some(ep) => format!("deploy {} → {ep}", version(&e.after)),
            None => format!("deploy {}", version(&e.after)),
        },
        "rollback" => format!(
            "rollback {} {}→{}",
            s(&e.after["endpoint"]).unwrap_or_default(),
            s(&e.before["version"]).unwrap_or_else(|| "?".into()),
            s(&e.after["version"]).unwrap_or_else(|| "?".into()),
        ),
        "endpoint.point" => format!(
            "point {} {}→{}",
            s(&e.after["endpoint"]).unwrap_or_default(),
            s(&e.before["version"]).unwrap_or_else(|| "new".into()),
            s(&e.after["version"]).unwrap_or_else(|| "?".into()),
        ),
        "traffic.set" => {
            let canary = e.after["weights"]
                .as_array()
                .and_then(|ws| {
                    ws.iter()
                        .find(|w| w["target"].as_str().is_some_and(|t| t.ends_with("-canary")))
                })
                .and_then(|w| w["weight"].as_i64())
                .unwrap_or(0);
            let v = s(&e.after["canary"]).map_or("?".into(), |v| format!("v{v}"));
            format!("set canary {v} {canary}%")
        }
        "traffic.promote" => format!(
            "promote {} → {}",
            version(&e.after),
            s(&e.after["endpoint"]).unwrap_or_default()
        ),
        "traffic.abort" => "abort: 100% stable".into(),
        other => other.to_string(),
    };
    let text = if e.result == "ok" {
        text
    } else {
        format!("{text} (failed)")
    };
    crate::domain::sanitize::one_line(&text)
}

/// RFC 3339 → epoch seconds.
pub fn epoch(iso: &str) -> Option<i64> {
    time::OffsetDateTime::parse(iso, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(time::OffsetDateTime::unix_timestamp)
}

/// `09:58` (UTC) of an epoch time.
pub fn clock(at: i64) -> String {
    let s = at.rem_euclid(86_400);
    format!("{:02}:{:02}", s / 3600, s % 3600 / 60)
}

/// The name a marker goes by on the axis: `1`..`9`, then `a`..`z`.
pub fn marker_name(i: usize) -> char {
    const NAMES: &[u8] = b"123456789abcdefghijklmnopqrstuvwxyz";
    NAMES.get(i).map_or('+', |b| char::from(*b))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::Status;

    #[test]
    fn periods_keep_series_under_500_points() {
        for (i, (label, secs)) in RANGES.iter().enumerate() {
            let v = View { range: i, zoom: 0 };
            assert_eq!(v.span(), *secs, "{label}");
            let p = i64::from(v.period());
            assert!(p % 60 == 0 && p >= 60);
            assert!(secs / p <= MAX_POINTS, "{label}: {} points", secs / p);
        }
        assert_eq!(View { range: 4, zoom: 0 }.period(), 180);
        assert_eq!(View { range: 0, zoom: 0 }.period(), 60);
    }

    #[test]
    fn zoom_halves_and_doubles_within_bounds() {
        let mut v = View { range: 0, zoom: 0 };
        assert!(v.zoom_in());
        assert_eq!((v.span(), v.zoom_label()), (450, "2×".to_string()));
        assert!(!v.zoom_in(), "225 s is under the minimum");
        let mut w = View { range: 4, zoom: 0 };
        assert!(w.zoom_out() && w.zoom_out());
        assert_eq!(w.span(), 4 * 86_400);
        assert!(!w.zoom_out(), "8 days is past the maximum");
        assert_eq!(w.zoom_label(), "1/4×");
    }

    fn entry(
        time: &str,
        action: &str,
        before: serde_json::Value,
        after: serde_json::Value,
        result: &str,
    ) -> AuditEntry {
        AuditEntry {
            time: time.into(),
            user: "alice".into(),
            identity: None,
            env: "prod".into(),
            action: action.into(),
            target: "weather_mcp".into(),
            before,
            after,
            result: result.into(),
            command: String::new(),
        }
    }

    #[test]
    fn an_endpoints_last_move_in_the_window_names_the_version_before() {
        let mv = |time: &str, action: &str, ep: &str, from: &str, to: &str, result: &str| {
            let side = |v: &str| json!({"endpoint": ep, "version": v});
            entry(time, action, side(from), side(to), result)
        };
        let history = [
            mv("2026-11-24T09:00:00Z", "deploy", "canary", "1", "2", "ok"),
            mv("2026-11-24T09:30:00Z", "rollback", "canary", "2", "1", "ok"),
            mv(
                "2026-11-24T09:40:00Z",
                "endpoint.point",
                "canary",
                "1",
                "3",
                "error",
            ),
            mv(
                "2026-11-24T09:45:00Z",
                "endpoint.point",
                "live",
                "1",
                "2",
                "ok",
            ),
            mv(
                "2026-11-24T09:50:00Z",
                "traffic.set",
                "canary",
                "1",
                "1",
                "ok",
            ),
        ];
        let at = |iso: &str| epoch(iso).expect("time");
        let (start, end) = (at("2026-11-24T08:00:00Z"), at("2026-11-24T10:00:00Z"));
        assert_eq!(
            last_move(&history, "canary", start, end),
            Some((at("2026-11-24T09:30:00Z"), "2".into())),
            "a failed point and a set that did not move it are passed over"
        );
        assert_eq!(
            last_move(&history, "live", start, end),
            Some((at("2026-11-24T09:45:00Z"), "1".into()))
        );
        let later = at("2026-11-24T09:31:00Z");
        assert_eq!(
            last_move(&history, "canary", later, end),
            None,
            "before the window"
        );
        assert_eq!(last_move(&history, "DEFAULT", start, end), None);
    }

    #[test]
    fn audit_entries_and_versions_become_markers() {
        let history = [
            entry(
                "2026-11-24T10:02:00Z",
                "traffic.set",
                json!({}),
                json!({"canary": "4", "endpoint": "canary", "version": "4",
                       "weights": [{"target": "weather-mcp-stable", "weight": 90},
                                   {"target": "weather-mcp-canary", "weight": 10}]}),
                "ok",
            ),
            entry(
                "2026-11-24T09:58:00Z",
                "deploy",
                json!({"version": "3"}),
                json!({"version": "4", "endpoint": null}),
                "ok",
            ),
            entry(
                "2026-11-24T10:10:00Z",
                "traffic.abort",
                json!({}),
                json!({}),
                "error: boom",
            ),
        ];
        let versions = [
            RuntimeVersion {
                version: "4".into(),
                status: Status::Ready,
                description: None,
                last_updated_at: Some("2026-11-24T09:58:30Z".into()),
                lineage: None,
            },
            RuntimeVersion {
                version: "3".into(),
                status: Status::Ready,
                description: None,
                last_updated_at: Some("2026-11-24T09:00:00Z".into()),
                lineage: None,
            },
        ];
        let got = markers(&history, &versions);
        let texts: Vec<_> = got
            .iter()
            .map(|m| (clock(m.at), m.text.as_str(), m.failed))
            .collect();
        assert_eq!(
            texts,
            [
                ("09:00".to_string(), "v3 created", false),
                ("09:58".to_string(), "deploy v4", false),
                ("10:02".to_string(), "set canary v4 10%", false),
                ("10:10".to_string(), "abort: 100% stable (failed)", true),
            ]
        );
        assert_eq!(
            (marker_name(0), marker_name(9), marker_name(99)),
            ('1', 'a', '+')
        );
    }
}
