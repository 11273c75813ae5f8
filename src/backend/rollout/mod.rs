//! Gated rollouts: [`gates`] judges a canary against its stable leg.

pub mod gates;
