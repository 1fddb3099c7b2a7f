#!/usr/bin/env python3
"""An independent Veche client, written from WIRE.md alone.

It shares no code with the engine: its own RFC 8785 canonical JSON, its own RFC 9162
Merkle proofs, its own C2SP signed-note parsing and Ed25519 checkpoint check, fresh
Ed25519 and ES256 keys. Only the standard library and the `cryptography` package.

Usage:
    client.py --server http://127.0.0.1:8080 --registrar-key DIR/registrar.key
              [--vkey VKEY] [--voting-seconds 4]

It registers a building, binds owner keys, sets an administrator, creates a `generic`
meeting that closes a few seconds later, casts ballots (ES256, Ed25519, and one through
a proxy), verifies every receipt (leaf hash, inclusion path, checkpoint signature by the
genesis operator key), checks the ledger's entries, tree and proofs, waits for the
automatic meeting.close and checks the exact result against one computed here.

Exit 0 when everything holds; 1 with a message naming the first failure; 2 on usage
errors or when the `cryptography` package is missing (Debian: apt-get install
python3-cryptography).
"""

import argparse
import base64
import hashlib
import http.client
import json
import re
import secrets
import sys
import time
import urllib.parse
from datetime import datetime, timedelta, timezone
from fractions import Fraction

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
except ImportError:  # pragma: no cover - environment problem, reported plainly
    sys.stderr.write("client.py: the Python package 'cryptography' is missing "
                     "(Debian/Ubuntu: apt-get install python3-cryptography)\n")
    sys.exit(2)


class Failure(Exception):
    """A check that did not hold."""


def require(condition, message):
    if not condition:
        raise Failure(message)


# --------------------------------------------------------------------------------------
# RFC 8785 canonical JSON (the subset WIRE.md allows: strings, integers, booleans,
# arrays, objects).

MAX_SAFE = 2 ** 53 - 1


def jcs(value):
    """JCS(value) as bytes."""
    return _jcs(value).encode("utf-8")


def _jcs(value):
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        require(-MAX_SAFE <= value <= MAX_SAFE, "integer %d outside ±(2^53−1)" % value)
        return str(value)
    if isinstance(value, str):
        return _jcs_string(value)
    if isinstance(value, list):
        return "[" + ",".join(_jcs(element) for element in value) + "]"
    if isinstance(value, dict):
        for key in value:
            require(isinstance(key, str), "object key is not a string")
        keys = sorted(value, key=lambda key: key.encode("utf-16-be"))
        return "{" + ",".join(_jcs_string(key) + ":" + _jcs(value[key]) for key in keys) + "}"
    raise Failure("value outside the canonical subset: %r" % (value,))


_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _jcs_string(text):
    out = ['"']
    for char in text:
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            raise Failure("lone surrogate in a string")
        if char in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[char])
        elif code < 0x20:
            out.append("\\u%04x" % code)
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _reject_duplicates(pairs):
    result = {}
    for key, value in pairs:
        require(key not in result, "duplicate key %r" % key)
        result[key] = value
    return result


def _reject_float(text):
    raise Failure("a number with a fraction or exponent: %s" % text)


def _reject_constant(text):
    raise Failure("a non-JSON constant: %s" % text)


def parse_json(data, allow_null=False):
    """Strict JSON: duplicate keys, fractions, exponents and NaN are failures."""
    try:
        text = data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else data
        value = json.loads(text, object_pairs_hook=_reject_duplicates, parse_float=_reject_float,
                           parse_constant=_reject_constant)
    except ValueError as error:
        raise Failure("invalid JSON: %s" % error)
    if not allow_null:
        _check_no_null(value)
    return value


def _check_no_null(value):
    require(value is not None, "null in canonical JSON")
    if isinstance(value, list):
        for element in value:
            _check_no_null(element)
    elif isinstance(value, dict):
        for element in value.values():
            _check_no_null(element)


# --------------------------------------------------------------------------------------
# Encodings and keys.

def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64u_decode(text):
    require(re.fullmatch(r"[A-Za-z0-9_-]*", text) is not None, "not base64url: %r" % text)
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    require(b64u(data) == text, "base64url is not canonical: %r" % text)
    return data


def b64_decode(text):
    require(re.fullmatch(r"[A-Za-z0-9+/]*={0,2}", text) is not None and len(text) % 4 == 0, "not base64: %r" % text)
    data = base64.b64decode(text, validate=True)
    require(base64.b64encode(data).decode("ascii") == text, "base64 is not canonical: %r" % text)
    return data


def sha256(data):
    return hashlib.sha256(data).digest()


SIGNING_CONTEXT = b"veche/command/v1\n"


class Key:
    """A signing key and its WIRE.md public key string."""

    def __init__(self, private):
        self.private = private
        if isinstance(private, ed25519.Ed25519PrivateKey):
            raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            self.public = "ed25519:" + b64u(raw)
        elif isinstance(private, ec.EllipticCurvePrivateKey) and isinstance(private.curve, ec.SECP256R1):
            point = private.public_key().public_bytes(serialization.Encoding.X962,
                                                      serialization.PublicFormat.UncompressedPoint)
            self.public = "es256:" + b64u(point)
        else:
            raise Failure("keys are Ed25519 or P-256")

    @staticmethod
    def ed25519():
        return Key(ed25519.Ed25519PrivateKey.generate())

    @staticmethod
    def es256():
        return Key(ec.generate_private_key(ec.SECP256R1()))

    def sign(self, message):
        if isinstance(self.private, ed25519.Ed25519PrivateKey):
            return self.private.sign(message)
        der = self.private.sign(message, ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def verify_command_signature(public, signature_text, command):
    """Whether `signature_text` is `public`'s signature over veche/command/v1 LF JCS(command)."""
    signature = b64u_decode(signature_text)
    if len(signature) != 64:
        return False
    message = SIGNING_CONTEXT + jcs(command)
    algorithm, _, encoded = public.partition(":")
    raw = b64u_decode(encoded)
    try:
        if algorithm == "ed25519" and len(raw) == 32:
            ed25519.Ed25519PublicKey.from_public_bytes(raw).verify(signature, message)
            return True
        if algorithm == "es256" and len(raw) == 65:
            key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
            der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
            key.verify(der, message, ec.ECDSA(hashes.SHA256()))
            return True
    except (InvalidSignature, ValueError):
        return False
    return False


def envelope(command, key):
    return {"command": command, "signer": key.public, "signature": b64u(key.sign(SIGNING_CONTEXT + jcs(command)))}


# --------------------------------------------------------------------------------------
# RFC 9162 Merkle tree.

def leaf_hash(entry_bytes):
    return sha256(b"\x00" + entry_bytes)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def largest_power_of_two_below(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves):
    """MTH(D[n]) over leaf hashes (RFC 9162 §2.1.1)."""
    if not leaves:
        return sha256(b"")
    if len(leaves) == 1:
        return leaves[0]
    k = largest_power_of_two_below(len(leaves))
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def inclusion_path(m, leaves):
    """PATH(m, D[n]) (RFC 9162 §2.1.3.1)."""
    n = len(leaves)
    if n == 1:
        return []
    k = largest_power_of_two_below(n)
    if m < k:
        return inclusion_path(m, leaves[:k]) + [mth(leaves[k:])]
    return inclusion_path(m - k, leaves[k:]) + [mth(leaves[:k])]


def consistency_path(m, leaves):
    """PROOF(m, D[n]) (RFC 9162 §2.1.4.1)."""
    return _subproof(m, leaves, True)


def _subproof(m, leaves, whole):
    n = len(leaves)
    if m == n:
        return [] if whole else [mth(leaves)]
    k = largest_power_of_two_below(n)
    if m <= k:
        return _subproof(m, leaves[:k], whole) + [mth(leaves[k:])]
    return _subproof(m - k, leaves[k:], False) + [mth(leaves[:k])]


def verify_inclusion(leaf, index, size, path, root):
    """RFC 9162 §2.1.3.2."""
    if index >= size or index < 0:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_root, second_root, path):
    """RFC 9162 §2.1.4.2 (first = second: an empty path and equal roots)."""
    if first < 1 or first > second:
        return False
    if first == second:
        return not path and first_root == second_root
    if not path:
        return False
    if first & (first - 1) == 0:
        path = [first_root] + list(path)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


# --------------------------------------------------------------------------------------
# C2SP signed notes, checkpoints and tlog proofs.

class NoteKey:
    """The operator's Ed25519 note key under the ledger's origin."""

    def __init__(self, origin, public_raw):
        require(len(public_raw) == 32, "an Ed25519 public key is 32 bytes")
        self.origin = origin
        self.public_raw = public_raw
        self.key_id = sha256(origin.encode("utf-8") + b"\n\x01" + public_raw)[:4]
        self.verifier = ed25519.Ed25519PublicKey.from_public_bytes(public_raw)

    @staticmethod
    def from_vkey(vkey):
        """`<name>+<8 hex key ID>+<b64(0x01 ‖ key)>`, split at the first two '+' only."""
        parts = vkey.split("+", 2)
        require(len(parts) == 3, "a vkey has three '+'-separated parts")
        name, hex_id, encoded = parts
        typed = base64.b64decode(encoded, validate=True)
        require(len(typed) == 33 and typed[0] == 1, "a vkey holds 0x01 and a 32-byte Ed25519 key")
        key = NoteKey(name, typed[1:])
        require(key.key_id.hex() == hex_id, "the vkey's key ID does not match its name and key")
        return key


class Checkpoint:
    def __init__(self, origin, size, root, text):
        self.origin = origin
        self.size = size
        self.root = root
        self.text = text


def parse_checkpoint(text, key):
    """Parses a checkpoint note and checks the operator's signature line."""
    require(text.endswith("\n"), "a note ends with LF")
    separator = text.find("\n\n")
    require(separator > 0, "a note has a blank line before its signatures")
    body = text[:separator + 1]
    lines = body.split("\n")[:-1]
    require(len(lines) == 3, "a checkpoint body has exactly three lines (no extensions), got %d" % len(lines))
    origin, size_text, root_text = lines
    require(re.fullmatch(r"0|[1-9][0-9]{0,18}", size_text) is not None, "checkpoint size %r is not a decimal" % size_text)
    root = b64_decode(root_text)
    require(len(root) == 32, "a checkpoint root is 32 bytes")
    require(origin == key.origin, "checkpoint origin %r is not the ledger's %r" % (origin, key.origin))
    signatures = text[separator + 2:]
    require(signatures.endswith("\n"), "the signature lines end with LF")
    verified = False
    for line in signatures[:-1].split("\n"):
        require(line.startswith("\u2014 "), "a signature line starts with an em dash and a space: %r" % line)
        name, _, encoded = line[2:].rpartition(" ")
        blob = b64_decode(encoded)
        require(len(blob) >= 5, "a signature line holds a key ID and a signature")
        if name != key.origin or blob[:4] != key.key_id:
            continue  # an unknown key's line (a witness, say): ignored, as C2SP requires
        require(len(blob) == 68, "an Ed25519 note signature is 4 + 64 bytes")
        try:
            key.verifier.verify(blob[4:], body.encode("utf-8"))
        except InvalidSignature:
            raise Failure("the checkpoint signature does not verify under the operator key")
        verified = True
    require(verified, "no signature line of the operator key on the checkpoint")
    return Checkpoint(origin, int(size_text), root, text)


def parse_tlog_proof(text, key):
    lines = text.split("\n")
    require(len(lines) > 3 and lines[0] == "c2sp.org/tlog-proof@v1", "a proof starts with c2sp.org/tlog-proof@v1")
    match = re.fullmatch(r"index (0|[1-9][0-9]*)", lines[1])
    require(match is not None, "the proof's second line is 'index N', got %r" % lines[1])
    index = int(match.group(1))
    path = []
    position = 2
    while lines[position] != "":
        hashed = b64_decode(lines[position])
        require(len(hashed) == 32, "a proof hash is 32 bytes")
        path.append(hashed)
        position += 1
    note = "\n".join(lines[position + 1:])
    return index, path, parse_checkpoint(note, key)


# --------------------------------------------------------------------------------------
# HTTP.

class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        return self.headers.get(name.lower())

    def media_type(self):
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    def json(self, allow_null=False):
        return parse_json(self.body, allow_null=allow_null)


class Server:
    def __init__(self, url):
        parsed = urllib.parse.urlsplit(url)
        require(parsed.scheme == "http" and parsed.hostname, "--server must be http://HOST:PORT")
        self.host = parsed.hostname
        self.port = parsed.port or 80
        self.connection = None

    def request(self, method, target, body=None, content_type=None):
        headers = {}
        if content_type is not None:
            headers["Content-Type"] = content_type
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=15)
            try:
                self.connection.request(method, target, body=body, headers=headers)
                raw = self.connection.getresponse()
                data = raw.read()
                headers_out = {name.lower(): value for name, value in raw.getheaders()}
                if raw.will_close:
                    self.connection.close()
                    self.connection = None
                return Response(raw.status, headers_out, data)
            except (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine):
                self.connection.close()
                self.connection = None
                if attempt == 2 or method != "GET":
                    raise

    def get(self, target):
        return self.request("GET", target)

    def post_json(self, value, content_type="application/json"):
        body = json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8")  # not canonical, on purpose
        return self.request("POST", "/v1/commands", body=body, content_type=content_type)


# --------------------------------------------------------------------------------------
# The client.

TIME_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


def rfc3339(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


def parse_time(text):
    require(TIME_PATTERN.fullmatch(text) is not None, "ledger time %r is not RFC 3339 UTC with milliseconds" % text)
    return datetime.strptime(text[:-1] + "000", "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=timezone.utc)


def exact(amount):
    amount = Fraction(amount)
    return str(amount.numerator) if amount.denominator == 1 else "%d/%d" % (amount.numerator, amount.denominator)


class Client:
    def __init__(self, server, registrar, pinned_key, voting_seconds, log):
        self.server = server
        self.registrar = registrar
        self.pinned_key = pinned_key
        self.voting_seconds = voting_seconds
        self.log = log
        self.note_key = None
        self.origin = None
        self.leaves = {}  # seq -> leaf hash, for entries this client has seen
        self.checkpoints = []
        self.run_id = secrets.token_hex(4)

    def command_id(self, label):
        return "ic-%s-%s-%s" % (self.run_id, label, secrets.token_hex(4))

    # ---- the ledger's identity

    def learn_ledger(self):
        health = self.server.get("/healthz")
        require(health.status == 200 and health.body.strip() == b"ok", "GET /healthz is not 200 ok")
        first = self.server.get("/v1/entries?from=0&limit=1")
        require(first.status == 200, "GET /v1/entries?from=0&limit=1 answered %d" % first.status)
        require(first.media_type() == "application/x-ndjson", "entries are application/x-ndjson")
        require(first.body.endswith(b"\n") and first.body.count(b"\n") == 1, "limit=1 gives one line ending in LF")
        line = first.body[:-1]
        genesis = parse_json(line)
        require(jcs(genesis) == line, "entry 0 is not served as JCS(entry)")
        command = genesis["command"]
        require(genesis["seq"] == 0 and genesis["prev"] == "0" * 64, "entry 0 has seq 0 and prev of 64 zeros")
        require(command["type"] == "ledger.genesis", "entry 0 is the genesis")
        require(genesis["signer"] == command["operator"], "the genesis is signed by the operator it names")
        require(verify_command_signature(genesis["signer"], genesis["signature"], command),
                "the genesis signature does not verify")
        require(self.registrar.public in command["registrars"], "the registrar key is not a registrar of this ledger")
        self.origin = command["ledger"]
        algorithm, _, encoded = command["operator"].partition(":")
        require(algorithm == "ed25519", "the operator key is Ed25519 (checkpoints are Ed25519 notes)")
        self.note_key = NoteKey(self.origin, b64u_decode(encoded))
        if self.pinned_key is not None:
            require(self.pinned_key.origin == self.origin and self.pinned_key.public_raw == self.note_key.public_raw,
                    "the genesis operator key is not the pinned vkey")
        self.leaves[0] = leaf_hash(line)
        self.log("ledger %s, operator key %s" % (self.origin, command["operator"]))

    def checkpoint(self):
        response = self.server.get("/v1/checkpoint")
        require(response.status == 200, "GET /v1/checkpoint answered %d" % response.status)
        require(response.media_type() == "text/plain", "the checkpoint is text/plain")
        checkpoint = parse_checkpoint(response.body.decode("utf-8"), self.note_key)
        if self.checkpoints:
            require(checkpoint.size >= self.checkpoints[-1].size, "the checkpoint size went backwards")
        self.checkpoints.append(checkpoint)
        return checkpoint

    # ---- submitting

    def submit(self, command, key, expect=201):
        command = dict(command)
        command["ledger"] = self.origin
        posted = envelope(command, key)
        response = self.server.post_json(posted)
        if expect != response.status:
            raise Failure("%s %s: expected %d, got %d: %s" % (
                command["type"], command["id"], expect, response.status, response.body[:500].decode("utf-8", "replace")))
        receipt = self.verify_receipt(response, command, key.public)
        if expect == 201:
            require(receipt["entry"]["signature"] == posted["signature"], "the entry carries the posted signature")
        return receipt

    def verify_receipt(self, response, command, signer):
        require(response.media_type() == "application/json", "a receipt is application/json")
        receipt = response.json()
        require(set(receipt) == {"seq", "leaf", "entry", "proof"}, "a receipt has exactly seq, leaf, entry, proof")
        entry = receipt["entry"]
        require(set(entry) == {"seq", "time", "prev", "command", "signer", "signature"}, "an entry has its six fields")
        require(entry["command"] == command and jcs(entry["command"]) == jcs(command), "the entry holds the command as signed")
        require(entry["signer"] == signer, "the entry's signer is the posting key")
        require(verify_command_signature(entry["signer"], entry["signature"], entry["command"]),
                "the entry's signature does not verify")
        require(entry["seq"] == receipt["seq"], "the receipt's seq is the entry's")
        parse_time(entry["time"])
        leaf = leaf_hash(jcs(entry))
        require(receipt["leaf"] == leaf.hex(), "leaf is not SHA-256(0x00 ‖ JCS(entry))")
        seq = receipt["seq"]
        if seq - 1 in self.leaves:
            require(entry["prev"] == self.leaves[seq - 1].hex(), "prev is not the leaf hash of entry %d" % (seq - 1))
        self.leaves[seq] = leaf
        index, path, checkpoint = parse_tlog_proof(receipt["proof"], self.note_key)
        require(index == seq, "the proof's index is not the receipt's seq")
        require(seq < checkpoint.size, "the proof's checkpoint does not cover the entry")
        require(verify_inclusion(leaf, index, checkpoint.size, path, checkpoint.root),
                "the inclusion path does not lead to the checkpoint root")
        self.checkpoints.append(checkpoint)
        return receipt

    def expect_problem(self, response, status, field=None):
        require(response.status == status, "expected %d, got %d: %s" % (status, response.status, response.body[:300]))
        require(response.media_type() == "application/problem+json", "a refusal is application/problem+json")
        problem = response.json()
        for member in ("type", "title", "status", "detail"):
            require(member in problem, "a problem has '%s'" % member)
        require(problem["status"] == status, "the problem's status member is the HTTP status")
        if field is not None:
            require(problem.get("field") == field, "expected field %r, got %r" % (field, problem.get("field")))
        return problem

    # ---- the scenario

    def run(self):
        self.learn_ledger()
        first = self.checkpoint()
        self.log("first checkpoint: size %d" % first.size)

        owners = {name: (Key.es256() if name in ("bob", "erin") else Key.ed25519())
                  for name in ("alice", "bob", "carol", "erin")}
        proxy = Key.es256()
        administrator = Key.ed25519()
        suffix = self.run_id
        building = "ic-building-" + suffix
        meeting = "ic-meeting-" + suffix
        owner_id = {name: "%s-%s" % (name, suffix) for name in owners}
        owner_id["frank"] = "frank-" + suffix

        premises = [
            {"number": "1", "kind": "residential", "area": "50",
             "stakes": [{"holders": [owner_id["alice"]], "share": "1"}]},
            {"number": "2", "kind": "residential", "area": "60.5", "cadastral": "16:50:000000:1",
             "stakes": [{"holders": [owner_id["bob"]], "share": "1/2"},
                        {"holders": [owner_id["carol"]], "share": "1/2"}]},
            {"number": "н1", "kind": "non-residential", "area": "30",
             "stakes": [{"holders": [owner_id["erin"], owner_id["frank"]], "share": "1"}]},
        ]
        register = self.submit({"type": "building.register", "id": self.command_id("reg"), "building": building,
                                "address": "г. Казань, ул. Независимая, д. 7", "premises": premises}, self.registrar)
        view = self.server.get("/v1/buildings/" + building)
        require(view.status == 200, "GET /v1/buildings/{id} answered %d" % view.status)
        shown = view.json(allow_null=True)
        require(shown["building"] == register["entry"]["command"], "the building shows its register command")
        require(shown["register"] == register["leaf"], "the building's register is the register entry's leaf")
        require(shown["administrator"] is None and shown["meetings"] == [], "no administrator and no meetings yet")

        for name in ("alice", "bob", "carol", "erin"):
            self.submit({"type": "owner.key", "id": self.command_id("bind"), "owner": owner_id[name],
                         "key": owners[name].public, "action": "bind"}, self.registrar)
        admin = self.submit({"type": "building.administrator", "id": self.command_id("adm"), "building": building,
                             "keys": [administrator.public], "organization": {"name": "ТСЖ «Независимая 7»"}},
                            self.registrar)

        now = datetime.now(timezone.utc)
        closes_at = now + timedelta(seconds=self.voting_seconds)
        create_command = {
            "type": "meeting.create", "id": self.command_id("mtg"), "meeting": meeting, "building": building,
            "title": "Опрос жильцов", "form": "electronic", "initiator": "Совет дома", "rules": "generic",
            "quorum": "1/2", "revote": "forbidden", "opens_at": rfc3339(now - timedelta(seconds=60)),
            "closes_at": rfc3339(closes_at),
            "agenda": [
                {"item": "1", "title": "Покраска подъезда", "proposal": "Покрасить подъезд.\nЦвет: зелёный.",
                 "threshold": "participants-majority"},
                {"item": "2", "title": "Домофон", "proposal": "Заменить домофон.", "threshold": "all-majority",
                 "basis": "опрос, не решение ОСС"},
            ],
        }
        created = self.submit(create_command, administrator)
        shown = self.server.get("/v1/buildings/" + building).json(allow_null=True)
        require(shown["administrator"] == admin["entry"]["command"], "the building shows its administrator command")
        require(shown["meetings"] == [meeting], "the building lists its meeting")

        self.submit({"type": "proxy.grant", "id": self.command_id("grant"), "meeting": meeting,
                     "owner": owner_id["carol"], "proxy": proxy.public}, owners["carol"])

        ballots = {
            "alice": ({"1": "for", "2": "for"}, owners["alice"]),         # Ed25519, own
            "bob": ({"1": "against", "2": "for"}, owners["bob"]),         # ES256, own
            "carol": ({"1": "abstain"}, proxy),                           # ES256 proxy; item 2 blank
        }
        receipts = {}
        commands = {}
        for name, (choices, key) in ballots.items():
            commands[name] = {"type": "ballot.cast", "id": self.command_id("ballot"), "meeting": meeting,
                              "owner": owner_id[name], "choices": choices}
            receipts[name] = self.submit(commands[name], key)
        self.log("ballots accepted at seq %s" % ", ".join(str(r["seq"]) for r in receipts.values()))

        # An idempotent repeat: re-signed (ES256 signatures differ), same command and signer.
        repeat = self.submit(commands["bob"], owners["bob"], expect=200)
        require(repeat["seq"] == receipts["bob"]["seq"] and repeat["leaf"] == receipts["bob"]["leaf"]
                and repeat["entry"] == receipts["bob"]["entry"], "a repeat answers the original seq, leaf and entry")

        # Refusals change nothing.
        before = self.checkpoint().size
        tampered = envelope(dict(commands["alice"], id=self.command_id("tamper"), ledger=self.origin), owners["alice"])
        tampered["command"]["choices"] = {"1": "against"}
        self.expect_problem(self.server.post_json(tampered), 403)
        self.expect_problem(self.server.post_json(envelope(dict(commands["alice"], ledger=self.origin),
                                                           owners["alice"]), content_type="text/plain"), 415)
        second = dict(commands["alice"], id=self.command_id("again"), ledger=self.origin, choices={"1": "against"})
        self.expect_problem(self.server.post_json(envelope(second, owners["alice"])), 409)
        stranger = dict(commands["alice"], id=self.command_id("stranger"), ledger=self.origin,
                        owner="nobody-" + suffix)
        self.expect_problem(self.server.post_json(envelope(stranger, owners["alice"])), 422, field="/command/owner")
        require(self.checkpoint().size == before, "a refused command was appended")

        live = self.server.get("/v1/meetings/" + meeting)
        require(live.status == 200, "GET /v1/meetings/{id} answered %d" % live.status)
        shown = live.json()
        require(shown["meeting"] == created["entry"]["command"], "the meeting shows its create command")
        require(shown["register"] == register["leaf"], "the meeting's frozen register is the register entry")
        require(shown["status"] == "open", "the meeting is open, got %r" % shown["status"])

        expected = self.expected_result(meeting, premises, owner_id, ballots, create_command)
        require(shown["total"] == expected["total"] and shown["participating"] == expected["participating"]
                and shown["quorum"] == expected["quorum"] and shown["ballots"] == expected["ballots"],
                "live figures %r differ from the expected %r" % (shown, expected))

        # Wait for the automatic close (WIRE.md: within 2 s after closes_at).
        deadline = closes_at + timedelta(seconds=15)
        while True:
            response = self.server.get("/v1/meetings/%s/result" % meeting)
            if response.status == 200:
                break
            self.expect_problem(response, 404)
            require(datetime.now(timezone.utc) < deadline, "the meeting did not close automatically")
            time.sleep(0.1)
        require(response.media_type() == "application/json", "the result is application/json")
        result = response.json()
        require(result == expected, "result %s differs from the expected %s" % (jcs(result), jcs(expected)))
        self.log("result as expected: %s" % jcs(result).decode("utf-8"))
        closed = self.server.get("/v1/meetings/" + meeting).json()
        require(closed["status"] == "closed", "the meeting is closed")

        last = self.checkpoint()
        self.check_entries(last, meeting, closes_at, expected)
        self.check_consistency(first, last)
        self.check_consistency(self.checkpoints[len(self.checkpoints) // 2], last)
        return 0

    def expected_result(self, meeting, premises, owner_id, ballots, create_command):
        weights = {}
        total = Fraction(0)
        for unit in premises:
            area = Fraction(unit["area"])
            total += area
            for stake in unit["stakes"]:
                for holder in stake["holders"]:
                    weights[holder] = weights.get(holder, Fraction(0)) + area * Fraction(stake["share"])
        participating = Fraction(0)
        items = []
        for name, _ in ballots.items():
            participating += weights[owner_id[name]]
        quorum = Fraction(create_command["quorum"])
        reached = participating > quorum * total
        for agenda_item in create_command["agenda"]:
            amounts = {"for": Fraction(0), "against": Fraction(0), "abstain": Fraction(0)}
            blank = Fraction(0)
            for name, (choices, _) in ballots.items():
                mark = choices.get(agenda_item["item"])
                if mark is None:
                    blank += weights[owner_id[name]]
                else:
                    amounts[mark] += weights[owner_id[name]]
            threshold = agenda_item["threshold"]
            if threshold == "participants-majority":
                adopted = amounts["for"] > participating / 2
            elif threshold == "all-majority":
                adopted = amounts["for"] > total / 2
            elif threshold == "all-two-thirds":
                adopted = 3 * amounts["for"] >= 2 * total
            else:
                adopted = amounts["for"] == total
            items.append({"item": agenda_item["item"], "threshold": threshold, "for": exact(amounts["for"]),
                          "against": exact(amounts["against"]), "abstain": exact(amounts["abstain"]),
                          "invalid": "0", "blank": exact(blank), "adopted": reached and adopted})
        return {"meeting": meeting, "rules": "generic", "total": exact(total), "participating": exact(participating),
                "quorum": {"required": exact(quorum), "reached": reached}, "ballots": len(ballots), "items": items}

    def check_entries(self, checkpoint, meeting, closes_at, expected):
        """Every entry up to the checkpoint: JCS lines, chained, signed; the tree root and proofs recomputed."""
        leaves = []
        close_entry = None
        previous = b"\x00" * 32
        while len(leaves) < checkpoint.size:
            limit = min(1000, checkpoint.size - len(leaves))
            response = self.server.get("/v1/entries?from=%d&limit=%d" % (len(leaves), limit))
            require(response.status == 200 and response.media_type() == "application/x-ndjson", "GET /v1/entries")
            require(response.body.endswith(b"\n"), "every entries line ends with LF")
            for line in response.body[:-1].split(b"\n"):
                entry = parse_json(line)
                require(jcs(entry) == line, "entry %d is not served as JCS(entry)" % len(leaves))
                require(entry["seq"] == len(leaves), "entries come in seq order")
                require(entry["prev"] == previous.hex(), "entry %d does not chain to the one before" % entry["seq"])
                require(verify_command_signature(entry["signer"], entry["signature"], entry["command"]),
                        "entry %d's signature does not verify" % entry["seq"])
                leaf = leaf_hash(line)
                if entry["seq"] in self.leaves:
                    require(self.leaves[entry["seq"]] == leaf, "entry %d changed since its receipt" % entry["seq"])
                if entry["command"]["type"] == "meeting.close" and entry["command"]["meeting"] == meeting:
                    close_entry = entry
                leaves.append(leaf)
                previous = leaf
        require(mth(leaves) == checkpoint.root, "the recomputed tree root is not the checkpoint's")
        require(close_entry is not None, "no meeting.close entry for the meeting")
        require(close_entry["signer"] == self.note_key_string(), "meeting.close is signed by the operator")
        require(close_entry["command"]["result"] == expected, "the meeting.close result is not the expected one")
        closed_at = parse_time(close_entry["time"])
        closes_at_ms = closes_at.replace(microsecond=closes_at.microsecond // 1000 * 1000)
        require(closes_at_ms <= closed_at <= closes_at_ms + timedelta(seconds=2),
                "meeting.close at %s is not within 2 s after closes_at" % close_entry["time"])
        seq = close_entry["seq"]
        proof = self.server.get("/v1/proofs/inclusion?seq=%d&size=%d" % (seq, checkpoint.size))
        require(proof.status == 200, "GET /v1/proofs/inclusion answered %d" % proof.status)
        shown = proof.json()
        require(set(shown) == {"seq", "size", "leaf", "path"}, "an inclusion proof has seq, size, leaf, path")
        path = [bytes.fromhex(text) for text in shown["path"]]
        require(shown["seq"] == seq and shown["size"] == checkpoint.size and shown["leaf"] == leaves[seq].hex(),
                "the inclusion proof names the wrong entry")
        require(path == inclusion_path(seq, leaves), "the inclusion path is not RFC 9162 PATH(m, D[n])")
        require(verify_inclusion(leaves[seq], seq, checkpoint.size, path, checkpoint.root),
                "the inclusion path does not verify")
        self.all_leaves = leaves

    def note_key_string(self):
        return "ed25519:" + b64u(self.note_key.public_raw)

    def check_consistency(self, old, new):
        response = self.server.get("/v1/proofs/consistency?from=%d&to=%d" % (old.size, new.size))
        require(response.status == 200, "GET /v1/proofs/consistency answered %d" % response.status)
        shown = response.json()
        require(set(shown) == {"from", "to", "path"} and shown["from"] == old.size and shown["to"] == new.size,
                "a consistency proof has from, to, path")
        path = [bytes.fromhex(text) for text in shown["path"]]
        require(verify_consistency(old.size, new.size, old.root, new.root, path),
                "the consistency proof %d→%d does not verify" % (old.size, new.size))
        require(path == consistency_path(old.size, self.all_leaves[:new.size]),
                "the consistency path is not RFC 9162 PROOF(m, D[n])")
        self.log("consistency %d → %d verified" % (old.size, new.size))


def load_key(path):
    with open(path, "rb") as handle:
        private = serialization.load_pem_private_key(handle.read(), password=None)
    return Key(private)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", required=True, help="http://HOST:PORT of veche serve")
    parser.add_argument("--registrar-key", required=True, help="PEM file of a registrar's private key")
    parser.add_argument("--vkey", help="the operator's note vkey, to pin instead of trusting the genesis")
    parser.add_argument("--voting-seconds", type=int, default=4, help="how long the meeting stays open")
    parser.add_argument("--quiet", action="store_true")
    arguments = parser.parse_args(argv)

    def log(message):
        if not arguments.quiet:
            print("client: " + message, flush=True)

    try:
        pinned = NoteKey.from_vkey(arguments.vkey) if arguments.vkey else None
        client = Client(Server(arguments.server), load_key(arguments.registrar_key), pinned,
                        arguments.voting_seconds, log)
        client.run()
    except Failure as failure:
        sys.stderr.write("client: FAILED: %s\n" % failure)
        return 1
    except (OSError, KeyError, TypeError, ValueError) as error:
        sys.stderr.write("client: FAILED: %s: %s\n" % (type(error).__name__, error))
        return 1
    log("everything verified")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
