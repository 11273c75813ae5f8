//! Where a runtime's sessions run: AWS's public network, or the caller's VPC. AWS's model
//! (`VpcConfig`) takes 1..16 subnets and 1..16 security groups, ids `subnet-` / `sg-` and 8..17
//! letters or digits.

use serde::{Deserialize, Serialize};

use super::PostureError;

/// Most subnets or security groups AWS takes on one runtime.
pub const MAX_IDS: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Network {
    Public,
    Vpc {
        subnets: Vec<String>,
        security_groups: Vec<String>,
    },
}

impl Network {
    /// A VPC network, checked against AWS's constraints.
    pub fn vpc(subnets: Vec<String>, security_groups: Vec<String>) -> Result<Self, PostureError> {
        let network = Self::Vpc {
            subnets,
            security_groups,
        };
        network.validate()?;
        Ok(network)
    }

    pub fn validate(&self) -> Result<(), PostureError> {
        let Self::Vpc {
            subnets,
            security_groups,
        } = self
        else {
            return Ok(());
        };
        ids("subnets", "subnet-", subnets)?;
        ids("security_groups", "sg-", security_groups)
    }

    /// AWS's spelling (`networkMode`).
    pub fn mode(&self) -> &'static str {
        match self {
            Self::Public => "PUBLIC",
            Self::Vpc { .. } => "VPC",
        }
    }
}

fn ids(field: &'static str, prefix: &str, list: &[String]) -> Result<(), PostureError> {
    if list.is_empty() || list.len() > MAX_IDS {
        return Err(PostureError::new(
            field,
            format!(
                "a VPC network needs 1 to {MAX_IDS} {field}, found {}",
                list.len()
            ),
        ));
    }
    for (i, id) in list.iter().enumerate() {
        let ok = id.strip_prefix(prefix).is_some_and(|rest| {
            (8..=17).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_alphanumeric())
        });
        if !ok {
            return Err(PostureError::new(
                field,
                format!("`{id}` is not an id like {prefix}0123456789abcdef0 ({prefix} and 8 to 17 letters or digits)"),
            )
            .item(i));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn ids_at_the_edges_are_accepted() {
        let n = Network::vpc(
            v(&["subnet-01234567", "subnet-0123456789abcdef0"]),
            v(&["sg-0123456789abcdefg", "sg-ABCDEF01"]),
        );
        assert!(n.is_ok(), "{n:?}");
        let sixteen: Vec<String> = (0..16).map(|i| format!("subnet-{i:08}")).collect();
        assert!(Network::vpc(sixteen, v(&["sg-01234567"])).is_ok());
        assert_eq!(Network::Public.validate(), Ok(()));
    }

    #[test]
    fn bad_ids_and_counts_are_refused_naming_the_field() {
        // subnets, security groups, the field at fault, its item, what the message says
        type Case<'a> = (
            &'a [&'a str],
            &'a [&'a str],
            &'a str,
            Option<usize>,
            &'a str,
        );
        let cases: &[Case<'_>] = &[
            (
                &["subnet-0123456"],
                &["sg-01234567"],
                "subnets",
                Some(0),
                "8 to 17",
            ),
            (
                &["subnet-01234567", "subnet-0123456789abcdef01"],
                &["sg-01234567"],
                "subnets",
                Some(1),
                "subnet-",
            ),
            (
                &["sn-01234567"],
                &["sg-01234567"],
                "subnets",
                Some(0),
                "subnet-",
            ),
            (
                &["subnet-0123456_"],
                &["sg-01234567"],
                "subnets",
                Some(0),
                "letters or digits",
            ),
            (
                &["subnet-01234567"],
                &["subnet-01234567"],
                "security_groups",
                Some(0),
                "sg-",
            ),
            (
                &[],
                &["sg-01234567"],
                "subnets",
                None,
                "1 to 16 subnets, found 0",
            ),
            (
                &["subnet-01234567"],
                &[],
                "security_groups",
                None,
                "1 to 16",
            ),
        ];
        for (subnets, groups, field, item, needle) in cases {
            let e = Network::vpc(v(subnets), v(groups)).expect_err("refused");
            assert_eq!((e.field, e.item), (*field, *item), "{e}");
            assert!(e.message.contains(needle), "{e}");
        }
        let seventeen: Vec<String> = (0..17).map(|i| format!("sg-{i:08}")).collect();
        let e = Network::vpc(v(&["subnet-01234567"]), seventeen).expect_err("17");
        assert!(e.message.contains("found 17"), "{e}");
    }

    #[test]
    fn serde_uses_aws_mode_names() {
        let json = serde_json::to_string(&Network::Public).expect("json");
        assert_eq!(json, r#"{"mode":"PUBLIC"}"#);
    }
}
