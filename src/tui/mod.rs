//! The terminal UI. Arrives with the console issue; nothing lives here yet.
