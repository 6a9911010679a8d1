import AccordCore
public import Foundation

/// The development PKI `accord pki init` makes: a root CA and its CRL, the gateway's TLS
/// server certificate, Ed25519 signing key and subject-hash secret, and for each agency a TLS
/// client certificate and a signing certificate carrying `urn:accord:agency:<id>`.
/// Idempotent: what exists and is valid is kept, unless `force` is set.
/// Production deployments bring certificates from their own CA instead (Certificates/README.md).
public struct DevelopmentPKI: Sendable {
    /// An agency to issue certificates for.
    public struct Agency: Sendable, Hashable {
        public let id: String
        public let name: String
        public init(id: String, name: String) {
            self.id = id
            self.name = name
        }
    }

    /// A person who uses the web console, with a role the console knows
    /// (`privacy-officer`, `administrator`, `auditor`).
    public struct Operator: Sendable, Hashable {
        public let role: String
        public let name: String
        public init(role: String, name: String) {
            self.role = role
            self.name = name
        }

        /// The SAN URI the console reads the role and name from.
        public var uri: String { "urn:accord:operator:\(role):\(name)" }

        /// One development operator per console role.
        public static let development: [Operator] = [
            Operator(role: "privacy-officer", name: "officer"),
            Operator(role: "administrator", name: "admin"),
            Operator(role: "auditor", name: "auditor"),
        ]
    }

    /// The password of the development operators' PKCS#12 files. Development only: a
    /// production operator's file comes from the production CA with a password of its own.
    public static let developmentPKCS12Password = "accord-dev"

    /// What happened to one file.
    public enum Outcome: String, Sendable {
        case created, kept, renewed
    }

    public let directory: URL
    public var gatewayHostNames: [String] = ["localhost"]
    public var gatewayAddresses: [String] = ["127.0.0.1", "::1"]
    /// The country of the gateway this PKI is for. Another jurisdiction's CA gets a name of its
    /// own: two CAs with one name would each be taken for the other's CRLs (docs/federation.md).
    public var jurisdiction = "NZ"
    /// Leaf certificates with less than this left are renewed.
    public var renewalWindow: TimeInterval = 30 * 86_400

    public init(directory: URL) {
        self.directory = directory
    }

    // MARK: layout

    public var caCertificate: URL { directory.appendingPathComponent("ca.pem") }
    public var caKey: URL { directory.appendingPathComponent("ca-key.pem") }
    public var caRevocationList: URL { directory.appendingPathComponent("ca.crl") }
    public var gatewayDirectory: URL { directory.appendingPathComponent("gateway") }
    public var gatewayTLSCertificate: URL { gatewayDirectory.appendingPathComponent("tls.pem") }
    public var gatewayTLSKey: URL { gatewayDirectory.appendingPathComponent("tls-key.pem") }
    public var gatewaySigningKey: URL { gatewayDirectory.appendingPathComponent("signing-key.pem") }
    public var gatewaySigningCertificate: URL { gatewayDirectory.appendingPathComponent("signing.pem") }
    /// The ES256 key that signs key-binding JWTs (the reference SD-JWT libraries verify ES256).
    public var gatewayBindingKey: URL { gatewayDirectory.appendingPathComponent("binding-key.pem") }
    public var gatewayBindingCertificate: URL { gatewayDirectory.appendingPathComponent("binding.pem") }
    public var gatewaySubjectHMACKey: URL { gatewayDirectory.appendingPathComponent("subject-hmac.key") }
    /// The client certificate the gateway presents when it pushes deliveries to an agency's
    /// endpoint: the TLS certificate above is for serving only (extended key usage serverAuth).
    public var gatewayPushCertificate: URL { gatewayDirectory.appendingPathComponent("push-client.pem") }
    public var gatewayPushKey: URL { gatewayDirectory.appendingPathComponent("push-client-key.pem") }

    public func agencyDirectory(_ id: String) -> URL { directory.appendingPathComponent("agencies/\(id)") }
    public func agencyTLSCertificate(_ id: String) -> URL { agencyDirectory(id).appendingPathComponent("tls.pem") }
    public func agencyTLSKey(_ id: String) -> URL { agencyDirectory(id).appendingPathComponent("tls-key.pem") }
    public func agencySigningCertificate(_ id: String) -> URL { agencyDirectory(id).appendingPathComponent("signing.pem") }
    public func agencySigningKey(_ id: String) -> URL { agencyDirectory(id).appendingPathComponent("signing-key.pem") }
    public func operatorDirectory(_ name: String) -> URL { directory.appendingPathComponent("operators/\(name)") }
    public func operatorCertificate(_ name: String) -> URL { operatorDirectory(name).appendingPathComponent("tls.pem") }
    public func operatorKey(_ name: String) -> URL { operatorDirectory(name).appendingPathComponent("tls-key.pem") }
    public func operatorPKCS12(_ name: String) -> URL { operatorDirectory(name).appendingPathComponent("\(name).p12") }

    // MARK: making it

    /// Creates or completes the PKI; returns each file with what happened to it, in order.
    public func ensure(agencies: [Agency], operators: [Operator] = [], force: Bool = false,
                       now: Date = Date()) throws(CryptoError) -> [(path: String, outcome: Outcome)] {
        var report: [(String, Outcome)] = []
        try createDirectory(directory)
        try createDirectory(gatewayDirectory)

        let caExists = !force && exists(caCertificate) && exists(caKey)
        let (ca, caPrivateKey): (Certificate, PrivateKey)
        if caExists, let loaded = try? (Certificate(pem: read(caCertificate)), PrivateKey(pem: read(caKey))), loaded.0.notAfter > now {
            (ca, caPrivateKey) = loaded
            report.append((caCertificate.path, .kept))
        } else {
            caPrivateKey = try PrivateKey.generate(.es256)
            ca = try CertificateBuilder(
                commonName: jurisdiction == "NZ" ? "Accord Development Root CA" : "Accord Development Root CA (\(jurisdiction))",
                organization: "Accord (development only)", country: jurisdiction,
                notBefore: now.addingTimeInterval(-300), notAfter: now.addingTimeInterval(10 * 365 * 86_400),
                certificateAuthorityPathLength: 0, keyUsage: ["keyCertSign", "cRLSign"]
            ).selfSigned(key: caPrivateKey)
            try writeKey(caPrivateKey, to: caKey)
            try write(ca.pem(), to: caCertificate)
            report.append((caCertificate.path, caExists ? .renewed : .created))
        }
        // A new CA invalidates every leaf issued by the old one.
        let reissueAll = force || !caExists || report.last?.1 != .kept

        let crl = try? CertificateRevocationList(pem: read(caRevocationList))
        if reissueAll || crl == nil || (crl?.nextUpdate ?? now) < now.addingTimeInterval(7 * 86_400) {
            let list = try RevocationListBuilder(lastUpdate: now.addingTimeInterval(-60), nextUpdate: now.addingTimeInterval(30 * 86_400))
                .issue(by: ca, issuerKey: caPrivateKey)
            try write(list.pem(), to: caRevocationList)
            report.append((caRevocationList.path, crl == nil ? .created : .renewed))
        } else {
            report.append((caRevocationList.path, .kept))
        }

        let names: [CertificateBuilder.AlternativeName] = gatewayHostNames.map { .dns($0) } + gatewayAddresses.map { .ip($0) }
        report.append(try leaf(
            certificate: gatewayTLSCertificate, key: gatewayTLSKey, algorithm: .es256, reissue: reissueAll, now: now,
            builder: CertificateBuilder(commonName: "Accord gateway", organization: "Accord (development only)", country: jurisdiction,
                                        keyUsage: ["digitalSignature"], extendedKeyUsage: ["serverAuth"], alternativeNames: names),
            ca: ca, caKey: caPrivateKey
        ))
        report.append(try leaf(
            certificate: gatewaySigningCertificate, key: gatewaySigningKey, algorithm: .edDSA, reissue: reissueAll, now: now,
            builder: CertificateBuilder(commonName: "Accord gateway signing key", organization: "Accord (development only)", country: jurisdiction,
                                        keyUsage: ["digitalSignature"], alternativeNames: [.uri("urn:accord:gateway")]),
            ca: ca, caKey: caPrivateKey
        ))
        report.append(try leaf(
            certificate: gatewayBindingCertificate, key: gatewayBindingKey, algorithm: .es256, reissue: reissueAll, now: now,
            builder: CertificateBuilder(commonName: "Accord gateway key binding", organization: "Accord (development only)", country: jurisdiction,
                                        keyUsage: ["digitalSignature"], alternativeNames: [.uri("urn:accord:gateway:binding")]),
            ca: ca, caKey: caPrivateKey
        ))
        report.append(try leaf(
            certificate: gatewayPushCertificate, key: gatewayPushKey, algorithm: .es256, reissue: reissueAll, now: now,
            builder: CertificateBuilder(commonName: "Accord gateway push client", organization: "Accord (development only)", country: jurisdiction,
                                        keyUsage: ["digitalSignature"], extendedKeyUsage: ["clientAuth"], alternativeNames: [.uri("urn:accord:gateway:push")]),
            ca: ca, caKey: caPrivateKey
        ))
        if force || !exists(gatewaySubjectHMACKey) {
            try write(Hex.encode(SecureRandom.bytes(32)) + "\n", to: gatewaySubjectHMACKey, secret: true)
            report.append((gatewaySubjectHMACKey.path, .created))
        } else {
            report.append((gatewaySubjectHMACKey.path, .kept))
        }

        for agency in agencies {
            guard AgencyIdentity.isValid(agency.id) else {
                throw CryptoError(.certificateBuildFailed, "agency id '\(agency.id)' is not valid: use lower-case letters, digits, '.' and '-'")
            }
            try createDirectory(agencyDirectory(agency.id))
            let uri = CertificateBuilder.AlternativeName.uri(AgencyIdentity(agencyID: agency.id).uri)
            report.append(try leaf(
                certificate: agencyTLSCertificate(agency.id), key: agencyTLSKey(agency.id), algorithm: .es256, reissue: reissueAll, now: now,
                builder: CertificateBuilder(commonName: "\(agency.id) system", organization: agency.name, organizationalUnit: "TLS client",
                                            keyUsage: ["digitalSignature"], extendedKeyUsage: ["clientAuth"], alternativeNames: [uri]),
                ca: ca, caKey: caPrivateKey
            ))
            report.append(try leaf(
                certificate: agencySigningCertificate(agency.id), key: agencySigningKey(agency.id), algorithm: .es256, reissue: reissueAll, now: now,
                builder: CertificateBuilder(commonName: "\(agency.id) message signing", organization: agency.name, organizationalUnit: "Message signing",
                                            keyUsage: ["digitalSignature", "nonRepudiation"], alternativeNames: [uri]),
                ca: ca, caKey: caPrivateKey
            ))
        }
        for person in operators {
            report += try ensureOperator(person, reissue: reissueAll, now: now, ca: ca, caKey: caPrivateKey)
        }
        return report
    }

    /// A TLS client certificate for a console operator, and the same certificate and key as a
    /// PKCS#12 file (password `developmentPKCS12Password`) that a browser imports.
    private func ensureOperator(_ person: Operator, reissue: Bool, now: Date, ca: Certificate, caKey: PrivateKey) throws(CryptoError) -> [(String, Outcome)] {
        guard AgencyIdentity.isValid(person.name), AgencyIdentity.isValid(person.role) else {
            throw CryptoError(.certificateBuildFailed, "operator '\(person.role):\(person.name)': use lower-case letters, digits, '.' and '-'")
        }
        try createDirectory(operatorDirectory(person.name))
        let certificate = try leaf(
            certificate: operatorCertificate(person.name), key: operatorKey(person.name), algorithm: .es256, reissue: reissue, now: now,
            builder: CertificateBuilder(commonName: person.name, organization: "Accord (development only)", organizationalUnit: person.role,
                                        keyUsage: ["digitalSignature"], extendedKeyUsage: ["clientAuth"], alternativeNames: [.uri(person.uri)]),
            ca: ca, caKey: caKey
        )
        let bundle = operatorPKCS12(person.name)
        guard certificate.1 != .kept || !exists(bundle) else { return [certificate, (bundle.path, .kept)] }
        let existed = exists(bundle)
        let bytes = try PKCS12.make(friendlyName: "Accord operator \(person.name) (\(person.role))",
                                    key: PrivateKey(pem: read(operatorKey(person.name))),
                                    certificate: Certificate(pem: read(operatorCertificate(person.name))),
                                    password: Self.developmentPKCS12Password)
        try write(bytes, to: bundle)
        return [certificate, (bundle.path, existed ? .renewed : .created)]
    }

    private func leaf(
        certificate: URL, key: URL, algorithm: KeyAlgorithm, reissue: Bool, now: Date,
        builder: CertificateBuilder, ca: Certificate, caKey: PrivateKey
    ) throws(CryptoError) -> (String, Outcome) {
        let existingKey = exists(key) ? try? PrivateKey(pem: read(key)) : nil
        let existing = exists(certificate) ? try? Certificate(pem: read(certificate)) : nil
        if !reissue, let existing, let existingKey, existing.notAfter > now.addingTimeInterval(renewalWindow),
           (try? existing.publicKey) == existingKey.publicKey {
            return (certificate.path, .kept)
        }
        let privateKey: PrivateKey
        if !reissue, let existingKey { privateKey = existingKey } else { privateKey = try PrivateKey.generate(algorithm) }
        var builder = builder
        builder.notBefore = now.addingTimeInterval(-300)
        builder.notAfter = now.addingTimeInterval(398 * 86_400)
        let issued = try builder.issued(for: privateKey.publicKey, by: ca, issuerKey: caKey)
        try writeKey(privateKey, to: key)
        try write(issued.pem(), to: certificate)
        return (certificate.path, existing == nil ? .created : .renewed)
    }

    // MARK: files

    private func exists(_ url: URL) -> Bool { FileManager.default.fileExists(atPath: url.path) }

    private func read(_ url: URL) throws(CryptoError) -> String {
        do { return try String(contentsOf: url, encoding: .utf8) } catch {
            throw CryptoError(.ioFailed, "cannot read \(url.path): \(error.localizedDescription)")
        }
    }

    private func createDirectory(_ url: URL) throws(CryptoError) {
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) } catch {
            throw CryptoError(.ioFailed, "cannot create \(url.path): \(error.localizedDescription)")
        }
    }

    private func writeKey(_ key: PrivateKey, to url: URL) throws(CryptoError) {
        try write(key.pemPKCS8(), to: url, secret: true)
    }

    /// Writes atomically; secrets are created with mode 0600 before any byte is written.
    private func write(_ text: String, to url: URL, secret: Bool = false) throws(CryptoError) {
        try write(Array(text.utf8), to: url, secret: secret)
    }

    private func write(_ bytes: [UInt8], to url: URL, secret: Bool = true) throws(CryptoError) {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
        let mode: Int = secret ? 0o600 : 0o644
        _ = FileManager.default.createFile(atPath: temporary.path, contents: nil, attributes: [.posixPermissions: mode])
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.write(contentsOf: Data(bytes))
            try handle.synchronize()
            try handle.close()
            if exists(url) { try FileManager.default.removeItem(at: url) }
            try FileManager.default.moveItem(at: temporary, to: url)
        } catch {
            throw CryptoError(.ioFailed, "cannot write \(url.path): \(error.localizedDescription)")
        }
    }
}
