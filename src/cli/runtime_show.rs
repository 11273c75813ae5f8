//! `runtime show R` as a table: identity, every setting of the latest version beside the
//! other versions endpoints serve, each endpoint's log retention, endpoints and versions.

use super::output::{Table, or_dash};
use crate::domain::version_config::side_by_side;
use crate::domain::{RuntimeDetail, lineage};

pub fn print(d: &RuntimeDetail) {
    let rt = &d.runtime;
    let lineage = rt
        .lineage
        .as_ref()
        .map(|l| lineage::line(&rt.env, &rt.latest_version, l));
    let mut t = Table::new(vec!["FIELD", "VALUE"]);
    let fields: Vec<(&str, Option<&str>)> = vec![
        ("env", Some(&rt.env)),
        ("name", Some(&rt.name)),
        ("id", Some(&rt.id)),
        ("arn", Some(&rt.arn)),
        ("status", Some(rt.status.as_str())),
        ("latest version", Some(&rt.latest_version)),
        ("lineage", lineage.as_deref()),
        ("description", rt.description.as_deref()),
        ("failure reason", d.failure_reason.as_deref()),
        ("created", d.created_at.as_deref()),
        ("updated", rt.last_updated_at.as_deref()),
    ];
    for (k, v) in fields {
        t.row(vec![k.to_string(), or_dash(v)]);
    }
    t.print();
    println!();
    let mut versions = vec![&d.latest];
    versions.extend(d.served.iter());
    let mut rows = side_by_side(&versions, &d.latest.version).into_iter();
    let mut s = Table::headed(rows.next().unwrap_or_default());
    for r in rows {
        s.row(r);
    }
    s.print();
    println!();
    let mut r = Table::new(vec!["ENDPOINT", "LOG GROUP", "RETENTION"]);
    for g in &d.log_retention {
        let days = match (g.exists, g.retention_in_days) {
            (false, _) => "(no group yet)".to_string(),
            (true, None) => "never expire".to_string(),
            (true, Some(n)) => format!("{n} days"),
        };
        r.row(vec![g.endpoint.clone(), g.log_group.clone(), days]);
    }
    r.print();
    println!();
    let mut e = Table::new(vec!["ENDPOINT", "LIVE", "TARGET", "STATUS", "DESCRIPTION"]);
    for ep in &rt.endpoints {
        e.row(vec![
            ep.name.clone(),
            or_dash(ep.live_version.as_deref()),
            or_dash(ep.target_version.as_deref()),
            ep.status.to_string(),
            or_dash(ep.description.as_deref()),
        ]);
    }
    e.print();
    println!();
    let mut v = Table::new(vec![
        "VERSION",
        "STATUS",
        "UPDATED",
        "LINEAGE",
        "DESCRIPTION",
    ]);
    for ver in &d.versions {
        v.row(vec![
            ver.version.clone(),
            ver.status.to_string(),
            or_dash(ver.last_updated_at.as_deref()),
            ver.lineage
                .as_ref()
                .map_or_else(|| "-".into(), |l| format!("= {}", l.short())),
            or_dash(ver.description.as_deref()),
        ]);
    }
    v.print();
}
