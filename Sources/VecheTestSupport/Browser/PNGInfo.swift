/// The header facts of a PNG image (signature and IHDR chunk), for screenshot checks.
public struct PNGInfo: Sendable, Equatable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// Bits per sample.
    public let bitDepth: Int
    /// PNG colour type (2 = RGB, 6 = RGBA, …).
    public let colorType: Int

    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Reads the signature and the IHDR chunk that must follow it; nil if they are not there.
    public init?(_ bytes: [UInt8]) {
        guard bytes.count >= 33, Array(bytes[0..<8]) == Self.signature else { return nil }
        func be32(_ offset: Int) -> Int {
            bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
        }
        guard be32(8) == 13, Array(bytes[12..<16]) == Array("IHDR".utf8) else { return nil }
        width = be32(16)
        height = be32(20)
        bitDepth = Int(bytes[24])
        colorType = Int(bytes[25])
        guard width > 0, height > 0 else { return nil }
    }
}
