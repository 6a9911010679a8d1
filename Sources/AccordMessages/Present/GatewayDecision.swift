import AccordCore

/// Accord's decision record, carried in the key-binding JWT as the `accord` claim so that a
/// recipient can show under which agreement, and with which audit entry, the gateway
/// forwarded the message, and which claim paths it withheld.
public struct GatewayDecision: Sendable, Equatable {
    /// `accord.agreement`: the agreement id.
    public var agreementID: String
    /// `accord.agreement_digest`: identifies the exact version of the agreement in force
    /// (base64url SHA-256 of its canonical text, as the policy engine computes it).
    public var agreementDigest: String
    /// `accord.audit_leaf`: index of the audit-log leaf recording this delivery.
    public var auditLeafIndex: Int
    /// `accord.withheld`: the claim paths removed from this presentation, sorted.
    public var withheldPaths: [String]
    /// `accord.handling`: the flow's handling code (H0–H3), what the recipient may do with what
    /// it receives. Absent only from deliveries accepted before the gateway recorded it.
    public var handling: String?
    /// `accord.checkpoint_size`: the size of the latest checkpoint the gateway had signed when
    /// it bound the presentation. It covers `audit_leaf` when larger; otherwise the next one
    /// will (docs/audit.md, "Evidence in every answer").
    public var checkpointSize: Int?

    public init(agreementID: String, agreementDigest: String, auditLeafIndex: Int, withheldPaths: [String], handling: String? = nil,
                checkpointSize: Int? = nil) {
        self.agreementID = agreementID
        self.agreementDigest = agreementDigest
        self.auditLeafIndex = auditLeafIndex
        self.withheldPaths = withheldPaths
        self.handling = handling
        self.checkpointSize = checkpointSize
    }

    var json: JSONValue {
        var members: [String: JSONValue] = [
            "agreement": .string(agreementID),
            "agreement_digest": .string(agreementDigest),
            "audit_leaf": .integer(auditLeafIndex),
            "withheld": .array(withheldPaths.map { .string($0) }),
        ]
        if let handling { members["handling"] = .string(handling) }
        if let checkpointSize { members["checkpoint_size"] = .integer(checkpointSize) }
        return .object(members)
    }

    init(json: JSONValue) throws(MessageError) {
        guard case .object(let members) = json,
            case .string(let agreement)? = members["agreement"],
            case .string(let digest)? = members["agreement_digest"],
            let leaf = members["audit_leaf"]?.integerValue, leaf >= 0,
            case .array(let withheld)? = members["withheld"]
        else {
            throw MessageError(.keyBindingInvalid, "key-binding JWT claim 'accord' lacks 'agreement', 'agreement_digest', 'audit_leaf' or 'withheld'")
        }
        var paths: [String] = []
        for element in withheld {
            guard case .string(let path) = element else {
                throw MessageError(.keyBindingInvalid, "key-binding JWT claim 'accord.withheld' holds a non-string")
            }
            paths.append(path)
        }
        var handling: String? = nil
        if let value = members["handling"] {
            guard case .string(let code) = value else {
                throw MessageError(.keyBindingInvalid, "key-binding JWT claim 'accord.handling' is not a string")
            }
            handling = code
        }
        var checkpointSize: Int? = nil
        if let value = members["checkpoint_size"] {
            guard let size = value.integerValue, size >= 0 else {
                throw MessageError(.keyBindingInvalid, "key-binding JWT claim 'accord.checkpoint_size' is not a tree size")
            }
            checkpointSize = size
        }
        self.init(agreementID: agreement, agreementDigest: digest, auditLeafIndex: leaf, withheldPaths: paths, handling: handling,
                  checkpointSize: checkpointSize)
    }
}

/// The verified claims of a key-binding JWT.
public struct KeyBindingClaims: Sendable, Equatable {
    public let audience: String
    public let nonce: String
    public let issuedAt: Int
    public let sdHash: String
    /// Accord's decision record, when the holder was an Accord gateway.
    public let decision: GatewayDecision?
}
