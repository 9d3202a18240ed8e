#!/usr/bin/env python3
"""Writes the fuzz seed corpus from the golden vectors in tests/vectors.

Every golden message of at most MAX_SEED_BYTES becomes one file named after its vector, in
tools/Chitchat.Fuzz/corpus/ (shared by both targets). The output is committed; run this again when the
vectors change:  python3 scripts/fuzz-corpus.py
"""
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
