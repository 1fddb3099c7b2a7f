import VecheReport
import VecheStore

/// Renders protocol documents from the store for `GET /v1/meetings/{id}/protocol`.
enum ProtocolRendering {
    /// The protocol of `meeting` in `format` (html, md, json, csv), from the store's entries
    /// and its latest checkpoint.
    @Sendable static func render(meeting: String, format: String, store: LedgerStore) throws -> (contentType: String, body: [UInt8]) {
        guard let format = ProtocolFormat(rawValue: format) else {
            throw StoreError(.invalidArgument, "format must be html, md, json or csv")
        }
        let checkpoint = store.latestCheckpoint.text
        let entries = try store.meetingEntries(meeting)
        let input: ProtocolInput
        do {
            input = try ProtocolInput(meeting: meeting, entries: entries, checkpoint: checkpoint)
        } catch {
            throw StoreError(error.code == .meetingNotFound ? .notFound : .corrupt, "cannot build the protocol: \(error)")
        }
        return (format.mediaType, ProtocolRenderer.render(input, as: format))
    }
}
