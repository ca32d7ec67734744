#!/bin/sh
# Writes OUT_DIR/httplib.cc: the compiled half of cpp-httplib, for a static flyte.
# Debian packages cpp-httplib split in two: the declarations in /usr/include/httplib.h and the
# code as a shared library only (no .a). A static build compiles that code itself, from the
# Debian source package of exactly the installed version (with Debian's security patches),
# split by upstream's own split.py as Debian's build does; the header it gives must be the
# installed one, byte for byte, or the script stops.
# Uses apt's ordinary client with a private list of deb-src entries derived from the system's
# own sources, so it changes nothing on the machine. Exit 77 when the sources cannot be
# reached (tests skip), 1 on any other failure.
# Usage: scripts/httplib-source.sh OUT_DIR
set -eu
out="$1"
[ -s "$out/httplib.cc" ] && exit 0
version=$(dpkg-query -W -f='${Version}' libcpp-httplib-dev 2>/dev/null) || {
  echo "httplib-source: libcpp-httplib-dev is not installed (scripts/install-deps.sh)" >&2
  exit 1
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/parts"
# deb-src twins of the system's deb entries (deb822 .sources and one-line .list files).
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] && sed 's/^Types: deb$/Types: deb-src/' "$f" >"$work/parts/$(basename "$f")"
done
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
  [ -f "$f" ] && sed -n 's/^deb /deb-src /p' "$f" >"$work/parts/$(basename "$f").list"
done
apt="apt-get -q -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$work/parts
  -o Dir::State::Lists=$work/lists -o APT::Sandbox::User=root"
if ! $apt update >"$work/log" 2>&1 || ! (cd "$work" && $apt source --download-only "cpp-httplib=$version") >>"$work/log" 2>&1; then
  tail -5 "$work/log" >&2
  echo "httplib-source: cannot download the Debian source of cpp-httplib $version" >&2
  exit 77
fi
dpkg-source -x --no-check "$work"/cpp-httplib_*.dsc "$work/src" >/dev/null
(cd "$work/src" && python3 ./split.py -o "$work/split" >/dev/null)
if ! cmp -s "$work/split/httplib.h" /usr/include/httplib.h; then
  echo "httplib-source: the split header differs from /usr/include/httplib.h" >&2
  exit 1
fi
mkdir -p "$out"
cp "$work/split/httplib.cc" "$out/httplib.cc.tmp"
mv "$out/httplib.cc.tmp" "$out/httplib.cc"
