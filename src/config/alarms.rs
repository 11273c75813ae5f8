//! `[environments.NAME.alarms]`: the template `alarms apply` builds the standard alarms from.
//! Every key is checked here, so a bad value is refused at load, naming its line and key,
//! before any call; keys left out keep [`AlarmTemplate::default`].

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::error::Located;
use super::file::{in_file_order, must_be, valid_region};
use crate::domain::alarms::{AlarmKind, AlarmTemplate, KindSettings, TreatMissing};
use crate::domain::filter_pattern::FilterPattern;

const KEYS: &[&str] = &[
    "period",
    "evaluation_periods",
    "datapoints_to_alarm",
    "treat_missing_data",
    "min_invocations",
    "alarm_actions",
    "ok_actions",
    "tool_error_pattern",
    "error_rate",
    "tool_error_rate",
    "latency",
    "throttles",
];
const KIND_KEYS: &[&str] = &["enabled", "threshold", "statistic"];
/// CloudWatch alarms on metrics older than a day need longer periods than ours; one day keeps
/// an alarm about what is happening now.
const MAX_RANGE_SECONDS: i64 = 86_400;

/// Parse the `alarms` table of the environment at `path` (`environments.NAME`).
pub(super) fn template(
    text: &str,
    path: &str,
    table: &DeTable<'_>,
) -> Result<AlarmTemplate, Located> {
    let mut t = AlarmTemplate::default();
    // Where the last of period / evaluation_periods / datapoints_to_alarm was set, to point
    // at when they do not fit together.
    let mut range_key: Option<(usize, String)> = None;
    let mut m_of_n_key: Option<(usize, String)> = None;
    for (key, value) in in_file_order(table) {
        let k = key.get_ref().as_ref();
        let full = format!("{path}.alarms.{k}");
        let at = value.span().start;
        let fail = |m: String| Located::at(text, at, Some(full.clone()), m);
        match k {
            "period" => {
                let p = integer(value).map_err(&fail)?;
                if p <= 0 || p % 60 != 0 {
                    return Err(fail(format!(
                        "{p} is not a period: seconds, a positive multiple of 60"
                    )));
                }
                t.period = small(p).map_err(&fail)?;
                range_key = Some((at, full.clone()));
            }
            "evaluation_periods" => {
                let n = integer(value).map_err(&fail)?;
                if n < 1 {
                    return Err(fail(format!("{n} periods: at least 1 is needed")));
                }
                t.evaluation_periods = small(n).map_err(&fail)?;
                range_key = Some((at, full.clone()));
                m_of_n_key = Some((at, full.clone()));
            }
            "datapoints_to_alarm" => {
                let m = integer(value).map_err(&fail)?;
                if m < 1 {
                    return Err(fail(format!("{m} datapoints: at least 1 is needed")));
                }
                t.datapoints_to_alarm = small(m).map_err(&fail)?;
                m_of_n_key = Some((at, full.clone()));
            }
            "treat_missing_data" => {
                let s = string(value).map_err(&fail)?;
                t.treat_missing_data = TreatMissing::parse(s).ok_or_else(|| {
                    let known: Vec<_> = TreatMissing::ALL.iter().map(|t| t.as_str()).collect();
                    fail(format!("`{s}` is not one of: {}", known.join(", ")))
                })?;
            }
            "min_invocations" => {
                let n = number(value).map_err(&fail)?;
                if !n.is_finite() || n < 0.0 {
                    return Err(fail(format!("{n} must be a finite number >= 0")));
                }
                t.min_invocations = n;
            }
            "alarm_actions" | "ok_actions" => {
                let arns = topics(text, &full, value)?;
                if k == "alarm_actions" {
                    t.alarm_actions = arns;
                } else {
                    t.ok_actions = arns;
                }
            }
            "tool_error_pattern" => {
                let s = string(value).map_err(&fail)?;
                FilterPattern::parse(s).map_err(|e| fail(e.to_string()))?;
                if s.trim().is_empty() || s.trim() == "\"\"" {
                    return Err(fail(
                        "an empty pattern would count every log event as a tool error".into(),
                    ));
                }
                t.tool_error_pattern = s.to_string();
            }
            _ => match AlarmKind::from_config_key(k) {
                Some(kind) => {
                    let Some(sub) = value.get_ref().as_table() else {
                        return Err(fail(must_be("a table", value)));
                    };
                    kind_settings(text, &full, kind, sub, t.kind_mut(kind))?;
                }
                None => {
                    return Err(Located::at(
                        text,
                        key.span().start,
                        Some(full.clone()),
                        format!("unknown key (expected one of: {})", KEYS.join(", ")),
                    ));
                }
            },
        }
    }
    if t.datapoints_to_alarm > t.evaluation_periods {
        let (at, key) = m_of_n_key.unwrap_or((0, format!("{path}.alarms")));
        return Err(Located::at(
            text,
            at,
            Some(key),
            format!(
                "datapoints_to_alarm ({}) must be between 1 and evaluation_periods ({}); the \
                 defaults are 2 of 3",
                t.datapoints_to_alarm, t.evaluation_periods
            ),
        ));
    }
    let range = i64::from(t.period) * i64::from(t.evaluation_periods);
    if range > MAX_RANGE_SECONDS {
        let (at, key) = range_key.unwrap_or((0, format!("{path}.alarms")));
        return Err(Located::at(
            text,
            at,
            Some(key),
            format!(
                "period × evaluation_periods is {range} s; at most one day ({MAX_RANGE_SECONDS} \
                 s) is allowed"
            ),
        ));
    }
    Ok(t)
}

fn kind_settings(
    text: &str,
    path: &str,
    kind: AlarmKind,
    table: &DeTable<'_>,
    out: &mut KindSettings,
) -> Result<(), Located> {
    for (key, value) in in_file_order(table) {
        let k = key.get_ref().as_ref();
        let full = format!("{path}.{k}");
        let fail = |m: String| Located::at(text, value.span().start, Some(full.clone()), m);
        match k {
            "enabled" => {
                out.enabled = value
                    .get_ref()
                    .as_bool()
                    .ok_or_else(|| fail(must_be("true or false", value)))?;
            }
            "threshold" => {
                let x = number(value).map_err(&fail)?;
                if !x.is_finite() || x < 0.0 {
                    return Err(fail(format!("{x} must be a finite number >= 0")));
                }
                if matches!(kind, AlarmKind::ErrorRate | AlarmKind::ToolErrorRate) && x > 100.0 {
                    return Err(fail(format!("{x} is a percentage: at most 100")));
                }
                out.threshold = x;
            }
            "statistic" => {
                let s = string(value).map_err(&fail)?;
                statistic(kind, s).map_err(&fail)?;
                out.statistic = s.to_string();
            }
            _ => {
                return Err(Located::at(
                    text,
                    key.span().start,
                    Some(full.clone()),
                    format!("unknown key (expected one of: {})", KIND_KEYS.join(", ")),
                ));
            }
        }
    }
    Ok(())
}

/// The statistics each kind may use: rates are sums divided, so only `Sum` means anything.
fn statistic(kind: AlarmKind, s: &str) -> Result<(), String> {
    let allowed: &[&str] = match kind {
        AlarmKind::Latency => {
            if ["Average", "Maximum", "Minimum"].contains(&s) || is_percentile(s) {
                return Ok(());
            }
            &[
                "pNN or pNN.N (like p99, p99.9)",
                "Average",
                "Maximum",
                "Minimum",
            ]
        }
        AlarmKind::Throttles => &["Sum", "Average", "Maximum"],
        AlarmKind::ErrorRate | AlarmKind::ToolErrorRate => &["Sum"],
    };
    if allowed.contains(&s) {
        return Ok(());
    }
    Err(format!(
        "`{s}` is not a statistic {} alarms can use (allowed: {})",
        kind.config_key(),
        allowed.join(", ")
    ))
}

/// `p0`..`p100`, with at most one decimal.
fn is_percentile(s: &str) -> bool {
    let Some(n) = s.strip_prefix('p') else {
        return false;
    };
    let (whole, frac) = n.split_once('.').unwrap_or((n, ""));
    let digits = |d: &str, max: usize| {
        !d.is_empty() && d.len() <= max && d.bytes().all(|b| b.is_ascii_digit())
    };
    digits(whole, 3)
        && (frac.is_empty() || digits(frac, 1))
        && n.parse::<f64>().is_ok_and(|v| (0.0..=100.0).contains(&v))
}

fn topics(text: &str, path: &str, value: &Spanned<DeValue<'_>>) -> Result<Vec<String>, Located> {
    let fail_at = |at: usize, m: String| Located::at(text, at, Some(path.to_string()), m);
    let Some(items) = value.get_ref().as_array() else {
        return Err(fail_at(
            value.span().start,
            must_be("an array of SNS topic ARNs", value),
        ));
    };
    let mut out = Vec::new();
    for item in items.iter() {
        let at = item.span().start;
        let s = string(item).map_err(|m| fail_at(at, m))?;
        sns_topic(s).map_err(|m| fail_at(at, m))?;
        out.push(s.to_string());
    }
    Ok(out)
}

/// `arn:<partition>:sns:<region>:<12 digits>:<topic>`.
fn sns_topic(s: &str) -> Result<(), String> {
    let bad = || {
        format!("`{s}` is not an SNS topic ARN (arn:<partition>:sns:<region>:<account>:<topic>)")
    };
    let parts: Vec<&str> = s.split(':').collect();
    let [arn, partition, sns, region, account, topic] = parts.as_slice() else {
        return Err(bad());
    };
    let ok = *arn == "arn"
        && !partition.is_empty()
        && partition
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'-')
        && *sns == "sns"
        && valid_region(region).is_ok()
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && !topic.is_empty()
        && topic.len() <= 256
        && topic
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    if ok { Ok(()) } else { Err(bad()) }
}

fn integer(value: &Spanned<DeValue<'_>>) -> Result<i64, String> {
    let i = value
        .get_ref()
        .as_integer()
        .ok_or_else(|| must_be("an integer", value))?;
    i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
        .map_err(|_| format!("{i} is out of range"))
}

fn small(n: i64) -> Result<i32, String> {
    i32::try_from(n).map_err(|_| format!("{n} is out of range"))
}

fn number(value: &Spanned<DeValue<'_>>) -> Result<f64, String> {
    match value.get_ref() {
        DeValue::Float(f) => f
            .as_str()
            .replace('_', "")
            .parse::<f64>()
            .map_err(|_| format!("{f} is not a number")),
        // Integers this size are exact in an f64; larger ones are out of range anyway.
        #[allow(clippy::cast_precision_loss)]
        DeValue::Integer(_) => integer(value).map(|i| i as f64),
        _ => Err(must_be("a number", value)),
    }
}

fn string<'a>(value: &'a Spanned<DeValue<'_>>) -> Result<&'a str, String> {
    value
        .get_ref()
        .as_str()
        .ok_or_else(|| must_be("a string", value))
}

#[cfg(test)]
mod tests {
    use super::super::file::parse;
    use super::*;

    /// The error of `[environments.prod.alarms]` with `body` under it (the table is on line 2).
    fn refused(body: &str) -> Located {
        let text = format!("[environments.prod]\n[environments.prod.alarms]\n{body}");
        parse(&text).expect_err("should be refused")
    }

    fn assert_refused(body: &str, line: usize, key: &str, says: &str) {
        let e = refused(body);
        assert_eq!(
            (e.line, e.key.as_deref()),
            (line, Some(key)),
            "{body}: {}",
            e.message
        );
        assert!(e.message.contains(says), "{body}: {}", e.message);
    }

    const A: &str = "environments.prod.alarms";

    #[test]
    fn a_full_template_is_read_and_missing_keys_keep_the_defaults() {
        let text = "[environments.prod]\n[environments.prod.alarms]\nperiod = 300\n\
                    evaluation_periods = 5\ndatapoints_to_alarm = 3\n\
                    treat_missing_data = \"breaching\"\nmin_invocations = 10\n\
                    alarm_actions = [\"arn:aws:sns:us-east-1:123456789012:pager\"]\n\
                    tool_error_pattern = '{ $.level = \"ERROR\" && $.tool = \"*\" }'\n\
                    [environments.prod.alarms.latency]\nthreshold = 1500.5\nstatistic = \"p99.9\"\n\
                    [environments.prod.alarms.throttles]\nenabled = false\nstatistic = \"Maximum\"\n\
                    [environments.dev]\n";
        let envs = parse(text).expect("parse");
        let t = &envs[0].alarms;
        assert_eq!(
            (t.period, t.evaluation_periods, t.datapoints_to_alarm),
            (300, 5, 3)
        );
        assert_eq!(t.treat_missing_data, TreatMissing::Breaching);
        assert_eq!(t.min_invocations, 10.0);
        assert_eq!(t.alarm_actions.len(), 1);
        assert!(t.ok_actions.is_empty());
        assert_eq!(
            (t.latency.threshold, t.latency.statistic.as_str()),
            (1500.5, "p99.9")
        );
        assert!(!t.throttles.enabled);
        assert_eq!(t.error_rate, AlarmTemplate::default().error_rate);
        assert_eq!(envs[1].alarms, AlarmTemplate::default());
    }

    #[test]
    fn the_examples_commented_template_parses_once_uncommented() {
        let example = include_str!("../../assets/environments.example.toml");
        let start = example
            .find("# [environments.prod.alarms]")
            .expect("example template");
        let body: Vec<&str> = example[start..]
            .lines()
            .map(|l| l.strip_prefix("# ").unwrap_or(l))
            .collect();
        let text = format!("[environments.prod]\n{}\n", body.join("\n"));
        let envs = parse(&text).expect("the example template parses");
        let t = &envs[0].alarms;
        assert_eq!((t.evaluation_periods, t.latency.threshold), (5, 1500.0));
        assert_eq!(
            t.alarm_actions,
            ["arn:aws:sns:us-east-1:123456789012:oncall-pager"]
        );
        assert!(!t.throttles.enabled);
    }

    #[test]
    fn bad_periods_and_counts_are_refused_at_their_line_and_key() {
        assert_refused("period = 90\n", 3, &format!("{A}.period"), "multiple of 60");
        assert_refused("period = 0\n", 3, &format!("{A}.period"), "multiple of 60");
        assert_refused("period = \"60\"\n", 3, &format!("{A}.period"), "integer");
        assert_refused(
            "evaluation_periods = 0\n",
            3,
            &format!("{A}.evaluation_periods"),
            "at least 1",
        );
        assert_refused(
            "datapoints_to_alarm = 0\n",
            3,
            &format!("{A}.datapoints_to_alarm"),
            "at least 1",
        );
        assert_refused(
            "evaluation_periods = 4\ndatapoints_to_alarm = 5\n",
            4,
            &format!("{A}.datapoints_to_alarm"),
            "between 1 and evaluation_periods (4)",
        );
        // The default M (2) does not fit one period: the key that was set is named.
        assert_refused(
            "evaluation_periods = 1\n",
            3,
            &format!("{A}.evaluation_periods"),
            "datapoints_to_alarm (2)",
        );
        assert_refused(
            "period = 3600\nevaluation_periods = 25\ndatapoints_to_alarm = 1\n",
            4,
            &format!("{A}.evaluation_periods"),
            "one day",
        );
        assert_refused(
            "min_invocations = -1\n",
            3,
            &format!("{A}.min_invocations"),
            ">= 0",
        );
    }

    #[test]
    fn bad_missing_data_actions_and_pattern_are_refused() {
        assert_refused(
            "treat_missing_data = \"NotBreaching\"\n",
            3,
            &format!("{A}.treat_missing_data"),
            "breaching, notBreaching, ignore, missing",
        );
        assert_refused(
            "alarm_actions = \"arn:aws:sns:us-east-1:123456789012:pager\"\n",
            3,
            &format!("{A}.alarm_actions"),
            "array",
        );
        assert_refused(
            "ok_actions = [\n  \"arn:aws:sns:us-east-1:123456789012:ok\",\n  \"arn:aws:sqs:us-east-1:123456789012:q\",\n]\n",
            5,
            &format!("{A}.ok_actions"),
            "not an SNS topic ARN",
        );
        assert_refused(
            "alarm_actions = [\"arn:aws:sns:us-east-1:1234:pager\"]\n",
            3,
            &format!("{A}.alarm_actions"),
            "SNS topic ARN",
        );
        assert_refused(
            "tool_error_pattern = '{ $.level = '\n",
            3,
            &format!("{A}.tool_error_pattern"),
            "invalid filter pattern",
        );
        assert_refused(
            "tool_error_pattern = ''\n",
            3,
            &format!("{A}.tool_error_pattern"),
            "every log event",
        );
        assert_refused(
            "\nregion = \"us-east-1\"\n",
            4,
            &format!("{A}.region"),
            "expected one of: period",
        );
    }

    #[test]
    fn bad_kind_settings_are_refused() {
        let at = |kind: &str, k: &str| format!("{A}.{kind}.{k}");
        assert_refused(
            "[environments.prod.alarms.latency]\nstatistic = \"Sum\"\n",
            4,
            &at("latency", "statistic"),
            "allowed: pNN or pNN.N",
        );
        assert_refused(
            "[environments.prod.alarms.latency]\nstatistic = \"p100.25\"\n",
            4,
            &at("latency", "statistic"),
            "Minimum",
        );
        assert_refused(
            "[environments.prod.alarms.error_rate]\nstatistic = \"Average\"\n",
            4,
            &at("error_rate", "statistic"),
            "allowed: Sum",
        );
        assert_refused(
            "[environments.prod.alarms.throttles]\nstatistic = \"p99\"\n",
            4,
            &at("throttles", "statistic"),
            "allowed: Sum, Average, Maximum",
        );
        assert_refused(
            "[environments.prod.alarms.tool_error_rate]\nthreshold = 101\n",
            4,
            &at("tool_error_rate", "threshold"),
            "at most 100",
        );
        assert_refused(
            "[environments.prod.alarms.latency]\nthreshold = -1.0\n",
            4,
            &at("latency", "threshold"),
            ">= 0",
        );
        assert_refused(
            "[environments.prod.alarms.latency]\nthreshold = nan\n",
            4,
            &at("latency", "threshold"),
            "finite",
        );
        assert_refused(
            "[environments.prod.alarms.throttles]\nenabled = 1\n",
            4,
            &at("throttles", "enabled"),
            "true or false",
        );
        assert_refused(
            "[environments.prod.alarms.throttles]\nthreshhold = 1\n",
            4,
            &at("throttles", "threshhold"),
            "enabled, threshold, statistic",
        );
        assert_refused("latency = 5\n", 3, &format!("{A}.latency"), "table");
        assert!(is_percentile("p0") && is_percentile("p99.9") && is_percentile("p100"));
        assert!(!is_percentile("p101") && !is_percentile("p99.99") && !is_percentile("p"));
    }
}
