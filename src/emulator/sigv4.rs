//! Who is calling, from the SigV4 credential scope: service, region and account.
//!
//! The local AgentCore does not verify signatures (it cannot know the secret); it only reads
//! the scope, the way AWS routes a request, so every SDK that signs is understood.

use axum::http::HeaderMap;

/// The account used when the access key id does not name one.
pub const DEFAULT_ACCOUNT: &str = "123456789012";

/// The part of the credential scope the emulator routes and partitions by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub access_key: String,
    pub region: String,
    pub service: String,
    /// A 12-digit access key id is taken as the account (as other local emulators do), so
    /// several accounts can share one server; any other key maps to [`DEFAULT_ACCOUNT`].
    pub account: String,
}

/// Read the scope from the `Authorization` header or a presigned URL's `X-Amz-Credential`.
pub fn scope(headers: &HeaderMap, query: &[(String, String)]) -> Option<Scope> {
    let credential = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|auth| {
            let rest = auth.strip_prefix("AWS4-HMAC-SHA256")?;
            rest.split(',')
                .map(str::trim)
                .find_map(|part| part.strip_prefix("Credential="))
                .map(str::to_string)
        })
        .or_else(|| {
            query
                .iter()
                .find(|(k, _)| k == "X-Amz-Credential")
                .map(|(_, v)| v.clone())
        })?;
    parse_credential(&credential)
}

/// `AKID/20260101/us-west-2/bedrock-agentcore/aws4_request`
fn parse_credential(credential: &str) -> Option<Scope> {
    let mut parts = credential.split('/');
    let access_key = parts.next()?.to_string();
    let _date = parts.next()?;
    let region = parts.next()?.to_string();
    let service = parts.next()?.to_string();
    if parts.next()? != "aws4_request" || access_key.is_empty() || region.is_empty() {
        return None;
    }
    let account = if access_key.len() == 12 && access_key.bytes().all(|b| b.is_ascii_digit()) {
        access_key.clone()
    } else {
        DEFAULT_ACCOUNT.to_string()
    };
    Some(Scope {
        access_key,
        region,
        service,
        account,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(auth: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("authorization", auth.parse().expect("header"));
        h
    }

    #[test]
    fn reads_the_scope_from_the_authorization_header() {
        let h = headers(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/eu-west-1/bedrock-agentcore/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
        );
        let s = scope(&h, &[]).expect("scope");
        assert_eq!(
            (s.region.as_str(), s.service.as_str()),
            ("eu-west-1", "bedrock-agentcore")
        );
        assert_eq!(s.account, DEFAULT_ACCOUNT);
    }

    #[test]
    fn a_numeric_access_key_is_the_account() {
        let h = headers(
            "AWS4-HMAC-SHA256 Credential=111122223333/20261124/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=x",
        );
        assert_eq!(scope(&h, &[]).expect("scope").account, "111122223333");
    }

    #[test]
    fn presigned_query_and_garbage() {
        let q = vec![(
            "X-Amz-Credential".to_string(),
            "AK/20261124/us-west-2/s3/aws4_request".to_string(),
        )];
        assert_eq!(scope(&HeaderMap::new(), &q).expect("scope").service, "s3");
        assert!(scope(&headers("Bearer xyz"), &[]).is_none());
        assert!(
            scope(
                &headers("AWS4-HMAC-SHA256 Credential=AK/2026/us-west-2/s3"),
                &[]
            )
            .is_none()
        );
    }
}
