/// The agency a certificate speaks for, read from a subject alternative name URI of the form
/// `urn:accord:agency:<id>` (for example `urn:accord:agency:nz.police`). The id is the one in
/// `Agreements/agencies.yaml`. Exactly one such URI is allowed, so that a certificate never
/// speaks for two agencies.
public struct AgencyIdentity: Sendable, Hashable, CustomStringConvertible {
    public static let uriPrefix = "urn:accord:agency:"

    public let agencyID: String

    public init(agencyID: String) {
        self.agencyID = agencyID
    }

    /// The identity in `certificate`, or a rejection saying what is missing.
    public init(certificate: Certificate) throws(CertificateRejection) {
        let ids = certificate.subjectAlternativeURIs
            .filter { $0.hasPrefix(Self.uriPrefix) }
            .map { String($0.dropFirst(Self.uriPrefix.count)) }
        guard ids.count == 1, let id = ids.first, Self.isValid(id) else {
            let found = ids.isEmpty ? "none" : "\(ids.count)"
            throw CertificateRejection(
                .missingAgencyIdentity,
                "certificate \(certificate.subject) must carry exactly one subject alternative name URI \(Self.uriPrefix)<agency-id> (found \(found))"
            )
        }
        self.agencyID = id
    }

    /// The SAN URI value for this identity.
    public var uri: String { Self.uriPrefix + agencyID }

    public var description: String { agencyID }

    /// Agency ids are lower-case dotted names: letters, digits, '.', '-'.
    public static func isValid(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64 && id.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
        }
    }
}
