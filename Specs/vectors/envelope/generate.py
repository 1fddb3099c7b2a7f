#!/usr/bin/env python3
"""Generates the signed-envelope vectors in this folder with Python `cryptography`.

Independent of Veche's Swift code: keys, canonical JSON (our own small JCS below) and
signatures all come from Python. One more vector goes the other way: `veche sign` (the
binary built from this repository, path in $VECHE, default .build/debug/veche) signs a
command with the ES256 key, and this script verifies that envelope with Python before
storing it. Run from the repository root after `swift build`:

    python3 Specs/vectors/envelope/generate.py

Keys are derived from fixed labels, so they are the same on every run; ES256 signatures
are randomised, so the ES256 envelopes differ between runs (all of them verify).
"""
import base64
import hashlib
import json
import os
import subprocess
import tempfile

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
ORIGIN = "vote.example.ru/16"
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def jcs(value):
    """RFC 8785 for str, int, bool, list, dict (keys sorted by UTF-16 code units)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        out = ['"']
        for ch in value:
            escapes = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
            if ch in escapes:
                out.append(escapes[ch])
            elif ord(ch) < 0x20:
                out.append("\\u%04x" % ord(ch))
            else:
                out.append(ch)
        return "".join(out) + '"'
    if isinstance(value, list):
        return "[" + ",".join(jcs(v) for v in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: k.encode("utf-16-be", "surrogatepass"))
        return "{" + ",".join(jcs(k) + ":" + jcs(value[k]) for k in keys) + "}"
    raise TypeError(type(value))


def b64u(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def b64u_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signing_input(command):
    return b"veche/command/v1\n" + jcs(command).encode("utf-8")


def label_bytes(label):
    return hashlib.sha256(label.encode()).digest()


ED_KEY = ed25519.Ed25519PrivateKey.from_private_bytes(label_bytes("veche test vector: ed25519 signing key"))
ES_KEY = ec.derive_private_key(
    int.from_bytes(label_bytes("veche test vector: es256 signing key"), "big") % (P256_ORDER - 1) + 1, ec.SECP256R1())
ED_PUB = ED_KEY.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
ES_PUB = ES_KEY.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
ED_STRING = "ed25519:" + b64u(ED_PUB)
ES_STRING = "es256:" + b64u(ES_PUB)


def sign(algorithm, message):
    if algorithm == "ed25519":
        return ED_KEY.sign(message)
    r, s = decode_dss_signature(ES_KEY.sign(message, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def verify(signer, signature, message):
    if signer == ED_STRING:
        ED_KEY.public_key().verify(signature, message)
    elif signer == ES_STRING:
        assert len(signature) == 64
        der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
        ES_KEY.public_key().verify(der, message, ec.ECDSA(hashes.SHA256()))
    else:
        raise AssertionError("unknown signer " + signer)


BALLOT = {
    "type": "ballot.cast",
    "id": "b-7f3c2a91d4e8",
    "ledger": ORIGIN,
    "meeting": "M-2026-11",
    "owner": "owner-0042",
    "choices": {"1": "for", "2": "against", "10": "abstain"},
}
CANCEL = {
    "type": "meeting.cancel",
    "id": "c-0b9d41e6a2f7",
    "ledger": ORIGIN,
    "meeting": "M-2026-11",
    "reason": "Собрание перенесено: в повестку добавлен вопрос о ремонте «кровли» 🏠",
}


def envelope_vector(name, algorithm, command, produced_by, signature):
    signer = ED_STRING if algorithm == "ed25519" else ES_STRING
    message = signing_input(command)
    verify(signer, signature, message)
    envelope = {"command": command, "signer": signer, "signature": b64u(signature)}
    # What a client might post: its own key order, indentation, and non-ASCII as escapes.
    body = json.dumps({"signature": envelope["signature"], "command": command, "signer": signer},
                      indent=2, ensure_ascii=True)
    return {
        "name": name,
        "algorithm": algorithm,
        "producedBy": produced_by,
        "command": command,
        "signingInputHex": message.hex(),
        "body": body,
        "canonical": jcs(envelope),
    }


def veche_signed_es256():
    veche = os.environ.get("VECHE", os.path.join(ROOT, ".build", "debug", "veche"))
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(BALLOT, f, ensure_ascii=False, indent=1)
        path = f.name
    try:
        out = subprocess.run([veche, "sign", "--key", os.path.join(HERE, "es256.pem"), path],
                             check=True, capture_output=True).stdout
    finally:
        os.unlink(path)
    assert out.endswith(b"\n") and out.count(b"\n") == 1, out
    text = out[:-1].decode("utf-8")
    envelope = json.loads(text)
    assert set(envelope) == {"command", "signer", "signature"}
    assert envelope["command"] == BALLOT and envelope["signer"] == ES_STRING
    assert text == jcs(envelope), "veche sign output is not canonical"
    signature = b64u_decode(envelope["signature"])
    assert b64u(signature) == envelope["signature"]
    verify(ES_STRING, signature, signing_input(BALLOT))  # raises if Python disagrees
    vector = envelope_vector("es256 ballot.cast signed by veche sign", "es256", BALLOT, "veche sign", signature)
    assert vector["canonical"] == text
    return vector


def vkey(name, public):
    typed = b"\x01" + public
    key_id = hashlib.sha256(name.encode() + b"\n" + typed).digest()[:4]
    return name + "+" + key_id.hex() + "+" + base64.b64encode(typed).decode()


def main():
    pkcs8 = dict(encoding=serialization.Encoding.PEM, format=serialization.PrivateFormat.PKCS8,
                 encryption_algorithm=serialization.NoEncryption())
    with open(os.path.join(HERE, "ed25519.pem"), "wb") as f:
        f.write(ED_KEY.private_bytes(**pkcs8))
    with open(os.path.join(HERE, "es256.pem"), "wb") as f:
        f.write(ES_KEY.private_bytes(**pkcs8))
    vectors = [
        envelope_vector("ed25519 ballot.cast", "ed25519", BALLOT, "python-cryptography", sign("ed25519", signing_input(BALLOT))),
        envelope_vector("ed25519 meeting.cancel (Cyrillic reason)", "ed25519", CANCEL, "python-cryptography",
                        sign("ed25519", signing_input(CANCEL))),
        envelope_vector("es256 ballot.cast", "es256", BALLOT, "python-cryptography", sign("es256", signing_input(BALLOT))),
        envelope_vector("es256 meeting.cancel (Cyrillic reason)", "es256", CANCEL, "python-cryptography",
                        sign("es256", signing_input(CANCEL))),
        veche_signed_es256(),
    ]
    doc = {
        "about": "signed envelopes (WIRE.md); body is a posted form, canonical is JCS(envelope)",
        "origin": ORIGIN,
        "keys": {
            "ed25519": {"pemFile": "ed25519.pem", "publicKey": ED_STRING, "vkey": vkey(ORIGIN, ED_PUB)},
            "es256": {"pemFile": "es256.pem", "publicKey": ES_STRING},
        },
        "envelopes": vectors,
    }
    with open(os.path.join(HERE, "envelopes.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=2)
        f.write("\n")
    print("wrote", len(vectors), "envelopes; veche-signed ES256 envelope verified by Python")


if __name__ == "__main__":
    main()
