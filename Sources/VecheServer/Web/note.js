// C2SP signed notes and tlog checkpoints, verified with WebCrypto Ed25519.
import { b64Decode, b64uDecode, concat, bytesEqual, sha256, utf8, hexEncode } from "./b64.js";

/** Thrown when a note, checkpoint or key string is malformed or does not verify. */
export class NoteError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "NoteError";
    this.code = code;
  }
}

const MAX_NOTE_BYTES = 16 * 1024;
const DASH = "\u2014 ";

/** Key ID = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]. */
export async function keyID(name, publicKey) {
  return (await sha256(concat(utf8(name), Uint8Array.of(0x0a, 0x01), publicKey))).slice(0, 4);
}

function validName(name) {
  // C2SP: a key name is non-empty UTF-8 without whitespace or '+'.
  return name.length > 0 && !/[\s+]/u.test(name);
}

/**
 * Parses a note strictly: text ending in LF, a blank line, then signature lines
 * `— <name> <b64(key ID ‖ signature)>`, each ending in LF.
 */
export function parseNote(note) {
  if (typeof note !== "string") throw new NoteError("malformed", "note: not text");
  if (utf8(note).length > MAX_NOTE_BYTES) throw new NoteError("tooLarge", "note: too large");
  if (/[\u0000-\u0009\u000b-\u001f]/.test(note)) throw new NoteError("malformed", "note: control character");
  const split = note.lastIndexOf("\n\n");
  if (split < 0) throw new NoteError("malformed", "note: no blank line before the signatures");
  const text = note.slice(0, split + 1);
  const rest = note.slice(split + 2);
  if (rest.length === 0 || !rest.endsWith("\n")) throw new NoteError("malformed", "note: signatures missing or not ending with LF");
  const signatures = rest.slice(0, -1).split("\n").map((line, n) => {
    if (!line.startsWith(DASH)) throw new NoteError("malformed", `note: signature line ${n} does not start with an em dash`);
    const body = line.slice(DASH.length);
    const space = body.indexOf(" ");
    if (space < 0) throw new NoteError("malformed", `note: signature line ${n} is not '<name> <base64>'`);
    const name = body.slice(0, space);
    if (!validName(name)) throw new NoteError("malformed", `note: signature line ${n} has an invalid key name`);
    let blob;
    try {
      blob = b64Decode(body.slice(space + 1));
    } catch {
      throw new NoteError("malformed", `note: signature line ${n} is not canonical base64`);
    }
    if (blob.length < 5) throw new NoteError("malformed", `note: signature line ${n} is too short`);
    return { name, keyID: blob.slice(0, 4), signature: blob.slice(4) };
  });
  return { text, signatures };
}

/** Imports a raw 32-byte Ed25519 public key for verification. */
export function importEd25519(publicKey) {
  if (publicKey.length !== 32) throw new NoteError("badKey", "an Ed25519 public key is 32 bytes");
  return crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
}

/**
 * Verifies a note against one trusted key: every line with its (name, key ID) must verify,
 * other lines are ignored (C2SP), and at least one must verify. Returns the parsed note.
 */
export async function verifyNote(note, name, publicKey) {
  const parsed = parseNote(note);
  const id = await keyID(name, publicKey);
  const key = await importEd25519(publicKey);
  const message = utf8(parsed.text);
  let verified = 0;
  for (const line of parsed.signatures) {
    if (line.name !== name || !bytesEqual(line.keyID, id)) continue;
    const ok = line.signature.length === 64 && (await crypto.subtle.verify({ name: "Ed25519" }, key, line.signature, message));
    if (!ok) throw new NoteError("invalidSignature", `the signature by ${name} does not verify`);
    verified++;
  }
  if (verified === 0) throw new NoteError("noTrustedSignature", `no signature by ${name} (key ${hexEncode(id)})`);
  return parsed;
}

/** Parses a checkpoint body: `<origin>\n<size>\n<b64 root>\n`, nothing more. */
export function parseCheckpoint(text) {
  if (!text.endsWith("\n")) throw new NoteError("malformed", "checkpoint: must end with LF");
  const lines = text.slice(0, -1).split("\n");
  if (lines.length !== 3) throw new NoteError("malformed", "checkpoint: expected exactly origin, size and root lines");
  const [origin, sizeText, rootText] = lines;
  if (origin.length === 0) throw new NoteError("malformed", "checkpoint: empty origin");
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    throw new NoteError("malformed", "checkpoint: size is not a decimal integer");
  }
  let root;
  try {
    root = b64Decode(rootText);
  } catch {
    throw new NoteError("malformed", "checkpoint: root is not canonical base64");
  }
  if (root.length !== 32) throw new NoteError("malformed", "checkpoint: root is not 32 bytes");
  return { origin, size: Number(sizeText), root };
}

/** Verifies a checkpoint note signed by `name`/`publicKey`; returns {origin, size, root}. */
export async function verifyCheckpoint(note, name, publicKey) {
  const parsed = await verifyNote(note, name, publicKey);
  const checkpoint = parseCheckpoint(parsed.text);
  if (checkpoint.origin !== name) throw new NoteError("wrongOrigin", `checkpoint origin ${checkpoint.origin} is not ${name}`);
  return checkpoint;
}

/** Parses `ed25519:<b64u of 32 bytes>` into the raw key. */
export function parseEd25519KeyString(text) {
  if (typeof text !== "string" || !text.startsWith("ed25519:")) throw new NoteError("badKey", "expected an ed25519: key");
  let raw;
  try {
    raw = b64uDecode(text.slice("ed25519:".length));
  } catch {
    throw new NoteError("badKey", "the key is not canonical base64url");
  }
  if (raw.length !== 32) throw new NoteError("badKey", "an Ed25519 key is 32 bytes");
  return raw;
}

/** Parses a Go note verifier key `<name>+<8 hex key ID>+<b64(0x01 ‖ key)>` and checks its key ID. */
export async function parseVerifierKey(vkey) {
  const first = vkey.indexOf("+");
  const second = first < 0 ? -1 : vkey.indexOf("+", first + 1);
  if (first < 0 || second < 0) throw new NoteError("badKey", "vkey: expected name+id+key");
  const name = vkey.slice(0, first);
  const idHex = vkey.slice(first + 1, second);
  let blob;
  try {
    blob = b64Decode(vkey.slice(second + 1));
  } catch {
    throw new NoteError("badKey", "vkey: key is not canonical base64");
  }
  if (!validName(name) || !/^[0-9a-f]{8}$/.test(idHex)) throw new NoteError("badKey", "vkey: bad name or key ID");
  if (blob.length !== 33 || blob[0] !== 0x01) throw new NoteError("badKey", "vkey: not an Ed25519 key");
  const publicKey = blob.slice(1);
  if (hexEncode(await keyID(name, publicKey)) !== idHex) throw new NoteError("badKey", "vkey: key ID does not match");
  return { name, keyID: idHex, publicKey };
}
