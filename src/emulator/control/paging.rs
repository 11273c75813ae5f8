//! `maxResults` / `nextToken` pagination over a sorted key space.

use super::super::http::{AwsError, Req};

/// Page size when the caller gives no `maxResults`.
pub const DEFAULT_PAGE: usize = 10;

/// Take one page of `items`, which must be sorted by their key. The token names the last key
/// returned (hex-encoded, opaque to clients), so a page stays correct while items are added.
pub fn page<T>(req: &Req, items: Vec<(String, T)>) -> Result<(Vec<T>, Option<String>), AwsError> {
    let max = match req.query("maxResults") {
        None => DEFAULT_PAGE,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => {
                return Err(AwsError::field(
                    "maxResults",
                    format!("'{v}' must be an integer between 1 and 100"),
                ));
            }
        },
    };
    let after = match req.query("nextToken") {
        None | Some("") => None,
        Some(t) => Some(decode(t).ok_or_else(|| AwsError::validation("Invalid nextToken"))?),
    };
    let mut rest = items
        .into_iter()
        .filter(|(k, _)| after.as_ref().is_none_or(|a| k > a))
        .peekable();
    let mut out = Vec::new();
    let mut last = None;
    while out.len() < max {
        let Some((k, v)) = rest.next() else { break };
        last = Some(k);
        out.push(v);
    }
    let next = if rest.peek().is_some() {
        last.map(|k| encode(&k))
    } else {
        None
    };
    Ok((out, next))
}

fn encode(key: &str) -> String {
    let hex: String = key.bytes().map(|b| format!("{b:02x}")).collect();
    format!("v1.{hex}")
}

fn decode(token: &str) -> Option<String> {
    let hex = token.strip_prefix("v1.")?;
    if hex.len() % 2 != 0 {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::sigv4::Scope;

    fn req(query: &str) -> Req {
        Req {
            method: axum::http::Method::POST,
            segments: vec![],
            query: crate::emulator::http::parse_query(Some(query)),
            headers: Default::default(),
            body: Default::default(),
            scope: Scope {
                access_key: "a".into(),
                region: "r".into(),
                service: "s".into(),
                account: "1".into(),
            },
        }
    }

    fn items(n: usize) -> Vec<(String, usize)> {
        (0..n).map(|i| (format!("k{i:03}"), i)).collect()
    }

    #[test]
    fn walks_every_item_once() {
        let mut seen = vec![];
        let mut token: Option<String> = None;
        loop {
            let q = match &token {
                Some(t) => format!("maxResults=3&nextToken={t}"),
                None => "maxResults=3".into(),
            };
            let (page, next) = page(&req(&q), items(8)).expect("page");
            seen.extend(page);
            match next {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        assert_eq!(seen, (0..8).collect::<Vec<_>>());
    }

    #[test]
    fn exact_fit_has_no_token_and_bad_input_is_rejected() {
        let (p, next) = page(&req("maxResults=4"), items(4)).expect("page");
        assert_eq!((p.len(), next), (4, None));
        assert!(page(&req("maxResults=0"), items(1)).is_err());
        assert!(page(&req("maxResults=101"), items(1)).is_err());
        assert!(page(&req("nextToken=garbage"), items(1)).is_err());
        let (p, _) = page(&req(""), items(30)).expect("page");
        assert_eq!(p.len(), DEFAULT_PAGE);
    }
}
