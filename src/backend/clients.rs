//! One set of SDK clients per environment, configured once.

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_credential_types::Credentials;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_types::region::Region;

use crate::domain::Environment;

/// Access key used for loopback endpoints when the environment names no account.
pub const LOCAL_ACCESS_KEY: &str = "AKIDLOCALAGENTCORE";
const LOCAL_SECRET: &str = "local-agentcore-secret";
/// Region for a loopback environment that names none.
pub const LOCAL_DEFAULT_REGION: &str = "us-east-1";

/// The SDK clients of one environment.
#[derive(Debug, Clone)]
pub struct Clients {
    pub env: Environment,
    pub control: aws_sdk_bedrockagentcorecontrol::Client,
    pub data: aws_sdk_bedrockagentcore::Client,
    pub s3: aws_sdk_s3::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub sts: aws_sdk_sts::Client,
    /// The environment's `token_command`, for runtimes with a JWT authorizer; one cache per
    /// environment, shared by every session.
    pub tokens: Option<std::sync::Arc<super::token::TokenSource>>,
}

impl Clients {
    /// The caller's identity (ARN) and account, from STS GetCallerIdentity.
    pub async fn identity(&self) -> Result<(String, String), super::BackendError> {
        let out = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| super::BackendError::sdk("GetCallerIdentity", e))?;
        Ok((
            out.arn().unwrap_or_default().to_string(),
            out.account().unwrap_or_default().to_string(),
        ))
    }

    /// Build the clients. Loopback endpoints get static local credentials (the account, when
    /// given, as the access key, so one local server keeps accounts apart); anything else uses
    /// the standard AWS chain with the environment's profile and region.
    pub async fn build(env: &Environment) -> Self {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .operation_attempt_timeout(Duration::from_secs(30))
                    .operation_timeout(Duration::from_secs(75))
                    .build(),
            )
            // Standard mode retries throttling and transient errors with jittered backoff.
            .retry_config(RetryConfig::standard().with_max_attempts(3));
        if let Some(profile) = &env.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = &env.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if env.is_loopback() {
            let key = env.account_id.as_deref().unwrap_or(LOCAL_ACCESS_KEY);
            loader = loader.credentials_provider(Credentials::new(
                key,
                LOCAL_SECRET,
                None,
                None,
                "agentcore-console-local",
            ));
            if env.region.is_none() {
                loader = loader.region(Region::new(LOCAL_DEFAULT_REGION));
            }
        }
        if let Some(url) = &env.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let sdk = loader.load().await;
        let strip = || StripHostPrefix {
            authority: env
                .endpoint_url
                .as_deref()
                .and_then(authority)
                .map(str::to_string),
        };
        Self {
            env: env.clone(),
            control: aws_sdk_bedrockagentcorecontrol::Client::from_conf(
                aws_sdk_bedrockagentcorecontrol::config::Builder::from(&sdk)
                    .interceptor(strip())
                    .build(),
            ),
            data: aws_sdk_bedrockagentcore::Client::from_conf(
                aws_sdk_bedrockagentcore::config::Builder::from(&sdk)
                    .interceptor(strip())
                    .build(),
            ),
            s3: aws_sdk_s3::Client::from_conf(
                aws_sdk_s3::config::Builder::from(&sdk)
                    .force_path_style(env.endpoint_url.is_some())
                    .interceptor(strip())
                    .build(),
            ),
            logs: aws_sdk_cloudwatchlogs::Client::from_conf(
                aws_sdk_cloudwatchlogs::config::Builder::from(&sdk)
                    .interceptor(strip())
                    .build(),
            ),
            cloudwatch: aws_sdk_cloudwatch::Client::from_conf(
                aws_sdk_cloudwatch::config::Builder::from(&sdk)
                    .interceptor(strip())
                    .build(),
            ),
            sts: aws_sdk_sts::Client::from_conf(
                aws_sdk_sts::config::Builder::from(&sdk)
                    .interceptor(strip())
                    .build(),
            ),
            tokens: env
                .token_command
                .as_deref()
                .map(|cmd| std::sync::Arc::new(super::token::TokenSource::command(&env.name, cmd))),
        }
    }
}

/// With a custom `endpoint_url`, some operations (CloudWatch Logs `StartLiveTail`) still put a
/// host prefix such as `stream-` in front of the endpoint's host. This puts the configured
/// authority back, so the request reaches the endpoint that was asked for.
#[derive(Debug)]
struct StripHostPrefix {
    authority: Option<String>,
}

impl Intercept for StripHostPrefix {
    fn name(&self) -> &'static str {
        "StripHostPrefix"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(expected) = &self.authority else {
            return Ok(());
        };
        let req = context.request_mut();
        if let Some(fixed) = strip_host_prefix(req.uri(), expected) {
            req.set_uri(fixed)?;
        }
        Ok(())
    }
}

/// `scheme://authority` of a URL.
fn authority(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    rest.split(['/', '?', '#']).next()
}

/// The URI with its authority replaced by `expected`, when it is `expected` plus a prefix.
pub(crate) fn strip_host_prefix(uri: &str, expected: &str) -> Option<String> {
    let (scheme, rest) = uri.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let actual = &rest[..end];
    if actual == expected || !actual.ends_with(expected) {
        return None;
    }
    let prefix = &actual[..actual.len() - expected.len()];
    let is_label_prefix = prefix.ends_with('-') || prefix.ends_with('.');
    is_label_prefix.then(|| format!("{scheme}://{expected}{}", &rest[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_the_stream_prefix_only() {
        assert_eq!(
            strip_host_prefix("http://stream-127.0.0.1:4590/", "127.0.0.1:4590").as_deref(),
            Some("http://127.0.0.1:4590/")
        );
        assert_eq!(
            strip_host_prefix("http://stream-localhost:1/a?b", "localhost:1").as_deref(),
            Some("http://localhost:1/a?b")
        );
        assert_eq!(
            strip_host_prefix("http://127.0.0.1:4590/x", "127.0.0.1:4590"),
            None
        );
        assert_eq!(
            strip_host_prefix("http://evil127.0.0.1:4590/", "127.0.0.1:4590"),
            None
        );
        assert_eq!(
            authority("http://127.0.0.1:4590/path"),
            Some("127.0.0.1:4590")
        );
    }
}
