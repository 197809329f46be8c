import Foundation
import Messages
import Records
import Testing

@Suite("OCDS export")
struct OCDSTests {
    let story = AcceleratorStory()
    let publishedAt = Timestamp(iso8601: "2026-06-15T12:00:00Z")!

    func export(_ entries: [RecordEntry]? = nil) -> OCDSRecordPackage {
        OCDSExporter.recordPackage(challenge: AcceleratorStory.challenge, entries: entries ?? story.entries, ocidPrefix: "ocds-t3nd3r",
                                   publisher: "Oslo kommune, Næringsetaten", publishedAt: publishedAt)
    }

    var record: OCDSRecord { export().records[0] }
    var compiled: OCDSRelease { record.compiledRelease }

    @Test func packageMetadata() throws {
        let package = export()
        #expect(package.version == "1.1")
        #expect(package.publisher.name == "Oslo kommune, Næringsetaten")
        #expect(package.publishedDate == publishedAt)
        #expect(package.uri == "urn:x-tenderdialogue:ocds:ocds-t3nd3r-smart-mobility-2026:\(story.events.count - 1)")
        #expect(package.extensions == OCDSExporter.extensions)
        #expect(package.records.count == 1)
        #expect(record.ocid == "ocds-t3nd3r-smart-mobility-2026")
        #expect(record.releases.allSatisfy { $0.ocid == record.ocid && $0.initiationType == "tender" })
        // The wire names OCDS requires, with ISO-8601 dates.
        let json = try jsonText(package)
        for key in [#""uri":"#, #""version":"1.1""#, #""publishedDate":"2026-06-15T12:00:00.000Z""#, #""publisher":{"name":"#, #""records":[{"#, #""compiledRelease":{"#, #""releases":[{"#] {
            #expect(json.contains(key))
        }
    }

    @Test func releasesAreTaggedStableAndInDateOrder() {
        let releases = record.releases
        #expect(releases.map(\.tag) == [[.tender], [.tenderAmendment], [.tenderUpdate], [.award, .tenderUpdate], [.awardUpdate], [.contract], [.contract]])
        let byID = Dictionary(uniqueKeysWithValues: story.events.map { ($0.id.rawValue, $0) })
        #expect(Set(releases.map(\.id)).count == releases.count)
        for release in releases {
            #expect(byID[release.id]?.time == release.date)
        }
        #expect(releases.map(\.date) == releases.map(\.date).sorted())
        #expect(compiled.tag == [.compiled])
        #expect(compiled.id == "\(record.ocid)-\(releases.last!.date.iso8601)")
        #expect(export() == export())
    }

    @Test func tenderHasTheTermsAndTheCriteriaWeights() throws {
        let tender = try #require(compiled.tender)
        #expect(tender.id == "smart-mobility-2026")
        #expect(tender.title == "Smarter mobility for the outer districts")
        #expect(tender.description == story.published.summary)
        #expect(tender.status == "complete")
        #expect(tender.value == OCDSValue(amount: Decimal(3_000_000), currency: "NOK"))
        #expect(tender.procurementMethod == "selective")
        #expect(tender.awardCriteria == "ratedCriteria")
        #expect(tender.awardCriteriaDetails?.hasPrefix("Quality of the solution 40 %, Team and capacity 20 %, Climate impact 10 %, Price 30 % (price). Each criterion is scored 0–10") == true)
        #expect(tender.enquiryPeriod == OCDSPeriod(startDate: story.events[0].time, endDate: story.at(14)))
        // The amendment moved the deadline from day 21 to day 28.
        #expect(tender.tenderPeriod == OCDSPeriod(startDate: story.events[0].time, endDate: story.at(28)))
        #expect(tender.amendments?.map(\.id) == ["amendment-1"])
        #expect(tender.amendments?.first?.rationale == "Questions showed the data interface was described unclearly")
        let criteria = try #require(tender.lots?.first?.awardCriteria?.criteria)
        #expect(criteria.map(\.name) == ["Quality of the solution", "Team and capacity", "Climate impact", "Price"])
        #expect(criteria.map(\.type) == ["quality", "quality", "quality", "price"])
        #expect(criteria.flatMap(\.numbers).allSatisfy { $0.weight == "percentageExact" })
        #expect(criteria.flatMap(\.numbers).map(\.number).reduce(0, +) == 100)
        // The first release still shows the tender as published.
        #expect(record.releases[0].tender?.tenderPeriod?.endDate == story.at(21))
        #expect(record.releases[0].tender?.status == "active")
    }

    @Test func partiesHaveTheirRoles() throws {
        let parties = try #require(compiled.parties)
        #expect(compiled.buyer == OCDSOrganizationReference(id: "NO-BRC-958935420", name: "Oslo kommune"))
        #expect(parties.map(\.name) == ["Oslo kommune", "Bysykkel Labs AS", "Fjord Sensor AS", "Nordlys Data AS", "Trikk Analytics AS", "Snø Robotics AS"])
        #expect(parties.map(\.roles) == [["buyer"], ["tenderer", "supplier"], ["tenderer", "supplier"], ["tenderer"], ["tenderer"], ["tenderer"]])
        #expect(parties[1].id == "NO-BRC-920000010")
        #expect(parties[1].identifier == OCDSIdentifier(scheme: "NO-BRC", id: "920000010", legalName: "Bysykkel Labs AS"))
        let tender = try #require(compiled.tender)
        #expect(tender.numberOfTenderers == 5)
        #expect(tender.tenderers?.map(\.id) == parties.dropFirst().map(\.id))
    }

    @Test func awardsAndContractsToTheOre() throws {
        let awards = try #require(compiled.awards)
        #expect(awards.map(\.id) == ["award-dlg-1", "award-dlg-2"])
        #expect(awards.map(\.status) == ["active", "active"])
        #expect(awards.map(\.value) == [OCDSValue(amount: Decimal(string: "1234567.89")!, currency: "NOK"), OCDSValue(amount: Decimal(string: "500000.5")!, currency: "NOK")])
        #expect(awards.map { $0.suppliers?.map(\.name) } == [["Bysykkel Labs AS"], ["Fjord Sensor AS"]])
        // While the standstill runs the awards are pending.
        #expect(record.releases[3].awards?.map(\.status) == ["pending", "pending"])
        let contracts = try #require(compiled.contracts)
        #expect(contracts.map(\.awardID) == awards.map(\.id))
        #expect(contracts.map(\.status) == ["active", "active"])
        #expect(contracts.map(\.value) == awards.map(\.value))
        #expect(contracts.map(\.dateSigned) == story.events.filter { $0.type == .agreementSigned }.map(\.time))
        #expect(contracts[0].milestones?.map(\.title) == ["Development", "Scale-up"])
        #expect(contracts[0].milestones?.map(\.dueDate) == [story.at(180), story.at(365)])
        // On the wire the amounts are exact decimal numbers of kroner.
        let json = try jsonText(export())
        #expect(json.contains(#""value":{"amount":1234567.89,"currency":"NOK"}"#))
        #expect(json.contains(#""value":{"amount":500000.5,"currency":"NOK"}"#))
        #expect(json.contains(#""value":{"amount":3000000,"currency":"NOK"}"#))
        #expect(json.contains("Cost cap NOK 634 567,89"))
        let decoded = try JSONCoding.decoder().decode(OCDSRecordPackage.self, from: Data(json.utf8))
        #expect(decoded == export())
    }

    @Test("øre become exact kroner", arguments: [
        (Int64(0), "0"), (1, "0.01"), (10, "0.1"), (99, "0.99"), (100, "1"), (150_000_050, "1500000.5"),
        (123_456_789, "1234567.89"), (-5, "-0.05"), (Int64.max, "92233720368547758.07"),
    ])
    func oreToKroner(_ ore: Int64, _ text: String) throws {
        let json = try jsonText(OCDSValue(Money(ore: ore)))
        #expect(json == #"{"amount":\#(text),"currency":"NOK"}"#)
    }

    @Test func nothingConfidentialIsPublished() throws {
        let json = try jsonText(export())
        #expect(!story.secrets.isEmpty)
        for secret in story.secrets {
            #expect(!json.contains(secret), "published: \(secret)")
        }
        #expect(!json.lowercased().contains("canary"))
        #expect(!json.contains("vref_"))
        #expect(!json.contains("sha256:"))
        // The applicant that withdrew, and the late one, are no tenderers.
        #expect(!json.contains("Regn AS"))
        #expect(!json.contains("920000061"))
        #expect(!json.contains("920000088"))
    }

    @Test func applicantsStayUnnamedUntilTheDeadline() throws {
        let beforeDeadline = story.entries.prefix { $0.event.type != .intakeClosed }
        let package = export(Array(beforeDeadline))
        let json = try jsonText(package)
        for startup in story.startups {
            #expect(!json.contains(startup.name))
            #expect(!json.contains(startup.org.rawValue))
        }
        #expect(package.records[0].compiledRelease.parties?.map(\.roles) == [["buyer"]])
        #expect(package.records[0].releases.map(\.tag) == [[.tender], [.tenderAmendment]])
    }

    @Test func tenderersComeFromTheOpeningAtTheClosing() throws {
        // The names come from the opening; each must open the seal its receipt was recorded with.
        #expect(compiled.tender?.tenderers?.isEmpty == false)
        let withoutReceipts = story.entries.filter { $0.event.type != .applicationReceived }
        #expect(export(withoutReceipts).records[0].compiledRelease.tender?.tenderers?.isEmpty != false, "an opening no receipt seals is not a tenderer")

        // An opening that does not match its seal (a name changed after the fact) is left out.
        var events = story.events
        let closing = try #require(events.firstIndex { $0.type == .intakeClosed })
        guard case .intakeClosed(var closed) = events[closing].payload else { Issue.record("not a closing"); return }
        let renamed = closed.applicants[0].companyName
        closed.applicants[0].companyName = "Someone Else AS"
        events[closing].payload = .intakeClosed(closed)
        let entries = events.enumerated().map { RecordEntry(index: Int64($0.offset), leaf: "", event: $0.element) }
        let tenderers = try #require(export(entries).records[0].compiledRelease.tender?.tenderers)
        #expect(!tenderers.contains { $0.name == "Someone Else AS" || $0.name == renamed })
        #expect(tenderers.count == (compiled.tender?.tenderers?.count ?? 0) - 1)
    }

    @Test func anAwardWithdrawnBeforeSigningIsCancelled() throws {
        var events = story.events
        events.remove(at: try #require(events.lastIndex { $0.type == .agreementSigned }))
        let fjord = story.startups[1]
        events.append(ProcurementEvent(id: EventID("evt-late-end")!, challenge: AcceleratorStory.challenge, actor: story.officer, time: story.at(93),
                                       payload: .dialogueEndedWithoutAgreement(DialogueEndedWithoutAgreement(dialogue: story.dialogues[1], orgNumber: fjord.org, companyName: fjord.name, reason: "Supplier withdrew"))))
        let entries = events.enumerated().map { RecordEntry(index: Int64($0.offset), leaf: "", event: $0.element) }
        let package = export(entries)
        #expect(package.records[0].releases.last?.tag == [.awardCancellation])
        #expect(package.records[0].compiledRelease.awards?.map(\.status) == ["active", "cancelled"])
        #expect(package.records[0].compiledRelease.contracts?.map(\.id) == ["contract-dlg-1"])
    }

    private func jsonText(_ value: some Encodable) throws -> String {
        String(decoding: try JSONCoding.encoder().encode(value), as: UTF8.self)
    }
}
