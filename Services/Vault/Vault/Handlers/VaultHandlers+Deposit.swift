import Crypto
import Foundation
import Logging
import Messages
import RPC
import ServiceKit
import SQLKit

extension VaultHandlers {
    /// Seals a startup's content under its data key for the challenge (made on first use),
    /// stores it with a salted commitment, and returns a signed receipt — one transaction.
    ///
    /// An officer or negotiator deposits for the startup it names (what it writes to it in a
    /// dialogue): under that startup's data key, so the startup's shred covers it too, and
    /// with the author in the stored row and the signed receipt.
    func deposit(_ request: DepositRequest, context: CallContext) async throws -> DepositResponse {
        let principal = try context.requirePrincipal()
        let (owner, author) = try Self.parties(of: request, by: principal)
        let content = try Self.validated(request)
        let ref = VaultRef.random()
        let salt = Self.randomBytes(32)
        let commitment = SaltedDigest(digest: Digest.salted(content, salt: salt), salt: Data(salt).base64EncodedString())
        let now = clock.now()
        let receipt = try receiptSigner.sign(DepositReceipt(
            ref: ref, owner: owner, challenge: request.challenge, field: request.field,
            commitment: commitment, depositedAt: now, keyID: receiptSigner.keyID, author: author))
        let (store, ring, logger) = (store, ring, context.logger)
        try await store.database.transaction { tx in
            try await store.lock(owner: owner, on: tx)
            if try await store.shred(owner: owner, challenge: request.challenge, on: tx) != nil {
                throw RPCError(.failedPrecondition, "this startup's data for the challenge was shredded; nothing more can be deposited")
            }
            let key: SymmetricKey
            let dataKeyVersion: Int
            if let row = try await store.dataKey(owner: owner, challenge: request.challenge, on: tx) {
                guard let wrapped = row.wrappedKey else {
                    throw RPCError(.failedPrecondition, "this startup's data for the challenge was shredded; nothing more can be deposited")
                }
                key = try self.unwrap(wrapped, logger: logger)
                dataKeyVersion = row.dataKeyVersion
            } else {
                dataKeyVersion = try await store.nextDataKeyVersion(owner: owner, on: tx)
                let made = try Envelope.newDataKey(for: owner, version: dataKeyVersion, ring: ring)
                try await store.insert(made.wrapped, challenge: request.challenge, at: now, on: tx)
                key = made.key
            }
            let binding = ContentBinding(owner: owner, ref: ref, field: request.field, dataKeyVersion: dataKeyVersion)
            try await store.insert(VaultStore.DepositRow(
                ref: ref, owner: owner, challenge: request.challenge, field: request.field, mediaType: request.mediaType,
                ciphertext: try Envelope.seal(content, with: key, binding: binding), commitment: commitment,
                dataKeyVersion: dataKeyVersion, depositedAt: now, depositor: principal.subject, author: author), on: tx)
        }
        VaultMetrics.deposited()
        logger.info("deposited", metadata: ["ref": .string(ref.rawValue), "owner": .string(owner.rawValue), "challenge": .string(request.challenge.rawValue)])
        return DepositResponse(ref: ref, commitment: commitment, receipt: receipt)
    }

    /// Whose content a deposit is, and who wrote it when that is not the owner itself.
    ///
    /// A startup deposits its own (`owner` omitted, or its own `org`). An officer or negotiator
    /// must name the owner and becomes the author, in the first of those roles it holds (the
    /// more privileged first, as every service reads a caller holding several).
    /// - Throws: `permission_denied` for a startup naming another owner, or without an `org`
    ///   claim; `invalid_argument` on `owner` when an officer or negotiator names none.
    static func parties(of request: DepositRequest, by principal: Principal) throws(RPCError) -> (owner: OrgNumber, author: Actor?) {
        if principal.has(.startup), let own = principal.organisation, request.owner == nil || request.owner == own {
            return (own, nil)
        }
        guard let role = [Role.officer, .negotiator].first(where: principal.has) else {
            guard request.owner == nil else { throw RPCError(.permissionDenied, "a startup may deposit only its own content") }
            throw RPCError(.permissionDenied, "a deposit needs a startup token with an 'org' claim")
        }
        guard let owner = request.owner else {
            throw RPCError.invalidField("owner", "required: name the startup (organisation number) the content is for")
        }
        return (owner, Actor(subject: principal.subject, role: role))
    }

    /// The content bytes of a well-formed request; otherwise `invalid_argument` naming the
    /// field (and never echoing its value).
    static func validated(_ request: DepositRequest) throws(RPCError) -> Data {
        guard DepositRequest.isValidField(request.field) else {
            throw RPCError.invalidField("field", "must be 1 to 64 of a-z 0-9 - _ .")
        }
        guard (1...100).contains(request.mediaType.utf8.count), request.mediaType.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) else {
            throw RPCError.invalidField("mediaType", "must be 1 to 100 printable ASCII characters")
        }
        // Base64 of the largest content allowed is at most 4·⌈max/3⌉ characters.
        guard request.content.utf8.count <= (VaultAPI.maxContentBytes + 2) / 3 * 4 else {
            throw RPCError.invalidField("content", "must be at most \(VaultAPI.maxContentBytes) bytes")
        }
        guard let content = Data(base64Encoded: request.content) else {
            throw RPCError.invalidField("content", "must be base64")
        }
        guard !content.isEmpty else { throw RPCError.invalidField("content", "must not be empty") }
        guard content.count <= VaultAPI.maxContentBytes else {
            throw RPCError.invalidField("content", "must be at most \(VaultAPI.maxContentBytes) bytes")
        }
        return content
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
