#!/bin/sh
# Demo KRR signing pair (TS 33.180 D.4.2: ECDSA-SHA256, X509 KeyInfo):
# an EC P-256 key and a self-signed X509 certificate for the proxy identity.
#   scripts/krr-demo-cert.sh OUTDIR [SUBJECT-CN]
# Writes OUTDIR/krr-key.pem (0600) and OUTDIR/krr-cert.pem; an existing pair
# is kept.  The certificate is its own trust anchor (xmlsec1 --trusted-pem).
set -eu
out=${1:?usage: krr-demo-cert.sh OUTDIR [CN]}
cn=${2:-mcsec-demo-proxy.example.org}
mkdir -p "$out"
if [ -s "$out/krr-key.pem" ] && [ -s "$out/krr-cert.pem" ]; then
	exit 0
fi
umask 077
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 \
	-nodes -days 3650 -subj "/CN=$cn" \
	-addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,digitalSignature,keyCertSign" \
	-keyout "$out/krr-key.pem.tmp" -out "$out/krr-cert.pem.tmp" 2>/dev/null
chmod 600 "$out/krr-key.pem.tmp"
chmod 644 "$out/krr-cert.pem.tmp"
mv "$out/krr-key.pem.tmp" "$out/krr-key.pem"
mv "$out/krr-cert.pem.tmp" "$out/krr-cert.pem"
