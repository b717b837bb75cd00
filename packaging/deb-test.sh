#!/usr/bin/env bash
# Installs the package on this machine, checks what it put where, verifies
# the systemd units, runs the installed binary as its service would, removes
# and purges it, and checks that records were kept and nothing else was
# left. Needs root. Refuses to run where Plateward is installed for real.
#   packaging/deb-test.sh plateward_VERSION_ARCH.deb
set -euo pipefail
deb=$1
fail() { echo "deb-test: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "needs root (it installs the package)"
if dpkg-query -W -f='${Status}' plateward 2>/dev/null | grep -q installed; then
	fail "plateward is installed on this machine: not testing over it"
fi
for d in /var/lib/plateward /etc/plateward /var/backups/plateward; do
	[ ! -e "$d" ] || fail "$d exists: not testing over it"
done
cleanup() {
	pkill -u plateward -f '/usr/bin/alpr' 2>/dev/null || true
	dpkg --purge plateward >/dev/null 2>&1 || true
	rm -rf /var/lib/plateward /var/backups/plateward /etc/plateward
	userdel plateward 2>/dev/null || true
}
trap cleanup EXIT

dpkg -i "$deb" >/dev/null || fail "dpkg -i failed"
check_mode() { # path mode owner:group
	got=$(stat -c '%a %U:%G' "$1")
	[ "$got" = "$2 $3" ] || fail "$1 is $got, want $2 $3"
}
[ -x /usr/bin/alpr ] || fail "no /usr/bin/alpr"
[ -f /usr/lib/plateward/models/manifest.json ] || fail "no prepared models"
[ -f /usr/share/doc/plateward/THIRD_PARTY_NOTICES.md ] || fail "no notices"
getent passwd plateward | grep -q ':/usr/sbin/nologin$' || fail "no system user plateward without a shell"
for d in /var/lib/plateward /var/lib/plateward/store /var/lib/plateward/inbox /var/backups/plateward; do
	check_mode "$d" 750 plateward:plateward
done
check_mode /etc/plateward 750 root:plateward
check_mode /etc/plateward/serve.env 640 root:plateward
systemd-analyze verify /lib/systemd/system/alpr-serve.service /lib/systemd/system/alpr-edge.service \
	|| fail "systemd-analyze verify found problems in the units"
for u in alpr-serve alpr-edge; do
	for k in NoNewPrivileges=yes ProtectSystem=strict PrivateTmp=yes User=plateward; do
		grep -qx "$k" "/lib/systemd/system/$u.service" || fail "$u.service lacks $k"
	done
done

# The installed binary, as the station's unit runs it (its user, its store).
v=$(runuser -u plateward -- /usr/bin/alpr version) || fail "alpr version failed"
[[ $v == alpr* && $v == *duckdb* ]] || fail "alpr version said: $v"
runuser -u plateward -- test -r /usr/lib/plateward/models/rec.onnx || fail "models not readable by plateward"
log=$(mktemp)
runuser -u plateward -- sh -c 'umask 022; exec /usr/bin/alpr serve --store /var/lib/plateward/store --listen 127.0.0.1:18480 \
	--metrics-listen 127.0.0.1:18464' >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
	curl -fsS http://127.0.0.1:18464/readyz >/dev/null 2>&1 && break
	sleep 0.2
done
[[ $(curl -fsS http://127.0.0.1:18464/readyz) == ready* ]] || { cat "$log"; fail "the installed station is not ready"; }
[[ $(curl -fsS http://127.0.0.1:18480/login) == *assword* ]] || fail "no login page"
[[ $(curl -fsS http://127.0.0.1:18464/metrics) == *$'\nalpr_store_stats_up 1\n'* ]] || fail "no store metrics"
kill "$pid"; wait "$pid" || true
grep -q 'one-time password' "$log" || fail "first start did not create the administrator"
[ -f /var/lib/plateward/store/alpr.duckdb ] || fail "the store was not made in /var/lib/plateward/store"
check_mode /var/lib/plateward/store/alpr.duckdb 600 plateward:plateward
rm -f "$log"

# Removed: the program goes, the records and the settings stay; purged:
# the settings go, the records still stay.
dpkg -r plateward >/dev/null
[ ! -e /usr/bin/alpr ] && [ ! -e /lib/systemd/system/alpr-serve.service ] || fail "files left after dpkg -r"
[ -f /var/lib/plateward/store/alpr.duckdb ] || fail "dpkg -r destroyed the store"
[ -f /etc/plateward/serve.env ] || fail "dpkg -r removed the settings"
dpkg --purge plateward >/dev/null 2>&1
[ ! -e /etc/plateward/serve.env ] || fail "purge kept the settings"
[ -f /var/lib/plateward/store/alpr.duckdb ] || fail "purge destroyed the store"
echo "deb-test: $(basename "$deb") installed, verified, ran, removed and purged (records kept)"
