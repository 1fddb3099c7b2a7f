// Receipt verification (WIRE.md "Receipt"): the entry's leaf hash, the C2SP tlog-proof's
// inclusion path, and the operator's signature on the checkpoint the path leads to.
import { b64Decode, hexDecode, hexEncode, bytesEqual, utf8 } from "./b64.js";
import { canonicalBytes, canonicalize } from "./jcs.js";
import { leafHash, rootFromInclusionPath } from "./merkle.js";
import { parseNote, verifyNote, parseCheckpoint, parseEd25519KeyString } from "./note.js";

const PROOF_HEADER = "c2sp.org/tlog-proof@v1";

/** Parses a C2SP tlog-proof text: header, `index N`, b64 hashes, blank line, the note. */
export function parseTlogProof(text) {
  if (typeof text !== "string") throw new Error("proof: not text");
  if (utf8(text).length > 20 * 1024) throw new Error("proof: too large");
  let pos = 0;
  const line = (what) => {
    const end = text.indexOf("\n", pos);
    if (end < 0) throw new Error(`proof: ${what} missing or not ending with LF`);
    const out = text.slice(pos, end);
    pos = end + 1;
    return out;
  };
  if (line("header") !== PROOF_HEADER) throw new Error(`proof: the first line must be ${PROOF_HEADER}`);
  const indexLine = line("index");
  const match = /^index (0|[1-9][0-9]{0,15})$/.exec(indexLine);
  if (!match || !Number.isSafeInteger(Number(match[1]))) throw new Error("proof: expected 'index <n>'");
  const path = [];
  for (;;) {
    const l = line(`path[${path.length}]`);
    if (l === "") break;
    if (path.length >= 63) throw new Error("proof: more than 63 hashes");
    let hash;
    try {
      hash = b64Decode(l);
    } catch {
      hash = null;
    }
    if (!hash || hash.length !== 32) throw new Error(`proof: path[${path.length}] is not the base64 of 32 bytes`);
    path.push(hash);
  }
  return { index: Number(match[1]), path, note: text.slice(pos) };
}

/** The Russian names of the checks, in the order they run. */
export const CHECKS = {
  shape: "Квитанция имеет нужную форму",
  match: "Квитанция относится к вашему бюллетеню",
  leaf: "Хеш записи совпадает с листом",
  proof: "Доказательство включения читается",
  signature: "Подпись оператора на контрольной точке верна",
  inclusion: "Запись включена в дерево контрольной точки",
};

/**
 * Verifies a receipt object `{seq, leaf, entry, proof}` under the operator's key string
 * (`ed25519:…`) and the ledger origin. `expected` ({command, signer}) ties it to what we
 * sent. Returns {ok, checks: [{id, name, ok, detail}], checkpoint}; never throws.
 */
export async function verifyReceipt(receipt, { operatorKey, origin, expected } = {}) {
  const checks = [];
  const result = { ok: false, checks, checkpoint: null };
  const pass = (id, detail = "") => checks.push({ id, name: CHECKS[id], ok: true, detail });
  const fail = (id, detail) => {
    checks.push({ id, name: CHECKS[id], ok: false, detail });
    return result;
  };
  try {
    if (!receipt || typeof receipt !== "object" || Array.isArray(receipt)) return fail("shape", "квитанция не является объектом JSON");
    const keys = Object.keys(receipt).sort().join(",");
    if (keys !== "entry,leaf,proof,seq") return fail("shape", `ожидались поля seq, leaf, entry, proof; получено: ${keys}`);
    const { seq, leaf, entry, proof } = receipt;
    if (!Number.isSafeInteger(seq) || seq < 0) return fail("shape", "seq не является неотрицательным целым");
    if (typeof leaf !== "string" || !/^[0-9a-f]{64}$/.test(leaf)) return fail("shape", "leaf не является хешем (64 шестнадцатеричных знака)");
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) return fail("shape", "entry не является объектом");
    if (entry.seq !== seq) return fail("shape", `номер записи ${entry.seq} не совпадает с seq ${seq}`);
    if (typeof proof !== "string") return fail("shape", "proof не является текстом");
    pass("shape");

    if (expected) {
      if (canonicalize(entry.command) !== canonicalize(expected.command)) return fail("match", "команда в записи отличается от отправленной");
      if (entry.signer !== expected.signer) return fail("match", "запись подписана другим ключом");
      pass("match");
    }

    let computed;
    try {
      computed = await leafHash(canonicalBytes(entry));
    } catch (e) {
      return fail("leaf", `запись нельзя привести к канонической форме: ${e.message}`);
    }
    if (!bytesEqual(computed, hexDecode(leaf))) return fail("leaf", `вычислено ${hexEncode(computed)}, в квитанции ${leaf}`);
    pass("leaf", leaf);

    let parsed;
    try {
      parsed = parseTlogProof(proof);
      parseNote(parsed.note);
    } catch (e) {
      return fail("proof", e.message);
    }
    if (parsed.index !== seq) return fail("proof", `доказательство для записи ${parsed.index}, а квитанция для ${seq}`);
    pass("proof");

    // The signature comes before anything in the checkpoint is used: an unsigned size or
    // root must not steer the computation.
    let checkpoint;
    try {
      const publicKey = parseEd25519KeyString(operatorKey);
      const note = await verifyNote(parsed.note, origin, publicKey);
      checkpoint = parseCheckpoint(note.text);
      if (checkpoint.origin !== origin) throw new Error(`контрольная точка другого журнала: ${checkpoint.origin}`);
    } catch (e) {
      return fail("signature", e.message);
    }
    result.checkpoint = { origin: checkpoint.origin, size: checkpoint.size, root: hexEncode(checkpoint.root) };
    pass("signature", `${checkpoint.origin}, размер ${checkpoint.size}`);

    if (seq >= checkpoint.size) return fail("inclusion", `запись ${seq} не меньше размера дерева ${checkpoint.size}`);
    const root = await rootFromInclusionPath(computed, seq, checkpoint.size, parsed.path);
    if (root === null) return fail("inclusion", "длина пути не соответствует положению записи в дереве");
    if (!bytesEqual(root, checkpoint.root)) return fail("inclusion", "путь не ведёт к корню контрольной точки");
    pass("inclusion");
    result.ok = true;
    return result;
  } catch (e) {
    checks.push({ id: "internal", name: "Проверка", ok: false, detail: String(e && e.message ? e.message : e) });
    return result;
  }
}
