#!/usr/bin/env python3
# An independent reader of crate/src/vault/FORMAT.md v1, written from the document alone: it
# opens the committed vectors with libsodium (PyNaCl), pyca/cryptography and the reference
# Argon2 CLI. Debian: apt-get install python3-nacl python3-cryptography argon2
# Usage: /usr/bin/python3 crate/tests/vectors/verify_v1.py crate/tests/vectors/vault_v1.json
import base64, hashlib, json, struct, subprocess, sys
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives import hashes, serialization
from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_decrypt as xdec

v = json.load(open(sys.argv[1]))
h = base64.b64decode(v["header_base64"])
assert len(h) == 207 and h[:8] == b"ks-vault" and h[8:10] == b"\x00\x01"
assert hashlib.sha256(h[:175]).digest() == h[175:]
assert h[26] == 1
m, t, p = struct.unpack(">III", h[27:39])
salt, pub, nonce, wrapped = h[39:71], h[71:103], h[103:127], h[127:175]
out = subprocess.run(["argon2", salt, "-id", "-k", str(m), "-t", str(t), "-p", str(p), "-l", "32", "-r"],
                     input=v["passphrase"].encode(), capture_output=True, check=True).stdout
wrap_key = bytes.fromhex(out.decode().strip())
sk = xdec(wrapped, h[:127], nonce, wrap_key)
assert sk.hex() == v["vault_secret_key_hex"]
priv = X25519PrivateKey.from_private_bytes(sk)
assert priv.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw) == pub

e = base64.b64decode(v["entry_base64"])
assert e[:8] == b"ks-entry" and e[8:10] == b"\x00\x01" and e[10:26] == h[10:26]
assert v["entry_storage_key"] == "keysmith.entry." + e[26:42].hex()
E = e[42:74]
shared = priv.exchange(X25519PublicKey.from_public_bytes(E))
okm = HKDF(hashes.SHA256(), 56, salt=E + pub, info=b"keysmith/v1/entry").derive(shared)
plain = xdec(e[74:], e[:74], okm[32:], okm[:32])
(L,) = struct.unpack(">I", plain[:4])
assert len(plain) % 1024 == 0 and set(plain[4 + L:]) <= {0}
doc = json.loads(plain[4:4 + L])
assert doc["v"] == 1 and doc["id"] == e[26:42].hex()
print("vault_v1 vectors verified independently:", list(doc["data"]), "m=%d t=%d p=%d" % (m, t, p))
