//! The GitHub Actions workflow runs the script's stages, in the script's order, with OIDC
//! credentials and the approval of a protected environment before prod.

const WORKFLOW: &str = include_str!("../../../assets/ci/release.yml");
const SCRIPT: &str = include_str!("../../../assets/ci/pipeline.sh");

/// The stages `pipeline.sh all` runs, from the script itself.
fn script_stages() -> Vec<String> {
    let line = SCRIPT
        .lines()
        .find(|l| l.contains("for t in ") && l.contains("deploy-dev"))
        .expect("the `all` stage list");
    let list = line.split("for t in ").nth(1).expect("list");
    let list = list.split(';').next().expect("list");
    list.split_whitespace().map(str::to_string).collect()
}

#[test]
fn the_workflow_runs_every_stage_in_order_then_tags() {
    let called: Vec<String> = WORKFLOW
        .lines()
        .map(|l| l.trim().trim_start_matches("run: "))
        .filter_map(|l| l.strip_prefix("ci/pipeline.sh "))
        .flat_map(|rest| rest.split_whitespace().map(str::to_string))
        .collect();
    let mut expected = vec!["test".to_string()];
    expected.extend(script_stages());
    assert_eq!(called, expected);
}

#[test]
fn the_workflow_uses_oidc_and_waits_for_approval_before_prod() {
    assert!(WORKFLOW.contains("id-token: write"));
    assert!(WORKFLOW.contains("aws-actions/configure-aws-credentials"));
    assert!(
        !WORKFLOW.contains("aws-access-key-id"),
        "no long-lived keys"
    );
    let prod_job = WORKFLOW.split("\n  prod:").nth(1).expect("a prod job");
    assert!(prod_job.contains("environment: production"));
    assert!(prod_job.contains("needs: staging"));
    // Prod is protected: the stage that runs after the approval arms its write.
    assert!(SCRIPT.contains("\"${how[@]}\" --yes --arm"));
    assert!(SCRIPT.contains("local how=(--rollout \"$ROLLOUT_PLAN\")"));
}
