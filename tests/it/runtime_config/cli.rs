//! CLI: runtime show / runtime diff (filled in with the CLI slice).
