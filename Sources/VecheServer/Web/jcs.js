// RFC 8785 (JCS) canonical JSON for Veche's subset: strings, integers (|n| <= 2^53-1),
// booleans, arrays and objects. Anything else (fractions, null, lone surrogates) throws,
// because the server refuses it too (WIRE.md "Conventions").

/** Thrown for a value or text outside the canonical subset; `kind` names the reason. */
export class CanonicalJSONError extends Error {
  constructor(kind, message, path = "") {
    super(path ? `${message} (${path})` : message);
    this.name = "CanonicalJSONError";
    this.kind = kind;
    this.path = path;
  }
}

/** Whether `text` holds an unpaired UTF-16 surrogate. */
export function hasLoneSurrogate(text) {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return true;
    }
  }
  return false;
}

const SHORT_ESCAPES = { 0x08: "\\b", 0x09: "\\t", 0x0a: "\\n", 0x0c: "\\f", 0x0d: "\\r", 0x22: '\\"', 0x5c: "\\\\" };

/** A JSON string literal with RFC 8785's minimal escapes (the same as ES JSON.stringify). */
export function quote(text, path = "") {
  if (hasLoneSurrogate(text)) throw new CanonicalJSONError("loneSurrogate", "lone surrogate in a string", path);
  let out = '"';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c) {
      out += text.slice(start, i) + (SHORT_ESCAPES[c] ?? "\\u" + c.toString(16).padStart(4, "0"));
      start = i + 1;
    }
  }
  return out + text.slice(start) + '"';
}

/** Compares two strings by UTF-16 code units (RFC 8785 §3.2.3). */
export function compareKeys(a, b) {
  // JS string comparison is by UTF-16 code units already; spelled out so nobody "fixes" it
  // to localeCompare.
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The canonical text of `value`. */
export function canonicalize(value) {
  return serialize(value, "", 0);
}

/** The canonical UTF-8 bytes of `value`. */
export function canonicalBytes(value) {
  return new TextEncoder().encode(canonicalize(value));
}

// Deepest nesting of containers; the outermost is depth 1 (the Swift parser's limit).
const MAX_DEPTH = 32;

function serialize(value, path, depth) {
  if (typeof value === "object" && value !== null && depth >= MAX_DEPTH) throw new CanonicalJSONError("tooDeep", "nesting too deep", path);
  switch (typeof value) {
    case "string":
      return quote(value, path);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isSafeInteger(value)) throw new CanonicalJSONError("notInteger", "only integers with |n| <= 2^53-1 are allowed", path);
      return Object.is(value, -0) ? "0" : String(value);
    case "bigint":
      if (value > 9007199254740991n || value < -9007199254740991n) throw new CanonicalJSONError("integerOutOfRange", "integer out of range", path);
      return value.toString();
    case "object": {
      if (value === null) throw new CanonicalJSONError("null", "null is not allowed", path);
      if (Array.isArray(value)) {
        return "[" + value.map((v, i) => serialize(v, `${path}/${i}`, depth + 1)).join(",") + "]";
      }
      const keys = Object.keys(value).sort(compareKeys);
      const members = [];
      for (const key of keys) {
        const v = value[key];
        if (v === undefined) continue; // like JSON.stringify: an absent optional field
        const p = `${path}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
        members.push(quote(key, p) + ":" + serialize(v, p, depth + 1));
      }
      return "{" + members.join(",") + "}";
    }
    default:
      throw new CanonicalJSONError("unsupported", `a ${typeof value} cannot be in signed JSON`, path);
  }
}

/**
 * Parses JSON text strictly in the canonical subset: no fractions, exponents, -0, leading
 * zeros, out-of-range integers, null, duplicate keys, lone surrogates, raw control
 * characters or trailing garbage. Kinds match the Swift parser's names.
 */
export function parseStrict(text, { maxDepth = MAX_DEPTH, maxLength = 1 << 20 } = {}) {
  if (typeof text !== "string") throw new CanonicalJSONError("unsupported", "expected text");
  if (text.length > maxLength) throw new CanonicalJSONError("tooLarge", "document too large");
  let i = 0;
  const fail = (kind, message) => {
    throw new CanonicalJSONError(kind, `${message} at ${i}`);
  };
  const ws = () => {
    while (i < text.length) {
      const c = text[i];
      if (c === " " || c === "\t" || c === "\n" || c === "\r") i++;
      else break;
    }
  };
  const value = (depth) => {
    ws();
    if (i >= text.length) fail("unexpectedEnd", "unexpected end");
    const c = text[i];
    if ((c === "{" || c === "[") && depth >= maxDepth) fail("tooDeep", "nesting too deep");
    if (c === "{") return object(depth);
    if (c === "[") return array(depth);
    if (c === '"') return string();
    if (c === "-" || (c >= "0" && c <= "9")) return number();
    if (text.startsWith("true", i)) { i += 4; return true; }
    if (text.startsWith("false", i)) { i += 5; return false; }
    if (text.startsWith("null", i)) fail("null", "null is not allowed");
    if (c === "t" || c === "f" || c === "n") fail("invalidLiteral", "invalid literal");
    fail("unexpectedCharacter", `unexpected character ${JSON.stringify(c)}`);
  };
  const object = (depth) => {
    i++;
    const out = {};
    const seen = new Set();
    ws();
    if (text[i] === "}") { i++; return out; }
    for (;;) {
      ws();
      if (i >= text.length) fail("unexpectedEnd", "unexpected end");
      if (text[i] !== '"') fail("unexpectedCharacter", "expected a key");
      const key = string();
      if (seen.has(key)) fail("duplicateKey", `duplicate key ${JSON.stringify(key)}`);
      seen.add(key);
      ws();
      if (text[i] !== ":") fail(i >= text.length ? "unexpectedEnd" : "unexpectedCharacter", "expected ':'");
      i++;
      const v = value(depth + 1);
      Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      ws();
      if (text[i] === ",") { i++; continue; }
      if (text[i] === "}") { i++; return out; }
      fail(i >= text.length ? "unexpectedEnd" : "unexpectedCharacter", "expected ',' or '}'");
    }
  };
  const array = (depth) => {
    i++;
    const out = [];
    ws();
    if (text[i] === "]") { i++; return out; }
    for (;;) {
      out.push(value(depth + 1));
      ws();
      if (text[i] === ",") { i++; continue; }
      if (text[i] === "]") { i++; return out; }
      fail(i >= text.length ? "unexpectedEnd" : "unexpectedCharacter", "expected ',' or ']'");
    }
  };
  const string = () => {
    i++;
    let out = "";
    for (;;) {
      if (i >= text.length) fail("unexpectedEnd", "unterminated string");
      const c = text.charCodeAt(i);
      if (c === 0x22) { i++; break; }
      if (c < 0x20) fail("controlCharacter", "raw control character in a string");
      if (c === 0x5c) {
        const e = text[i + 1];
        const simple = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" }[e];
        if (simple !== undefined) { out += simple; i += 2; continue; }
        if (e === "u") {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("invalidEscape", "invalid \\u escape");
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
          continue;
        }
        fail("invalidEscape", "invalid escape");
      }
      out += text[i];
      i++;
    }
    if (hasLoneSurrogate(out)) fail("loneSurrogate", "lone surrogate");
    return out;
  };
  const number = () => {
    const start = i;
    if (text[i] === "-") i++;
    if (!(text[i] >= "0" && text[i] <= "9")) fail("invalidNumber", "minus without digits");
    if (text[i] === "0" && text[i + 1] >= "0" && text[i + 1] <= "9") { i = start; fail("leadingZero", "leading zero"); }
    while (text[i] >= "0" && text[i] <= "9") i++;
    if (text[i] === ".") fail("fraction", "fractions are not allowed");
    if (text[i] === "e" || text[i] === "E") fail("exponent", "exponents are not allowed");
    const digits = text.slice(start, i);
    if (digits === "-0") { i = start; fail("negativeZero", "-0 is not allowed"); }
    const n = BigInt(digits);
    if (n > 9007199254740991n || n < -9007199254740991n) { i = start; fail("integerOutOfRange", "integer out of range"); }
    return Number(n);
  };
  if (text.charCodeAt(0) === 0xfeff) fail("byteOrderMark", "byte order mark");
  const result = value(0);
  ws();
  if (i < text.length) fail("trailingGarbage", "trailing garbage");
  return result;
}

/** Parses UTF-8 bytes strictly (invalid UTF-8 is refused) in the canonical subset. */
export function parseStrictBytes(bytes, options) {
  let text;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new CanonicalJSONError("invalidUTF8", "invalid UTF-8");
  }
  return parseStrict(text, options);
}
