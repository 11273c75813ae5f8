//! The deploy form's posture section: the runtime settings a deploy sends, prefilled from the
//! environment's `[environments.NAME.runtime]`, read with the CLI flags' rules and checked as
//! typed. What it weakens against the environment is shown before anything is asked; in a
//! protected environment such a deploy also needs the `allow posture change` toggle (and the
//! arming every write there needs).

use crate::domain::Environment;
use crate::domain::posture::{
    InboundAuth, Lifecycle, Network, Posture, PostureError, Protocol, seconds,
};
use crate::tui::widgets::text_input::TextInput;

/// One posture field of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PField {
    Network,
    Subnets,
    SecurityGroups,
    Auth,
    DiscoveryUrl,
    Audiences,
    Clients,
    IdleTimeout,
    MaxLifetime,
    Protocol,
    Headers,
    Retention,
}

impl PField {
    pub const ALL: [Self; 12] = [
        Self::Network,
        Self::Subnets,
        Self::SecurityGroups,
        Self::Auth,
        Self::DiscoveryUrl,
        Self::Audiences,
        Self::Clients,
        Self::IdleTimeout,
        Self::MaxLifetime,
        Self::Protocol,
        Self::Headers,
        Self::Retention,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Network => "network",
            Self::Subnets => "subnets",
            Self::SecurityGroups => "sec. groups",
            Self::Auth => "auth",
            Self::DiscoveryUrl => "discovery URL",
            Self::Audiences => "audiences",
            Self::Clients => "clients",
            Self::IdleTimeout => "idle timeout",
            Self::MaxLifetime => "max lifetime",
            Self::Protocol => "protocol",
            Self::Headers => "headers",
            Self::Retention => "log retention",
        }
    }

    pub fn note(self) -> &'static str {
        match self {
            Self::Network => "public or vpc",
            Self::Subnets | Self::SecurityGroups => "ids, space-separated (vpc only)",
            Self::Auth => "iam or jwt",
            Self::DiscoveryUrl => "https://…/.well-known/openid-configuration (jwt only)",
            Self::Audiences | Self::Clients => "space-separated (jwt only)",
            Self::IdleTimeout | Self::MaxLifetime => "1m to 8h, like 15m or 1h30m",
            Self::Protocol => "mcp, http or a2a",
            Self::Headers => "names AgentCore passes on, space-separated",
            Self::Retention => "days: 1 3 5 7 14 30 60 90 … 3653",
        }
    }

    /// The form field a domain refusal is about.
    fn of(field: &str) -> Self {
        match field {
            "network" => Self::Network,
            "subnets" => Self::Subnets,
            "security_groups" => Self::SecurityGroups,
            "auth" => Self::Auth,
            "discovery_url" => Self::DiscoveryUrl,
            "allowed_audiences" => Self::Audiences,
            "allowed_clients" => Self::Clients,
            "idle_session_timeout" => Self::IdleTimeout,
            "max_lifetime" => Self::MaxLifetime,
            "protocol" => Self::Protocol,
            "request_headers" => Self::Headers,
            _ => Self::Retention,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PostureForm {
    /// Whether the section's fields are shown.
    pub open: bool,
    inputs: Vec<TextInput>,
    /// Let this deploy weaken a protected environment's posture (with arming).
    pub allow_change: bool,
    /// The environment's posture (what the fields start from, and what a weakening is against).
    pub env_posture: Posture,
    pub protected: bool,
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

fn refusal(e: &PostureError) -> String {
    let which = e.item.map(|i| format!(" (#{})", i + 1)).unwrap_or_default();
    format!("{}{which}: {}", PField::of(e.field).label(), e.message)
}

impl PostureForm {
    /// The section for `env`, its fields holding the environment's settings.
    pub fn new(env: &Environment) -> Self {
        let p = &env.posture;
        let mut f = Self {
            open: false,
            inputs: vec![TextInput::default(); PField::ALL.len()],
            allow_change: false,
            env_posture: p.clone(),
            protected: env.read_only,
        };
        let secs = |s: Option<u32>| s.map(seconds).unwrap_or_default();
        let life = p.lifecycle.unwrap_or_default();
        for field in PField::ALL {
            let text = match (field, &p.network, &p.auth) {
                (PField::Network, Some(n), _) => n.mode().to_lowercase(),
                (PField::Subnets, Some(Network::Vpc { subnets, .. }), _) => subnets.join(" "),
                (
                    PField::SecurityGroups,
                    Some(Network::Vpc {
                        security_groups, ..
                    }),
                    _,
                ) => security_groups.join(" "),
                (PField::Auth, _, Some(InboundAuth::Iam)) => "iam".into(),
                (PField::Auth, _, Some(InboundAuth::Jwt { .. })) => "jwt".into(),
                (PField::DiscoveryUrl, _, Some(InboundAuth::Jwt { discovery_url, .. })) => {
                    discovery_url.clone()
                }
                (
                    PField::Audiences,
                    _,
                    Some(InboundAuth::Jwt {
                        allowed_audiences, ..
                    }),
                ) => allowed_audiences.join(" "),
                (
                    PField::Clients,
                    _,
                    Some(InboundAuth::Jwt {
                        allowed_clients, ..
                    }),
                ) => allowed_clients.join(" "),
                (PField::IdleTimeout, ..) => secs(life.idle_session_timeout_s),
                (PField::MaxLifetime, ..) => secs(life.max_lifetime_s),
                (PField::Protocol, ..) => p
                    .protocol
                    .map(|x| x.as_str().to_lowercase())
                    .unwrap_or_default(),
                (PField::Headers, ..) => p.request_headers.as_deref().unwrap_or_default().join(" "),
                (PField::Retention, ..) => p
                    .log_retention_days
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                _ => String::new(),
            };
            *f.input_mut(field) = TextInput::with(&text);
        }
        f
    }

    fn at(field: PField) -> usize {
        PField::ALL.iter().position(|f| *f == field).unwrap_or(0)
    }

    pub fn input(&self, field: PField) -> &TextInput {
        &self.inputs[Self::at(field)]
    }

    pub fn input_mut(&mut self, field: PField) -> &mut TextInput {
        &mut self.inputs[Self::at(field)]
    }

    fn text(&self, field: PField) -> &str {
        self.input(field).text.trim()
    }

    /// The settings the fields give (an empty field sets nothing), checked as AWS would.
    pub fn posture(&self) -> Result<Posture, String> {
        let only = |fields: &[PField], what: &str| match fields
            .iter()
            .find(|f| !self.text(**f).is_empty())
        {
            Some(f) => Err(format!("{} is only for {what}", f.label())),
            None => Ok(()),
        };
        let network = match self.text(PField::Network).to_lowercase().as_str() {
            "vpc" => Some(
                Network::vpc(
                    words(self.text(PField::Subnets)),
                    words(self.text(PField::SecurityGroups)),
                )
                .map_err(|e| refusal(&e))?,
            ),
            other => {
                only(&[PField::Subnets, PField::SecurityGroups], "network vpc")?;
                match other {
                    "" => None,
                    "public" => Some(Network::Public),
                    _ => return Err(format!("network: `{other}` is not public or vpc")),
                }
            }
        };
        let jwt_fields = [PField::DiscoveryUrl, PField::Audiences, PField::Clients];
        let auth = match self.text(PField::Auth).to_lowercase().as_str() {
            "jwt" => Some(
                InboundAuth::jwt(
                    self.text(PField::DiscoveryUrl).to_string(),
                    words(self.text(PField::Audiences)),
                    words(self.text(PField::Clients)),
                )
                .map_err(|e| refusal(&e))?,
            ),
            other => {
                only(&jwt_fields, "auth jwt")?;
                match other {
                    "" => None,
                    "iam" => Some(InboundAuth::Iam),
                    _ => return Err(format!("auth: `{other}` is not iam or jwt")),
                }
            }
        };
        let duration = |field: PField| -> Result<Option<u32>, String> {
            let s = self.text(field);
            if s.is_empty() {
                return Ok(None);
            }
            let d =
                crate::config::parse_duration(s).map_err(|m| format!("{}: {m}", field.label()))?;
            u32::try_from(d.as_secs())
                .map(Some)
                .map_err(|_| format!("{}: `{s}` is out of range: 1m to 8h", field.label()))
        };
        let (idle, max) = (
            duration(PField::IdleTimeout)?,
            duration(PField::MaxLifetime)?,
        );
        let lifecycle = if idle.is_some() || max.is_some() {
            Some(Lifecycle::new(idle, max).map_err(|e| refusal(&e))?)
        } else {
            None
        };
        let protocol = match self.text(PField::Protocol) {
            "" => None,
            s => Some(Protocol::parse(s).map_err(|e| refusal(&e))?),
        };
        let headers = words(self.text(PField::Headers));
        let retention = match self.text(PField::Retention) {
            "" => None,
            s => Some(
                s.parse::<u32>()
                    .map_err(|_| format!("log retention: `{s}` is not a number of days"))?,
            ),
        };
        let p = Posture {
            network,
            auth,
            lifecycle,
            protocol,
            request_headers: (!headers.is_empty()).then_some(headers),
            log_retention_days: retention,
        };
        p.validate().map_err(|e| refusal(&e))?;
        Ok(p)
    }

    /// The settings in a few words, for the closed section (or why they cannot be sent).
    pub fn summary(&self) -> String {
        let p = match self.posture() {
            Ok(p) if p.is_configured() => p,
            Ok(_) => return "none set".into(),
            Err(_) => return "invalid (see below)".into(),
        };
        let mut parts = vec![];
        if let Some(n) = &p.network {
            parts.push(n.mode().to_string());
        }
        if let Some(a) = &p.auth {
            parts.push(if a.is_jwt() { "JWT" } else { "IAM" }.to_string());
        }
        let life = p.lifecycle.unwrap_or_default();
        if let Some(s) = life.idle_session_timeout_s {
            parts.push(format!("idle {}", seconds(s)));
        }
        if let Some(s) = life.max_lifetime_s {
            parts.push(format!("max {}", seconds(s)));
        }
        if let Some(proto) = p.protocol {
            parts.push(proto.as_str().to_string());
        }
        if let Some(h) = &p.request_headers {
            parts.push(format!("{} headers", h.len()));
        }
        if let Some(d) = p.log_retention_days {
            parts.push(format!("logs {d} days"));
        }
        parts.join(" · ")
    }

    /// What `p` weakens against the environment's posture (over which it is sent).
    pub fn weakenings(&self, p: &Posture) -> Vec<String> {
        let sent = crate::backend::deploy::posture::overlay(p, &self.env_posture);
        self.env_posture.weakened_by(&sent)
    }

    /// The form's posture, refused when it weakens a protected environment without the toggle.
    pub fn check(&self) -> Result<Posture, String> {
        let p = self.posture()?;
        let weakened = self.weakenings(&p);
        if self.protected && !self.allow_change && !weakened.is_empty() {
            return Err(format!(
                "weakens the protected environment's posture ({}): turn on `allow change` and \
                 arm to deploy it anyway",
                weakened.len()
            ));
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prod() -> Environment {
        Environment {
            name: "prod".into(),
            read_only: true,
            posture: Posture {
                network: Some(Network::Vpc {
                    subnets: vec!["subnet-0123456789abcdef0".into()],
                    security_groups: vec!["sg-0123456789abcdef0".into()],
                }),
                auth: Some(InboundAuth::Jwt {
                    discovery_url: "https://issuer.example.com/.well-known/openid-configuration"
                        .into(),
                    allowed_audiences: vec!["prod".into()],
                    allowed_clients: vec![],
                }),
                lifecycle: Some(Lifecycle {
                    idle_session_timeout_s: Some(600),
                    max_lifetime_s: None,
                }),
                protocol: Some(Protocol::Mcp),
                request_headers: None,
                log_retention_days: Some(90),
            },
            ..Environment::default()
        }
    }

    #[test]
    fn prefilled_from_the_environment_and_read_back_the_same() {
        let env = prod();
        let f = PostureForm::new(&env);
        assert_eq!(f.input(PField::Network).text, "vpc");
        assert_eq!(f.input(PField::IdleTimeout).text, "10m");
        assert_eq!(f.input(PField::Retention).text, "90");
        assert_eq!(f.posture(), Ok(env.posture.clone()));
        assert_eq!(f.check(), Ok(env.posture));
        let empty = PostureForm::new(&Environment::default());
        assert_eq!(empty.posture(), Ok(Posture::default()));
    }

    #[test]
    fn bad_values_name_their_field() {
        let env = Environment::default();
        for (field, text, want) in [
            (
                PField::Subnets,
                "subnet-0123456789abcdef0",
                "subnets is only for network vpc",
            ),
            (
                PField::Network,
                "private",
                "network: `private` is not public or vpc",
            ),
            (PField::Audiences, "a", "audiences is only for auth jwt"),
            (
                PField::IdleTimeout,
                "10",
                "idle timeout: `10` is not a duration",
            ),
            (
                PField::MaxLifetime,
                "9h",
                "max lifetime: 9h is out of range",
            ),
            (
                PField::Protocol,
                "grpc",
                "protocol: `grpc` is not a server protocol",
            ),
            (PField::Headers, "Host", "headers (#1)"),
            (
                PField::Retention,
                "8",
                "log retention: 8 is not a retention",
            ),
            (
                PField::Retention,
                "a week",
                "log retention: `a week` is not a number",
            ),
        ] {
            let mut f = PostureForm::new(&env);
            f.input_mut(field).text = text.into();
            let e = f.posture().expect_err(text);
            assert!(e.contains(want), "`{want}` in `{e}`");
        }
        let mut f = PostureForm::new(&env);
        f.input_mut(PField::Network).text = "vpc".into();
        f.input_mut(PField::Subnets).text = "subnet-0123456789abcdef0 subnet-x".into();
        f.input_mut(PField::SecurityGroups).text = "sg-0123456789abcdef0".into();
        assert!(
            f.posture()
                .is_err_and(|e| e.starts_with("subnets (#2): `subnet-x`"))
        );
    }

    #[test]
    fn a_weakening_in_a_protected_environment_needs_the_toggle() {
        let mut f = PostureForm::new(&prod());
        f.input_mut(PField::Retention).text = "30".into();
        f.input_mut(PField::Auth).text = "iam".into();
        for jwt in [PField::DiscoveryUrl, PField::Audiences, PField::Clients] {
            f.input_mut(jwt).text.clear();
        }
        let e = f.check().expect_err("refused");
        assert!(e.contains("(2): turn on `allow change`"), "{e}");
        let p = f.posture().expect("valid");
        let w = f.weakenings(&p).join("; ");
        assert!(w.contains("replaces the JWT authorizer with IAM"), "{w}");
        assert!(
            w.contains("shortens log retention from 90 to 30 days"),
            "{w}"
        );
        f.allow_change = true;
        assert_eq!(f.check(), Ok(p));
        // Unprotected: shown, not refused.
        let mut env = prod();
        env.read_only = false;
        let mut g = PostureForm::new(&env);
        g.input_mut(PField::Retention).text = "30".into();
        assert!(g.check().is_ok());
        assert_eq!(g.weakenings(&g.posture().unwrap()).len(), 1);
    }
}
