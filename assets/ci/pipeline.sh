#!/usr/bin/env bash
# The seed's release pipeline with agentcore-console alone: build once, promote everywhere.
#
#   pipeline.sh STAGE...      stages, in the order given; `all` is every stage but `test`
#
#   test             run $TEST_COMMAND (the server's own tests)
#   deploy-dev       deploy $SERVER_DIR to dev (validated: tools/list, then smoke.toml), move $ENDPOINT
#   smoke-dev        smoke checks against dev's $ENDPOINT (JSON + JUnit reports)
#   promote-staging  copy exactly dev's version to staging (SHA-256 verified), smoke, move $ENDPOINT
#   smoke-staging    smoke checks against staging's $ENDPOINT
#   promote-prod     copy exactly staging's version to prod and roll it out with $ROLLOUT_PLAN
#                    (a first release, with nothing live in prod yet, moves $ENDPOINT directly)
#   tag              git tag the release with what prod now runs
#
# Settings (environment):
#   RUNTIME        the runtime's name (required)
#   SERVER_DIR     the server's code, with smoke.toml beside it (required for deploy-dev)
#   SMOKE_FILE     default $SERVER_DIR/smoke.toml
#   CONSOLE        the console binary (default: agentcore-console on PATH)
#   DEV_ENV STAGING_ENV PROD_ENV   environment names (default dev, staging, prod)
#   ENDPOINT       the stable endpoint smoke checks call and promotions move (default live)
#   ROLLOUT_PLAN   the plan prod's rollout follows (default seed: 10 → 25 → 50 → 100, gated)
#   REPORTS_DIR    where each stage's JSON and JUnit reports go (default ./reports)
#   TEST_COMMAND   what `test` runs (required for `test`)
#   TAG_PREFIX     default "release/"; PUSH_TAG=1 pushes the tag to origin
#
# Each stage stops the pipeline on failure with the console's exit code: 1 error or refusal,
# 3 rolled back by a gate, 4 aborted, 5 smoke checks failed (README: "Exit codes").
set -euo pipefail

: "${CONSOLE:=agentcore-console}"
: "${DEV_ENV:=dev}" "${STAGING_ENV:=staging}" "${PROD_ENV:=prod}"
: "${ENDPOINT:=live}" "${ROLLOUT_PLAN:=seed}" "${REPORTS_DIR:=./reports}" "${TAG_PREFIX:=release/}"

die() {
    echo "pipeline: $*" >&2
    exit 1
}
[ -n "${RUNTIME:-}" ] || die "RUNTIME is not set (the runtime's name)"
mkdir -p "$REPORTS_DIR"

smoke_file() {
    local f="${SMOKE_FILE:-${SERVER_DIR:+$SERVER_DIR/smoke.toml}}"
    [ -n "$f" ] && [ -f "$f" ] || die "no smoke file: set SMOKE_FILE or SERVER_DIR (with smoke.toml)"
    echo "$f"
}

# Run the console with JSON output, the stage's result saved as REPORTS_DIR/NAME.json.
console() {
    local name=$1
    shift
    echo "pipeline: $name: $CONSOLE $*" >&2
    local rc=0
    "$CONSOLE" --output json "$@" >"$REPORTS_DIR/$name.json" || rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "pipeline: $name failed (exit $rc); its result: $REPORTS_DIR/$name.json" >&2
        exit "$rc"
    fi
}

# A field of a stage's JSON result, by JSON pointer (python3: on every CI image; jq is not).
# A result followed by a stream (promote --rollout) is its first line.
field() {
    python3 - "$REPORTS_DIR/$1.json" "$2" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
try:
    doc = json.loads(text)
except ValueError:
    doc = json.loads(text.splitlines()[0])
for part in sys.argv[2].split("/")[1:]:
    doc = doc[int(part)] if isinstance(doc, list) else doc[part]
print(doc)
PY
}

# Whether $RUNTIME has an $ENDPOINT endpoint serving a version in environment $1.
serves() {
    local listing rc=0
    listing=$("$CONSOLE" --env "$1" --output json runtimes) || die "cannot list the runtimes of $1"
    python3 -c '
import json, sys
runtime, endpoint = sys.argv[1], sys.argv[2]
rows = json.load(sys.stdin)
found = any(r.get("name") == runtime and any(e.get("name") == endpoint and e.get("liveVersion")
            for e in r.get("endpoints") or []) for r in rows)
sys.exit(0 if found else 1)' "$RUNTIME" "$ENDPOINT" <<<"$listing" || rc=$?
    [ "$rc" -le 1 ] || die "cannot read the runtimes of $1"
    return "$rc"
}

smoke() {
    local env=$1
    console "smoke-$env" --env "$env" smoke "$RUNTIME" --qualifier "$ENDPOINT" \
        --smoke "$(smoke_file)" --junit "$REPORTS_DIR/smoke-$env.xml"
}

stage() {
    case "$1" in
    test)
        [ -n "${TEST_COMMAND:-}" ] || die "TEST_COMMAND is not set"
        echo "pipeline: test: $TEST_COMMAND" >&2
        sh -c "$TEST_COMMAND"
        ;;
    deploy-dev)
        [ -n "${SERVER_DIR:-}" ] || die "SERVER_DIR is not set (the server's code)"
        console deploy-dev --env "$DEV_ENV" deploy "$RUNTIME" --from-dir "$SERVER_DIR" \
            --smoke "$(smoke_file)" --endpoint "$ENDPOINT" --yes
        ;;
    smoke-dev) smoke "$DEV_ENV" ;;
    promote-staging)
        console promote-staging promote "$RUNTIME" --from "$DEV_ENV" --to "$STAGING_ENV" \
            --smoke "$(smoke_file)" --endpoint "$ENDPOINT" --yes
        ;;
    smoke-staging) smoke "$STAGING_ENV" ;;
    promote-prod)
        # Prod is protected: this stage runs only after the approval (a protected GitHub
        # environment), so it arms the write. A first release has no stable version to canary
        # against: it moves $ENDPOINT directly.
        local how=(--rollout "$ROLLOUT_PLAN")
        if ! serves "$PROD_ENV"; then
            echo "pipeline: promote-prod: first release ($PROD_ENV has no $ENDPOINT endpoint yet)" >&2
            how=(--endpoint "$ENDPOINT")
        fi
        console promote-prod promote "$RUNTIME" --from "$STAGING_ENV" --to "$PROD_ENV" \
            --smoke "$(smoke_file)" "${how[@]}" --yes --arm
        ;;
    tag)
        local version sha tag
        version=$(field promote-prod /to/version)
        sha=$(field promote-prod /to/sha256)
        tag="$TAG_PREFIX$RUNTIME-v$version"
        git tag -a "$tag" -m "$RUNTIME v$version in $PROD_ENV (sha256 $sha)"
        echo "pipeline: tagged $tag" >&2
        if [ "${PUSH_TAG:-0}" = 1 ]; then git push origin "refs/tags/$tag"; fi
        ;;
    *) die "unknown stage '$1' (test deploy-dev smoke-dev promote-staging smoke-staging promote-prod tag all)" ;;
    esac
}

[ $# -gt 0 ] || die "no stage given (see the top of $0)"
for s in "$@"; do
    if [ "$s" = all ]; then
        for t in deploy-dev smoke-dev promote-staging smoke-staging promote-prod tag; do stage "$t"; done
    else
        stage "$s"
    fi
done
