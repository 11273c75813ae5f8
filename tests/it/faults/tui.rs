//! The console in a pseudo-terminal against a local AgentCore that answers every call 2 s late.
