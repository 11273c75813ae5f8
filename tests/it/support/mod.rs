//! Shared by the test modules: the in-process local AgentCore, the built binary, moto, faults,
//! gateway sessions, the console's io worker and the built binary in a pseudo-terminal.

pub mod cbor_proxy;
pub mod cli;
pub mod count_proxy;
pub mod emulator;
pub mod faults;
pub mod moto;
pub mod pty;
pub mod sessions;
pub mod tui;
