//! Pure types shared by the CLI, the TUI and the backend. No I/O here.

pub mod alarms;
pub mod audit;
pub mod environment;
pub mod filter_pattern;
pub mod lineage;
pub mod metrics;
pub mod posture;
pub mod rollout;
pub mod runtime;
pub mod sanitize;
pub mod secret;
pub mod since;
pub mod smoke;
pub mod timestamp;
pub mod version_config;

pub use environment::Environment;
pub use runtime::{Endpoint, EnvRuntimes, Runtime, RuntimeDetail, RuntimeVersion, Status};
