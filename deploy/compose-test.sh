#!/usr/bin/env bash
# End-to-end test of the compose deployment (deploy/docker-compose.yml): build and bring up the
# cluster, wait until every node is ready, run an SQS + Lambda smoke test through the published
# port, then kill a storage node under a continuous writer, restart it, and check that every
# acknowledged message is still there; restart the gateway and smoke-test again; stop every node
# with SIGTERM and check each exits 0 within the grace period. Tears everything down on exit
# (containers, networks, volumes); exits non-zero on any failure. Run from anywhere:
#
#   bash deploy/compose-test.sh
#
# Uses `docker compose` when a Docker engine answers, else ../shared/tools/podman-compose.sh
# (relative to the repository root; set STRATUS_PODMAN_COMPOSE to use another copy). The smoke
# test runs on the host with the repository's devDependencies (npm ci first).
#
# Environment (all optional):
#   STRATUS_COMPOSE_PROJECT   compose project name (default stratus-test)
#   STRATUS_COMPOSE_FILE      compose file (default deploy/docker-compose.yml)
#   STRATUS_KILL              the storage service to kill (default: the one leading the most Raft
#                             groups when the writer runs, so that some of the queue's leaders die)
#   STRATUS_READY_TIMEOUT     seconds to wait for the cluster to be ready (default 300)
#   STRATUS_DOWN_SECONDS      seconds the killed node stays down while writes go on (default 10)
#   STRATUS_PUBLISH_HTTP      host port of the gateway's HTTP (default 4566); _GRPC likewise 50051
#   STRATUS_ROOT_ACCESS_KEY_ID, STRATUS_ROOT_SECRET_ACCESS_KEY, STRATUS_MASTER_KEY
#                             passed to the compose file (defaults: its public development values)
#   STRATUS_TEST_NODE_HTTP    'optional' accepts nodes without an HTTP port (builds from before
#                             every role served /health and /ready); default: required
#   STRATUS_KEEP=1            leave the cluster running at the end (teardown skipped)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
FILE=${STRATUS_COMPOSE_FILE:-deploy/docker-compose.yml}
PROJECT=${STRATUS_COMPOSE_PROJECT:-stratus-test}
VICTIM=${STRATUS_KILL:-}
READY_TIMEOUT=${STRATUS_READY_TIMEOUT:-300}
DOWN_SECONDS=${STRATUS_DOWN_SECONDS:-10}
NODE_HTTP=${STRATUS_TEST_NODE_HTTP:-required}
SERVICES=(storage1 storage2 storage3 scheduler1 scheduler2 gateway)

export STRATUS_ROOT_ACCESS_KEY_ID=${STRATUS_ROOT_ACCESS_KEY_ID:-AKIASTRATUSDEVROOT01}
export STRATUS_ROOT_SECRET_ACCESS_KEY=${STRATUS_ROOT_SECRET_ACCESS_KEY:-stratus-dev-secret-change-me}
export STRATUS_PUBLISH_HTTP=${STRATUS_PUBLISH_HTTP:-4566}
export STRATUS_PUBLISH_GRPC=${STRATUS_PUBLISH_GRPC:-50051}
export STRATUS_ENDPOINT=http://127.0.0.1:$STRATUS_PUBLISH_HTTP
export NODE_NO_WARNINGS=1 # the AWS SDK's Node.js 20 end-of-support notice

T0=$(date +%s%3N)
now() { date +%s%3N; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.1f", ms / 1000 }'; }
log() { printf '[compose-test +%ss] %s\n' "$(secs $(( $(now) - T0 )))" "$*"; }
fail() { log "FAILED: $*"; exit 1; }
SUMMARY=()
note() { SUMMARY+=("$*"); log "$*"; }

# ---- engine -------------------------------------------------------------------------------------
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  ENGINE=docker
  compose_up() { docker compose -p "$PROJECT" -f "$FILE" up -d --build; }
  compose_down() { docker compose -p "$PROJECT" -f "$FILE" down -v --remove-orphans -t 30; }
else
  PODMAN_COMPOSE=${STRATUS_PODMAN_COMPOSE:-$ROOT/../shared/tools/podman-compose.sh}
  [ -f "$PODMAN_COMPOSE" ] || fail "no Docker engine answers (docker info) and $PODMAN_COMPOSE does not exist"
  ENGINE=podman
  eval "$(bash "$PODMAN_COMPOSE" env)"
  export BUILDAH_FORMAT=docker # keep the Dockerfile's HEALTHCHECK (OCI images have none)
  compose_up() { bash "$PODMAN_COMPOSE" up -p "$PROJECT" -f "$FILE"; }
  compose_down() {
    bash "$PODMAN_COMPOSE" down -p "$PROJECT" -f "$FILE"
    podman volume ls -q --filter "label=com.docker.compose.project=$PROJECT" | xargs -r podman volume rm -f >/dev/null
  }
fi
project_containers() { $ENGINE ps -aq --filter "label=com.docker.compose.project=$PROJECT"; }
cid() { $ENGINE ps -aq --filter "label=com.docker.compose.project=$PROJECT" --filter "label=com.docker.compose.service=$1"; }

# ---- teardown -----------------------------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/stratus-compose-test.XXXXXX")
WRITER_PID=
FAILED=1
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  if [ -n "$WRITER_PID" ] && kill -0 "$WRITER_PID" 2>/dev/null; then
    kill -TERM "$WRITER_PID"; wait "$WRITER_PID" 2>/dev/null
  fi
  if [ "$FAILED" = 1 ] && [ -n "$(project_containers 2>/dev/null)" ]; then
    log "logs of the nodes (last 40 lines each):"
    for s in "${SERVICES[@]}"; do
      c=$(cid "$s"); [ -n "$c" ] || continue
      echo "----- $s ($($ENGINE inspect -f '{{.State.Status}}' "$c" 2>/dev/null)) -----"
      $ENGINE logs --tail 40 "$c" 2>&1 | sed 's/^/  /'
    done
    [ -s "$WORK/writer.log" ] && { echo "----- writer -----"; sed 's/^/  /' "$WORK/writer.log"; }
  fi
  if [ "${STRATUS_KEEP:-0}" = 1 ]; then
    log "STRATUS_KEEP=1: leaving project $PROJECT running (tear down: see deploy/README.md)"
  else
    log "tearing down project $PROJECT"
    compose_down >"$WORK/down.log" 2>&1 || { cat "$WORK/down.log"; rc=1; }
    left=$(project_containers 2>/dev/null)
    if [ -n "$left" ]; then log "FAILED: containers left after teardown: $left"; rc=1
    else log "teardown done ($ENGINE ps -a shows no container of $PROJECT)"; fi
  fi
  rm -rf "$WORK"
  if [ ${#SUMMARY[@]} -gt 0 ]; then
    log "summary ($ENGINE):"
    for line in "${SUMMARY[@]}"; do echo "  - $line"; done
  fi
  [ "$rc" = 0 ] && log "PASSED" || log "FAILED (exit status $rc)"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- helpers ------------------------------------------------------------------------------------
smoke() { node --import tsx deploy/smoke.ts "$@"; }

# HTTP status of PATH on a node, asked from inside its container (only the gateway is published).
probe() {
  $ENGINE exec "$1" node -e "fetch('http://127.0.0.1:'+(process.env.STRATUS_HTTP_PORT||4566)+'$2',{signal:AbortSignal.timeout(3000)}).then(r=>console.log(r.status),()=>console.log('down'))" 2>/dev/null || echo noexec
}

# A metric's value on a node (summed over its label sets), or '-' when it has none.
metric() {
  $ENGINE exec "$1" node -e "fetch('http://127.0.0.1:'+(process.env.STRATUS_HTTP_PORT||4566)+'/metrics',{signal:AbortSignal.timeout(3000)}).then(r=>r.text()).then(t=>console.log(t),()=>{})" 2>/dev/null \
    | awk -v m="$2" '$1 == m || index($1, m "{") == 1 { s += $NF; n++ } END { if (n) printf "%d\n", s; else print "-" }'
}

# Raft groups and leaderships per storage node, for the log.
storage_layout() {
  local s c out=""
  for s in storage1 storage2 storage3; do
    c=$(cid "$s")
    out+="$s $(metric "$c" stratus_raft_groups) groups/$(metric "$c" stratus_raft_leaders) leaders; "
  done
  echo "${out%; }"
}

# Is the node (container id) ready? Prints what it saw; status 0 when ready.
node_ready() {
  local r h
  r=$(probe "$1" /ready)
  case $r in
    200) echo "ready"; return 0 ;;
    404|400) # /ready not there yet (400: the AWS dispatch answered): /health decides
      h=$(probe "$1" /health)
      [ "$h" = 200 ] && { echo "ready (no /ready; /health 200)"; return 0; }
      echo "/ready $r, /health $h"; return 1 ;;
    down)
      if [ "$NODE_HTTP" = optional ] && [ "$($ENGINE inspect -f '{{.State.Running}}' "$1")" = true ]; then
        echo "running (no HTTP port; STRATUS_TEST_NODE_HTTP=optional)"; return 0
      fi
      echo "HTTP not answering"; return 1 ;;
    *) echo "/ready $r"; return 1 ;;
  esac
}

# Waits until every service given is ready; TIMEOUT seconds.
wait_nodes() {
  local timeout=$1; shift
  local start pending s c seen
  start=$(now)
  declare -A last=()
  pending=("$@")
  while [ ${#pending[@]} -gt 0 ]; do
    local still=()
    for s in "${pending[@]}"; do
      c=$(cid "$s")
      [ -n "$c" ] || fail "no container for service $s"
      if seen=$(node_ready "$c"); then
        log "  $s: $seen after $(secs $(( $(now) - start )))s"
      else
        [ "${last[$s]:-}" != "$seen" ] && log "  $s: $seen"
        last[$s]=$seen
        still+=("$s")
      fi
    done
    pending=("${still[@]+"${still[@]}"}")
    [ ${#pending[@]} -eq 0 ] && break
    [ $(( $(now) - start )) -lt $(( timeout * 1000 )) ] || fail "not ready after ${timeout}s: ${pending[*]}"
    sleep 1
  done
}

# The container health checks (compose healthcheck: /health inside the container).
check_health() {
  local s c st
  for s in "${SERVICES[@]}"; do
    c=$(cid "$s")
    if [ "$NODE_HTTP" = optional ] && [ "$(probe "$c" /health)" = down ]; then
      log "  $s: health check skipped (no HTTP port)"; continue
    fi
    if [ "$ENGINE" = podman ]; then
      # podman runs health checks from systemd timers, absent here: run the check itself.
      st=$(podman healthcheck run "$c" 2>&1) && st=healthy || st="unhealthy ${st}"
    else
      for _ in $(seq 1 60); do
        st=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$c")
        [ "$st" = starting ] || break
        sleep 2
      done
    fi
    [ "$st" = healthy ] || fail "$s: health check: $st"
    log "  $s: healthy"
  done
}

# ---- preflight ----------------------------------------------------------------------------------
[ -d node_modules/@aws-sdk/client-sqs ] && [ -d node_modules/@aws-sdk/client-lambda ] && [ -d node_modules/tsx ] \
  || fail "the smoke test needs the devDependencies: run npm ci in $ROOT"
log "engine: $ENGINE; project $PROJECT; compose file $FILE; endpoint $STRATUS_ENDPOINT"
if [ -n "$(project_containers 2>/dev/null)" ]; then
  log "removing what an earlier run of project $PROJECT left"
  compose_down >/dev/null 2>&1 || true
fi
for port in "$STRATUS_PUBLISH_HTTP" "$STRATUS_PUBLISH_GRPC"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    fail "port $port on 127.0.0.1 is in use (another Stratus?): stop it, or set STRATUS_PUBLISH_HTTP / STRATUS_PUBLISH_GRPC"
  fi
done

# ---- bring-up -----------------------------------------------------------------------------------
log "building the image and starting ${#SERVICES[@]} containers"
UP_START=$(now)
# The full output goes to a file (shown on failure); the build steps are shown as they go.
: >"$WORK/up.log"
{ compose_up >"$WORK/up.log" 2>&1 && echo 0 >"$WORK/up.rc" || echo $? >"$WORK/up.rc"; } &
UP_PID=$!
tail -n +1 -f --pid="$UP_PID" "$WORK/up.log" \
  | { grep --line-buffered -E 'STEP [0-9]+/[0-9]+|Successfully tagged|exit code: [1-9]' || true; } | sed -u 's/^/  | /'
wait "$UP_PID" || true
if [ "$(cat "$WORK/up.rc")" != 0 ]; then
  tail -n 60 "$WORK/up.log" | sed 's/^/  | /'
  fail "compose up failed (status $(cat "$WORK/up.rc"))"
fi
log "containers: $($ENGINE ps --filter "label=com.docker.compose.project=$PROJECT" --format '{{.Names}}' | sort | tr '\n' ' ')"
STARTED=$(now)
note "build and start: $(secs $(( STARTED - UP_START )))s"
log "waiting for every node to be ready (timeout ${READY_TIMEOUT}s)"
wait_nodes "$READY_TIMEOUT" "${SERVICES[@]}"
smoke wait-ready --timeout "$READY_TIMEOUT"
READY=$(now)
note "bring-up: cluster ready $(secs $(( READY - STARTED )))s after the containers started ($(secs $(( READY - UP_START )))s including the build)"
log "container health checks"
check_health

# ---- smoke: SQS and Lambda ----------------------------------------------------------------------
log "smoke test: SQS and Lambda through $STRATUS_ENDPOINT"
smoke basic
note "smoke test (SQS send/receive/delete, Lambda create/Active/invoke): passed"

# ---- failover: kill a storage node under a continuous writer -------------------------------------
QUEUE=failover-$(date +%s)
ACKS=$WORK/acks
log "failover: writer sending numbered messages to queue $QUEUE"
W_START=$(now)
# node itself in the background (not the smoke function: $! would be a subshell that SIGTERM
# stops without stopping the writer)
node --import tsx deploy/smoke.ts writer --queue "$QUEUE" --acks "$ACKS" >"$WORK/writer.log" 2>&1 &
WRITER_PID=$!
smoke wait-acks --acks "$ACKS" --after "$W_START" --count 100 --timeout 120 --event 'the writer started' || fail "the writer could not write"

log "failover: $(storage_layout)"
if [ -z "$VICTIM" ]; then
  best=-1
  for s in storage1 storage2 storage3; do
    l=$(metric "$(cid "$s")" stratus_raft_leaders)
    [ "$l" != - ] && [ "$l" -gt "$best" ] && { best=$l; VICTIM=$s; }
  done
  [ -n "$VICTIM" ] || VICTIM=storage1
  log "failover: victim $VICTIM (leads the most groups; STRATUS_KILL chooses another)"
fi
VICTIM_CID=$(cid "$VICTIM")
[ -n "$VICTIM_CID" ] || fail "no container for $VICTIM"
KILL_AT=$(now)
log "failover: $ENGINE kill $VICTIM"
$ENGINE kill "$VICTIM_CID" >/dev/null 2>"$WORK/kill.log" || { cat "$WORK/kill.log"; fail "$ENGINE kill $VICTIM failed"; }
state=$($ENGINE inspect -f '{{.State.Status}}' "$VICTIM_CID")
log "failover: $VICTIM is $state"
smoke wait-acks --acks "$ACKS" --after "$KILL_AT" --count 50 --timeout 60 --event "$VICTIM was killed" || fail "writes did not continue after $VICTIM was killed"
kill -0 "$WRITER_PID" 2>/dev/null || fail "the writer died"
log "failover: keeping $VICTIM down for ${DOWN_SECONDS}s while writes go on"
sleep "$DOWN_SECONDS"

RESTART_AT=$(now)
log "failover: $ENGINE start $VICTIM"
# (podman without systemd complains it cannot schedule health checks: kept out of the output)
$ENGINE start "$VICTIM_CID" >/dev/null 2>"$WORK/start.log" || { cat "$WORK/start.log"; fail "$ENGINE start $VICTIM failed"; }
wait_nodes 180 "$VICTIM"
REJOINED=$(now)
note "rejoin: $VICTIM ready $(secs $(( REJOINED - RESTART_AT )))s after its restart"
# Caught up: it hosts as many groups as a peer that stayed up, and has applied all it committed.
PEER=storage2; [ "$VICTIM" = storage2 ] && PEER=storage3
PEER_CID=$(cid "$PEER")
while :; do
  g=$(metric "$VICTIM_CID" stratus_raft_groups); pg=$(metric "$PEER_CID" stratus_raft_groups)
  lag=$(metric "$VICTIM_CID" stratus_raft_apply_lag_entries)
  if [ "$g" = - ] || [ "$pg" = - ]; then log "failover: no Raft metrics on /metrics: catch-up judged by reading back"; break; fi
  if [ "$g" = "$pg" ] && [ "$lag" = 0 ]; then
    note "catch-up: $VICTIM hosts $g groups like $PEER, apply lag 0, $(secs $(( $(now) - RESTART_AT )))s after its restart"
    break
  fi
  [ $(( $(now) - REJOINED )) -lt 120000 ] || fail "$VICTIM did not catch up in 120s: $g groups ($PEER: $pg), apply lag $lag"
  sleep 1
done
log "failover: $(storage_layout)"
smoke wait-acks --acks "$ACKS" --after "$REJOINED" --count 100 --timeout 60 --event "$VICTIM was ready again" || fail "writes did not continue after $VICTIM rejoined"
kill -TERM "$WRITER_PID"
wait "$WRITER_PID" || fail "the writer failed"
WRITER_PID=
sed 's/^/  writer| /' "$WORK/writer.log"

log "failover: reading every message back"
rc=0
smoke verify --queue "$QUEUE" --acks "$ACKS" --kill-at "$KILL_AT" --restart-at "$RESTART_AT" >"$WORK/verify.log" 2>&1 || rc=$?
cat "$WORK/verify.log"
[ "$rc" = 0 ] || fail "verify failed"
note "failover: $(grep -o 'longest gap between acks around the kill [0-9]* ms' "$WORK/verify.log" | sed 's/longest gap between acks around the kill/longest write gap around the kill of '"$VICTIM"':/')"
note "durability: $(grep -o 'acknowledged sends *[0-9]*' "$WORK/verify.log" | awk '{print $3}') acknowledged sends, none lost"

# ---- restart the gateway: it must come back on its volume and serve again ------------------------
GW_CID=$(cid gateway)
UNGRACEFUL=""
t=$(now)
$ENGINE stop -t 30 "$GW_CID" >/dev/null 2>"$WORK/stop.log" || { cat "$WORK/stop.log"; fail "$ENGINE stop gateway failed"; }
code=$($ENGINE inspect -f '{{.State.ExitCode}}' "$GW_CID")
log "restart: gateway stopped (SIGTERM) in $(secs $(( $(now) - t )))s, exit status $code"
[ "$code" = 0 ] || UNGRACEFUL+=" gateway=$code(restart)"
RESTART_GW=$(now)
$ENGINE start "$GW_CID" >/dev/null 2>"$WORK/start.log" || { cat "$WORK/start.log"; fail "$ENGINE start gateway failed"; }
wait_nodes 120 gateway
smoke wait-ready --timeout 60
note "gateway restart: ready $(secs $(( $(now) - RESTART_GW )))s after its start"
smoke basic
note "smoke test after the gateway restart: passed"

# ---- graceful stop: SIGTERM, in the order compose down uses ------------------------------------
# Dependents first (gateway, then the schedulers), then the storage nodes together.
log "graceful stop: $ENGINE stop -t 30 (SIGTERM, SIGKILL after 30s): gateway, then schedulers, then storage nodes"
for tier in "gateway" "scheduler1 scheduler2" "storage1 storage2 storage3"; do
  ids=()
  for s in $tier; do ids+=("$(cid "$s")"); done
  t=$(now)
  $ENGINE stop -t 30 "${ids[@]}" >/dev/null 2>"$WORK/stop.log" || { cat "$WORK/stop.log"; fail "$ENGINE stop $tier failed"; }
  codes=""
  for s in $tier; do
    code=$($ENGINE inspect -f '{{.State.ExitCode}}' "$(cid "$s")")
    codes+="$s=$code "
    [ "$code" = 0 ] || UNGRACEFUL+=" $s=$code"
  done
  log "  $tier: stopped in $(secs $(( $(now) - t )))s; exit status ${codes% }"
done
[ -z "$UNGRACEFUL" ] || fail "not stopped gracefully by SIGTERM:$UNGRACEFUL (137: still running after the 30s grace period, killed)"
note "graceful stop: all ${#SERVICES[@]} nodes exited 0 on SIGTERM"

FAILED=0
