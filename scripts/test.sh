#!/usr/bin/env bash
# The one test command (README.md): installs what the tests need, starts the real services,
# runs every suite, and stops what it started whether the tests pass or fail.
#   lint         ESLint (eslint.config.mjs) and the layering rules (.dependency-cruiser.cjs), no services
#   unit         pure logic, no services
#   integration  the libs and apps against real Kafka, MongoDB protocol, Redis
#   e2e          the whole native topology through Nginx :3001
#   browser      the web client (web/) in headless Chromium (Debian's, driven by playwright-core)
#                against the native topology through Nginx :3001
#   ops          ./docker-start.sh (native mode): start, health, scale 5 and 2 while chatting, stop
# Usage: scripts/test.sh [lint|unit|integration|e2e|browser|ops ...]   (default: all, in that order)
set -euo pipefail
cd "$(dirname "$0")/.."
export KAFKAJS_NO_PARTITIONER_WARNING=1
export LOG_LEVEL="${LOG_LEVEL:-warn}"
# The e2e suite checks the empty-room TTL; 5 s instead of 10 min keeps it short.
export EMPTY_ROOM_TTL_SECONDS="${EMPTY_ROOM_TTL_SECONDS:-5}"
# A TEST-ONLY admin password for the topology the tests start (admin is disabled without one).
export ADMIN_PASSWORD="${ADMIN_PASSWORD:-test-only-admin-password}"
# Rate limits (README "Rate limits") of the topology the tests start. Raised where the suites are
# not a user's pace, never turned off, so every request still goes through the limiter: every e2e
# login comes from 127.0.0.1 (one at a time or 30 at once, hundreds per run: 1000 per 5 s is above
# that pace and below what rate-limits.e2e-spec.ts reaches with 50 at once from its own address);
# the operations spec logs in as admin 7 times a run; history-under-load reads ~10,000 pages in 5 s
# with one token. room:create keeps its count with a 5 s window, so rate-limits.e2e-spec.ts sees a
# limit end within seconds.
export RATE_LIMIT_LOGIN_PER_IP="${RATE_LIMIT_LOGIN_PER_IP:-1000/5}"
export RATE_LIMIT_ADMIN_LOGIN_PER_IP="${RATE_LIMIT_ADMIN_LOGIN_PER_IP:-100/60}"
export RATE_LIMIT_ADMIN_LOGIN_PER_USERNAME="${RATE_LIMIT_ADMIN_LOGIN_PER_USERNAME:-100/60}"
export RATE_LIMIT_ROOM_CREATE_PER_USER="${RATE_LIMIT_ROOM_CREATE_PER_USER:-10/5}"
export RATE_LIMIT_REST_READS_PER_USER="${RATE_LIMIT_REST_READS_PER_USER:-1000000/60}"

source infra/lib/common.sh
# The secret the topology runs with (generated under .data/ on first use): the tests that sign
# tokens themselves (an expired one) need the same.
use_jwt_secret

suites=("$@"); (( ${#suites[@]} )) || suites=(lint unit integration e2e browser ops)

npm_install_if_changed

# The browser suite drives Debian's chromium (playwright-core downloads no browser); a font so the
# pages and screenshots show text.
for s in "${suites[@]}"; do [[ "$s" != browser ]] || apt_install chromium fonts-dejavu-core; done

needs_services=false
for s in "${suites[@]}"; do [[ "$s" == lint || "$s" == unit ]] || needs_services=true; done

started_infra=false
started_topology=false
cleanup() {
  local rc=$?
  if $started_topology; then scripts/topology.sh down >/dev/null 2>&1 || true; fi
  if $started_infra; then infra/infra.sh down >/dev/null 2>&1 || true; fi
  exit "$rc"
}
trap cleanup EXIT INT TERM

if $needs_services; then
  # Leave services alone that were already running from this checkout (a developer's loop);
  # stop at the end only what this run started.
  if [[ -z "$(infra/infra.sh status | grep running || true)" ]]; then started_infra=true; fi
  infra/infra.sh up
fi

echo "[test] building"
npm run -s build

passed=0; failed=0
run_suite() {
  local name="$1"; shift
  echo "[test] === $name ==="
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

for s in "${suites[@]}"; do
  case "$s" in
    lint) run_suite lint npm run -s lint ;;
    unit) run_suite unit npx jest --config jest.unit.config.js ;;
    integration) run_suite integration npx jest --config jest.integration.config.js --runInBand ;;
    e2e)
      if ! scripts/topology.sh status >/dev/null 2>&1; then started_topology=true; fi
      scripts/topology.sh up
      run_suite e2e npx jest --config jest.e2e.config.js --runInBand ;;
    browser)
      if ! scripts/topology.sh status >/dev/null 2>&1; then started_topology=true; fi
      scripts/topology.sh up
      run_suite browser npx jest --config jest.browser.config.js --runInBand ;;
    # Last: it stops whatever topology runs and starts its own, and leaves none running.
    ops) run_suite ops bash test/ops/docker-start.test.sh ;;
    *) echo "[test] unknown suite: $s (lint|unit|integration|e2e|browser|ops)" >&2; exit 2 ;;
  esac
done

echo "[test] suites: $passed passed, $failed failed"
(( failed == 0 ))
