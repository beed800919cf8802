#!/usr/bin/env python3
"""Checks a Triad custody bundle (triad-custody-bundle/2) without Triad.

An independent second verifier, written from docs/custody-bundle.md, so that anyone (a
court's expert, the defence, an auditor) can check an evidence item's custody history with
Python's standard library and one Ed25519 package (PyNaCl).

    python3 verify-custody-bundle.py BUNDLE.json [--public-key instance-ed25519.pub.pem]

Prints VERIFIED (exit 0) or NOT VERIFIED with the first thing that does not match (exit 2).
"""

import argparse
import base64
import hashlib
import json
import sys

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

BUNDLE_FORMAT = "triad-custody-bundle/2"
STATEMENT_FORMAT = "triad-custody-statement/2"
GENESIS = "0" * 64
# DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the key's 32 bytes follow.
ED25519_SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")


class NotVerified(Exception):
    pass


def link_hash(record):
    """SHA-256 over the record's fields, each followed by the unit separator 0x1f."""
    h = hashlib.sha256()
    for part in (
        "triad-custody/1",
        record["item_id"],
        str(record["seq"]),
        str(record["at"]),
        record["kind"],
        record["actor_id"],
        record["data"],
        record["prev_hash"],
    ):
        h.update(part.encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()


def signed(key, message, signature_hex):
    try:
        key.verify(message, bytes.fromhex(signature_hex))
        return True
    except (BadSignatureError, ValueError):
        return False


def vouched_hashes(value, out):
    """Every string stored under a "sha256" key, at any depth."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "sha256" and isinstance(v, str):
                out.add(v)
            else:
                vouched_hashes(v, out)
    elif isinstance(value, list):
        for v in value:
            vouched_hashes(v, out)


def is_sha256(text):
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def read_public_key(path):
    lines = open(path, encoding="ascii").read().split("\n")
    body = "".join(l for l in lines if l and not l.startswith("-----"))
    der = base64.b64decode(body)
    if len(der) != 44 or not der.startswith(ED25519_SPKI_PREFIX):
        raise NotVerified(f"{path} is not an Ed25519 public key")
    return der[len(ED25519_SPKI_PREFIX):]


def verify(bundle, trusted):
    if bundle.get("format") != BUNDLE_FORMAT:
        raise NotVerified(f"not a {BUNDLE_FORMAT} file")
    text = bundle["statement"]
    statement = json.loads(text)
    if statement.get("format") != STATEMENT_FORMAT:
        raise NotVerified(f"the statement is not a {STATEMENT_FORMAT}")
    try:
        raw_key = bytes.fromhex(statement["public_key"])
        key = VerifyKey(raw_key)
    except Exception:
        raise NotVerified("the public key in the statement is not an Ed25519 key")
    if trusted is not None and trusted != raw_key:
        raise NotVerified("the bundle is signed by a different key than the one trusted")
    if not signed(key, text.encode("utf-8"), bundle["signature"]):
        raise NotVerified(
            "the statement's signature does not verify: the item, its photos or its head were altered"
        )
    # Keys the instance had before a key rotation, vouched for by the signed statement: a
    # record signed before the rotation verifies with one of them.
    keys = [key]
    for earlier in statement.get("earlier_keys", []):
        try:
            keys.append(VerifyKey(bytes.fromhex(earlier)))
        except Exception:
            raise NotVerified("an earlier key in the statement is not an Ed25519 key")
    item_id = statement["item_id"]
    previous = GENESIS
    for i, record in enumerate(bundle["records"]):
        seq = i + 1
        if record["item_id"] != item_id:
            raise NotVerified(f"custody record {record['seq']}: belongs to another item")
        if record["seq"] != seq:
            raise NotVerified(f"custody record {seq}: record {seq} is missing or out of order")
        if record["prev_hash"] != previous:
            raise NotVerified(f"custody record {seq}: does not link to the record before it")
        if link_hash(record) != record["hash"]:
            raise NotVerified(f"custody record {seq}: its content does not match its hash (altered)")
        if not any(signed(k, record["hash"].encode("ascii"), record["signature"]) for k in keys):
            raise NotVerified(
                f"custody record {seq}: its signature does not verify with the instance key"
            )
        previous = record["hash"]
    records = bundle["records"]
    last = (records[-1]["seq"], records[-1]["hash"]) if records else (0, GENESIS)
    head = statement["head"]
    if last != (head["seq"], head["hash"]):
        raise NotVerified(
            "the signed head does not match the last record: records were removed or added"
        )
    vouched = set()
    for record in records:
        try:
            vouched_hashes(json.loads(record["data"]), vouched)
        except ValueError:
            pass
    for photo in statement["photos"]:
        if not is_sha256(photo["sha256"]) or photo["sha256"] not in vouched:
            raise NotVerified(f"photo {photo['id']} is not in the custody history")
    listed = {photo["sha256"] for photo in statement["photos"]}
    for digest in sorted(vouched - listed):
        raise NotVerified(
            f"the custody history took in a photo ({digest}) the bundle does not list"
        )
    digest = hashlib.sha256(raw_key).hexdigest()[:32]
    fingerprint = ":".join(digest[i:i + 4] for i in range(0, 32, 4))
    return statement, len(records), fingerprint


def main():
    parser = argparse.ArgumentParser(description="Check a Triad custody bundle offline.")
    parser.add_argument("bundle")
    parser.add_argument("--public-key", help="the instance's public key file (PEM)")
    args = parser.parse_args()
    try:
        trusted = read_public_key(args.public_key) if args.public_key else None
        with open(args.bundle, encoding="utf-8") as f:
            bundle = json.load(f)
        statement, records, fingerprint = verify(bundle, trusted)
    except NotVerified as e:
        print(f"NOT VERIFIED: {e}.")
        return 2
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f"NOT VERIFIED: {args.bundle} is not a readable custody bundle ({e!r}).")
        return 2
    status = statement["item"].get("status", "?") if isinstance(statement["item"], dict) else "?"
    print(
        f"VERIFIED: item {statement['item_id']} (status {status}, as exported): {records} custody "
        f"records and {len(statement['photos'])} photo hashes are intact, signed by key {fingerprint}"
        + (" (the key given)." if args.public_key else "; compare it with the instance's key.")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
