public import VecheCrypto

/// RFC 9162 §2.1 hashing and proof verification; needs no storage.
///
/// Verification is written against the RFC's step lists (§2.1.3.2, §2.1.4.2) so an
/// auditor can compare them line by line. Verifiers take hostile input: every
/// function returns `false` for anything malformed and never traps.
public enum Merkle {
    /// Hash length in bytes (SHA-256).
    public static let hashByteCount = 32

    /// The root of the empty tree: SHA-256 of the empty string (RFC 9162 §2.1.1).
    public static let emptyRoot: [UInt8] = SHA256.hash([UInt8]())

    /// The leaf hash SHA-256(0x00 ‖ data); a ledger passes the canonical entry bytes.
    public static func leafHash(_ data: some ContiguousBytes) -> [UInt8] {
        var hasher = SHA256()
        hasher.update([UInt8(0x00)])
        hasher.update(data)
        return hasher.finalize()
    }

    /// The interior node hash SHA-256(0x01 ‖ left ‖ right).
    public static func nodeHash(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update([UInt8(0x01)])
        hasher.update(left)
        hasher.update(right)
        return hasher.finalize()
    }

    /// Whether `proof` shows the leaf `leafHash` at `index` in the tree of `size` with `root`
    /// (RFC 9162 §2.1.3.2).
    public static func verifyInclusion(
        leafHash: [UInt8], index: Int, size: Int, proof: [[UInt8]], root: [UInt8]
    ) -> Bool {
        guard leafHash.count == hashByteCount, root.count == hashByteCount,
            proof.allSatisfy({ $0.count == hashByteCount })
        else { return false }
        // Step 1: leaf_index ≥ tree_size fails (negative values are no index at all).
        guard index >= 0, size > 0, index < size else { return false }
        // Step 2.
        var fn = index
        var sn = size - 1
        // Step 3.
        var r = leafHash
        // Step 4.
        for p in proof {
            // 4a.
            if sn == 0 { return false }
            // 4b.
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = nodeHash(r, p)
            }
            // 4c.
            fn >>= 1
            sn >>= 1
        }
        // Step 5.
        return sn == 0 && r == root
    }

    /// Whether `proof` shows the tree of `oldSize` with `oldRoot` is a prefix of the tree of
    /// `newSize` with `newRoot` (RFC 9162 §2.1.4.2).
    ///
    /// The RFC defines the check for 0 < old < new. For old = new we accept exactly an
    /// empty proof with equal roots (WIRE.md: "from = to gives an empty path"); an empty
    /// old tree is outside both and refused.
    public static func verifyConsistency(
        oldSize: Int, newSize: Int, oldRoot: [UInt8], newRoot: [UInt8], proof: [[UInt8]]
    ) -> Bool {
        guard oldRoot.count == hashByteCount, newRoot.count == hashByteCount,
            proof.allSatisfy({ $0.count == hashByteCount })
        else { return false }
        guard oldSize > 0, oldSize <= newSize else { return false }
        if oldSize == newSize { return proof.isEmpty && oldRoot == newRoot }
        // Step 1.
        if proof.isEmpty { return false }
        // Step 2: a power-of-two old tree is itself a node of the new tree, so its root
        // is the proof's implicit first element.
        var path = proof
        if oldSize & (oldSize - 1) == 0 { path.insert(oldRoot, at: 0) }
        // Step 3.
        var fn = oldSize - 1
        var sn = newSize - 1
        // Step 4.
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        // Step 5.
        var fr = path[0]
        var sr = path[0]
        // Step 6.
        for c in path.dropFirst() {
            // 6a.
            if sn == 0 { return false }
            // 6b.
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr)
                sr = nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = nodeHash(sr, c)
            }
            // 6c.
            fn >>= 1
            sn >>= 1
        }
        // Step 7.
        return fr == oldRoot && sr == newRoot && sn == 0
    }
}
