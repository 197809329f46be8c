import Foundation
import Messages
import RPC

extension RecordsHandlers {
    /// GetProtocol and ExportOCDS: documents derived from a challenge's events.
    func registerPublication(_ router: inout RPCRouter) {
        router.register(RecordsAPI.getProtocol) { request, _ in
            ProtocolBuilder.build(challenge: request.challenge, entries: try await challengeEntries(request.challenge))
        }
        router.register(RecordsAPI.exportOCDS) { request, _ in
            let entries = try await challengeEntries(request.challenge)
            guard entries.contains(where: { $0.event.type == .challengePublished }) else {
                throw RPCError(.notFound, "challenge \(request.challenge) has not been published")
            }
            // Dated by the challenge's latest event, so exporting twice gives the same package.
            return OCDSExporter.recordPackage(
                challenge: request.challenge, entries: entries, ocidPrefix: publication.ocidPrefix,
                publisher: publication.publisher, publishedAt: entries.last?.event.time ?? Timestamp(Date()))
        }
    }

    /// The challenge's entries in log order, up to the latest checkpoint; `not_found` if none.
    func challengeEntries(_ challenge: ChallengeID) async throws -> [RecordEntry] {
        let size = try await log.currentSize()
        let entries = try await log.store.entries(challenge: challenge.rawValue).filter { $0.index < size }.map(Self.entry)
        guard !entries.isEmpty else { throw RPCError(.notFound, "no events for challenge \(challenge)") }
        return entries
    }
}
