//! CloudWatch metric semantics, pure: the statistics of one period (`stat`) and metric math
//! over aligned series (`math`). The emulator's CloudWatch service stores and aligns the data;
//! everything AWS defines about what the numbers mean lives here.

pub mod math;
pub mod stat;
