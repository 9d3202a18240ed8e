#!/usr/bin/env python3
"""Writes the fuzz seed corpus from the golden vectors in tests/vectors.

Every golden message of at most MAX_SEED_BYTES becomes one file named after its vector, in
tools/Chitchat.Fuzz/corpus/ (the decode and process targets). For the envelope target,
tools/Chitchat.Fuzz/corpus-envelope/ gets the same messages sealed as an encrypted node sends them (AES-GCM with
the fixed keys and cluster id of tools/Chitchat.Fuzz/EnvelopeTarget.cs, deterministic nonces so that the output
is reproducible), a few sealed with the decrypt-only key, with an unknown key and for another cluster, and a few
left in plaintext. The output is committed; run this again when the vectors change (the envelope seeds need
Python's cryptography package, Debian python3-cryptography):  python3 scripts/fuzz-corpus.py
"""
import hashlib
import json
import pathlib
import shutil

MAX_SEED_BYTES = 4096  # afl-fuzz works best with small seeds; larger vectors add nothing the small ones lack.

root = pathlib.Path(__file__).resolve().parent.parent
out = root / "tools" / "Chitchat.Fuzz" / "corpus"
shutil.rmtree(out, ignore_errors=True)
out.mkdir(parents=True)
count = 0
for vectors in sorted((root / "tests" / "vectors").glob("*.json")):
    version = vectors.stem.removeprefix("chitchat-")
    for message in json.loads(vectors.read_text())["messages"]:
        data = bytes.fromhex(message["hex"])
        if len(data) > MAX_SEED_BYTES:
            continue
        (out / f"{version}-{message['name']}.bin").write_bytes(data)
        count += 1
print(f"wrote {count} seeds to {out.relative_to(root)}")

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

CLUSTER_ID = b"fuzz-cluster"
PRIMARY_KEY = bytes(range(32))
DECRYPT_ONLY_KEY = bytes(range(32, 48))
UNKNOWN_KEY = bytes(range(100, 132))


def key_id(key):
    return hashlib.sha256(b"chitchat-key-id" + key).digest()[:4]


def seal(message, key, index, cluster_id=CLUSTER_ID):
    """The envelope of tools/Chitchat.Fuzz/EnvelopeTarget.cs: CC E5, format 1, protocol version, key id, nonce."""
    header = bytes([0xCC, 0xE5, 1, message[2]]) + key_id(key)
    nonce = hashlib.sha256(b"fuzz-nonce" + index.to_bytes(4, "big")).digest()[:12]
    return header + nonce + AESGCM(key).encrypt(nonce, message, header + cluster_id)


envelope_out = root / "tools" / "Chitchat.Fuzz" / "corpus-envelope"
shutil.rmtree(envelope_out, ignore_errors=True)
envelope_out.mkdir(parents=True)
seeds = sorted(out.iterdir())
for index, seed in enumerate(seeds):
    (envelope_out / f"sealed-{seed.name}").write_bytes(seal(seed.read_bytes(), PRIMARY_KEY, index))
# Other keys and clusters, and plaintext, from the first few (small) messages.
small = sorted(seeds, key=lambda p: (p.stat().st_size, p.name))[:4]
for index, seed in enumerate(small, start=len(seeds)):
    message = seed.read_bytes()
    (envelope_out / f"decrypt-only-key-{seed.name}").write_bytes(seal(message, DECRYPT_ONLY_KEY, index))
    (envelope_out / f"unknown-key-{seed.name}").write_bytes(seal(message, UNKNOWN_KEY, index))
    (envelope_out / f"other-cluster-{seed.name}").write_bytes(seal(message, PRIMARY_KEY, index, b"other-cluster"))
    (envelope_out / f"plaintext-{seed.name}").write_bytes(message)
print(f"wrote {len(list(envelope_out.iterdir()))} seeds to {envelope_out.relative_to(root)}")
