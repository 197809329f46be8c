import Foundation
import Logging
import Messages
import RPC
import ServiceKit

extension VaultHandlers {
    /// After a rotation: rewraps every live data key not under the ring's current KEK, each
    /// in its own transaction. Content is neither decrypted nor changed; only the wrapping
    /// of each data key moves. Safe to repeat, and to run beside deposits, opens and shreds.
    func rewrap(context: CallContext) async throws -> RewrapResponse {
        let (store, ring, logger) = (store, ring, context.logger)
        var rewrapped = 0
        for (owner, challenge) in try await store.dataKeys(notWrappedWith: ring.current) {
            let done = try await store.database.transaction { tx in
                guard let row = try await store.dataKey(owner: owner, challenge: challenge, lock: .update, on: tx),
                      let old = row.wrappedKey, old.kekVersion != ring.current
                else { return false }
                _ = try self.unwrap(old, logger: logger)
                let new = try Envelope.rewrap(old, ring: ring)
                return try await store.replaceWrapping(of: old, with: new, challenge: challenge, on: tx)
            }
            if done { rewrapped += 1 }
        }
        logger.notice("rewrapped data keys", metadata: ["rewrapped": .stringConvertible(rewrapped), "kek_version": .stringConvertible(ring.current)])
        return RewrapResponse(currentKeyVersion: ring.current, rewrapped: rewrapped)
    }
}
