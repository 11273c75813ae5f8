//! The shared operations, on the official AWS SDK clients. The CLI and the TUI both call
//! these; the local AgentCore is reached the same way as AWS, through `endpoint_url`.

pub mod alarms;
pub mod audit;
pub mod clients;
pub mod deploy;
pub mod destroy;
pub mod error;
pub mod guard;
pub mod logs;
pub mod mcp;
pub mod metrics;
pub mod posture;
pub mod promote;
pub mod rollout;
pub mod runtimes;
pub mod smoke;
pub mod token;
pub mod traffic;
pub mod wait;

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::OnceCell;

pub use clients::Clients;
pub use error::BackendError;

use crate::domain::Environment;

/// The configured environments and their SDK clients, each set built once on first use.
pub struct Backend {
    envs: Vec<Environment>,
    clients: HashMap<String, OnceCell<Arc<Clients>>>,
    /// Postures read for the matrix's mark, kept while runtimes do not change.
    pub(crate) drift: runtimes::drift::DriftCache,
}

impl Backend {
    pub fn new(envs: Vec<Environment>) -> Self {
        let clients = envs
            .iter()
            .map(|e| (e.name.clone(), OnceCell::new()))
            .collect();
        Self {
            envs,
            clients,
            drift: Default::default(),
        }
    }

    pub fn environments(&self) -> &[Environment] {
        &self.envs
    }

    pub fn environment(&self, name: &str) -> Result<&Environment, BackendError> {
        self.envs
            .iter()
            .find(|e| e.name == name)
            .ok_or_else(|| BackendError::UnknownEnvironment(name.to_string()))
    }

    /// The client set of one environment, shared by every caller.
    pub async fn clients(&self, env: &str) -> Result<Arc<Clients>, BackendError> {
        let environment = self.environment(env)?;
        let cell = self
            .clients
            .get(env)
            .ok_or_else(|| BackendError::UnknownEnvironment(env.to_string()))?;
        let clients = cell
            .get_or_init(|| async { Arc::new(Clients::build(environment).await) })
            .await;
        Ok(Arc::clone(clients))
    }
}
