//! Input past a limit is refused, saying which limit, instead of exhausting memory or the
//! stack: filter patterns, aws-chunked bodies, code artifacts.

mod filter;
mod runner;
mod s3;
