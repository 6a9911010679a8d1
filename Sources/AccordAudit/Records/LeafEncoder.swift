import AccordCore

/// Writes the canonical leaf text of a record directly, members in RFC 8785 order, without
/// building a `JSONValue`: the writer encodes every leaf, so this is on its hot path.
/// INVARIANT: the output equals `CanonicalJSON.encode(AuditLeaf.json(index:record:))`
/// byte for byte (tested); the member names below are ASCII, listed in sorted order.
enum LeafEncoder {
    static func encode(index: UInt64, record: AuditRecord) throws(AuditError) -> [UInt8] {
        try UnindexedLeaf(record).bytes(index: index)
    }

    /// The leaf text of `record` around its index: everything before the index's digits and
    /// everything after them. Only the index depends on the log's state, so the rest is
    /// written by whoever makes the record, and the single writer only splices the digits in.
    static func parts(_ record: AuditRecord) -> (head: [UInt8], tail: [UInt8]) {
        var output: [UInt8] = []
        output.reserveCapacity(512)
        var first = true
        func key(_ name: StaticString) {
            output.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            output.append(UInt8(ascii: "\""))
            name.withUTF8Buffer { output.append(contentsOf: $0) }
            output.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        }
        func string(_ name: StaticString, _ value: String?) {
            guard let value else { return }
            key(name)
            CanonicalJSON.writeString(value, into: &output)
        }
        func strings<Value>(_ name: StaticString, _ values: [Value], _ text: (Value) -> String) {
            guard !values.isEmpty else { return }
            key(name)
            output.append(UInt8(ascii: "["))
            for (position, value) in values.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                CanonicalJSON.writeString(text(value), into: &output)
            }
            output.append(UInt8(ascii: "]"))
        }

        string("actor", record.actor)
        if let agreement = record.agreement {
            key("agreement")
            output.append(contentsOf: "{\"id\":".utf8)
            CanonicalJSON.writeString(agreement.id.rawValue, into: &output)
            output.append(contentsOf: ",\"version_digest\":".utf8)
            CanonicalJSON.writeString(agreement.versionDigest, into: &output)
            output.append(UInt8(ascii: "}"))
        }
        string("delivery_id", record.deliveryID?.rawValue)
        if !record.details.isEmpty {
            key("details")
            output.append(UInt8(ascii: "{"))
            let names = record.details.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
            for (position, name) in names.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                CanonicalJSON.writeString(name, into: &output)
                output.append(UInt8(ascii: ":"))
                CanonicalJSON.writeString(record.details[name]!, into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
        strings("disclosed", record.disclosed) { $0 }
        string("event", record.event.rawValue)
        string("from", record.from?.rawValue)
        key("index")
        let split = output.count
        string("message_id", record.messageID?.rawValue)
        string("reason", record.reason)
        if !record.subjects.isEmpty {
            key("subjects")
            output.append(UInt8(ascii: "["))
            for (position, subject) in record.subjects.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                output.append(contentsOf: "{\"hmac\":".utf8)
                CanonicalJSON.writeString(subject.hmac, into: &output)
                output.append(contentsOf: ",\"type\":".utf8)
                CanonicalJSON.writeString(subject.type, into: &output)
                output.append(UInt8(ascii: "}"))
            }
            output.append(UInt8(ascii: "]"))
        }
        string("submission_digest", record.submissionDigest)
        key("time")
        output.append(UInt8(ascii: "\""))
        AuditTime.write(milliseconds: record.timeMilliseconds, into: &output)
        output.append(UInt8(ascii: "\""))
        strings("to", record.to) { $0.rawValue }
        key("v")
        output.append(contentsOf: String(AuditLeaf.schemaVersion).utf8)
        strings("withheld", record.withheld) { $0 }
        output.append(UInt8(ascii: "}"))
        return (Array(output[..<split]), Array(output[split...]))
    }
}
