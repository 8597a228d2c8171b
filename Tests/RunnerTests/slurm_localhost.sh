#!/usr/bin/env bash
# A single-node Slurm on this machine for the tests of `runner sweep --scheduler slurm`:
#   slurm_localhost.sh start DIR   writes DIR/slurm.conf and a munge key, starts munged, slurmctld and
#                                  slurmd as the current user, waits for the node, prints DIR/slurm.conf
#   slurm_localhost.sh stop DIR    stops the three daemons (their pid files in DIR)
# Everything lives in DIR (ports 16817 and 16818); nothing of the system's Slurm or munge is touched.
set -euo pipefail
command=${1:?start or stop}
dir=$(realpath -m "${2:?a directory}")

stop() {
    for pid in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
        [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true
        rm -f "$pid"
    done
}

case "$command" in
stop) stop; exit 0 ;;
start) stop; sleep 0.5 ;;   # daemons a killed test run left behind would hold the ports
*) echo "usage: $0 start|stop DIR" >&2; exit 64 ;;
esac

for daemon in munged slurmctld slurmd sbatch squeue; do
    command -v "$daemon" >/dev/null || { echo "slurm_localhost: $daemon is not installed" >&2; exit 69; }
done
mkdir -p "$dir/state" "$dir/spool" "$dir/log" "$dir/munge"
chmod 700 "$dir/munge"
[ -f "$dir/munge/munge.key" ] || { head -c 1024 /dev/urandom > "$dir/munge/munge.key"; chmod 400 "$dir/munge/munge.key"; }
user=$(id -un)
host=$(hostname -s)
cat > "$dir/slurm.conf" <<CONF
ClusterName=seqlab
SlurmctldHost=$host
SlurmUser=$user
SlurmdUser=$user
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
ReturnToService=2
MpiDefault=none
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
munged --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" --pid-file="$dir/munge/munged.pid" \
    --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/seed" --force
export SLURM_CONF=$dir/slurm.conf
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 1 50); do
    if sinfo --noheader --format=%t 2>/dev/null | grep -q idle; then echo "$SLURM_CONF"; exit 0; fi
    sleep 0.2
done
echo "slurm_localhost: the node did not come up; see $dir/log/" >&2
exit 1
