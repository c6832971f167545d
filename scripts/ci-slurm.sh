#!/usr/bin/env bash
# Runs the Slurm job array of docs/scale.md for real on a throw-away single-node Slurm cluster on this host (CI, as
# root): installs Debian's slurm-wlm and munge when missing, starts munged, slurmctld and slurmd from a generated
# slurm.conf (this host's name, CPUs and memory; a temporary state folder; non-default ports), clones this repository
# at HEAD and runs `npm ci` in the clone (the recipe's "a checkout where npm ci was run"), and submits the doc's sbatch
# file, with only its paths and sizes substituted, over the demo sessions (fixtures/demo, 3 sessions of 10 s) in 2
# shards. It requeues one task while it runs (both attempts must be in its log), cancels the other and submits it
# again with `sbatch --array=K`, then checks: every task ended with exit code 0, no _errors*.jsonl (a scancel's
# SIGTERM is not a failure), and the outputs equal a plain `mmprep extract` run's byte for byte (meta.json without its
# wall-clock `run` object). Every daemon it started is stopped on exit (trap). Exit 0 = all held.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
t_start=$(date +%s)
say() { echo "ci-slurm: $*"; }
die() { echo "ci-slurm: FAILED: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (it installs packages and starts slurmd)"
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null || ! command -v sbatch >/dev/null; then
  say "installing slurm-wlm and munge from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi

STATE=$(mktemp -d /tmp/mmprep-ci-slurm.XXXXXX)
chmod 755 "$STATE"
PIDS=()
cleanup() {
  local rc=$?
  set +e
  # Jobs first (their slurmstepd outlives slurmd), then the daemons, newest first.
  if [ -n "${SLURM_CONF:-}" ] && [ -f "${SLURM_CONF}" ] && [ "${#PIDS[@]}" -ge 3 ]; then
    scancel --quiet --name=mmprep-extract 2>/dev/null
    for _ in $(seq 1 90); do squeue -h 2>/dev/null | grep -q . || break; sleep 0.5; done
  fi
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    pid=${PIDS[$i]}
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  left=""
  for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && left="$left $pid"; done
  if [ -n "$left" ]; then echo "ci-slurm: FAILED: still running:$left" >&2; rc=1; fi
  if [ "$rc" -ne 0 ]; then
    for f in "$STATE"/log/*.log "$STATE"/work/logs/*.log; do [ -f "$f" ] && { echo "--- $f (last 30 lines)"; tail -n 30 "$f"; }; done
  fi
  rm -rf "$STATE"
  say "stopped every daemon it started; took $(($(date +%s) - t_start)) s"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- munge: a fresh key and socket in the state folder -------------------------------------------------------------
mkdir -p "$STATE/munge" "$STATE/log" "$STATE/ctld" "$STATE/d" "$STATE/work"
chmod 700 "$STATE/munge"
dd if=/dev/urandom of="$STATE/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$STATE/munge/munge.key"
MUNGE_SOCKET="$STATE/munge/munge.socket"
munged --foreground --force --key-file="$STATE/munge/munge.key" --socket="$MUNGE_SOCKET" \
  --pid-file="$STATE/munge/munged.pid" --log-file="$STATE/log/munged.log" --seed-file="$STATE/munge/seed" >"$STATE/log/munged.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 50); do [ -S "$MUNGE_SOCKET" ] && break; sleep 0.1; done
[ -S "$MUNGE_SOCKET" ] || die "munged did not start"

# --- slurm.conf for this host ---------------------------------------------------------------------------------------
HOST=$(hostname -s)
CPUS=$(nproc)
MEM_MB=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.8 }' /proc/meminfo)
PORT=$((20000 + RANDOM % 20000))
export SLURM_CONF="$STATE/slurm.conf"
cat > "$SLURM_CONF" <<EOF
ClusterName=mmprepci
SlurmctldHost=$HOST
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
# cred_expire: Slurm holds a requeued job this long + 1 s (default 120) before it may start again
AuthInfo=socket=$MUNGE_SOCKET,cred_expire=30
CredType=cred/munge
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/d
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SlurmdParameters=config_overrides
KillWait=30
MinJobAge=600
NodeName=$HOST CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=ci Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -D -i -f "$SLURM_CONF" >"$STATE/log/slurmctld.out" 2>&1 &
PIDS+=($!)
slurmd -D -f "$SLURM_CONF" -N "$HOST" >"$STATE/log/slurmd.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 120); do
  state=$(sinfo -h -N -o %T 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 0.5
done
[ "$state" = idle ] || die "the node did not come up (sinfo says '${state}')"
say "single-node Slurm up: $HOST, $CPUS CPUs, ${MEM_MB} MB, ports $PORT/$((PORT + 1)), $(sinfo --version)"

# --- a checkout where `npm ci` was run ------------------------------------------------------------------------------
WORK="$STATE/work"
git clone -q --local "$REPO" "$WORK/mmprep"
(cd "$WORK/mmprep" && npm ci --prefer-offline --no-audit --no-fund >"$STATE/log/npm-ci.log" 2>&1) || die "npm ci in the clone failed (see npm-ci.log)"
[ -f "$WORK/mmprep/dist/cli/main.js" ] || die "npm ci did not build dist/"
say "cloned HEAD ($(git -C "$WORK/mmprep" rev-parse --short HEAD)) and ran npm ci: dist/ built"

mkdir -p "$WORK/sessions"
cp "$REPO"/fixtures/demo/* "$WORK/sessions/"
node "$WORK/mmprep/bin/mmprep.js" extract "$WORK/sessions/manifest.csv" -o "$WORK/plain" --progress none >"$STATE/log/plain.json"
say "plain run: $(cat "$STATE/log/plain.json" | head -c 300)"

# --- the doc's sbatch file, paths and sizes substituted -------------------------------------------------------------
awk '/^## Slurm: a job array/ { s = 1 } s && /^```bash$/ { b = 1; next } b && /^```$/ { exit } b { print }' "$REPO/docs/scale.md" >"$STATE/doc.sbatch"
grep -q '^#SBATCH --array=0-7' "$STATE/doc.sbatch" || die "no sbatch block found under '## Slurm: a job array' in docs/scale.md"
sed -e 's/^#SBATCH --array=0-7 /#SBATCH --array=0-1 /' -e 's/^N=8$/N=2/' \
  -e 's/^#SBATCH --cpus-per-task=4 /#SBATCH --cpus-per-task=1 /' -e 's/^#SBATCH --mem=4G /#SBATCH --mem=1G /' \
  -e 's/^#SBATCH --time=12:00:00/#SBATCH --time=00:20:00/' \
  -e "s#/shared/mmprep#$WORK/mmprep#g" -e "s#/shared/sessions#$WORK/sessions#g" -e "s#/shared/features#$WORK/features#g" \
  "$STATE/doc.sbatch" >"$WORK/extract.sbatch"
changed=$({ diff "$STATE/doc.sbatch" "$WORK/extract.sbatch" || true; } | grep -c '^>' || true)
{ diff "$STATE/doc.sbatch" "$WORK/extract.sbatch" || true; } | sed -n 's/^> /ci-slurm: substituted: /p'
[ "$changed" -eq 8 ] || die "expected 8 substituted lines (array, cpus, mem, time, N, OUT, cd, manifest), got $changed"

cd "$WORK"
mkdir -p logs
job_state() { scontrol -o show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -n 1; }
job_exit() { scontrol -o show job "$1" 2>/dev/null | sed -n 's/.* ExitCode=\([0-9:]*\).*/\1/p' | head -n 1; }
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...: until COMMAND succeeds
  local limit=$1 what=$2
  shift 2
  for _ in $(seq 1 $((limit * 2))); do "$@" && return 0; sleep 0.5; done
  die "timed out after ${limit} s waiting for: $what"
}
started_extracting() { [ -n "$(ls "$WORK/features" 2>/dev/null | grep -v '^_')" ] && grep -q 'mmprep extract: 0/' "$1"; }
log_has() { [ -f "$1" ] && [ "$(grep -c "$2" "$1")" -ge "$3" ]; }
ended() { ! squeue -h -j "$1" 2>/dev/null | grep -q .; }

JOB=$(sbatch --parsable extract.sbatch)
JOB=${JOB%%;*}
say "submitted array job $JOB (2 tasks)"
LOG0="logs/extract-${JOB}_0.log"
LOG1="logs/extract-${JOB}_1.log"
wait_for 300 "both tasks running and extracting" bash -c "[ \"\$(squeue -h -j $JOB -t R | wc -l)\" -eq 2 ] && [ -f $LOG0 ] && [ -f $LOG1 ]"
wait_for 300 "task 1 extracting" started_extracting "$LOG1"

# Requeue task 0 while it runs: its second attempt appends to the same log (--open-mode=append).
scontrol requeue "${JOB}_0"
say "requeued ${JOB}_0"
# Cancel task 1 while it runs (SIGTERM to every process of the task), then submit that shard again.
scancel "${JOB}_1"
wait_for 120 "${JOB}_1 to end after scancel" ended "${JOB}_1"
grep -q 'stopped by interrupt' "$LOG1" || die "the cancelled task's mmprep did not roll back (no 'stopped by interrupt' in $LOG1)"
say "cancelled ${JOB}_1: $(grep 'stopped by interrupt' "$LOG1" | tail -n 1)"
if ls "$WORK"/features/_errors* >/dev/null 2>&1; then die "scancel's SIGTERM was recorded as a failure: $(cat "$WORK"/features/_errors*)"; fi
JOB2=$(sbatch --parsable --array=1 extract.sbatch)
JOB2=${JOB2%%;*}
say "resubmitted shard 1 as ${JOB2}_1"

wait_for 900 "all tasks to end" bash -c "! squeue -h -j $JOB,$JOB2 | grep -q ."
for t in "${JOB}_0" "${JOB2}_1"; do
  st=$(job_state "$t")
  ex=$(job_exit "$t")
  [ "$st" = COMPLETED ] && [ "$ex" = 0:0 ] || die "task $t ended $st with exit code $ex"
done
LOG1B="logs/extract-${JOB2}_1.log"
log_has "$LOG0" '^mmprep-extract: shard 0/2' 2 || die "$LOG0 does not hold both attempts of the requeued task"
grep -q '^mmprep-extract: shard 0/2, .* start 2,' "$LOG0" || die "$LOG0: no second start after requeue"
log_has "$LOG1B" '^mmprep-extract: shard 1/2 exit code 0' 1 || die "$LOG1B: the resubmitted task did not finish with 0"
if ls "$WORK"/features/_errors* >/dev/null 2>&1; then die "errors recorded: $(cat "$WORK"/features/_errors*)"; fi
say "tasks ${JOB}_0 (requeued, 2 attempts in one log) and ${JOB2}_1 (resubmitted) COMPLETED 0:0; no _errors*.jsonl"

# --- outputs equal the plain run's ----------------------------------------------------------------------------------
node - "$WORK/plain" "$WORK/features" <<'EOF'
const { readdirSync, readFileSync, statSync } = require('node:fs');
const { join } = require('node:path');
// Every file (relative path -> bytes); meta.json without its wall-clock `run` object (what the project promises).
function snapshot(root) {
  const out = new Map();
  const walk = (rel) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const p = join(root, rel, name);
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(p).isDirectory()) walk(r);
      else if (name === 'meta.json') {
        const m = JSON.parse(readFileSync(p, 'utf8'));
        delete m.run;
        out.set(r, JSON.stringify(m));
      } else out.set(r, readFileSync(p).toString('base64'));
    }
  };
  walk('');
  return out;
}
const [a, b] = [snapshot(process.argv[2]), snapshot(process.argv[3])];
const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
const diff = keys.filter((k) => a.get(k) !== b.get(k));
if (diff.length) {
  console.error(`ci-slurm: FAILED: ${diff.length} file(s) differ from the plain run: ${diff.join(', ')}`);
  process.exit(1);
}
console.log(`ci-slurm: the sharded Slurm outputs equal the plain run's: ${keys.length} files (meta.json without 'run')`);
EOF
say "ok"
