//! `validate` across settings, `weakened_by` and `diff`.

use super::*;

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

fn prod() -> Posture {
    Posture {
        network: Some(Network::Vpc {
            subnets: s(&["subnet-0aaaaaaaa", "subnet-0bbbbbbbb"]),
            security_groups: s(&["sg-0cccccccc"]),
        }),
        auth: Some(InboundAuth::Jwt {
            discovery_url: "https://idp.example.com/.well-known/openid-configuration".into(),
            allowed_audiences: s(&["mcp"]),
            allowed_clients: vec![],
        }),
        lifecycle: Some(Lifecycle {
            idle_session_timeout_s: Some(900),
            max_lifetime_s: Some(28_800),
        }),
        protocol: Some(Protocol::Mcp),
        request_headers: Some(s(&["Authorization"])),
        log_retention_days: Some(90),
    }
}

#[test]
fn a_full_posture_validates_and_an_empty_one_is_unconfigured() {
    assert_eq!(prod().validate(), Ok(()));
    assert!(prod().is_configured());
    assert!(!Posture::default().is_configured());
    assert_eq!(Posture::default().validate(), Ok(()));
}

#[test]
fn validate_reaches_every_setting() {
    let mut p = prod();
    p.log_retention_days = Some(91);
    assert_eq!(p.validate().map_err(|e| e.field), Err("log_retention_days"));
    let mut p = prod();
    p.lifecycle = Some(Lifecycle {
        idle_session_timeout_s: Some(30),
        max_lifetime_s: None,
    });
    assert_eq!(
        p.validate().map_err(|e| e.field),
        Err("idle_session_timeout")
    );
    let mut p = prod();
    p.network = Some(Network::Vpc {
        subnets: s(&["subnet-x"]),
        security_groups: s(&["sg-0cccccccc"]),
    });
    assert_eq!(p.validate().map_err(|e| e.field), Err("subnets"));
    let mut p = prod();
    p.auth = Some(InboundAuth::Jwt {
        discovery_url: "https://idp.example.com/".into(),
        allowed_audiences: s(&["a"]),
        allowed_clients: vec![],
    });
    assert_eq!(p.validate().map_err(|e| e.field), Err("discovery_url"));
    let mut p = prod();
    p.request_headers = Some(s(&["Host"]));
    assert_eq!(p.validate().map_err(|e| e.field), Err("request_headers"));
}

#[test]
fn authorization_header_needs_a_jwt_authorizer() {
    let mut p = prod();
    p.auth = Some(InboundAuth::Iam);
    p.request_headers = Some(s(&["X-Api-Key", "authorization"]));
    let e = p.validate().expect_err("IAM with Authorization");
    assert_eq!((e.field, e.item), ("request_headers", Some(1)));
    assert!(e.message.contains("auth = \"jwt\""), "{e}");
    assert_eq!(e.to_string().split(':').next(), Some("request_headers[2]"));
    // Unset auth: a deploy may still bring the authorizer.
    p.auth = None;
    assert_eq!(p.validate(), Ok(()));
}

#[test]
fn weakened_by_names_each_weakening() {
    let env = prod();
    assert!(env.weakened_by(&env).is_empty(), "the same posture");
    let mut public_iam = Posture {
        network: Some(Network::Public),
        auth: Some(InboundAuth::Iam),
        log_retention_days: Some(7),
        ..Posture::default()
    };
    let w = env.weakened_by(&public_iam);
    assert_eq!(w.len(), 3, "{w:#?}");
    assert!(
        w[0].starts_with("replaces the JWT authorizer with IAM"),
        "{}",
        w[0]
    );
    assert!(w[0].contains("https://idp.example.com/"), "{}", w[0]);
    assert!(
        w[1].starts_with("leaves the VPC for the public network"),
        "{}",
        w[1]
    );
    assert!(
        w[1].contains("subnet-0aaaaaaaa, subnet-0bbbbbbbb"),
        "{}",
        w[1]
    );
    assert_eq!(w[2], "shortens log retention from 90 to 7 days");
    // Unset auth and network are AWS's defaults (IAM, PUBLIC); unset retention is untouched.
    public_iam = Posture::default();
    let w = env.weakened_by(&public_iam);
    assert_eq!(w.len(), 2, "{w:#?}");
    assert!(w[0].starts_with("drops the JWT authorizer"), "{}", w[0]);
}

#[test]
fn strengthening_or_changing_within_a_posture_is_not_weakening() {
    let env = prod();
    let mut deploy = prod();
    deploy.log_retention_days = Some(365);
    deploy.network = Some(Network::Vpc {
        subnets: s(&["subnet-0dddddddd"]),
        security_groups: s(&["sg-0eeeeeeee"]),
    });
    deploy.auth = Some(InboundAuth::Jwt {
        discovery_url: "https://other.example.com/.well-known/openid-configuration".into(),
        allowed_audiences: vec![],
        allowed_clients: s(&["c"]),
    });
    deploy.protocol = Some(Protocol::Http);
    assert!(env.weakened_by(&deploy).is_empty());
    // An environment that asks for nothing is never weakened.
    assert!(
        Posture::default()
            .weakened_by(&Posture::default())
            .is_empty()
    );
    let dev = Posture {
        network: Some(Network::Public),
        auth: Some(InboundAuth::Iam),
        log_retention_days: Some(7),
        ..Posture::default()
    };
    assert!(
        dev.weakened_by(&env).is_empty(),
        "prod's posture is stronger than dev's"
    );
}

#[test]
fn diff_lists_only_what_differs_in_order() {
    assert!(prod().diff(&prod()).is_empty());
    let dev = Posture {
        network: Some(Network::Public),
        auth: Some(InboundAuth::Iam),
        lifecycle: Some(Lifecycle {
            idle_session_timeout_s: Some(900),
            max_lifetime_s: Some(3600),
        }),
        protocol: Some(Protocol::Mcp),
        request_headers: None,
        log_retention_days: Some(7),
    };
    let d = prod().diff(&dev);
    let row = |f: &str, l: &str, r: &str| (f.to_string(), l.to_string(), r.to_string());
    let got: Vec<_> = d
        .into_iter()
        .map(|(f, l, r)| (f.to_string(), l, r))
        .collect();
    assert_eq!(
        got,
        [
            row("network", "VPC", "PUBLIC"),
            row("subnets", "subnet-0aaaaaaaa, subnet-0bbbbbbbb", "-"),
            row("security_groups", "sg-0cccccccc", "-"),
            row("auth", "JWT", "IAM"),
            row(
                "discovery_url",
                "https://idp.example.com/.well-known/openid-configuration",
                "-"
            ),
            row("allowed_audiences", "mcp", "-"),
            row("max_lifetime", "8h", "1h"),
            row("request_headers", "Authorization", "-"),
            row("log_retention_days", "90", "7"),
        ]
    );
    // Not configured against configured.
    let d = Posture::default().diff(&Posture {
        protocol: Some(Protocol::A2a),
        ..Posture::default()
    });
    assert_eq!(d, [("protocol", "-".to_string(), "A2A".to_string())]);
}

#[test]
fn serializes_with_aws_spellings() {
    let json = serde_json::to_value(prod()).expect("json");
    assert_eq!(json["network"]["mode"], "VPC");
    assert_eq!(json["auth"]["type"], "JWT");
    assert_eq!(json["protocol"], "MCP");
    let back: Posture = serde_json::from_value(json).expect("round trip");
    assert_eq!(back, prod());
}
