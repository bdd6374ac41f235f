# cluster.sh: starts and stops a throw-away single-node Slurm cluster.
# Sourced by tests/slurm/run.sh; bash only.
#
#   slurm_install        apt-get installs slurm-wlm and munge when missing
#   slurm_start DIR      munged, slurmctld and slurmd with every file in DIR;
#                        exports SLURM_CONF for the client commands
#   slurm_sbatch ARGS    sbatch --parsable ARGS, marked (see slurm_stop)
#   slurm_wait_job ID S  waits up to S seconds for job ID to leave the queue
#   slurm_stop           cancels every job of the cluster, stops the daemons
#                        by their pid files, kills any job step left over
#
# Nothing is written outside DIR: no /etc/slurm, no /run/munge, no
# systemd (the machine may have none).  The daemons run as root with
# SlurmUser=root, ProctrackType=proctrack/linuxproc and TaskPlugin=task/none,
# which need neither cgroups nor a slurm user.

SLURM_DIR=""

slurm_log() { echo "slurm-test: $*" >&2; }

slurm_install()
{
  local missing="" p sudo=""
  for p in slurm-wlm munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
  done
  [ -z "$missing" ] && return 0
  [ "$(id -u)" = 0 ] || sudo=sudo
  slurm_log "installing$missing"
  # A policy-rc.d (or no init system) keeps apt from starting the
  # packaged services with their default configuration.
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=300 $missing >/dev/null
}

# Prints a TCP port nobody listens on, from a range away from Slurm's
# defaults (6817-6819) so that a real cluster on the host is not disturbed.
slurm_free_port()
{
  local p used
  used=$(awk 'NR > 1 && $4 == "0A" { split($2, a, ":"); print strtonum("0x" a[2]) }' \
           /proc/net/tcp /proc/net/tcp6 2>/dev/null | sort -u)
  while :; do
    p=$((20000 + RANDOM % 30000))
    grep -qx "$p" <<<"$used" || { echo "$p"; return; }
  done
}

# Waits up to $1 seconds for the command "${@:2}" to succeed.
slurm_wait()
{
  local limit=$1 i=0
  shift
  while ! "$@" >/dev/null 2>&1; do
    i=$((i + 1))
    [ "$i" -ge $((limit * 5)) ] && return 1
    sleep 0.2
  done
}

slurm_node_idle() { [ "$(sinfo -h -N -o %t 2>/dev/null)" = idle ]; }

slurm_start()
{
  SLURM_DIR=$1
  local d=$SLURM_DIR node cpus mem ctld_port slurmd_port
  node=$(hostname -s)
  cpus=$(nproc)
  # slurmd refuses to register with more memory than it finds; 90% is safe.
  mem=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
  ctld_port=$(slurm_free_port)
  slurmd_port=$(slurm_free_port)
  while [ "$slurmd_port" = "$ctld_port" ]; do slurmd_port=$(slurm_free_port); done

  # munged insists on a socket directory that everyone may traverse and
  # nobody else may write.
  mkdir -p "$d" "$d/munge"
  chmod 755 "$d"
  mkdir -p "$d/munge" "$d/state" "$d/spool" "$d/log"
  chmod 755 "$d/munge"
  head -c 1024 /dev/urandom >"$d/munge/munge.key"
  chmod 600 "$d/munge/munge.key"

  cat >"$d/slurm.conf" <<EOF
# Written by tests/slurm/cluster.sh for one test run; deleted afterwards.
ClusterName=rxtest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$d/munge/munge.socket
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/log/slurmctld.log
SlurmdLogFile=$d/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
PlugStackConfig=$d/plugstack.conf
SchedulerParameters=sched_interval=1
MinJobAge=300
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
  : >"$d/plugstack.conf"
  export SLURM_CONF=$d/slurm.conf

  # RX_SLURM_TEST_DIR marks the daemons and the jobs we start (slurmstepd
  # inherits slurmd's environment, a job the submitter's), so that
  # slurm_stop can find job steps that outlive slurmd.  This shell itself
  # stays unmarked.
  RX_SLURM_TEST_DIR=$d munged --key-file="$d/munge/munge.key" --socket="$d/munge/munge.socket" \
         --pid-file="$d/munge/munged.pid" --log-file="$d/munge/munged.log" \
         --seed-file="$d/munge/munged.seed" --num-threads=2 ||
    { slurm_log "munged did not start"; cat "$d/munge/munged.log" >&2; return 1; }
  RX_SLURM_TEST_DIR=$d slurmctld -f "$d/slurm.conf" ||
    { slurm_log "slurmctld did not start"; cat "$d/log/slurmctld.log" >&2; return 1; }
  RX_SLURM_TEST_DIR=$d slurmd -f "$d/slurm.conf" -N "$node" ||
    { slurm_log "slurmd did not start"; cat "$d/log/slurmd.log" >&2; return 1; }
  if ! slurm_wait 60 slurm_node_idle; then
    slurm_log "node '$node' is not idle after 60s:"
    sinfo -N -l >&2 || true
    tail -20 "$d/log/slurmctld.log" "$d/log/slurmd.log" >&2
    return 1
  fi
  slurm_log "cluster up: node $node, $cpus cpus, ports $ctld_port/$slurmd_port"
}

# sbatch --parsable "$@"; prints the job id.
slurm_sbatch()
{
  local id
  id=$(RX_SLURM_TEST_DIR=$SLURM_DIR sbatch --parsable "$@") || return 1
  echo "${id%%;*}"
}

# Waits until job $1 has left the queue (up to $2 seconds).
slurm_queue_empty() { [ -z "$(squeue -h -o %i 2>/dev/null)" ]; }
slurm_job_gone() { [ -z "$(squeue -h -j "$1" -o %i 2>/dev/null)" ]; }
slurm_wait_job()
{
  slurm_wait "$2" slurm_job_gone "$1" || {
    slurm_log "job $1 still queued after $2s:"
    squeue >&2 || true
    return 1
  }
}

# Pids of the live processes of this cluster: those whose environment
# carries our marker, and those working in our directory (slurmstepd
# clears its environment but works in the log directory).
slurm_marked_pids()
{
  {
    grep -lxzF "RX_SLURM_TEST_DIR=$SLURM_DIR" /proc/[0-9]*/environ 2>/dev/null
    find /proc/[0-9]*/cwd -maxdepth 0 \( -lname "$SLURM_DIR" -o -lname "$SLURM_DIR/*" \) \
      -print 2>/dev/null
  } | sed -n 's|^/proc/\([0-9]*\)/.*|\1|p' | sort -un
}

# True when no job step (slurmstepd) of ours is left.
slurm_no_steps()
{
  local p
  for p in $(slurm_marked_pids); do
    case "$(tr -d '\0' 2>/dev/null </proc/"$p"/cmdline)" in slurmstepd*) return 1 ;; esac
  done
}

# Sends TERM to the pid in file $1 and waits (KILL after 10 seconds).
slurm_kill_pidfile()
{
  local pid i
  [ -s "$1" ] || return 0
  pid=$(cat "$1")
  kill "$pid" 2>/dev/null || return 0
  for i in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.2
  done
  kill -KILL "$pid" 2>/dev/null || true
}

slurm_stop()
{
  [ -n "$SLURM_DIR" ] || return 0
  local d=$SLURM_DIR pid
  # The cluster is ours alone: every job in it is one of ours.
  scancel --user="$(id -un)" 2>/dev/null || true
  slurm_wait 20 slurm_queue_empty || true
  # Let the steps report to slurmd before it goes.
  slurm_wait 10 slurm_no_steps || true
  slurm_kill_pidfile "$d/slurmd.pid"
  slurm_kill_pidfile "$d/slurmctld.pid"
  slurm_kill_pidfile "$d/munge/munged.pid"
  # Job steps (slurmstepd and the job's processes) survive slurmd by
  # design.
  for pid in $(slurm_marked_pids); do
    kill -KILL "$pid" 2>/dev/null || true
  done
  SLURM_DIR=""
}
