import AccordCore
public import AccordCrypto
public import AccordPolicy
import Foundation

/// Builds the trust store a gateway runs on from its registry: each agency's `ca:` (or the
/// gateway's own `ca.pem`) becomes a trust anchor bound to that agency, the operator CA one bound
/// to operators, and nothing else is trusted for anyone (docs/operations.md, "Agencies and
/// their CAs"). CRLs are read from the certificates directory and from beside each named CA.
public enum RegistryTrust {
    /// The CA an entry without `ca:` uses: the gateway's own.
    public static let defaultCA = "ca.pem"

    /// The stable codes of problems with a named CA file, checked where the files are.
    public enum Check: String, Sendable, CaseIterable {
        case missingCAFile = "missing-ca-file"
        case unreadableCA = "unreadable-ca"
        case notACA = "not-a-ca"
    }

    /// Why the trust could not be built: every problem, located where it was written.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let problems: [String]
        public var description: String { problems.joined(separator: "\n") }
    }

    public static func load(
        certificatesDirectory: String, agencies: some Collection<Agency>, operatorCA: String = defaultCA,
        gateways: [PartnerGateway] = [], acceptsLapsedCRLs: Bool = false
    ) throws(Failure) -> TrustStore {
        let base = URL(fileURLWithPath: certificatesDirectory)
        var problems: [String] = []
        var loaded: [String: [Certificate]] = [:]

        func authorities(_ file: String, location: SourceLocation?, what: String) -> [Certificate] {
            if let cached = loaded[file] { return cached }
            let path = base.appendingPathComponent(file).path
            let place = location.map { "\($0): " } ?? ""
            guard FileManager.default.fileExists(atPath: path) else {
                problems.append("\(place)\(what): CA file \(path) does not exist [\(Check.missingCAFile.rawValue)]")
                return []
            }
            let certificates: [Certificate]
            do { certificates = try Certificate.all(pemFile: path) } catch {
                problems.append("\(place)\(what): CA file \(path) cannot be read: \(error.message) [\(Check.unreadableCA.rawValue)]")
                return []
            }
            guard !certificates.isEmpty else {
                problems.append("\(place)\(what): CA file \(path) holds no PEM certificate [\(Check.unreadableCA.rawValue)]")
                return []
            }
            let authorities = certificates.filter(\.isCertificateAuthority)
            guard authorities.count == certificates.count else {
                problems.append("\(place)\(what): \(path) holds a certificate that is not a CA (basicConstraints cA is not set) [\(Check.notACA.rawValue)]")
                return []
            }
            loaded[file] = authorities
            return authorities
        }

        var bound: [String: [Certificate]] = [:]
        for agency in agencies.sorted(by: { $0.id < $1.id }) {
            bound[agency.id.rawValue] = authorities(agency.issuingCA ?? defaultCA, location: agency.issuingCALocation,
                                           what: "agency '\(agency.id)'")
        }
        let operators = authorities(operatorCA, location: nil, what: "console.operator_ca")
        // A partner's CA becomes an anchor of our listeners bound to its gateway identity only:
        // it speaks for no agency here unless an agency entry names it too.
        var partners: [String: [Certificate]] = [:]
        for partner in gateways.sorted(by: { $0.id < $1.id }) {
            partners[partner.id] = authorities(partner.issuingCA, location: partner.issuingCALocation, what: "partner gateway '\(partner.id)'")
        }
        guard problems.isEmpty else { throw Failure(problems: problems) }

        var anchors: [Certificate] = []
        for certificate in loaded.values.flatMap({ $0 }) where !anchors.contains(certificate) {
            anchors.append(certificate)
        }
        let material = revocationMaterial(certificatesDirectory: certificatesDirectory, besides: loaded.keys)
        problems += material.problems
        let lists = material.lists
        // Other CA certificates only help complete a chain; they trust no one.
        let intermediates = material.authorities.filter { !anchors.contains($0) }
        guard problems.isEmpty else { throw Failure(problems: problems) }
        do {
            return try TrustStore(anchors: anchors, intermediates: intermediates, revocationLists: lists,
                                  bindings: IssuerBindings(agencies: bound, operators: operators, gateways: partners), acceptsLapsedCRLs: acceptsLapsedCRLs)
        } catch {
            throw Failure(problems: ["\(certificatesDirectory): \(error)"])
        }
    }

    /// The CRLs, and any CA certificates, at the top of the certificates directory and beside
    /// each of `caFiles` (paths under it): where the gateway looks for revocation lists, for
    /// its listeners and for the agency servers it pushes to.
    public static func revocationMaterial(
        certificatesDirectory: String, besides caFiles: some Collection<String>
    ) -> (lists: [CertificateRevocationList], authorities: [Certificate], problems: [String]) {
        let base = URL(fileURLWithPath: certificatesDirectory)
        var lists: [CertificateRevocationList] = []
        var authorities: [Certificate] = []
        var problems: [String] = []
        let folders = Set([""] + caFiles.map { ($0 as NSString).deletingLastPathComponent })
        for folder in folders.sorted() {
            let directory = folder.isEmpty ? base : base.appendingPathComponent(folder)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?.sorted() ?? []
            for name in names where name.hasSuffix(".crl") || name.hasSuffix(".pem") || name.hasSuffix(".crt") {
                let path = directory.appendingPathComponent(name).path
                guard let text = try? String(contentsOfFile: path, encoding: .utf8), !text.contains("PRIVATE KEY") else { continue }
                do {
                    lists += try CertificateRevocationList.all(pem: text)
                    authorities += try Certificate.all(pem: text).filter(\.isCertificateAuthority)
                } catch {
                    problems.append("\(path): \(error.message)")
                }
            }
        }
        return (lists, authorities, problems)
    }
}
