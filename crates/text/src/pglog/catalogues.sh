#!/usr/bin/env bash
# Development-time: fetch PostgreSQL 12–18's own gettext catalogues (server `postgres` and
# libpq `libpq5`) for gen_translations.py and tests/corpus/make-translations.py.
#
# Why this list: each major version's translations come from that version's release, and no
# single distribution ships them all. Debian's binary packages carry the compiled .mo files
# (13 bullseye, 15 bookworm, 17 trixie, 18 sid). Ubuntu's binary packages have them stripped
# into language packs that do not include PostgreSQL, so 12, 14 and 16 come from the .po
# files in the upstream release tarballs Ubuntu keeps as orig.tar (compiled here with msgfmt).
# Versions and URLs are written into every generated line's provenance.
#
#     bash crates/text/src/pglog/catalogues.sh [DEST]     # default target/pg-catalogues
#
# DEST/<major>/<lang>/{postgres,libpq5}.mo, and DEST/<major>/SOURCE naming the package.
set -euo pipefail
DEST=${1:-target/pg-catalogues}
D=http://deb.debian.org/debian/pool/main/p
U=http://archive.ubuntu.com/ubuntu/pool/main/p
# major  kind  url(s)
SOURCES=(
  "12 orig $U/postgresql-12/postgresql-12_12.2.orig.tar.bz2"
  "13 deb $D/postgresql-13/postgresql-13_13.16-0+deb11u1_amd64.deb $D/postgresql-13/libpq5_13.16-0+deb11u1_amd64.deb"
  "14 orig $U/postgresql-14/postgresql-14_14.24.orig.tar.gz"
  "15 deb $D/postgresql-15/postgresql-15_15.18-0+deb12u1_amd64.deb $D/postgresql-15/libpq5_15.18-0+deb12u1_amd64.deb"
  "16 orig $U/postgresql-16/postgresql-16_16.15.orig.tar.gz"
  "17 deb $D/postgresql-17/postgresql-17_17.12-0+deb13u1_amd64.deb $D/postgresql-17/libpq5_17.12-0+deb13u1_amd64.deb"
  "18 deb $D/postgresql-18/postgresql-18_18.6-3_amd64.deb $D/postgresql-18/libpq5_18.6-3_amd64.deb"
)
mkdir -p "$DEST/download"
for entry in "${SOURCES[@]}"; do
  read -r major kind urls <<<"$entry"
  out="$DEST/$major"
  if [ -f "$out/SOURCE" ]; then continue; fi
  rm -rf "$out" "$DEST/x"; mkdir -p "$out" "$DEST/x"
  for url in $urls; do
    file="$DEST/download/$(basename "$url")"
    [ -s "$file" ] || curl -fsS -m 900 -o "$file" "$url" || { echo "catalogues.sh: could not download $url" >&2; exit 1; }
    case "$kind" in
      deb) dpkg-deb -x "$file" "$DEST/x" ;;
      orig) tar -xf "$file" -C "$DEST/x" --wildcards '*/src/backend/po/*.po' '*/src/interfaces/libpq/po/*.po' ;;
    esac
  done
  if [ "$kind" = deb ]; then
    for mo in "$DEST"/x/usr/share/locale/*/LC_MESSAGES/{postgres,libpq5}-"$major".mo; do
      [ -f "$mo" ] || continue
      lang=$(basename "$(dirname "$(dirname "$mo")")")
      dom=$(basename "$mo" -"$major".mo)
      mkdir -p "$out/$lang"; cp "$mo" "$out/$lang/$dom.mo"
    done
  else
    for po in "$DEST"/x/*/src/backend/po/*.po "$DEST"/x/*/src/interfaces/libpq/po/*.po; do
      lang=$(basename "$po" .po)
      case "$po" in */backend/*) dom=postgres ;; *) dom=libpq5 ;; esac
      mkdir -p "$out/$lang"; msgfmt -o "$out/$lang/$dom.mo" "$po"
    done
  fi
  echo "$urls" | tr ' ' '\n' | sed 's#.*/##' > "$out/SOURCE"
  rm -rf "$DEST/x"
  echo "PostgreSQL $major: $(ls "$out" | grep -vc SOURCE) languages from $(tr '\n' ' ' < "$out/SOURCE")" >&2
done
