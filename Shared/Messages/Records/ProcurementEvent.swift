/// Who did something: the token subject and the role it acted in.
public struct Actor: Codable, Sendable, Hashable {
    public var subject: String
    public var role: Role

    public init(subject: String, role: Role) {
        self.subject = subject
        self.role = role
    }
}

/// One decision or fact of a procurement, as it is appended to the record (DESIGN.md §5).
///
/// On the wire:
///
/// ```json
/// {"actor":{"role":"officer","subject":"kari"},"challenge":"smart-bin-2026",
///  "id":"3f0c…","payload":{"title":"…",…},"time":"2026-03-02T09:00:00.000Z",
///  "type":"challenge.published"}
/// ```
///
/// The record keeps the canonical JSON of this value (``canonicalBytes()``) as the leaf
/// bytes, so anyone can re-hash what they read. `type` is derived from the payload, so an
/// event in memory cannot disagree with itself; decoding picks the payload's shape from
/// `type` and refuses a payload of another shape, and any field it does not know (at the top
/// level or inside the payload), with a `DecodingError` whose coding path names the field —
/// `payload`, `payload.criteria[0].colour`. Refusing unknown fields keeps the record honest:
/// the leaf is the re-encoded event, so a field dropped silently would be one a sender
/// believes recorded but is not.
///
/// Events carry no confidential content: an application is recorded by its salted digest and
/// Vault reference only.
public struct ProcurementEvent: Codable, Sendable, Hashable {
    /// Globally unique; appending the same id twice is a no-op that returns the first index.
    public var id: EventID
    public var challenge: ChallengeID
    public var actor: Actor
    /// When the decision was taken (the emitting service's clock).
    public var time: Timestamp
    public var payload: EventPayload

    /// The kind of event, `<subject>.<verb>` on the wire; always the payload's.
    public var type: EventType { payload.type }

    public init(id: EventID = EventID(), challenge: ChallengeID, actor: Actor, time: Timestamp, payload: EventPayload) {
        self.id = id
        self.challenge = challenge
        self.actor = actor
        self.time = time
        self.payload = payload
    }

    /// The bytes the record hashes: canonical JSON.
    public func canonicalBytes() throws -> [UInt8] {
        Array(try CanonicalJSON.encode(self))
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case id, challenge, actor, time, type, payload
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.id = try container.decode(EventID.self, forKey: .id)
        self.challenge = try container.decode(ChallengeID.self, forKey: .challenge)
        self.actor = try container.decode(Actor.self, forKey: .actor)
        self.time = try container.decode(Timestamp.self, forKey: .time)
        let type = try container.decode(EventType.self, forKey: .type)
        guard container.contains(.payload) else {
            throw DecodingError.keyNotFound(CodingKeys.payload, .init(codingPath: decoder.codingPath, debugDescription: "an event needs a payload"))
        }
        self.payload = try EventPayload(type: type, from: container.superDecoder(forKey: .payload))
        try UnknownFields.refuse(in: decoder, known: CodingKeys.allCases.map(\.stringValue))
        try UnknownFields.refuse(in: container.decode(JSONValue.self, forKey: .payload), decoded: payload, at: decoder.codingPath + [CodingKeys.payload])
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(challenge, forKey: .challenge)
        try container.encode(actor, forKey: .actor)
        try container.encode(time, forKey: .time)
        try container.encode(type, forKey: .type)
        try container.encode(payload, forKey: .payload)
    }
}

/// The kinds of event, named `<subject>.<verb>` on the wire.
public enum EventType: String, Codable, Sendable, Hashable, CaseIterable {
    case challengePublished = "challenge.published"
    case challengeAmended = "challenge.amended"
    case interestRegistered = "interest.registered"
    case questionAnswered = "question.answered"
    case applicationReceived = "application.received"
    case applicationAmended = "application.amended"
    case applicationWithdrawn = "application.withdrawn"
    case applicationRejectedLate = "application.rejected_late"
    case intakeClosed = "intake.closed"
    case panelAssigned = "panel.assigned"
    case impartialityDeclared = "impartiality.declared"
    case evaluatorRecused = "evaluator.recused"
    case evaluatorRemoved = "evaluator.removed"
    case consensusRecorded = "consensus.recorded"
    case scoresFinalised = "scores.finalised"
    case shortlistDecided = "shortlist.decided"
    case dialogueOpened = "dialogue.opened"
    case roundHeld = "round.held"
    case clarificationSent = "clarification.sent"
    case pilotDefined = "pilot.defined"
    case pilotResultRecorded = "pilot.result_recorded"
    case pilotDecided = "pilot.decided"
    case offerReceived = "offer.received"
    case awardDecided = "award.decided"
    case standstillStarted = "standstill.started"
    case standstillEnded = "standstill.ended"
    case complaintRegistered = "complaint.registered"
    case complaintResolved = "complaint.resolved"
    case phaseGateDecided = "phase.gate_decided"
    case agreementSigned = "agreement.signed"
    case dialogueEndedWithoutAgreement = "dialogue.ended_without_agreement"
    case confidentialDataAccessed = "confidential_data.accessed"
    case confidentialDataShredded = "confidential_data.shredded"
}
