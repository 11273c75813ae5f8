//! Log retention for the endpoints' log groups: CloudWatch Logs' PutRetentionPolicy takes only
//! these day counts (its `retentionInDays` documentation).

use super::PostureError;

pub const RETENTION_DAYS: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

pub fn validate(days: u32) -> Result<(), PostureError> {
    if RETENTION_DAYS.contains(&days) {
        return Ok(());
    }
    let allowed: Vec<String> = RETENTION_DAYS.iter().map(u32::to_string).collect();
    Err(PostureError::new(
        "log_retention_days",
        format!(
            "{days} is not a retention CloudWatch Logs accepts (one of: {})",
            allowed.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_cloudwatchs_values_are_accepted() {
        for d in [1, 7, 90, 3653] {
            assert_eq!(validate(d), Ok(()));
        }
        for d in [0, 2, 8, 89, 3654] {
            let e = validate(d).expect_err("refused");
            assert_eq!(e.field, "log_retention_days");
            assert!(e.message.starts_with(&format!("{d} is not")), "{e}");
            assert!(e.message.contains("1, 3, 5, 7, 14, 30"), "{e}");
        }
    }
}
