#!/bin/sh
# Regenerates the test-only CA and the loopback server certificate used by the fake Discord
# voice gateway (wss://127.0.0.1). Test-only: the keys are committed on purpose and must never
# be trusted outside this repository's test runs.
set -eu
cd "$(dirname "$0")"
DAYS=36500
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days "$DAYS" \
  -keyout ca.key -out ca.pem -subj "/CN=Tunesmith fake-discord test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout server.key -out server.csr -subj "/CN=127.0.0.1"
printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
  "extendedKeyUsage=serverAuth" "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost" > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days "$DAYS" \
  -extfile server.ext -out server.pem
rm -f server.csr server.ext ca.srl
