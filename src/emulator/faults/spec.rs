//! A fault as written on the command line or posted to `/_local/faults`:
//! `SERVICE:OPERATION:KIND[@RATE]`, checked against the operations the local AgentCore
//! serves so that a typo is an error, not a fault that never fires.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::emulator::operation;

/// What a fault does to a call it applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// The protocol's own throttling error, which the SDKs retry.
    Throttle,
    /// An internal error (5xx) in the protocol's error shape.
    Error500,
    /// The answer comes this much later.
    Latency(Duration),
    /// StartLiveTail only: the event stream breaks after this many log events.
    DropAfter(u64),
    /// S3 PutObject only: the object is stored with its first byte changed (the call
    /// succeeds), so that a copy's verification has something to catch.
    Corrupt,
}

/// One fault: which calls (service and operation, `*` for any) and what happens to them.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultSpec {
    /// A signing name, or `*`.
    pub service: String,
    /// An operation name as AWS names it, or `*`.
    pub operation: String,
    pub kind: Kind,
    /// The fraction of matching calls it applies to, in (0, 1].
    pub rate: f64,
}

/// Why a spec was refused; the message names the part that is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("fault '{spec}': {problem}")]
pub struct SpecError {
    pub spec: String,
    pub problem: String,
}

/// Largest latency accepted: longer than any SDK's attempt timeout is pointless.
const MAX_LATENCY: Duration = Duration::from_secs(600);

impl FaultSpec {
    /// Whether the fault concerns a call of `operation` on `service` (None: a request the
    /// local AgentCore cannot name, which only `*` matches).
    pub fn matches(&self, service: &str, operation: Option<&str>) -> bool {
        (self.service == "*" || self.service == service)
            && (self.operation == "*" || Some(self.operation.as_str()) == operation)
    }
}

impl FromStr for FaultSpec {
    type Err = SpecError;

    fn from_str(text: &str) -> Result<Self, SpecError> {
        let bad = |problem: String| SpecError {
            spec: text.to_string(),
            problem,
        };
        let (body, rate) = match text.rsplit_once('@') {
            Some((b, r)) => (b, parse_rate(r).map_err(bad)?),
            None => (text, 1.0),
        };
        let mut parts = body.splitn(3, ':');
        let (Some(service), Some(op), Some(kind)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad(
                "expected SERVICE:OPERATION:KIND[@RATE], e.g. 'logs:FilterLogEvents:throttle@0.5'"
                    .into(),
            ));
        };
        if service != "*" && !operation::SERVICES.contains(&service) {
            return Err(bad(format!(
                "unknown service '{service}': use one of {} or '*'",
                operation::SERVICES.join(", ")
            )));
        }
        if op != "*" && !operation::known(service, op) {
            let scope = if service == "*" {
                "any service".to_string()
            } else {
                format!("'{service}'")
            };
            return Err(bad(format!(
                "unknown operation '{op}' for {scope}: use an operation name as AWS spells it \
                 (e.g. FilterLogEvents, GetMetricData, ListAgentRuntimes, PutObject) or '*'"
            )));
        }
        let kind = parse_kind(kind).map_err(bad)?;
        if matches!(kind, Kind::DropAfter(_)) && !(op == "StartLiveTail" && service != "s3") {
            return Err(bad(
                "drop-after applies to StartLiveTail's event stream only: write \
                 'logs:StartLiveTail:drop-after=N'"
                    .into(),
            ));
        }
        if kind == Kind::Corrupt && !(service == "s3" && op == "PutObject") {
            return Err(bad(
                "corrupt applies to S3 PutObject only: write 's3:PutObject:corrupt'".into(),
            ));
        }
        Ok(Self {
            service: service.to_string(),
            operation: op.to_string(),
            kind,
            rate,
        })
    }
}

fn parse_rate(r: &str) -> Result<f64, String> {
    match r.parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 1.0 => Ok(v),
        _ => Err(format!(
            "rate '{r}' must be a fraction of calls in (0, 1], e.g. @0.5"
        )),
    }
}

fn parse_kind(kind: &str) -> Result<Kind, String> {
    let (name, arg) = kind.split_once('=').unwrap_or((kind, ""));
    match (name, arg.is_empty()) {
        ("throttle", true) => Ok(Kind::Throttle),
        ("error500", true) => Ok(Kind::Error500),
        ("corrupt", true) => Ok(Kind::Corrupt),
        ("latency", false) => parse_duration(arg)
            .filter(|d| !d.is_zero() && *d <= MAX_LATENCY)
            .map(Kind::Latency)
            .ok_or_else(|| {
                format!(
                    "latency '{arg}' must be a duration up to 10m, e.g. latency=2s or latency=300ms"
                )
            }),
        ("drop-after", false) => arg
            .parse::<u64>()
            .ok()
            .filter(|n| *n > 0)
            .map(Kind::DropAfter)
            .ok_or_else(|| format!("drop-after '{arg}' must be a number of events above 0")),
        ("throttle" | "error500" | "corrupt", false) => {
            Err(format!("kind '{name}' takes no value"))
        }
        ("latency" | "drop-after", true) => Err(format!("kind '{name}' needs a value: {name}=…")),
        _ => Err(format!(
            "unknown kind '{kind}': use throttle, error500, latency=DURATION, drop-after=N or corrupt"
        )),
    }
}

/// `2s`, `300ms`, `1.5s`, `1m`.
fn parse_duration(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (num, unit) = text.split_at(split);
    let n: f64 = num.parse().ok()?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        _ => return None,
    };
    Duration::try_from_secs_f64(secs).ok()
}

impl fmt::Display for FaultSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:", self.service, self.operation)?;
        match &self.kind {
            Kind::Throttle => write!(f, "throttle")?,
            Kind::Error500 => write!(f, "error500")?,
            Kind::Latency(d) => write!(f, "latency={}ms", d.as_millis())?,
            Kind::DropAfter(n) => write!(f, "drop-after={n}")?,
            Kind::Corrupt => write!(f, "corrupt")?,
        }
        if self.rate < 1.0 {
            write!(f, "@{}", self.rate)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> FaultSpec {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn err(s: &str) -> String {
        match s.parse::<FaultSpec>() {
            Ok(f) => panic!("{s} was accepted as {f:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn good_specs() {
        let f = ok("logs:FilterLogEvents:throttle@0.5");
        assert_eq!(
            (f.service.as_str(), f.operation.as_str(), &f.kind, f.rate),
            ("logs", "FilterLogEvents", &Kind::Throttle, 0.5)
        );
        assert_eq!(
            ok("*:*:latency=2s").kind,
            Kind::Latency(Duration::from_secs(2))
        );
        assert_eq!(
            ok("monitoring:GetMetricData:latency=300ms").kind,
            Kind::Latency(Duration::from_millis(300))
        );
        assert_eq!(ok("s3:PutObject:error500@1").rate, 1.0);
        assert_eq!(
            ok("logs:StartLiveTail:drop-after=100").kind,
            Kind::DropAfter(100)
        );
        assert_eq!(ok("*:StartLiveTail:drop-after=1").service, "*");
        assert_eq!(ok("bedrock-agentcore:*:error500").operation, "*");
        assert_eq!(ok("*:ListAgentRuntimes:throttle").service, "*");
        assert_eq!(
            ok("sts:GetCallerIdentity:throttle").operation,
            "GetCallerIdentity"
        );
        // Display gives back a spec that parses to the same fault.
        assert_eq!(ok("s3:PutObject:corrupt").kind, Kind::Corrupt);
        for s in [
            "logs:FilterLogEvents:throttle@0.25",
            "*:*:latency=1500ms",
            "s3:PutObject:corrupt@0.5",
        ] {
            assert_eq!(ok(&ok(s).to_string()), ok(s));
        }
    }

    #[test]
    fn bad_specs_name_the_wrong_part() {
        assert!(err("logs:FilterLogEvents").contains("SERVICE:OPERATION:KIND"));
        assert!(err("lambda:*:throttle").contains("unknown service 'lambda'"));
        assert!(err("logs:FilterLogEvent:throttle").contains("unknown operation 'FilterLogEvent'"));
        // An operation of another service is not one of this service's.
        assert!(err("logs:GetMetricData:throttle").contains("for 'logs'"));
        assert!(err("*:Nope:throttle").contains("for any service"));
        assert!(err("logs:*:explode").contains("unknown kind 'explode'"));
        assert!(err("logs:*:throttle=3").contains("takes no value"));
        assert!(err("logs:*:latency").contains("needs a value"));
        assert!(err("logs:*:latency=2").contains("latency '2'"));
        assert!(err("logs:*:latency=fast").contains("latency 'fast'"));
        assert!(err("logs:*:latency=0s").contains("latency '0s'"));
        assert!(err("logs:*:latency=1h").contains("latency '1h'"));
        assert!(err("logs:*:throttle@0").contains("rate '0'"));
        assert!(err("logs:*:throttle@1.5").contains("rate '1.5'"));
        assert!(err("logs:*:throttle@half").contains("rate 'half'"));
        assert!(err("logs:StartLiveTail:drop-after=0").contains("drop-after '0'"));
        assert!(err("logs:FilterLogEvents:drop-after=5").contains("StartLiveTail"));
        assert!(err("*:*:drop-after=5").contains("StartLiveTail"));
        assert!(err("x").starts_with("fault 'x': "));
        assert!(err("s3:GetObject:corrupt").contains("'s3:PutObject:corrupt'"));
        assert!(err("*:*:corrupt").contains("PutObject only"));
        assert!(err("s3:PutObject:corrupt=1").contains("takes no value"));
    }
}
