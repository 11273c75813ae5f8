//! Shared by the test modules: the in-process local AgentCore, the built binary, moto, faults,
//! gateway sessions and the console's io worker.

pub mod cli;
pub mod emulator;
pub mod faults;
pub mod moto;
pub mod sessions;
pub mod tui;
