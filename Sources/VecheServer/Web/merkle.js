// RFC 9162 §2.1 Merkle tree hashing and inclusion proof verification.
import { sha256, concat, bytesEqual } from "./b64.js";

const LEAF = Uint8Array.of(0x00);
const NODE = Uint8Array.of(0x01);

/** SHA-256(0x00 ‖ data). */
export function leafHash(data) {
  return sha256(concat(LEAF, data));
}

/** SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left, right) {
  return sha256(concat(NODE, left, right));
}

/** MTH of a list of leaf hashes (for tests and small trees). */
export async function rootFromLeafHashes(hashes) {
  if (hashes.length === 0) return sha256(new Uint8Array(0));
  let level = hashes.slice();
  // RFC 9162's split at the largest power of two below n equals pairing left to right and
  // carrying an odd last node up unchanged.
  while (level.length > 1) {
    const next = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(await nodeHash(level[i], level[i + 1]));
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    level = next;
  }
  return level[0];
}

/**
 * The root an inclusion path leads to from `leaf` at `index` in a tree of `size`, or null
 * when the path has the wrong length for that position (RFC 9162 §2.1.3.2).
 */
export async function rootFromInclusionPath(leaf, index, size, path) {
  let fn = BigInt(index);
  let sn = BigInt(size) - 1n;
  if (fn < 0n || fn > sn) return null;
  let r = leaf;
  for (const p of path) {
    if (p.length !== 32) return null;
    if (sn === 0n) return null;
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n ? r : null;
}

/** Whether `path` proves `leaf` at `index` in the tree of `size` with `root`. */
export async function verifyInclusion(leaf, index, size, path, root) {
  const computed = await rootFromInclusionPath(leaf, index, size, path);
  return computed !== null && bytesEqual(computed, root);
}
