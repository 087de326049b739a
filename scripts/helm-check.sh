#!/usr/bin/env bash
# Renders the Helm chart with Helm's own template engine (Go text/template + sprig, helm/render) for values.yaml
# and values-production.yaml, then validates every rendered object (scripts/helm-check.mjs). No helm binary is
# packaged for these machines; the Go toolchain and sprig come from Debian's packages, installed when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

GOCODE=/usr/share/gocode/src
if ! command -v go >/dev/null 2>&1 || [ ! -d "$GOCODE/github.com/Masterminds/sprig" ] || [ ! -d "$GOCODE/gopkg.in/yaml.v3" ]; then
  echo "== helm:check: installing golang-go, golang-github-masterminds-sprig-dev, golang-gopkg-yaml.v3-dev (Debian)"
  if [ "$(id -u)" -ne 0 ]; then
    echo "helm:check needs those Debian packages (run as root, or apt-get install them)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v3-dev >/dev/null
fi

out=helm/render/out
rm -rf "$out/default" "$out/production"
mkdir -p "$out" helm/render/bin
echo "== helm:check: build the renderer ($(go version | cut -d' ' -f3), GOPATH mode against Debian's gocode)"
# Debian ships Go libraries as GOPATH source trees: build in GOPATH mode, offline, with a repo-local cache.
(cd helm/render && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOCACHE="$PWD/out/.gocache" go build -o bin/render .)

echo "== helm:check: render (values.yaml, values.yaml + values-production.yaml)"
helm/render/bin/render -chart helm/airlock -name airlock -namespace airlock -out "$out/default"
helm/render/bin/render -chart helm/airlock -name airlock -namespace airlock -f helm/airlock/values-production.yaml -out "$out/production"

echo "== helm:check: validate against the Kubernetes schemas (kubernetes-models) and the chart's contract"
node scripts/helm-check.mjs "$out/default:default" "$out/production:production"
