#!/usr/bin/env bash
# Installs what the browser and validator tests need, from Debian and npm:
# Chromium (driven by Playwright for Python), nginx (serves the built site),
# Java (runs the Nu HTML Checker), and the npm packages axe-core and vnu-jar.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ ! -f node_modules/.installed ] || [ package.json -nt node_modules/.installed ]; then
  npm install --no-audit --no-fund --ignore-scripts --silent
  touch node_modules/.installed
fi
