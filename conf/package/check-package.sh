#!/usr/bin/env bash
# Installs a Turnout .deb on this machine and checks what it installed: the turnout user, the
# conffile, the unit (systemd-analyze verify, which works without systemd running), the installed
# `turnout check` on the shipped configuration and `turnout version`; then installs it again (the
# upgrade path of the maintainer scripts) and purges it. Needs root.
#
#   conf/package/check-package.sh turnout_VERSION_amd64.deb
set -euo pipefail
deb=${1:?usage: check-package.sh turnout_VERSION_amd64.deb}

echo "== dpkg -i $deb ($(stat -c %s "$deb") bytes)"
dpkg-deb --info "$deb" | sed -n '/Package:/,/Depends:/p'
dpkg -i "$deb"
dpkg -s turnout | grep -E '^(Status|Version):'
getent passwd turnout
[ "$(stat -c '%U:%G %a' /var/lib/turnout)" = "turnout:turnout 750" ] || { echo "/var/lib/turnout: $(stat -c '%U:%G %a' /var/lib/turnout)" >&2; exit 1; }
grep -qx /etc/turnout/turnout.json /var/lib/dpkg/info/turnout.conffiles

echo "== the installed binary"
/usr/bin/turnout version
/usr/bin/turnout check -c /etc/turnout/turnout.json
# As the service runs it: the turnout user can read its configuration.
setpriv --reuid=turnout --regid=turnout --init-groups /usr/bin/turnout check -c /etc/turnout/turnout.json

echo "== the unit"
if command -v systemd-analyze >/dev/null; then
    systemd-analyze verify /lib/systemd/system/turnout.service
    echo "systemd-analyze verify: ok"
else
    echo "systemd-analyze not installed: unit not verified"
fi

echo "== again (the upgrade path of the maintainer scripts), then purge"
dpkg -i "$deb"
dpkg --purge turnout
if [ -e /usr/bin/turnout ] || [ -e /etc/turnout/turnout.json ] || [ -e /var/lib/turnout ]; then
    echo "purge left files behind" >&2; exit 1
fi
echo "installed, checked and purged"
