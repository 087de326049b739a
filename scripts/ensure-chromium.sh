#!/usr/bin/env bash
# Makes sure the report PDF renderer's tools are on this machine: Debian's Chromium (driven by playwright-core,
# docs/reports.md) and poppler-utils (pdftoppm / pdftotext, which the tests use to check the PDF). Installs the
# missing ones from Debian, quietly and non-interactively; quick when both are there. A Chromium elsewhere is
# named by AIRLOCK_CHROMIUM (then it is the caller's to provide).
set -euo pipefail

log() { echo "[ensure-chromium] $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

missing=()
chromium=${AIRLOCK_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  if [ -n "${AIRLOCK_CHROMIUM:-}" ]; then log "AIRLOCK_CHROMIUM=$AIRLOCK_CHROMIUM is not an executable"; exit 1; fi
  missing+=(chromium)
fi
if ! command -v pdftoppm >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; then missing+=(poppler-utils); fi
[ ${#missing[@]} -eq 0 ] && exit 0

log "installing ${missing[*]} (Debian)"
as_root apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
