#!/usr/bin/env bash
# Makes a self-signed certificate and key for local wss:// and https:// (not
# for production: browsers and devices will not trust it unless told to).
#   scripts/make-dev-cert.sh [folder]     # default: build/dev-cert
# Writes folder/cert.pem and folder/key.pem (mode 600), valid 30 days for
# localhost and 127.0.0.1. Keys are never committed (.gitignore).
set -euo pipefail
dir="${1:-build/dev-cert}"
mkdir -p "$dir"
umask 077
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$dir/key.pem" -out "$dir/cert.pem" -days 30 \
  -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -addext "basicConstraints=critical,CA:FALSE" 2>/dev/null
chmod 600 "$dir/key.pem"
echo "wrote $dir/cert.pem and $dir/key.pem"
echo "config: \"tls\": {\"enabled\": true, \"cert_file\": \"$dir/cert.pem\", \"key_file\": \"$dir/key.pem\"}"
