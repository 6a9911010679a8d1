import AccordCore

/// The leaf encoding of an audit record: RFC 8785 canonical JSON of the record plus its
/// schema version `v` and its own leaf `index`. Holding the index inside the signed leaf lets
/// `verify` name exactly which leaf was moved when rows are reordered.
public struct AuditLeaf: Sendable, Equatable {
    public static let schemaVersion: Int64 = 1

    public let index: UInt64
    public let record: AuditRecord
    public let bytes: [UInt8]

    public init(index: UInt64, record: AuditRecord) throws(AuditError) {
        self.index = index
        self.record = record
        self.bytes = try LeafEncoder.encode(index: index, record: record)
    }

    /// Decodes a stored leaf, refusing anything that is not canonical or not of this schema.
    public init(bytes: [UInt8]) throws(AuditError) {
        let value = try CanonicalText.decode(bytes)
        guard case .object(let members) = value else { throw AuditError(.invalidRecord, "an audit leaf is a JSON object") }
        var reader = MemberReader(members: members)
        guard try reader.integer("v") == Self.schemaVersion else {
            throw AuditError(.invalidRecord, "unknown audit leaf schema version")
        }
        let index = try reader.integer("index")
        guard index >= 0 else { throw AuditError(.invalidRecord, "leaf index is negative") }
        let eventName = try reader.string("event")
        guard let event = AuditEvent(rawValue: eventName) else { throw AuditError(.invalidRecord, "unknown event '\(eventName)'") }
        let timeText = try reader.string("time")
        guard let time = AuditTime.parse(timeText) else { throw AuditError(.invalidRecord, "time '\(timeText)' is not RFC 3339 UTC with milliseconds") }
        var agreement: AgreementReference?
        if let object = try reader.optionalObject("agreement") {
            var inner = MemberReader(members: object)
            agreement = AgreementReference(id: AgreementID(try inner.string("id")), versionDigest: try inner.string("version_digest"))
            try inner.finish("agreement")
        }
        let subjects = try reader.objects("subjects").map { (object: [String: JSONValue]) throws(AuditError) -> SubjectHash in
            var inner = MemberReader(members: object)
            let subject = SubjectHash(type: try inner.string("type"), hmac: try inner.string("hmac"))
            try inner.finish("subject")
            return subject
        }
        let record = AuditRecord(
            event: event, time: AuditTime.date(milliseconds: time), actor: try reader.string("actor"),
            messageID: try reader.optionalString("message_id").map(MessageID.init(rawValue:)),
            deliveryID: try reader.optionalString("delivery_id").map(DeliveryID.init(rawValue:)),
            from: try reader.optionalString("from").map(AgencyID.init(rawValue:)), to: try reader.strings("to").map(AgencyID.init(rawValue:)),
            agreement: agreement,
            disclosed: try reader.strings("disclosed"), withheld: try reader.strings("withheld"),
            reason: try reader.optionalString("reason"), submissionDigest: try reader.optionalString("submission_digest"),
            subjects: subjects, details: try reader.stringMap("details")
        )
        try reader.finish("leaf")
        self.index = UInt64(index)
        self.record = record
        self.bytes = bytes
    }

    static func json(index: UInt64, record: AuditRecord) -> JSONValue {
        var members: [String: JSONValue] = [
            "v": .integer(schemaVersion),
            "index": .integer(Int64(index)),
            "event": .string(record.event.rawValue),
            "time": .string(AuditTime.format(milliseconds: record.timeMilliseconds)),
            "actor": .string(record.actor),
        ]
        func put(_ key: String, _ value: String?) { if let value { members[key] = .string(value) } }
        func put(_ key: String, _ values: [String]) { if !values.isEmpty { members[key] = .array(values.map(JSONValue.string)) } }
        put("message_id", record.messageID?.rawValue)
        put("delivery_id", record.deliveryID?.rawValue)
        put("from", record.from?.rawValue)
        put("to", record.to.map(\.rawValue))
        put("disclosed", record.disclosed)
        put("withheld", record.withheld)
        put("reason", record.reason)
        put("submission_digest", record.submissionDigest)
        if let agreement = record.agreement {
            members["agreement"] = .object(["id": .string(agreement.id.rawValue), "version_digest": .string(agreement.versionDigest)])
        }
        if !record.subjects.isEmpty {
            members["subjects"] = .array(record.subjects.map { .object(["type": .string($0.type), "hmac": .string($0.hmac)]) })
        }
        if !record.details.isEmpty {
            members["details"] = .object(record.details.mapValues(JSONValue.string))
        }
        return .object(members)
    }
}
