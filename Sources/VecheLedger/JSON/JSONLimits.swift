/// Bounds the canonical JSON parser enforces, so hostile input cannot exhaust memory or stack.
public struct JSONLimits: Sendable, Hashable {
    /// Largest document, in bytes (WIRE.md: bodies over 1 MiB are refused).
    public var maxDocumentBytes: Int
    /// Deepest nesting of objects and arrays; the outermost container is depth 1.
    public var maxDepth: Int
    /// Longest string (keys included), counted in UTF-8 bytes after unescaping.
    public var maxStringBytes: Int
    /// Most members of one object or elements of one array.
    public var maxContainerCount: Int
    /// Whether `null` is accepted. Signed and hashed JSON never holds `null`; only tools that
    /// read Veche's own responses (which may say `null`) turn this on.
    public var allowsNull: Bool

    /// Limits with the given bounds; the defaults are those of `JSONLimits.default`.
    public init(
        maxDocumentBytes: Int = 1 << 20,
        maxDepth: Int = 32,
        maxStringBytes: Int = 64 * 1024,
        maxContainerCount: Int = 10_000,
        allowsNull: Bool = false
    ) {
        self.maxDocumentBytes = maxDocumentBytes
        self.maxDepth = maxDepth
        self.maxStringBytes = maxStringBytes
        self.maxContainerCount = maxContainerCount
        self.allowsNull = allowsNull
    }

    /// 1 MiB, depth 32, 64 KiB strings, 10 000 members per container, no `null`.
    public static let `default` = JSONLimits()
}
