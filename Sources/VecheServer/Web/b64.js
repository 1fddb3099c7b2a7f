// Byte helpers: base64url (no padding), base64 (padded), hex, UTF-8. Strict and canonical:
// a decoder refuses anything whose re-encoding would differ, so one value has one string.

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const ALPHABET_URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function encodeWith(bytes, alphabet, pad) {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += alphabet[n >> 18] + alphabet[(n >> 12) & 63] + alphabet[(n >> 6) & 63] + alphabet[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += alphabet[n >> 18] + alphabet[(n >> 12) & 63] + (pad ? "==" : "");
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += alphabet[n >> 18] + alphabet[(n >> 12) & 63] + alphabet[(n >> 6) & 63] + (pad ? "=" : "");
  }
  return out;
}

function decodeWith(text, alphabet, pad) {
  if (typeof text !== "string") throw new TypeError("base64: not a string");
  let body = text;
  if (pad) {
    if (text.length % 4 !== 0) throw new Error("base64: length is not a multiple of 4");
    if (text.endsWith("==")) body = text.slice(0, -2);
    else if (text.endsWith("=")) body = text.slice(0, -1);
  }
  if (body.length % 4 === 1) throw new Error("base64: impossible length");
  const out = new Uint8Array(Math.floor((body.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let o = 0;
  for (let i = 0; i < body.length; i++) {
    const d = alphabet.indexOf(body[i]);
    if (d < 0) throw new Error(`base64: invalid character at ${i}`);
    value = (value << 6) | d;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (value >> bits) & 0xff;
    }
  }
  // Leftover bits must be zero, or two strings would decode to the same bytes.
  if (bits > 0 && (value & ((1 << bits) - 1)) !== 0) throw new Error("base64: non-canonical trailing bits");
  return out;
}

/** base64url without padding (RFC 4648 §5). */
export function b64uEncode(bytes) {
  return encodeWith(toBytes(bytes), ALPHABET_URL, false);
}

/** Decodes canonical unpadded base64url; throws on anything else. */
export function b64uDecode(text) {
  if (typeof text === "string" && text.includes("=")) throw new Error("base64url: padding is not allowed");
  return decodeWith(text, ALPHABET_URL, false);
}

/** Standard base64 with padding (RFC 4648 §4). */
export function b64Encode(bytes) {
  return encodeWith(toBytes(bytes), ALPHABET, true);
}

/** Decodes canonical padded base64; throws on anything else. */
export function b64Decode(text) {
  return decodeWith(text, ALPHABET, true);
}

/** Lowercase hex. */
export function hexEncode(bytes) {
  let out = "";
  for (const b of toBytes(bytes)) out += b.toString(16).padStart(2, "0");
  return out;
}

/** Decodes lowercase hex of even length; throws otherwise. */
export function hexDecode(text) {
  if (typeof text !== "string" || !/^(?:[0-9a-f]{2})*$/.test(text)) throw new Error("hex: expected lowercase hex of even length");
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** UTF-8 bytes of a string (lone surrogates would become U+FFFD: callers check first). */
export function utf8(text) {
  return encoder.encode(text);
}

/** Decodes UTF-8 strictly; throws on invalid bytes. */
export function fromUtf8(bytes) {
  return strictDecoder.decode(toBytes(bytes));
}

/** Concatenates byte arrays. */
export function concat(...parts) {
  const length = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Whether two byte arrays are equal. */
export function bytesEqual(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** A Uint8Array view of an ArrayBuffer, typed array or array of numbers. */
export function toBytes(value) {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return Uint8Array.from(value);
  throw new TypeError("expected bytes");
}

/** SHA-256 of bytes, as a Uint8Array. */
export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", toBytes(bytes)));
}

/** `count` random bytes. */
export function randomBytes(count) {
  const out = new Uint8Array(count);
  crypto.getRandomValues(out);
  return out;
}
