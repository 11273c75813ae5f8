//! The JUnit XML report CI systems read: one testsuite, one testcase per check and for the
//! health probe, a `<failure message=…>` on each failure. Written with quick-xml (already a
//! dependency), which escapes attributes and text; every string in the report is sanitised
//! already, so no control character (which XML 1.0 cannot carry) reaches it.

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::domain::smoke::SmokeReport;

/// The document for `report`, under a suite named `suite` (`smoke R@Q in ENV`).
pub fn render(suite: &str, classname: &str, report: &SmokeReport) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let tests = report.total().to_string();
    let failures = report.failed().to_string();
    let total_ms: u64 = report.checks.iter().map(|c| c.latency_ms).sum::<u64>()
        + report.health.as_ref().map_or(0, |h| h.latency_ms);
    let time = secs(total_ms);
    // Writing to a Vec cannot fail.
    let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let counts = [
        ("tests", tests.as_str()),
        ("failures", failures.as_str()),
        ("errors", "0"),
        ("time", time.as_str()),
    ];
    let _ = w.write_event(Event::Start(
        BytesStart::new("testsuites").with_attributes(
            [("name", "agentcore-console smoke")]
                .into_iter()
                .chain(counts),
        ),
    ));
    let _ = w.write_event(Event::Start(
        BytesStart::new("testsuite").with_attributes([("name", suite)].into_iter().chain(counts)),
    ));
    let health = report
        .health
        .iter()
        .map(|h| ("health", h.latency_ms, h.reason.as_deref()));
    let checks = report
        .checks
        .iter()
        .map(|c| (c.name.as_str(), c.latency_ms, c.reason.as_deref()));
    for (name, ms, failure) in health.chain(checks) {
        let time = secs(ms);
        let case = BytesStart::new("testcase").with_attributes([
            ("name", name),
            ("classname", classname),
            ("time", time.as_str()),
        ]);
        match failure {
            None => {
                let _ = w.write_event(Event::Empty(case));
            }
            Some(reason) => {
                let _ = w.write_event(Event::Start(case));
                let _ = w.write_event(Event::Start(
                    BytesStart::new("failure")
                        .with_attributes([("message", reason), ("type", "smoke")]),
                ));
                let _ = w.write_event(Event::Text(BytesText::new(reason)));
                let _ = w.write_event(Event::End(BytesEnd::new("failure")));
                let _ = w.write_event(Event::End(BytesEnd::new("testcase")));
            }
        }
    }
    let _ = w.write_event(Event::End(BytesEnd::new("testsuite")));
    let _ = w.write_event(Event::End(BytesEnd::new("testsuites")));
    let mut out = String::from_utf8_lossy(&w.into_inner()).into_owned();
    out.push('\n');
    out
}

fn secs(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

#[cfg(test)]
mod tests {
    use quick_xml::Reader;

    use super::*;
    use crate::domain::smoke::{CheckResult, HealthResult};

    /// An element as a reader sees it: (name, attributes, the text that follows its start).
    type Element = (String, Vec<(String, String)>, String);

    fn read(xml: &str) -> Vec<Element> {
        let mut r = Reader::from_str(xml);
        let mut out: Vec<Element> = vec![];
        loop {
            match r.read_event().expect("well-formed XML") {
                Event::Start(e) | Event::Empty(e) => {
                    let attrs = e
                        .attributes()
                        .map(|a| {
                            let a = a.expect("attribute");
                            let v = a
                                .decode_and_unescape_value(r.decoder())
                                .expect("value")
                                .into_owned();
                            (String::from_utf8_lossy(a.key.as_ref()).into_owned(), v)
                        })
                        .collect();
                    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                    out.push((name, attrs, String::new()));
                }
                Event::Text(t) => {
                    if let Some(last) = out.last_mut() {
                        last.2.push_str(&t.decode().expect("text"));
                    }
                }
                Event::GeneralRef(g) => {
                    let name = g.decode().expect("ref");
                    let ch = match name.as_ref() {
                        "lt" => "<",
                        "gt" => ">",
                        "amp" => "&",
                        "quot" => "\"",
                        "apos" => "'",
                        other => panic!("unexpected entity {other}"),
                    };
                    if let Some(last) = out.last_mut() {
                        last.2.push_str(ch);
                    }
                }
                Event::Eof => return out,
                _ => {}
            }
        }
    }

    fn attr<'a>(el: &'a Element, key: &str) -> &'a str {
        el.1.iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    #[test]
    fn one_suite_one_case_per_result_and_escaped_failures() {
        let reason = "text: expected it to contain \"<b> & 'c'\", got \"x\"";
        let report = SmokeReport {
            health: Some(HealthResult {
                passed: true,
                latency_ms: 4,
                reason: None,
            }),
            checks: vec![
                CheckResult {
                    name: "echo <says> \"hi\"".into(),
                    tool: "echo".into(),
                    passed: false,
                    latency_ms: 1250,
                    reason: Some(reason.into()),
                },
                CheckResult {
                    name: "add #2".into(),
                    tool: "add".into(),
                    passed: true,
                    latency_ms: 7,
                    reason: None,
                },
            ],
        };
        let xml = render("smoke weather@live in dev", "smoke.weather", &report);
        let els = read(&xml);
        let suites: Vec<_> = els.iter().filter(|e| e.0 == "testsuite").collect();
        assert_eq!(suites.len(), 1, "{xml}");
        assert_eq!(attr(suites[0], "name"), "smoke weather@live in dev");
        assert_eq!(attr(suites[0], "tests"), "3");
        assert_eq!(attr(suites[0], "failures"), "1");
        assert_eq!(attr(suites[0], "time"), "1.261");
        let cases: Vec<_> = els.iter().filter(|e| e.0 == "testcase").collect();
        let names: Vec<&str> = cases.iter().map(|c| attr(c, "name")).collect();
        assert_eq!(names, ["health", "echo <says> \"hi\"", "add #2"]);
        assert_eq!(attr(cases[1], "time"), "1.250");
        let failures: Vec<_> = els.iter().filter(|e| e.0 == "failure").collect();
        assert_eq!(failures.len(), 1, "{xml}");
        assert_eq!(attr(failures[0], "message"), reason);
        assert_eq!(
            failures[0].2.trim(),
            reason,
            "the text after the element is indentation"
        );
        assert!(xml.contains("&lt;says&gt;"), "{xml}");
    }
}
