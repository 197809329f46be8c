public import Messages

/// Derives the Open Contracting (OCDS 1.1) record package of a challenge from its record
/// entries, for publication.
///
/// Only public information leaves: the published terms and amendments, the names of the
/// applicants (tenderers) once `intake.closed` opens them, the awards and the signed
/// contracts. Vault references, commitments, scores, evaluators, reasons given to individual
/// startups, pilots and the dialogue stay out. Pure: the same entries give the same package.
///
/// Releases, oldest first, one per event that changes public information:
///
/// | event | tags |
/// |---|---|
/// | `challenge.published` | tender |
/// | `challenge.amended` | tenderAmendment |
/// | `intake.closed` | tenderUpdate (tenderers) |
/// | `award.decided` | award, tenderUpdate (awards pending) |
/// | `standstill.ended` | awardUpdate (awards active) |
/// | `agreement.signed` | contract |
/// | `dialogue.ended_without_agreement` after an award | awardCancellation |
///
/// Each release carries whole sections (tender, awards, contracts, parties) as they stand
/// after its event, so merging the releases by the OCDS rules gives the compiled release.
/// Release ids are the event ids; the compiled release's id is `<ocid>-<latest date>`.
public enum OCDSExporter {
    /// The OCDS extensions the package uses: lots, and the award criteria breakdown that
    /// carries the criteria weights as numbers.
    public static let extensions = [
        "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/master/extension.json",
        "https://raw.githubusercontent.com/open-contracting-extensions/ocds_awardCriteriaBreakdown_extension/master/extension.json",
    ]

    /// - Parameters:
    ///   - challenge: The challenge; entries of other challenges are ignored.
    ///   - entries: The challenge's entries in log order. Without its `challenge.published`
    ///     entry there is nothing to publish and the record has no releases, which OCDS does
    ///     not allow: answer `not_found` before calling.
    ///   - ocidPrefix: The publisher's registered prefix, e.g. `ocds-abc123`; the ocid is
    ///     `<ocidPrefix>-<challenge id>`.
    ///   - publisher: The publishing organisation's name.
    ///   - publishedAt: The package's `publishedDate`.
    ///   - uri: The package's URI; by default a URN naming the ocid and the last entry index,
    ///     so a package of a later state of the record has another URI.
    public static func recordPackage(challenge: ChallengeID, entries: [RecordEntry], ocidPrefix: String, publisher: String, publishedAt: Timestamp, uri: String? = nil) -> OCDSRecordPackage {
        let ocid = "\(ocidPrefix)-\(challenge)"
        var process = OCDSProcess(ocid: ocid, challenge: challenge)
        var releases: [OCDSRelease] = []
        var lastIndex: Int64?
        for entry in entries where entry.event.challenge == challenge {
            lastIndex = entry.index
            if let release = process.apply(entry.event) { releases.append(release) }
        }
        // OCDS wants releases in date order; clocks of different services may disagree with
        // the log order, which breaks ties.
        releases = releases.enumerated().sorted { ($0.element.date, $0.offset) < ($1.element.date, $1.offset) }.map(\.element)
        let compiled = process.compiledRelease(date: releases.last?.date ?? publishedAt)
        return OCDSRecordPackage(
            uri: uri ?? "urn:x-tenderdialogue:ocds:\(ocid):\(lastIndex.map(String.init) ?? "empty")",
            extensions: extensions,
            publishedDate: publishedAt,
            publisher: OCDSPublisher(name: publisher),
            records: [OCDSRecord(ocid: ocid, releases: releases, compiledRelease: compiled)])
    }
}
