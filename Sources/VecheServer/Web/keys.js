// The owner's signing key: WebCrypto ECDSA P-256, generated non-extractable and kept in
// IndexedDB (CryptoKey objects are structured-cloneable, so the private key never exists
// as bytes this page can read). Also the envelope signing of WIRE.md.
import { b64uEncode, b64uDecode, concat, utf8, randomBytes } from "./b64.js";
import { canonicalBytes } from "./jcs.js";

const DB_NAME = "veche";
const DB_VERSION = 1;
const KEY_STORE = "keys";
const RECEIPT_STORE = "receipts";
const KEY_SLOT = "owner-key";
const ALGORITHM = { name: "ECDSA", namedCurve: "P-256" };
const SIGN = { name: "ECDSA", hash: "SHA-256" };

function openDB() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(KEY_STORE)) db.createObjectStore(KEY_STORE);
      if (!db.objectStoreNames.contains(RECEIPT_STORE)) db.createObjectStore(RECEIPT_STORE, { keyPath: "leaf" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error("IndexedDB is blocked by another tab"));
  });
}

async function transact(store, mode, work) {
  const db = await openDB();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(store, mode);
      let value;
      const request = work(tx.objectStore(store));
      request.onsuccess = () => (value = request.result);
      tx.oncomplete = () => resolve(value);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new Error("transaction aborted"));
    });
  } finally {
    db.close();
  }
}

/** The stored key pair {privateKey, publicKey, publicString, created}, or null. */
export async function loadKey() {
  return (await transact(KEY_STORE, "readonly", (s) => s.get(KEY_SLOT))) ?? null;
}

/** Creates a new non-extractable P-256 key pair, stores it and returns the record. */
export async function createKey() {
  const pair = await crypto.subtle.generateKey(ALGORITHM, false, ["sign", "verify"]);
  const record = {
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    publicString: await publicKeyString(pair.publicKey),
    created: new Date().toISOString(),
  };
  await transact(KEY_STORE, "readwrite", (s) => s.put(record, KEY_SLOT));
  return record;
}

/** Removes the stored key from this device. */
export async function deleteKey() {
  await transact(KEY_STORE, "readwrite", (s) => s.delete(KEY_SLOT));
}

/** `es256:` + b64u of the 65-byte uncompressed point (WIRE.md "Keys and signatures"). */
export async function publicKeyString(publicKey) {
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", publicKey));
  if (raw.length !== 65 || raw[0] !== 0x04) throw new Error("unexpected P-256 public key form");
  return "es256:" + b64uEncode(raw);
}

/** The bytes signed for a command: `veche/command/v1` LF JCS(command). */
export function signingInput(command) {
  return concat(utf8("veche/command/v1\n"), canonicalBytes(command));
}

/** Signs `command` with a P-256 private key; returns the envelope {command, signer, signature}. */
export async function signEnvelope(command, privateKey, signer) {
  const signature = new Uint8Array(await crypto.subtle.sign(SIGN, privateKey, signingInput(command)));
  // WebCrypto's ECDSA output is already raw r‖s, the form WIRE.md asks for.
  if (signature.length !== 64) throw new Error("unexpected ECDSA signature length");
  return { command, signer, signature: b64uEncode(signature) };
}

/** Verifies an ES256 envelope with WebCrypto (high or low S both verify). */
export async function verifyEs256Envelope(envelope) {
  if (typeof envelope.signer !== "string" || !envelope.signer.startsWith("es256:")) return false;
  let raw, signature;
  try {
    raw = b64uDecode(envelope.signer.slice(6));
    signature = b64uDecode(envelope.signature);
  } catch {
    return false;
  }
  if (raw.length !== 65 || signature.length !== 64) return false;
  let key;
  try {
    key = await crypto.subtle.importKey("raw", raw, ALGORITHM, false, ["verify"]);
  } catch {
    return false;
  }
  return crypto.subtle.verify(SIGN, key, signature, signingInput(envelope.command));
}

/** A fresh command id: 16 random bytes as 22 b64u characters. */
export function newCommandID() {
  return b64uEncode(randomBytes(16));
}

/** Stores a receipt record ({leaf, meeting, owner, receipt, verified, operatorKey, saved}). */
export async function saveReceipt(record) {
  await transact(RECEIPT_STORE, "readwrite", (s) => s.put(record));
}

/** Every stored receipt record, newest first. */
export async function listReceipts() {
  const all = (await transact(RECEIPT_STORE, "readonly", (s) => s.getAll())) ?? [];
  return all.sort((a, b) => (a.saved < b.saved ? 1 : a.saved > b.saved ? -1 : 0));
}
