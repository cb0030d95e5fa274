#!/usr/bin/env bash
# End-to-end test of the compose deployment (deploy/docker-compose.yml): build and bring up the
# cluster, wait until every node is ready, run an SQS + Lambda smoke test through the published
# port, then kill a storage node under a continuous writer, restart it, and check that every
# acknowledged message is still there; scale out and drain under a new writer: start a fourth
# storage node (deploy/docker-compose.storage4.yml), wait until the rebalancer has moved replicas
# onto it, drain it with `stratus cluster drain 4`, remove it, and check that every acknowledged
# message is still there; restart the gateway and smoke-test again; stop every node with SIGTERM
# and check each exits 0 within the grace period. Tears everything down on exit (containers,
# networks, volumes); exits non-zero on any failure. Run from anywhere:
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
#   STRATUS_CATCHUP_TIMEOUT   seconds from its restart for the killed node to follow the leader of
#                             every group it hosts again (default 180)
#   STRATUS_SCALE             0 skips the scale-out-and-drain phase (default 1)
#   STRATUS_SCALE_FILE        the override file adding storage4 (default deploy/docker-compose.storage4.yml)
#   STRATUS_JOIN_TIMEOUT      seconds from its start for storage4 to be ready and hold its share
#                             of the replicas (default 120)
#   STRATUS_REMOVE_TIMEOUT    --timeout of `stratus cluster drain 4`, seconds (default 180)
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
CATCHUP_TIMEOUT=${STRATUS_CATCHUP_TIMEOUT:-180}
SCALE=${STRATUS_SCALE:-1}
SCALE_FILE=${STRATUS_SCALE_FILE:-deploy/docker-compose.storage4.yml}
JOIN_TIMEOUT=${STRATUS_JOIN_TIMEOUT:-120}
REMOVE_TIMEOUT=${STRATUS_REMOVE_TIMEOUT:-180}
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
# The scale-out phase's storage4: scale_up starts it (the image the cluster runs, its own volume,
# the environment of the override file), scale_rm removes it and its volume.
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  ENGINE=docker
  compose_up() { docker compose -p "$PROJECT" -f "$FILE" up -d --build; }
  compose_down() {
    local extra=()
    [ "$SCALE" = 1 ] && [ -f "$SCALE_FILE" ] && extra=(-f "$SCALE_FILE")
    docker compose -p "$PROJECT" -f "$FILE" "${extra[@]}" down -v --remove-orphans -t 30
  }
  scale_up() { docker compose -p "$PROJECT" -f "$FILE" -f "$SCALE_FILE" up -d --no-build storage4; }
  scale_rm() {
    docker compose -p "$PROJECT" -f "$FILE" -f "$SCALE_FILE" rm -s -f storage4 \
      && docker volume rm -f "${PROJECT}_storage4" >/dev/null
  }
else
  PODMAN_COMPOSE=${STRATUS_PODMAN_COMPOSE:-$ROOT/../shared/tools/podman-compose.sh}
  [ -f "$PODMAN_COMPOSE" ] || fail "no Docker engine answers (docker info) and $PODMAN_COMPOSE does not exist"
  ENGINE=podman
  eval "$(bash "$PODMAN_COMPOSE" env)"
  export BUILDAH_FORMAT=docker # keep the Dockerfile's HEALTHCHECK (OCI images have none)
  compose_up() { bash "$PODMAN_COMPOSE" up -p "$PROJECT" -f "$FILE"; }
  compose_down() {
    # storage4 is not in $FILE (the wrapper takes one compose file): removed here first.
    podman ps -aq --filter "label=com.docker.compose.project=$PROJECT" --filter label=com.docker.compose.service=storage4 \
      | xargs -r podman rm -f -t 5 >/dev/null
    bash "$PODMAN_COMPOSE" down -p "$PROJECT" -f "$FILE"
    podman volume ls -q --filter "label=com.docker.compose.project=$PROJECT" | xargs -r podman volume rm -f >/dev/null
  }
  # The wrapper's up takes one compose file: storage4 is run as podman-compose would run it, on
  # the project's network under the alias storage4, with the labels compose uses.
  scale_up() {
    local net image out env=()
    net=$(podman network ls -q --filter "label=io.podman.compose.project=$PROJECT" | head -n 1)
    [ -n "$net" ] || { echo "no network of project $PROJECT"; return 1; }
    image=$(podman inspect -f '{{.Image}}' "$(cid storage1)") || return 1
    out=$(scale_env) || return 1
    mapfile -t env <<<"$out"
    [ ${#env[@]} -gt 0 ] || { echo "no environment for storage4 in $SCALE_FILE"; return 1; }
    echo "network $net, image ${image:0:12}, volume ${PROJECT}_storage4"
    podman volume create --label "io.podman.compose.project=$PROJECT" --label "com.docker.compose.project=$PROJECT" \
      "${PROJECT}_storage4" >/dev/null || return 1
    podman run -d --name "${PROJECT}_storage4_1" \
      --label "io.podman.compose.project=$PROJECT" --label "com.docker.compose.project=$PROJECT" \
      --label com.docker.compose.service=storage4 --label com.docker.compose.container-number=1 \
      --network "$net" --network-alias storage4 --hostname storage4 \
      --restart unless-stopped --stop-timeout 30 \
      -v "${PROJECT}_storage4:/data" "${env[@]/#/--env=}" "$image"
  }
  scale_rm() {
    podman rm -f -t 30 "${PROJECT}_storage4_1" >/dev/null && podman volume rm -f "${PROJECT}_storage4" >/dev/null
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
    for s in "${SERVICES[@]}" storage4; do
      c=$(cid "$s"); [ -n "$c" ] || continue
      echo "----- $s ($($ENGINE inspect -f '{{.State.Status}}' "$c" 2>/dev/null)) -----"
      $ENGINE logs --tail 40 "$c" 2>&1 | sed 's/^/  /'
    done
    [ -s "$WORK/writer.log" ] && { echo "----- writer -----"; sed 's/^/  /' "$WORK/writer.log"; }
    [ -s "$WORK/writer-scale.log" ] && { echo "----- writer (scale out and drain) -----"; sed 's/^/  /' "$WORK/writer-scale.log"; }
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

# Several metrics of a node at once (one scrape): their values on one line, '-' for a missing one.
metrics() {
  local c=$1; shift
  $ENGINE exec "$c" node -e "fetch('http://127.0.0.1:'+(process.env.STRATUS_HTTP_PORT||4566)+'/metrics',{signal:AbortSignal.timeout(3000)}).then(r=>r.text()).then(t=>console.log(t),()=>{})" 2>/dev/null \
    | awk -v names="$*" 'BEGIN { n = split(names, m, " ") }
        { for (i = 1; i <= n; i++) if ($1 == m[i] || index($1, m[i] "{") == 1) { s[i] += $NF; seen[i] = 1 } }
        END { for (i = 1; i <= n; i++) printf "%s%s", (seen[i] ? sprintf("%d", s[i]) : "-"), (i < n ? " " : "\n") }'
}

# Raft groups and leaderships per storage node (default storage1..3), for the log.
storage_layout() {
  local s c out="" g l
  [ $# -gt 0 ] || set -- storage1 storage2 storage3
  for s in "$@"; do
    c=$(cid "$s")
    read -r g l < <(metrics "$c" stratus_raft_groups stratus_raft_leaders)
    out+="$s $g groups/$l leaders; "
  done
  echo "${out%; }"
}

# Every Raft group each storage node given hosts, as the node reports it (gRPC nodeStatus, asked
# from the gateway's container): for the log when replicas do not settle.
group_status() {
  local addrs="" s
  for s in "$@"; do addrs+="$s:50051,"; done
  $ENGINE exec "$(cid gateway)" node --input-type=module -e "
    import { register } from 'tsx/esm/api'; register();
    const { ClusterClient } = await import('./nodes/cluster/client.ts');
    const c = new ClusterClient({ seeds: ['storage1:50051'] });
    for (const a of '${addrs%,}'.split(',')) {
      try {
        const st = await c.nodeStatus(a, 3000);
        console.log(a + ': node ' + st.node + ', ' + (st.groups ?? []).length + ' groups');
        for (const g of (st.groups ?? []).sort((x, y) => x.group - y.group)) {
          console.log('  group ' + g.group + ' ' + g.role + ' leader ' + g.leader + ' term ' + g.term + ' commit ' + g.commit + ' applied ' + g.applied + ' last ' + g.lastIndex + ' voters [' + (g.voters ?? []) + '] learners [' + (g.learners ?? []) + ']' + (g.quiesced ? ' quiesced' : '') + (g.role === 'leader' ? ' lag ' + JSON.stringify(g.lag ?? {}) : ''));
        }
      } catch (e) { console.log(a + ': ' + (e?.message ?? e)); }
    }
    c.close();" 2>&1 | sed 's/^/  status| /'
}

# Does the storage node (its service name) follow the leader of every Raft group it hosts? From
# every storage node's status (gRPC nodeStatus, asked from the gateway's container): each group it
# hosts must know its leader, and that leader must count it at most 50 entries behind. Prints a
# line; status 0 when it does. (Its own /metrics cannot tell: a node that hears from no leader has
# nothing to apply, so its apply lag is 0.)
raft_follows() {
  local victim=$1; shift
  local peers="" s
  for s in "$@"; do peers+="$s:50051,"; done
  $ENGINE exec "$(cid gateway)" node --input-type=module -e "
    import { register } from 'tsx/esm/api'; register();
    const { ClusterClient } = await import('./nodes/cluster/client.ts');
    const victim = '$victim:50051', peers = '${peers%,}'.split(',');
    const c = new ClusterClient({ seeds: peers });
    const st = new Map();
    for (const a of [victim, ...peers]) st.set(a, await c.nodeStatus(a, 3000).catch((e) => ({ error: String(e?.message ?? e) })));
    c.close();
    const v = st.get(victim);
    if (v.error) { console.log('$victim: ' + v.error); process.exit(1); }
    const leaders = new Map();
    for (const s of st.values()) for (const g of s.groups ?? []) {
      if (g.role !== 'leader') continue;
      const b = leaders.get(g.group);
      if (!b || g.term > b.term) leaders.set(g.group, { term: g.term, node: s.node, lag: g.lag?.[v.node] });
    }
    const behind = [];
    for (const g of v.groups ?? []) {
      if (g.role === 'leader') continue;
      const l = leaders.get(g.group);
      if (!l) behind.push('group ' + g.group + ': no leader anywhere');
      else if (l.lag === undefined) behind.push('group ' + g.group + ': not in the configuration of its leader node ' + l.node);
      else if (g.leader === 0) behind.push('group ' + g.group + ': ' + g.role + ', hears from no leader (node ' + l.node + ' leads it, ' + l.lag + ' entries ahead)');
      else if (l.lag > 50) behind.push('group ' + g.group + ': ' + l.lag + ' entries behind its leader node ' + l.node);
    }
    const n = (v.groups ?? []).length;
    console.log(behind.length ? behind.length + ' of ' + n + ' groups not following: ' + behind.slice(0, 4).join('; ') + (behind.length > 4 ? '; …' : '') : 'all ' + n + ' groups follow their leaders');
    process.exit(behind.length ? 1 : 0);" 2>&1
}

# A container's address on the project network.
address_of() { $ENGINE inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "$1" 2>/dev/null | sed 's/ *$//'; }

# storage4's environment from the override file, one NAME=VALUE a line; checked against storage1's
# in the compose file (the same but for the node id and address). Needs python3 with PyYAML
# (podman-compose's own dependency).
scale_env() {
  python3 - "$FILE" "$SCALE_FILE" <<'PY'
import sys, yaml
base = yaml.safe_load(open(sys.argv[1]))["services"]["storage1"]["environment"]
new = yaml.safe_load(open(sys.argv[2]))["services"]["storage4"]["environment"]
if isinstance(new, list): new = dict(e.split("=", 1) for e in new)
own = {"STRATUS_NODE_ID": "4", "STRATUS_ADVERTISE": "storage4:50051"}
want = {**base, **own}
diff = sorted(k for k in set(want) | set(new) if str(want.get(k)) != str(new.get(k)))
if diff:
    sys.exit(f"{sys.argv[2]}: storage4's environment differs from storage1's in {sys.argv[1]} (node id and address aside): " + ", ".join(f"{k}={new.get(k)!r} (want {want.get(k)!r})" for k in diff))
for k, v in new.items(): print(f"{k}={v}")
PY
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

# The container health checks (compose healthcheck: /health inside the container), of the
# services given (default all six).
check_health() {
  local s c st
  [ $# -gt 0 ] || set -- "${SERVICES[@]}"
  for s in "$@"; do
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
log "smoke test: SQS, Lambda and API Gateway through $STRATUS_ENDPOINT"
smoke basic
note "smoke test (SQS send/receive/delete, Lambda create/Active/invoke, HTTP API → Lambda → SQS from the function): passed"

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
VICTIM_ADDR=$(address_of "$VICTIM_CID")
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
addr=$(address_of "$VICTIM_CID")
if [ "$addr" != "$VICTIM_ADDR" ]; then
  log "failover: $VICTIM's address changed with its restart: $VICTIM_ADDR -> $addr (its peers must resolve $VICTIM again)"
  ADDR_NOTE=" (its address changed with the restart: $VICTIM_ADDR -> $addr)"
else
  ADDR_NOTE=" (same address after the restart)"
fi
# Caught up: it hosts as many groups as a peer that stayed up, has applied all it committed, and
# follows the leader of every group it hosts (the leaders reach it again).
PEER=storage2; [ "$VICTIM" = storage2 ] && PEER=storage3
PEER_CID=$(cid "$PEER")
OTHERS=(); for s in storage1 storage2 storage3; do [ "$s" = "$VICTIM" ] || OTHERS+=("$s"); done
last="" last_at=0
while :; do
  g=$(metric "$VICTIM_CID" stratus_raft_groups); pg=$(metric "$PEER_CID" stratus_raft_groups)
  lag=$(metric "$VICTIM_CID" stratus_raft_apply_lag_entries)
  if [ "$g" = - ] || [ "$pg" = - ]; then log "failover: no Raft metrics on /metrics: catch-up judged by reading back"; break; fi
  follows=$(raft_follows "$VICTIM" "${OTHERS[@]}") && fol=1 || fol=0
  if [ "$g" = "$pg" ] && [ "$lag" = 0 ] && [ "$fol" = 1 ]; then
    note "catch-up: $VICTIM hosts $g groups like $PEER, apply lag 0, $follows, $(secs $(( $(now) - RESTART_AT )))s after its restart$ADDR_NOTE"
    break
  fi
  line="$g groups ($PEER: $pg), apply lag $lag; $follows"
  # logged when it changes (entry counts aside), and every 30s
  key=$(sed -E 's/apply lag [0-9]+//; s/[0-9]+ entries/N entries/g' <<<"$line")
  if [ "$key" != "$last" ] || [ $(( $(now) - last_at )) -ge 30000 ]; then
    log "  +$(secs $(( $(now) - RESTART_AT )))s: $VICTIM: $line"
    last=$key last_at=$(now)
  fi
  if [ $(( $(now) - RESTART_AT )) -ge $(( CATCHUP_TIMEOUT * 1000 )) ]; then
    group_status storage1 storage2 storage3
    fail "$VICTIM did not catch up in ${CATCHUP_TIMEOUT}s after its restart: $line"
  fi
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

# ---- scale out and drain: a fourth storage node joins, takes replicas, is drained and removed -----
if [ "$SCALE" = 1 ]; then
  [ -f "$SCALE_FILE" ] || fail "$SCALE_FILE does not exist (STRATUS_SCALE=0 skips this phase)"
  if python3 -c 'import yaml' 2>/dev/null; then
    scale_env >/dev/null 2>"$WORK/env.log" || { cat "$WORK/env.log"; fail "$SCALE_FILE does not match $FILE"; }
  fi
  GW_CID=$(cid gateway)
  QUEUE2=scale-$(date +%s)
  ACKS2=$WORK/acks-scale
  log "scale out: writer sending numbered messages to queue $QUEUE2"
  W_START=$(now)
  node --import tsx deploy/smoke.ts writer --queue "$QUEUE2" --acks "$ACKS2" >"$WORK/writer-scale.log" 2>&1 &
  WRITER_PID=$!
  smoke wait-acks --acks "$ACKS2" --after "$W_START" --count 100 --timeout 120 --event 'the writer started' || fail "the writer could not write"

  # Replicas placed per node, from the groups gauge: storage1..3 also hold the meta group (the
  # rebalancer moves it only off a leaving node), storage4 holds catalog groups only. Balanced:
  # the catalog counts differ by at most 1, and the total is what it was before the join (no move
  # under way: a move adds a learner before it removes the old replica).
  BASE_TOTAL=0
  for s in storage1 storage2 storage3; do
    read -r g lag < <(metrics "$(cid "$s")" stratus_raft_groups stratus_raft_apply_lag_entries)
    [ "$g" != - ] || fail "scale out: no stratus_raft_groups on $s's /metrics"
    BASE_TOTAL=$(( BASE_TOTAL + g ))
  done
  log "scale out: $(storage_layout) ($BASE_TOTAL replicas, meta group included)"
  log "scale out: starting storage4 ($SCALE_FILE)"
  JOIN_AT=$(now)
  scale_up >"$WORK/scale-up.log" 2>&1 || { sed 's/^/  | /' "$WORK/scale-up.log"; fail "starting storage4 failed"; }
  grep -v '^[0-9a-f]\{64\}$' "$WORK/scale-up.log" | grep -iv 'healthcheck\|systemd' | sed 's/^/  | /' || true
  S4_CID=$(cid storage4)
  [ -n "$S4_CID" ] || fail "no container for storage4 after starting it"
  wait_nodes 120 storage4
  S4_READY=$(now)
  log "scale out: storage4 ready $(secs $(( S4_READY - JOIN_AT )))s after its start; waiting (up to ${JOIN_TIMEOUT}s) for the rebalancer to move replicas onto it"
  last="" ok=0
  while :; do
    counts=() total=0 lags=0 line=""
    for s in storage1 storage2 storage3 storage4; do
      read -r g lag < <(metrics "$(cid "$s")" stratus_raft_groups stratus_raft_apply_lag_entries)
      [ "$g" = - ] && g=0
      [ "$lag" = - ] && lag=0
      counts+=("$g"); total=$(( total + g )); lags=$(( lags + lag ))
      line+="$s $g, "
    done
    line="${line%, } (total $total, apply lag $lags)"
    [ "$line" != "$last" ] && log "  +$(secs $(( $(now) - JOIN_AT )))s: $line"
    last=$line
    # catalog replicas: the meta group aside on storage1..3
    catalog=("$(( counts[0] - 1 ))" "$(( counts[1] - 1 ))" "$(( counts[2] - 1 ))" "${counts[3]}")
    lo=$(printf '%s\n' "${catalog[@]}" | sort -n | head -n 1); hi=$(printf '%s\n' "${catalog[@]}" | sort -n | tail -n 1)
    if [ "${counts[3]}" -gt 0 ] && [ "$total" = "$BASE_TOTAL" ] && [ $(( hi - lo )) -le 1 ] && [ "$lags" = 0 ]; then
      ok=$(( ok + 1 ))
      # twice in a row (the nodes are scraped one after another), and storage4 follows the
      # leaders of the groups it got
      if [ "$ok" -ge 2 ]; then
        follows=$(raft_follows storage4 storage1 storage2 storage3) && break
        log "  storage4: $follows"
      fi
    else
      ok=0
    fi
    if [ $(( $(now) - JOIN_AT )) -ge $(( JOIN_TIMEOUT * 1000 )) ]; then
      group_status storage1 storage2 storage3 storage4
      fail "scale out: replicas not balanced onto storage4 ${JOIN_TIMEOUT}s after its start: $line"
    fi
    sleep 1
  done
  JOINED=$(now)
  note "scale out: storage4 ready $(secs $(( S4_READY - JOIN_AT )))s after its start; replicas balanced onto it $(secs $(( JOINED - JOIN_AT )))s after its start ($follows); Raft groups: storage1 ${counts[0]}, storage2 ${counts[1]}, storage3 ${counts[2]}, storage4 ${counts[3]} (storage1..3 with the meta group)"
  log "scale out: $(storage_layout storage1 storage2 storage3 storage4)"
  check_health storage4
  smoke wait-acks --acks "$ACKS2" --after "$JOINED" --count 50 --timeout 60 --event 'the replicas were balanced' || fail "writes did not continue after storage4 joined"
  kill -0 "$WRITER_PID" 2>/dev/null || fail "the writer died"

  log "drain: $ENGINE exec gateway node bin/stratus.js cluster drain 4 --endpoint storage1:50051 --timeout $REMOVE_TIMEOUT"
  DRAIN_AT=$(now)
  rc=0
  timeout $(( REMOVE_TIMEOUT + 60 )) $ENGINE exec "$GW_CID" node bin/stratus.js cluster drain 4 --endpoint storage1:50051 --timeout "$REMOVE_TIMEOUT" \
    >"$WORK/drain.log" 2>&1 || rc=$?
  DRAIN_DONE=$(now)
  sed 's/^/  drain| /' "$WORK/drain.log"
  if [ "$rc" != 0 ]; then
    group_status storage1 storage2 storage3 storage4
    fail "stratus cluster drain 4 exited $rc after $(secs $(( DRAIN_DONE - DRAIN_AT )))s"
  fi
  log "drain: node 4 marked removed $(secs $(( DRAIN_DONE - DRAIN_AT )))s after the drain started; waiting for storage4 to hold no group"
  last=""
  while :; do
    read -r g4 lag < <(metrics "$S4_CID" stratus_raft_groups stratus_raft_apply_lag_entries)
    total=0 lags=0 line=""
    for s in storage1 storage2 storage3; do
      read -r g lag < <(metrics "$(cid "$s")" stratus_raft_groups stratus_raft_apply_lag_entries)
      [ "$g" = - ] && g=0
      [ "$lag" = - ] && lag=0
      total=$(( total + g )); lags=$(( lags + lag ))
      line+="$s $g, "
    done
    line="${line}storage4 $g4"
    [ "$line" != "$last" ] && log "  +$(secs $(( $(now) - DRAIN_AT )))s: $line (storage1..3 total $total, apply lag $lags)"
    last=$line
    [ "$g4" = 0 ] && [ "$total" = "$BASE_TOTAL" ] && [ "$lags" = 0 ] && break
    if [ $(( $(now) - DRAIN_DONE )) -ge 60000 ]; then
      group_status storage1 storage2 storage3 storage4
      fail "drain: 60s after node 4 was removed: $line (want storage4 0, storage1..3 total $BASE_TOTAL)"
    fi
    sleep 1
  done
  EMPTY_AT=$(now)
  note "drain: \`stratus cluster drain 4\` exited 0 (node 4 removed) after $(secs $(( DRAIN_DONE - DRAIN_AT )))s; storage4 hosted 0 groups $(secs $(( EMPTY_AT - DRAIN_AT )))s after the drain started; Raft groups: $line"
  t=$(now)
  $ENGINE stop -t 30 "$S4_CID" >/dev/null 2>"$WORK/stop.log" || { cat "$WORK/stop.log"; fail "$ENGINE stop storage4 failed"; }
  code=$($ENGINE inspect -f '{{.State.ExitCode}}' "$S4_CID")
  log "drain: storage4 stopped (SIGTERM) in $(secs $(( $(now) - t )))s, exit status $code"
  [ "$code" = 0 ] || fail "storage4 did not stop gracefully after its drain: exit status $code"
  scale_rm >"$WORK/scale-rm.log" 2>&1 || { cat "$WORK/scale-rm.log"; fail "removing storage4 and its volume failed"; }
  [ -z "$(cid storage4)" ] || fail "storage4's container is still there"
  log "drain: storage4's container and volume ${PROJECT}_storage4 removed"
  smoke wait-acks --acks "$ACKS2" --after "$EMPTY_AT" --count 50 --timeout 60 --event 'storage4 was drained' || fail "writes did not continue after storage4 was drained"
  kill -TERM "$WRITER_PID"
  wait "$WRITER_PID" || fail "the writer failed"
  WRITER_PID=
  sed 's/^/  writer| /' "$WORK/writer-scale.log"

  log "scale out and drain: reading every message back"
  rc=0
  smoke verify --queue "$QUEUE2" --acks "$ACKS2" --windows "join:$JOIN_AT:$JOINED,drain:$DRAIN_AT:$EMPTY_AT" >"$WORK/verify-scale.log" 2>&1 || rc=$?
  cat "$WORK/verify-scale.log"
  [ "$rc" = 0 ] || fail "verify failed"
  note "scale out and drain: longest write gap during the join $(grep -o 'longest gap between acks during the join [0-9]* ms' "$WORK/verify-scale.log" | grep -o '[0-9]* ms'), during the drain $(grep -o 'longest gap between acks during the drain [0-9]* ms' "$WORK/verify-scale.log" | grep -o '[0-9]* ms')"
  note "durability (scale out and drain): $(grep -o 'acknowledged sends *[0-9]*' "$WORK/verify-scale.log" | awk '{print $3}') acknowledged sends, none lost"
fi

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
