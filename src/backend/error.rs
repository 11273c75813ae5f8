//! Backend errors: one line a person can act on, from whatever the SDK said.

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("unknown environment `{0}`")]
    UnknownEnvironment(String),
    #[error("{env}: runtime `{runtime}` not found")]
    RuntimeNotFound { env: String, runtime: String },
    #[error("{env}: runtime `{runtime}` has no version `{version}`")]
    VersionNotFound {
        env: String,
        runtime: String,
        version: String,
    },
    /// An AWS (or local AgentCore) service error: code and message as the service sent them.
    #[error("{operation}: {code}: {message}")]
    Service {
        operation: &'static str,
        code: String,
        message: String,
    },
    /// The request never got an answer: connection refused, timeout, DNS, credentials.
    #[error("{operation}: {message}")]
    Transport {
        operation: &'static str,
        message: String,
    },
    #[error(
        "environment `{env}` is read-only: {action} refused (pass --arm to change it; the change is audited)"
    )]
    ReadOnly { env: String, action: String },
    /// A deploy's smoke checks ran and some failed (the CLI exits 5): the message names them.
    #[error("{0}")]
    SmokeFailed(String),
    #[error("{0}")]
    Other(String),
}

impl BackendError {
    /// Map an SDK error, keeping the service's error code and message.
    pub fn sdk<E, R>(operation: &'static str, err: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        if let Some(cause) = credentials_cause(&err) {
            return Self::Transport {
                operation,
                message: format!(
                    "no usable AWS credentials ({cause}); check the environment's `profile` \
                     (run `aws sso login --profile …` for SSO), or AWS_* variables"
                ),
            };
        }
        match &err {
            SdkError::ServiceError(se) => {
                let e = se.err();
                Self::Service {
                    operation,
                    code: e.code().unwrap_or("UnknownError").to_string(),
                    message: e.message().map_or_else(|| e.to_string(), str::to_string),
                }
            }
            SdkError::DispatchFailure(d) => {
                let kind = if d.is_timeout() {
                    "timed out"
                } else {
                    "cannot connect"
                };
                Self::Transport {
                    operation,
                    message: format!("{kind}: {}", innermost(&err)),
                }
            }
            SdkError::TimeoutError(_) => Self::Transport {
                operation,
                message: "timed out waiting for an answer".into(),
            },
            _ => Self::Transport {
                operation,
                message: chain(&err),
            },
        }
    }

    /// `Ok(None)` for a ResourceNotFoundException, the other errors as they are.
    pub fn absent_as_none<T>(result: Result<T, Self>) -> Result<Option<T>, Self> {
        match result {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.code() == Some("ResourceNotFoundException") => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Whether the service said to slow down (the codes the SDKs treat as throttling).
    pub fn is_throttling(&self) -> bool {
        self.code().is_some_and(|c| {
            matches!(
                c,
                "ThrottlingException"
                    | "Throttling"
                    | "TooManyRequestsException"
                    | "RequestLimitExceeded"
                    | "SlowDown"
            )
        })
    }

    /// The AWS error code, for service errors.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Service { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// What went wrong loading credentials, when that is why the request was never sent.
fn credentials_cause(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut source = Some(err);
    while let Some(e) = source {
        if e.downcast_ref::<aws_credential_types::provider::error::CredentialsError>()
            .is_some()
        {
            return Some(innermost(e));
        }
        source = e.source();
    }
    None
}

/// The most specific cause (e.g. `Connection refused (os error 111)`), without the layers of
/// client plumbing above it.
fn innermost(err: &(dyn std::error::Error + 'static)) -> String {
    let mut last = err;
    while let Some(s) = last.source() {
        last = s;
    }
    last.to_string()
}

/// The error and its causes on one line, most specific last.
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_credential_types::provider::error::CredentialsError;

    #[test]
    fn missing_credentials_say_so_not_cannot_connect() {
        let err: SdkError<aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityError, ()> =
            SdkError::construction_failure(CredentialsError::not_loaded(
                "profile `doesnotexist` is not in ~/.aws/config",
            ));
        let e = BackendError::sdk("GetCallerIdentity", err).to_string();
        assert!(e.contains("no usable AWS credentials"), "{e}");
        assert!(e.contains("doesnotexist"), "{e}");
    }
}
