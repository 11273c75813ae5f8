//! `[environments.NAME.runtime]`: the posture every deploy to the environment gets. Read
//! strictly, as `alarms.rs` is: unknown keys, wrong types, settings that contradict each other
//! and values outside AWS's constraints are refused at load, naming the line and key. The
//! checks themselves live in `domain::posture`; this file maps each refusal to its key (or the
//! list item at fault).

use std::collections::HashMap;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::error::Located;
use super::file::{in_file_order, must_be};
use super::plans::values::parse_duration;
use crate::domain::posture::{InboundAuth, Lifecycle, Network, Posture, PostureError, Protocol};

const KEYS: &[&str] = &[
    "network",
    "subnets",
    "security_groups",
    "auth",
    "discovery_url",
    "allowed_audiences",
    "allowed_clients",
    "idle_session_timeout",
    "max_lifetime",
    "protocol",
    "request_headers",
    "log_retention_days",
];

type Value<'a, 'i> = &'a Spanned<DeValue<'i>>;

/// Parse the `runtime` table of the environment at `path` (`environments.NAME`).
pub(super) fn posture(text: &str, path: &str, table: &DeTable<'_>) -> Result<Posture, Located> {
    let base = format!("{path}.runtime");
    let mut seen: HashMap<&str, Value<'_, '_>> = HashMap::new();
    for (key, value) in in_file_order(table) {
        let k = key.get_ref().as_ref();
        let Some(known) = KEYS.iter().find(|known| **known == k) else {
            return Err(Located::at(
                text,
                key.span().start,
                Some(format!("{base}.{k}")),
                format!("unknown key (expected one of: {})", KEYS.join(", ")),
            ));
        };
        seen.insert(known, value);
    }
    let r = Reader {
        text,
        base: &base,
        seen,
    };
    let network = r.network()?;
    let auth = r.auth()?;
    let idle = r.duration("idle_session_timeout")?;
    let max = r.duration("max_lifetime")?;
    let lifecycle = if idle.is_some() || max.is_some() {
        Some(Lifecycle::new(idle, max).map_err(|e| r.refusal(e))?)
    } else {
        None
    };
    let protocol = match r.string("protocol")? {
        Some(s) => Some(Protocol::parse(s).map_err(|e| r.refusal(e))?),
        None => None,
    };
    let log_retention_days = match r.seen.get("log_retention_days") {
        Some(v) => {
            let n = v
                .get_ref()
                .as_integer()
                .and_then(|i| u32::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok())
                .ok_or_else(|| r.at(v, "log_retention_days", must_be("a number of days", v)))?;
            Some(n)
        }
        None => None,
    };
    let p = Posture {
        network,
        auth,
        lifecycle,
        protocol,
        request_headers: r.strings("request_headers")?,
        log_retention_days,
    };
    p.validate().map_err(|e| r.refusal(e))?;
    Ok(p)
}

struct Reader<'t, 'a, 'i> {
    text: &'t str,
    base: &'t str,
    seen: HashMap<&'static str, Value<'a, 'i>>,
}

impl<'a, 'i> Reader<'_, 'a, 'i> {
    fn at(&self, value: Value<'_, '_>, key: &str, message: String) -> Located {
        Located::at(
            self.text,
            value.span().start,
            Some(format!("{}.{key}", self.base)),
            message,
        )
    }

    /// A domain refusal at its key, or at the list item it names.
    fn refusal(&self, e: PostureError) -> Located {
        let Some(value) = self.seen.get(e.field) else {
            // Every value checked came from the file; keep the field in the message anyway.
            return self.table(e.to_string());
        };
        let item = e
            .item
            .and_then(|i| value.get_ref().as_array().and_then(|a| a.get(i)));
        match (item, e.item) {
            (Some(item), Some(i)) => Located::at(
                self.text,
                item.span().start,
                Some(format!("{}.{}[{}]", self.base, e.field, i + 1)),
                e.message,
            ),
            _ => self.at(value, e.field, e.message),
        }
    }

    fn string(&self, key: &'static str) -> Result<Option<&'a str>, Located> {
        let Some(v) = self.seen.get(key).copied() else {
            return Ok(None);
        };
        match v.get_ref().as_str() {
            Some(s) if !s.trim().is_empty() => Ok(Some(s)),
            Some(_) => Err(self.at(v, key, "must not be empty".into())),
            None => Err(self.at(v, key, must_be("a string", v))),
        }
    }

    fn strings(&self, key: &'static str) -> Result<Option<Vec<String>>, Located> {
        let Some(v) = self.seen.get(key).copied() else {
            return Ok(None);
        };
        let Some(list) = v.get_ref().as_array() else {
            return Err(self.at(v, key, must_be("an array of strings", v)));
        };
        let mut out = Vec::new();
        for (i, item) in list.iter().enumerate() {
            let s = item.get_ref().as_str().ok_or_else(|| {
                self.at(
                    item,
                    &format!("{key}[{}]", i + 1),
                    must_be("a string", item),
                )
            })?;
            out.push(s.to_string());
        }
        Ok(Some(out))
    }

    fn duration(&self, key: &'static str) -> Result<Option<u32>, Located> {
        let (Some(s), Some(v)) = (self.string(key)?, self.seen.get(key)) else {
            return Ok(None);
        };
        let d = parse_duration(s).map_err(|m| self.at(v, key, m))?;
        u32::try_from(d.as_secs())
            .map(Some)
            .map_err(|_| self.at(v, key, format!("`{s}` is out of range: 1m to 8h")))
    }

    /// Where the file has no value to point at: the `runtime` table.
    fn table(&self, message: String) -> Located {
        Located::at(self.text, 0, Some(self.base.to_string()), message)
    }

    /// A key that only belongs with `needs`: its value must be `want`.
    fn requires(&self, keys: &[&'static str], needs: &str, want: &str) -> Result<(), Located> {
        for key in keys {
            if let Some(v) = self.seen.get(key) {
                return Err(self.at(
                    v,
                    key,
                    format!("{key} is only for {needs} = \"{want}\" (set {needs} = \"{want}\" or remove {key})"),
                ));
            }
        }
        Ok(())
    }

    fn network(&self) -> Result<Option<Network>, Located> {
        const VPC_KEYS: [&str; 2] = ["subnets", "security_groups"];
        match self.string("network")? {
            None => {
                self.requires(&VPC_KEYS, "network", "vpc")?;
                Ok(None)
            }
            Some("public") => {
                self.requires(&VPC_KEYS, "network", "vpc")?;
                Ok(Some(Network::Public))
            }
            Some("vpc") => {
                let subnets = self.strings("subnets")?;
                let groups = self.strings("security_groups")?;
                let (Some(subnets), Some(groups)) = (subnets, groups) else {
                    let needed = VPC_KEYS.into_iter().find(|k| !self.seen.contains_key(k));
                    return Err(self.bad_choice(
                        "network",
                        format!(
                            "network = \"vpc\" needs {} (1 to 16 ids)",
                            needed.unwrap_or("subnets")
                        ),
                    ));
                };
                Ok(Some(
                    Network::vpc(subnets, groups).map_err(|e| self.refusal(e))?,
                ))
            }
            Some(other) => Err(self.bad_choice(
                "network",
                format!("must be \"public\" or \"vpc\", found \"{other}\""),
            )),
        }
    }

    fn auth(&self) -> Result<Option<InboundAuth>, Located> {
        const JWT_KEYS: [&str; 3] = ["discovery_url", "allowed_audiences", "allowed_clients"];
        match self.string("auth")? {
            None => {
                self.requires(&JWT_KEYS, "auth", "jwt")?;
                Ok(None)
            }
            Some("iam") => {
                self.requires(&JWT_KEYS, "auth", "jwt")?;
                Ok(Some(InboundAuth::Iam))
            }
            Some("jwt") => {
                let Some(url) = self.string("discovery_url")? else {
                    return Err(self.bad_choice(
                        "auth",
                        "auth = \"jwt\" needs discovery_url \
                         (https://…/.well-known/openid-configuration)"
                            .into(),
                    ));
                };
                let audiences = self.strings("allowed_audiences")?;
                let clients = self.strings("allowed_clients")?;
                if audiences.is_none() && clients.is_none() {
                    return Err(self.bad_choice(
                        "auth",
                        "auth = \"jwt\" needs allowed_audiences or allowed_clients (or both): \
                         the authorizer accepts tokens for one of them"
                            .into(),
                    ));
                }
                let (audiences, clients) =
                    (audiences.unwrap_or_default(), clients.unwrap_or_default());
                Ok(Some(
                    InboundAuth::jwt(url.to_string(), audiences, clients)
                        .map_err(|e| self.refusal(e))?,
                ))
            }
            Some(other) => Err(self.bad_choice(
                "auth",
                format!("must be \"iam\" or \"jwt\", found \"{other}\""),
            )),
        }
    }

    /// A refusal at `key`'s value.
    fn bad_choice(&self, key: &'static str, message: String) -> Located {
        match self.seen.get(key) {
            Some(v) => self.at(v, key, message),
            None => self.table(message),
        }
    }
}

#[cfg(test)]
mod tests;
