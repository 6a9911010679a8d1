import AccordCore

extension SubmissionReceipt {
    /// Why a receipt could not be read, naming the member at fault.
    public struct ReadingError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Reads a receipt as `json` writes it, with the strict parser: what a client does with the
    /// answer to a submission.
    public init(json bytes: [UInt8]) throws(ReadingError) {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch { throw ReadingError(description: "receipt: \(error.reason)") }
        func string(_ value: JSONValue?, _ name: String) throws(ReadingError) -> String {
            guard let text = value?.stringValue else { throw ReadingError(description: "receipt: '\(name)' must be a string") }
            return text
        }
        guard case .object(let members) = value, case .array(let recipients)? = members["recipients"],
              case .bool(let replayed)? = members["replayed"]
        else { throw ReadingError(description: "receipt: expected an object with 'replayed' and 'recipients'") }
        var read: [Recipient] = []
        for (index, recipient) in recipients.enumerated() {
            let name = "recipients[\(index)]"
            guard let withheld = recipient["withheld"]?.arrayValue?.compactMap(\.stringValue) else {
                throw ReadingError(description: "receipt: '\(name).withheld' must be a list of claim paths")
            }
            var auditLeaf: UInt64?
            if let leaf = recipient["audit_leaf"] {
                guard let number = leaf.integerValue, let index = UInt64(exactly: number) else {
                    throw ReadingError(description: "receipt: '\(name).audit_leaf' must be a leaf index")
                }
                auditLeaf = index
            }
            read.append(Recipient(
                recipient: AgencyID(try string(recipient["recipient"], "\(name).recipient")),
                deliveryID: DeliveryID(try string(recipient["delivery_id"], "\(name).delivery_id")),
                status: try string(recipient["status"], "\(name).status"),
                agreement: AgreementID(try string(recipient["agreement"], "\(name).agreement")),
                agreementDigest: try string(recipient["agreement_digest"], "\(name).agreement_digest"),
                withheld: withheld, auditLeaf: auditLeaf))
        }
        var checkpointSize: UInt64?
        if let size = members["checkpoint_size"] {
            guard let number = size.integerValue, let value = UInt64(exactly: number) else {
                throw ReadingError(description: "receipt: 'checkpoint_size' must be a tree size")
            }
            checkpointSize = value
        }
        self.init(messageID: MessageID(try string(members["message_id"], "message_id")), jti: try string(members["jti"], "jti"),
                  replayed: replayed, recipients: read, checkpointSize: checkpointSize)
    }
}
