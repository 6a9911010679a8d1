import AccordCrypto
import AccordTestSupport
import Foundation

/// A second CA beside the development one, as a partner agency would bring: it lives under
/// `<certificates>/partners/<name>-ca.pem` and issues TLS and signing certificates for any
/// agency id it is asked to, including ones it was never registered for.
struct PartnerCA {
    let directory: URL
    let name: String
    let certificate: Certificate
    let key: PrivateKey

    /// The `ca:` value that names this CA in agencies.yaml.
    var registryPath: String { "partners/\(name)-ca.pem" }

    init(name: String, certificates: URL) throws {
        self.name = name
        directory = certificates.appendingPathComponent("partners")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        key = try PrivateKey.generate(.es256)
        certificate = try CertificateBuilder(
            commonName: "\(name) Root CA", organization: "\(name) (test partner)", country: "FJ",
            certificateAuthorityPathLength: 0, keyUsage: ["keyCertSign", "cRLSign"]
        ).selfSigned(key: key)
        try certificate.pem().write(to: directory.appendingPathComponent("\(name)-ca.pem"), atomically: true, encoding: .utf8)
    }

    /// Files of one certificate this CA issued, for curl and for signing.
    struct Issued {
        let certificate: Certificate
        let key: PrivateKey
        let certificateFile: URL
        let keyFile: URL
    }

    /// A TLS client certificate (clientAuth) naming `agency`.
    func tlsClient(for agency: String) throws -> Issued {
        try issue(label: "\(agency)-tls", CertificateBuilder(
            commonName: "\(agency) system", organization: "\(name) (test partner)", keyUsage: ["digitalSignature"],
            extendedKeyUsage: ["clientAuth"], alternativeNames: [.uri(AgencyIdentity(agencyID: agency).uri)]))
    }

    /// An operator's TLS client certificate (`urn:accord:operator:<role>:<name>`).
    func operatorClient(role: String, name operatorName: String) throws -> Issued {
        try issue(label: "operator-\(operatorName)", CertificateBuilder(
            commonName: operatorName, organization: "\(name) (test partner)", organizationalUnit: role, keyUsage: ["digitalSignature"],
            extendedKeyUsage: ["clientAuth"], alternativeNames: [.uri("urn:accord:operator:\(role):\(operatorName)")]))
    }

    /// A gateway's push client certificate (`urn:accord:gateway:push`), as a partner gateway
    /// presents when it forwards.
    func gatewayClient() throws -> Issued {
        try issue(label: "gateway-push", CertificateBuilder(
            commonName: "\(name) gateway push", organization: "\(name) (test partner)", keyUsage: ["digitalSignature"],
            extendedKeyUsage: ["clientAuth"], alternativeNames: [.uri("urn:accord:gateway:push")]))
    }

    /// A message-signing certificate (digitalSignature, no extended key usage) naming `agency`.
    func signing(for agency: String) throws -> Issued {
        try issue(label: "\(agency)-signing", CertificateBuilder(
            commonName: "\(agency) message signing", organization: "\(name) (test partner)",
            keyUsage: ["digitalSignature", "nonRepudiation"], alternativeNames: [.uri(AgencyIdentity(agencyID: agency).uri)]))
    }

    private func issue(label: String, _ builder: CertificateBuilder) throws -> Issued {
        let leafKey = try PrivateKey.generate(.es256)
        let leaf = try builder.issued(for: leafKey.publicKey, by: certificate, issuerKey: key)
        let certificateFile = directory.appendingPathComponent("\(label).pem")
        let keyFile = directory.appendingPathComponent("\(label)-key.pem")
        try leaf.pem().write(to: certificateFile, atomically: true, encoding: .utf8)
        try leafKey.pemPKCS8().write(to: keyFile, atomically: true, encoding: .utf8)
        return Issued(certificate: leaf, key: leafKey, certificateFile: certificateFile, keyFile: keyFile)
    }
}

/// A copy of the shipped `Agreements/` in `directory`, with `edit` applied to agencies.yaml.
func agreementsCopy(in directory: URL, editingRegistry edit: (String) -> String) throws -> URL {
    let copy = directory.appendingPathComponent("agreements")
    try FileManager.default.copyItem(at: PackageRoot.url.appendingPathComponent("Agreements"), to: copy)
    let registry = copy.appendingPathComponent("agencies.yaml")
    try edit(String(contentsOf: registry, encoding: .utf8)).write(to: registry, atomically: true, encoding: .utf8)
    return copy
}

/// agencies.yaml text with `ca: <path>` added to the entry of `agency`.
func registry(_ text: String, naming path: String, for agency: String) -> String {
    text.replacingOccurrences(of: "  - id: \(agency)\n", with: "  - id: \(agency)\n    ca: \(path)\n")
}
