import AccordAudit
import AccordCrypto
import AccordGateway
import AccordStore
import ArgumentParser
import Foundation

/// `accord keys`: the gateway's own keys.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Rotate the gateway's own keys with their history kept.",
        subcommands: [RotateKey.self]
    )
}

/// `accord keys rotate audit|binding`. Audit: a new Ed25519 key signs the audit log's checkpoints from now on.
/// The change is itself a leaf (`audit.key_rotated`, naming the old and the new verifier key)
/// under a checkpoint signed by both keys, so the log verifies from its first leaf with either
/// (docs/audit.md, "Rotating the audit key"). A running gateway makes the change on SIGHUP; with
/// none running, this command makes it in the database itself.
struct RotateKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Replace one of the gateway's keys, recording the change in the audit log.",
        discussion: "The TLS certificate and key are replaced by writing gateway/tls.pem and tls-key.pem and 'accord certificates reload'."
    )

    /// The keys that rotate with their history kept.
    enum Kind: String, ExpressibleByArgument, CaseIterable {
        /// The Ed25519 key that signs audit checkpoints.
        case audit
        /// The ES256 key that binds presentations, named by agencies in `cnf.jwk`.
        case binding
        /// The listeners' TLS key, with a certificate from the development CA.
        case tls
    }

    @Argument(help: "Which key: \(Kind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var kind: Kind

    @OptionGroup var gateway: GatewayOptions

    @Option(help: "Seconds to wait for a running gateway to record the rotation.")
    var timeout = 15

    func run() async throws {
        switch kind {
        case .audit: try await rotateAudit()
        case .binding: try await rotateBinding()
        case .tls: try await rotateTLS()
        }
    }

    /// A new TLS key with a certificate from the development CA for the same names. In
    /// production the organisation's CA issues the certificate: write `gateway/tls.pem` and
    /// `tls-key.pem` and run `accord certificates reload` instead.
    private func rotateTLS() async throws {
        let configuration = try gateway.load()
        let pki = DevelopmentPKI(directory: URL(fileURLWithPath: configuration.certificatesDirectory))
        guard FileManager.default.fileExists(atPath: pki.caKey.path) else {
            throw ValidationError("""
                no CA key in \(pki.directory.path): a production gateway's certificate comes from your CA. Write the new \
                gateway/tls.pem and tls-key.pem there and run 'accord certificates reload' (docs/operations.md)
                """)
        }
        let ca = try Certificate(pem: String(contentsOf: pki.caCertificate, encoding: .utf8))
        let current = try Certificate.all(pemFile: pki.gatewayTLSCertificate.path)
        let names = (current.first?.subjectAlternativeDNSNames ?? pki.gatewayHostNames).map(CertificateBuilder.AlternativeName.dns)
            + pki.gatewayAddresses.map(CertificateBuilder.AlternativeName.ip)
        let key = try PrivateKey.generate(.es256)
        let certificate = try CertificateBuilder(
            commonName: "Accord gateway", organization: "Accord (development only)", country: "NZ",
            keyUsage: ["digitalSignature"], extendedKeyUsage: ["serverAuth"], alternativeNames: names
        ).issued(for: key.publicKey, by: ca, issuerKey: PrivateKey(pemFile: pki.caKey.path))
        let stagedKey = pki.gatewayDirectory.appendingPathComponent(".tls-key.pem.next")
        let stagedCertificate = pki.gatewayDirectory.appendingPathComponent(".tls.pem.next")
        try KeyFile.write(key.pemPKCS8(), to: stagedKey)
        try KeyFile.write(certificate.pem(), to: stagedCertificate)
        // Key, then certificate: a reload between the two finds a pair that does not match and keeps the old one.
        try KeyFile.replace(pki.gatewayTLSKey, with: stagedKey)
        try KeyFile.replace(pki.gatewayTLSCertificate, with: stagedCertificate)
        print("new TLS certificate \(certificate.fingerprintSHA256) (\(names.count) names), valid until \(certificate.notAfter)")
        guard let running = RunningGateway(configuration) else {
            print("no gateway is running for \(configuration.database); 'accord serve' uses it when it starts")
            return
        }
        guard let leaf = try await running.reload(timeout: timeout, events: [.trustReloaded], until: {
            $0.record.details["tls_certificate_sha256"] == certificate.fingerprintSHA256
        }) else {
            throw ValidationError("the gateway did not record the new certificate within \(timeout) s; check its log")
        }
        print("rotated: audit leaf \(leaf.index); new connections get the new certificate")
    }

    /// The current binding key moves to `gateway/binding-keys/<thumbprint>.pem`, kept for the
    /// messages and deliveries that name it until an administrator removes it; a new key takes
    /// its place. A running gateway takes both on SIGHUP.
    private func rotateBinding() async throws {
        let configuration = try gateway.load()
        let directory = URL(fileURLWithPath: configuration.certificatesDirectory).appendingPathComponent("gateway")
        let keyFile = directory.appendingPathComponent("binding-key.pem")
        let old = try PrivateKey(pemFile: keyFile.path)
        let new = try PrivateKey.generate(.es256)
        let kept = directory.appendingPathComponent("binding-keys")
        try FileManager.default.createDirectory(at: kept, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let oldThumbprint = old.publicKey.jwk.thumbprintBase64URL
        let newThumbprint = new.publicKey.jwk.thumbprintBase64URL
        try KeyFile.write(old.pemPKCS8(), to: kept.appendingPathComponent("\(oldThumbprint).pem"))
        let staged = directory.appendingPathComponent(".binding-key.pem.next")
        try KeyFile.write(new.pemPKCS8(), to: staged)
        try KeyFile.replace(keyFile, with: staged)
        print("new binding key \(newThumbprint); the previous one, \(oldThumbprint), is kept in \(kept.path) until you remove it")
        guard let running = RunningGateway(configuration) else {
            print("no gateway is running for \(configuration.database); 'accord serve' uses both keys when it starts")
            return
        }
        guard let leaf = try await running.reload(timeout: timeout, events: [.bindingKeyRotated], until: { $0.record.details["new_key"] == newThumbprint }) else {
            throw ValidationError("the gateway did not record the rotation within \(timeout) s; check its log")
        }
        print("rotated: audit leaf \(leaf.index); GET /v1/keys names the new key, and the previous one under previous_binding")
    }

    private func rotateAudit() async throws {
        let configuration = try gateway.load(allowingPostgres: true)
        let keyFile = URL(fileURLWithPath: configuration.certificatesDirectory).appendingPathComponent("gateway/signing-key.pem")
        let oldKey: PrivateKey
        do { oldKey = try GatewayKeys.loadAuditKey(directory: configuration.certificatesDirectory) } catch {
            throw ValidationError("\(error)")
        }
        let old = try NoteSigner(name: configuration.auditOrigin, privateKey: oldKey)
        let newKey = try PrivateKey.generate(.edDSA)
        let new = try NoteSigner(name: configuration.auditOrigin, privateKey: newKey)
        let staged = keyFile.deletingLastPathComponent().appendingPathComponent(".signing-key.pem.next")
        try KeyFile.write(newKey.pemPKCS8(), to: staged)

        if DatabaseLocation(configuration.database).isPostgres {
            try await rotateAudit(onPostgres: configuration.database, from: old, to: new, staged: staged, keyFile: keyFile)
            return
        }
        if let running = RunningGateway(configuration) {
            try KeyFile.replace(keyFile, with: staged)
            guard let leaf = try await running.reload(timeout: timeout, events: [.auditKeyRotated], until: {
                $0.record.details["new_key"] == new.verifier.verifierKey
            }) else {
                throw ValidationError("""
                    the gateway did not record the rotation within \(timeout) s (see its log). Until it does, it signs with \
                    the previous key; put that key back in \(keyFile.path) before restarting it
                    """)
            }
            print("rotated: audit leaf \(leaf.index); checkpoints are signed by \(new.verifier.verifierKey)")
            return
        }

        // No gateway: this process is the database's writer for the one transaction.
        let store = try SQLiteStore.open(path: configuration.database, configuration: StoreConfiguration(origin: configuration.auditOrigin, signer: old))
        let writer = Task { await store.run() }
        defer { writer.cancel() }
        let (leaf, checkpoint) = try await store.rotateAuditKey(to: new, record: AuditRecord(
            event: .auditKeyRotated, time: Date(), actor: "operator:accord-keys",
            details: ["old_key": old.verifier.verifierKey, "new_key": new.verifier.verifierKey]))
        try KeyFile.replace(keyFile, with: staged)
        print("rotated: audit leaf \(leaf), checkpoint \(checkpoint.size) signed by both keys; checkpoints are signed by \(new.verifier.verifierKey)")
    }
}

extension RotateKey {
    /// On PostgreSQL the nodes are reached through the database, not signalled: this command
    /// records the rotation there itself, whether nodes run or not, then writes the new key.
    /// Each node takes it up when its certificates directory holds it (at the next
    /// `trust.check_seconds`, or on SIGHUP); a node still holding the old key meanwhile signs no
    /// checkpoint and leaves the lease to one that has the new key (docs/operations.md).
    func rotateAudit(onPostgres url: String, from old: NoteSigner, to new: NoteSigner, staged: URL, keyFile: URL) async throws {
        let store = try await PostgresStore.open(url: url, configuration: StoreConfiguration(origin: old.verifier.name, signer: old))
        let writer = Task { await store.run() }
        let rotated: Result<(leaf: UInt64, checkpoint: StoredCheckpoint), StoreError>
        do { rotated = .success(try await store.rotateAuditKey(to: new, record: AuditRecord(
            event: .auditKeyRotated, time: Date(), actor: "operator:accord-keys",
            details: ["old_key": old.verifier.verifierKey, "new_key": new.verifier.verifierKey]))) } catch {
            rotated = .failure(error)
        }
        writer.cancel()
        await writer.value
        let (leaf, checkpoint) = try rotated.get()
        try KeyFile.replace(keyFile, with: staged)
        print("""
            rotated: audit leaf \(leaf), checkpoint \(checkpoint.size) signed by both keys; checkpoints are signed by \(new.verifier.verifierKey).
            Give every node the new \(keyFile.lastPathComponent): each takes it up within trust.check_seconds or on SIGHUP, \
            and signs nothing with the old one meanwhile
            """)
    }
}

/// Private key files: written 0600 before any byte, replaced by rename.
enum KeyFile {
    static func write(_ text: String, to url: URL) throws {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600])
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(text.utf8))
        try handle.synchronize()
    }

    static func replace(_ target: URL, with staged: URL) throws {
        guard rename(staged.path, target.path) == 0 else {
            throw ValidationError("cannot move \(staged.path) to \(target.path): \(String(cString: strerror(errno)))")
        }
    }
}
