import VecheStore

/// Renders protocol documents for the server and the CLI (filled in by VecheReport).
enum ProtocolRendering {
    @Sendable static func render(meeting: String, format: String, store: LedgerStore) throws -> (contentType: String, body: [UInt8]) {
        throw StoreError(.notFound, "protocol rendering is not available in this build")
    }
}
