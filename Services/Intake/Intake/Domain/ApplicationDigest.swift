public import Messages

/// The digest in an ``ApplicationReceipt``: SHA-256 over the canonical JSON of what was
/// received — `{challenge, commitment, orgNumber, publicPart, vaultRef, version}` — so the
/// startup and the municipality can both prove later what was submitted, and when.
///
/// The confidential part enters only as its commitment and reference.
public enum ApplicationDigest {
    struct Received: Encodable {
        var challenge: ChallengeID
        var orgNumber: OrgNumber
        var publicPart: ApplicationPublicPart
        var commitment: SaltedDigest
        var vaultRef: VaultRef
        var version: Int
    }

    public static func compute(
        challenge: ChallengeID, orgNumber: OrgNumber, publicPart: ApplicationPublicPart,
        commitment: SaltedDigest, vaultRef: VaultRef, version: Int
    ) throws -> Digest {
        let received = Received(challenge: challenge, orgNumber: orgNumber, publicPart: publicPart, commitment: commitment, vaultRef: vaultRef, version: version)
        return Digest.sha256(try CanonicalJSON.encode(received))
    }
}
