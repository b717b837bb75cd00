#!/usr/bin/env bash
# Builds the Plateward Debian package with dpkg-deb: the alpr binary, the
# prepared models, the systemd units of the station and the car, their
# settings files (conffiles) and the scripts that make the system user and
# its folders. Depends are read off the binary's shared libraries.
#   packaging/deb.sh BIN MODELS_DIR OUT_DIR
set -euo pipefail
bin=$1 models=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
version=$(git -C "$here" log -1 --format=0.%cd.%h --date=format:%Y%m%d 2>/dev/null || echo 0.0)
arch=$(dpkg --print-architecture)
root=$(mktemp -d "${TMPDIR:-/tmp}/plateward-deb.XXXXXX")
trap 'rm -rf "$root"' EXIT
install -D -m 0755 "$bin" "$root/usr/bin/alpr"
install -d -m 0755 "$root/usr/lib/plateward/models"
for f in "$models"/*; do install -m 0644 "$f" "$root/usr/lib/plateward/models/"; done
install -D -m 0644 "$here/systemd/alpr-serve.service" "$root/lib/systemd/system/alpr-serve.service"
install -D -m 0644 "$here/systemd/alpr-edge.service" "$root/lib/systemd/system/alpr-edge.service"
install -D -m 0640 "$here/etc/serve.env" "$root/etc/plateward/serve.env"
install -D -m 0640 "$here/etc/edge.env" "$root/etc/plateward/edge.env"
for f in README.md LICENSE NOTICE THIRD_PARTY_NOTICES.md SECURITY.md; do
	install -D -m 0644 "$here/../$f" "$root/usr/share/doc/plateward/$f"
done
# The packages owning the libraries the binary names (NEEDED); theirs
# follow from them. ONNX Runtime's library comes with the models.
paths=$(ldd "$bin")
depends=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | while read -r name; do
	lib=$(awk -v n="$name" '$1 == n {print $3}' <<<"$paths")
	[ -n "$lib" ] && dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib" 2>/dev/null || true
done | cut -d: -f1 | sort -u | grep -v '^libc6$' | paste -sd, | sed 's/,/, /g')
install -d -m 0755 "$root/DEBIAN"
cat >"$root/DEBIAN/control" <<CONTROL
Package: plateward
Version: $version
Architecture: $arch
Maintainer: Plateward <plateward@example.org>
Depends: libc6, passwd, tesseract-ocr-eng, ${depends}
Section: misc
Priority: optional
Installed-Size: $(du -sk "$root" | cut -f1)
Homepage: https://github.com/plateward/alpr
Description: automated licence plate recognition under a department's written order
 The in-car reader (alpr edge), the back office (alpr serve) with its
 retention, backup and reporting jobs, and the command line, in one binary,
 with the prepared recognition models and systemd units for a station and a
 car.
CONTROL
printf '/etc/plateward/serve.env\n/etc/plateward/edge.env\n' >"$root/DEBIAN/conffiles"
install -m 0755 "$here/deb/postinst" "$here/deb/prerm" "$here/deb/postrm" "$root/DEBIAN/"
mkdir -p "$out"
deb="$out/plateward_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zgzip -z1 --build "$root" "$deb" >/dev/null
echo "$deb"
