# lib.sh -- helpers of the fault suites (sourced by tests/faults/*.sh).
#
# Every check prints one line, "ok NAME" or "FAILED NAME: wanted W, got G",
# which scripts/test.sh counts.

FAULTS_FAILED=0

# expect NAME WANTED GOT: one check; values compared as text.
expect() {
    if [ "$2" = "$3" ]; then
        echo "ok $1"
    else
        echo "FAILED $1: wanted '$2', got '$3'"
        FAULTS_FAILED=$((FAULTS_FAILED + 1))
    fi
}

# expect_true NAME WHAT CONDITION...: a check whose condition is a command.
expect_true() {
    local name=$1 what=$2
    shift 2
    if "$@"; then
        echo "ok $name"
    else
        echo "FAILED $name: $what"
        FAULTS_FAILED=$((FAULTS_FAILED + 1))
    fi
}

# wait_for SECONDS COMMAND...: polls COMMAND every 0.05 s until it
# succeeds; fails after SECONDS.
wait_for() {
    local limit=$1 i
    shift
    for i in $(seq 1 $((limit * 20))); do
        "$@" && return 0
        sleep 0.05
    done
    return 1
}

# wait_gone SECONDS PID...: until none of the PIDs exists.
wait_gone() {
    local limit=$1 pid
    shift
    for pid in "$@"; do
        wait_for "$limit" sh -c "! kill -0 $pid 2>/dev/null" || return 1
    done
}
