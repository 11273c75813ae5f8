//! agentcore-console: a terminal operations console and CLI for MCP servers on Amazon Bedrock
//! AgentCore Runtime, with an embedded local AgentCore.
//!
//! Layering (see DESIGN.md §2): `domain` is pure; `config` and `backend` build on it; `cli`
//! and `tui` sit on top; `emulator` depends on `domain` only and is reached over HTTP.
//! `private_fs` is a leaf any of them may use.

pub mod backend;
pub mod cli;
pub mod config;
pub mod domain;
pub mod emulator;
pub mod private_fs;
pub mod tui;
