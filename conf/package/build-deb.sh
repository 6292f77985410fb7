#!/usr/bin/env bash
# Builds turnout_VERSION_amd64.deb with dpkg-deb from one self-contained binary: the Swift runtime
# and Foundation linked statically (swift build -c release --static-swift-stdlib), stripped. It
# needs only Debian's libc6, libstdc++6 and libgcc-s1 on the target, no Swift.
#
#   conf/package/build-deb.sh [OUTDIR]      (default .build-static/deb)
#
# TURNOUT_BINARY=PATH packages an existing static build instead of building one (in
# .build-static). The version is what that binary's `turnout version` prints.
#
# The package holds /usr/bin/turnout, /etc/turnout/turnout.json (a conffile that passes
# `turnout check`), /lib/systemd/system/turnout.service and the maintainer scripts: postinst
# creates the turnout system user and /var/lib/turnout, enables the unit and, on an upgrade of a
# running Turnout, hands over to the new binary; postrm purges the state.
set -euo pipefail
cd "$(dirname "$0")/../.."

out=${1:-.build-static/deb}
mkdir -p "$out"
binary=${TURNOUT_BINARY:-}
if [ -z "$binary" ]; then
    swift build -c release --static-swift-stdlib --product turnout --scratch-path .build-static >&2
    binary=.build-static/release/turnout
fi

stripped="$out/turnout"
cp "$binary" "$stripped"
strip --strip-all "$stripped"
version=$("$stripped" version | awk '{print $2}')
[ -n "$version" ] || { echo "build-deb: $binary version printed no version" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
install -D -m 0755 "$stripped" "$root/usr/bin/turnout"
install -D -m 0644 conf/package/turnout.json "$root/etc/turnout/turnout.json"
install -D -m 0644 conf/systemd/turnout.service "$root/lib/systemd/system/turnout.service"
install -d -m 0755 "$root/DEBIAN"
for script in postinst prerm postrm; do install -m 0755 "conf/package/$script" "$root/DEBIAN/$script"; done
echo /etc/turnout/turnout.json >"$root/DEBIAN/conffiles"
cat >"$root/DEBIAN/control" <<CONTROL
Package: turnout
Version: $version
Architecture: amd64
Maintainer: Turnout maintainers <turnout@localhost>
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: libc6 (>= 2.35), libstdc++6 (>= 12), libgcc-s1
Recommends: adduser
Section: net
Priority: optional
Description: traffic-splitting HTTP reverse proxy for blue-green and canary releases
 Turnout is the load balancer in front of a service: it sends each request to a pool of
 upstream servers by weight or by a header, cookie or path match, keeps users sticky to
 their pool, moves traffic at run time through an admin socket, and judges canaries.
 One static binary (the Swift runtime linked in), run by systemd as the turnout user.
CONTROL

deb="$out/turnout_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >&2
echo "$deb"
