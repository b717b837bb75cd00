#!/usr/bin/env bash
# Fetch the OFL fonts the synthetic plates are drawn with (npm @fontsource,
# pinned by SHA-256 in train/fonts.sha256) and unpack the faces train/README
# lists into var/train/fonts/{plate,legend}. Run by `make train`.
set -euo pipefail
cd "$(dirname "$0")/.."
cache=var/cache out=var/train/fonts
# Only the faces listed here: a folder left by another run must not leak in.
rm -rf "$out"
mkdir -p "$cache" "$out/plate" "$out/legend"
# package:weights for plate characters (bold, condensed)
plate="oswald:500,600,700 barlow-condensed:500,600,700 roboto-condensed:600,700 archivo-narrow:600,700
pt-sans-narrow:700 fira-sans-condensed:500,700 saira-condensed:600,700 ibm-plex-sans-condensed:600,700"
# package:weights for legends, slogans, frames and signs (script, serif, light)
legend="dancing-script:400,700 playfair-display:400,700 oswald:300 roboto-condensed:400 fira-sans-condensed:400 barlow-condensed:400"
for spec in $plate $legend; do
  pkg=${spec%%:*}
  tgz="$cache/fontsource-$pkg-5.3.0.tgz"
  [ -f "$tgz" ] || (cd "$cache" && npm pack --silent "@fontsource/$pkg@5.3.0" >/dev/null)
done
(cd "$cache" && sha256sum --quiet -c ../../train/fonts.sha256)
unpack() { # kind specs...
  local kind=$1; shift
  for spec in "$@"; do
    pkg=${spec%%:*}
    for w in $(tr , ' ' <<<"${spec#*:}"); do
      tar xzf "$cache/fontsource-$pkg-5.3.0.tgz" -O "package/files/$pkg-latin-$w-normal.woff" > "$out/$kind/$pkg-$w.woff"
    done
  done
}
# shellcheck disable=SC2086 # the lists split on purpose
unpack plate $plate
# shellcheck disable=SC2086
unpack legend $legend
