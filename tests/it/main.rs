//! The integration tests, one binary: each module was its own test binary, and each of those
//! linked the AWS SDK (~100 MB and a long link apiece).

mod support;

mod bounded_input;
mod cli;
mod cli_alarms;
mod cli_demo;
mod cli_logs;
mod cli_metrics;
mod cli_posture;
mod cli_rollout;
mod cli_ui;
mod cli_write;
mod contract_moto;
mod contract_moto_cloudwatch;
mod contract_moto_logs;
mod emulator_auth;
mod emulator_gateway;
mod emulator_invoke;
mod emulator_logs;
mod emulator_metric_filters;
mod emulator_metrics;
mod emulator_runtimes;
mod emulator_s3;
mod faults;
mod logs_sliced;
mod mcp_bearer;
mod mcp_client;
mod rollout;
mod rollout_gates;
mod rollout_store;
mod runtime_config;
mod sample_mcp;
mod signals;
mod traffic;
mod tui_alarms;
mod tui_alarms_apply;
mod tui_backend;
mod tui_deploy;
mod tui_deploy_posture;
mod tui_e2e;
mod tui_invoke;
mod tui_rollout;
mod tui_slow;
mod tui_traffic;
