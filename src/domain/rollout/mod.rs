//! Gated rollouts, the pure part: plans ([`plan`]), the statistics behind a gate's verdict
//! ([`stats`]) and the record of one evaluation ([`evaluation`]). The driver (backend) reads
//! the metrics, builds [`evaluation::GateResult`]s with these constructors, and acts on
//! [`evaluation::Evaluation::verdict`] through the decisions of [`state`] (the stored rollout);
//! nothing here does I/O.

pub mod evaluation;
pub mod plan;
pub mod state;
pub mod stats;

pub use evaluation::{Evaluation, GateResult, Samples};
pub use plan::{GateName, Gates, Plan, PlanKind, Step};
pub use state::{Lease, LogEntry, Next, Phase, Record, RolloutState, Start};
pub use stats::{Interval, Proportion, Verdict};
