#!/usr/bin/env bash
# Size budgets, checked on every `make test` (a size is deterministic, unlike a timing).
#  - signing-only core (what the foundation issue budgets): 110 KB gzipped
#  - shipped core with provider calls and the vault: 244 KB gzipped. 120 KB covered STS/IAM CreateAccessKey
#    (117 KB). Issue 4's IAM, STS and EC2 calls, the retry loop and the XML well-formedness
#    pass measured +23 KB (139.9 KB). Scaleway's seven calls measured +28 KB: the shared
#    machinery (JSON reader and writer, error decoding and messages, request helpers, the
#    signer client) with a first call ~12, create-and-push with rollback ~7.3, the signer
#    lookup ~1.9, four more single-call exports ~1.6 each. Both together: 168.0 KB. The vault's JS surface
#    (Argon2id, X25519, XChaCha20-Poly1305, serde_json entries, imports, exports) brings it to
#    259.2 KB. The OpenSSH public key export (strict DER for RSA n/e, the OpenSSH and .ppk
#    public blobs) measured +3.4 KB (262.5 KB); deriving ED25519 public keys from PKCS#8 seeds
#    (SHA-512 + Edwards arithmetic) measured +4.6 KB more and was left out. Issue 8's
#    shrinking: vaultSealEntry parsing through serde_json's slice reader (shared with entry
#    decoding) instead of a second, str-reader copy: -6.3 KB. Vault entries written and read by
#    hand on the Scaleway JSON reader instead of serde_json and derived impls (byte-identical
#    output; serde and serde_json left the build): -33.1 KB. wasm-opt -Oz --converge: -0.6 KB.
#    Both branches together: 222.5 KB. Issue 8's target with the vault in is 150 KB: shrinking
#    is tracked there, not hidden here. Signer identities (sealed signers opened inside provider
#    calls, verify-and-seal for AWS and Scaleway, the sealed signer member, sealed MFA sessions):
#    +9.3 KB (231.8 KB). Issue 4's flows: the Secrets Manager push from iamCreateAccessKey (JSON
#    1.1 writer and error decoding for AWS, CreateSecret/PutSecretValue, the push target's checks,
#    a larger create future) measured +6.4 KB on their own; the rotation step machine's adapter
#    (rotationAdvance) +1.4 KB. Merged with the signers (the push signs with the sealed signer
#    or its MFA session, through the same Call): 242.0 KB. Phase timings of iamCreateAccessKey
#    (performance.now laps, for issue 8's create benchmark): +0.5 KB (242.6 KB measured). One
#    JSON module (crate/src/json.rs) instead of the AWS and Scaleway copies (one parser, one
#    writer that wipes what it grows out of): -0.9 KB (241.7 KB). The line is the measured
#    size plus about 2.5 KB.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
check() {
  local wasm=$1 budget_kb=$2 what=$3 gz limit
  gz=$(gzip -9 -c "$wasm" | wc -c)
  limit=$((budget_kb * 1000))
  if [ "$gz" -gt "$limit" ]; then
    echo "size budget EXCEEDED: $what is $gz bytes gzipped, budget $limit (${budget_kb} KB)" >&2
    status=1
  else
    echo "size budget ok: $what $gz bytes gzipped <= $limit (${budget_kb} KB)"
  fi
}
check build/pkg-signing/keysmith_core_bg.wasm 110 "signing-only core"
check build/pkg/keysmith_core_bg.wasm 244 "shipped core"
exit $status
