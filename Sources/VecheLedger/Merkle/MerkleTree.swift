/// Roots and proofs (RFC 9162 §2.1) for any tree size, read from stored complete subtrees.
///
/// Every RFC 9162 subtree D[a:b] is either complete — a stored node — or splits into a
/// complete left part and a smaller right part. Walking down to a leaf (inclusion) or to
/// the old tree's edge (consistency), each step's sibling is one stored node, except at
/// most once: the first time the walk turns left off the tree's ragged right edge, the
/// sibling is that edge, assembled from its ≤ log n complete parts. So each request reads
/// O(log n) nodes, in one `nodes(_:)` batch, and never touches the log itself.
public enum MerkleTree {
    /// The root of the first `size` leaves (`Merkle.emptyRoot` for 0).
    public static func root(size: Int, in source: some MerkleNodeSource) throws -> [UInt8] {
        guard size >= 0 else { throw MerkleError(.invalidArgument, field: "size", "must not be negative, got \(size)") }
        if size == 0 { return Merkle.emptyRoot }
        return try resolve([Span(start: 0, count: size)], in: source)[0]
    }

    /// The inclusion proof of leaf `index` in the tree of `size` (RFC 9162 §2.1.3.1
    /// PATH), the leaf's sibling first.
    public static func inclusionProof(index: Int, size: Int, in source: some MerkleNodeSource) throws -> [[UInt8]] {
        guard size > 0 else { throw MerkleError(.invalidArgument, field: "size", "must be at least 1, got \(size)") }
        guard index >= 0, index < size else {
            throw MerkleError(.invalidArgument, field: "index", "must satisfy 0 ≤ index < size = \(size), got \(index)")
        }
        // Walk from the root down to the leaf, noting each sibling; the RFC lists them
        // from the leaf up.
        var siblings: [Span] = []
        var start = 0
        var count = size
        var m = index
        while count > 1 {
            let k = splitPoint(count)
            if m < k {
                siblings.append(Span(start: start + k, count: count - k))
                count = k
            } else {
                siblings.append(Span(start: start, count: k))
                start += k
                m -= k
                count -= k
            }
        }
        return try resolve(siblings.reversed(), in: source)
    }

    /// The consistency proof from the tree of `from` leaves to the tree of `to` leaves
    /// (RFC 9162 §2.1.4.1 PROOF); empty when they are equal.
    public static func consistencyProof(from: Int, to: Int, in source: some MerkleNodeSource) throws -> [[UInt8]] {
        guard from >= 1 else { throw MerkleError(.invalidArgument, field: "from", "must be at least 1, got \(from)") }
        guard to >= from else {
            throw MerkleError(.invalidArgument, field: "to", "must be at least from = \(from), got \(to)")
        }
        // SUBPROOF(m, D[start:start+count], b), unrolled: each step appends one sibling
        // after the recursive part, so collecting top-down and reversing gives RFC order.
        var parts: [Span] = []
        var start = 0
        var count = to
        var m = from
        var isWholeOldTree = true
        while m != count {
            let k = splitPoint(count)
            if m <= k {
                parts.append(Span(start: start + k, count: count - k))
                count = k
            } else {
                parts.append(Span(start: start, count: k))
                start += k
                m -= k
                count -= k
                isWholeOldTree = false
            }
        }
        // SUBPROOF(m, D[m], false) = {MTH(D[m])}: the old tree's last complete piece.
        if !isWholeOldTree { parts.append(Span(start: start, count: count)) }
        return try resolve(parts.reversed(), in: source)
    }

    /// The largest power of two strictly smaller than `n` (n ≥ 2): RFC 9162's split.
    static func splitPoint(_ n: Int) -> Int {
        precondition(n >= 2)
        return 1 << (Int.bitWidth - 1 - (n - 1).leadingZeroBitCount)
    }

    /// Leaves [start, start + count) of an RFC 9162 subtree: `start` is a multiple of the
    /// largest power of two ≤ `count`, which every subtree the recursion produces is.
    struct Span {
        let start: Int
        let count: Int

        /// The complete subtrees this span splits into, largest (leftmost) first.
        var parts: [MerkleNodeID] {
            var ids: [MerkleNodeID] = []
            var position = start
            var remaining = count
            while remaining > 0 {
                let level = Int.bitWidth - 1 - remaining.leadingZeroBitCount
                ids.append(MerkleNodeID(level: level, index: position >> level))
                position += 1 << level
                remaining -= 1 << level
            }
            return ids
        }
    }

    /// The hashes of `spans`, reading all their parts in one batch.
    static func resolve(_ spans: [Span], in source: some MerkleNodeSource) throws -> [[UInt8]] {
        // Spans whose hash the source already holds need none of their parts.
        let known = spans.map { $0.count & ($0.count - 1) == 0 ? nil : source.spanHash(start: $0.start, count: $0.count) }
        let partsPerSpan = zip(spans, known).map { span, hash in hash == nil ? span.parts : [] }
        let ids = partsPerSpan.flatMap { $0 }
        let hashes = try source.nodes(ids)
        guard hashes.count == ids.count else {
            throw MerkleError(.corruptNode, field: "nodes", "storage returned \(hashes.count) hashes for \(ids.count) nodes")
        }
        for (id, hash) in zip(ids, hashes) where hash.count != Merkle.hashByteCount {
            throw MerkleError(.corruptNode, field: "node \(id)", "stored hash is \(hash.count) bytes, not 32")
        }
        var results: [[UInt8]] = []
        results.reserveCapacity(spans.count)
        var offset = 0
        for (parts, knownHash) in zip(partsPerSpan, known) {
            if let knownHash {
                guard knownHash.count == Merkle.hashByteCount else {
                    throw MerkleError(.corruptNode, field: "span", "a known span hash is \(knownHash.count) bytes, not 32")
                }
                results.append(knownHash)
                continue
            }
            // MTH of a span = its complete parts folded from the right (RFC 9162 §2.1.1
            // applied along the ragged edge).
            let slice = hashes[offset..<(offset + parts.count)]
            offset += parts.count
            var hash = slice.last!
            for left in slice.dropLast().reversed() { hash = Merkle.nodeHash(left, hash) }
            results.append(hash)
        }
        return results
    }
}
