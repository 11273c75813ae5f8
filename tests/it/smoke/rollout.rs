//! Rollouts with smoke checks: filled in below.
