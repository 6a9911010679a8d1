import AccordCore
import AccordCrypto
import AccordTestSupport
import Foundation

/// The receiving agency system of `Tests/Interop/push_receiver.py`, set up for a served
/// gateway: a server certificate for localhost issued by the gateway's development CA (the CA
/// the registry binds to the agency by default), a free port, a directory where deliveries are
/// filed by id, and a log of every POST.
struct PushReceiver {
    let port: Int
    let agency: String
    let pki: DevelopmentPKI
    let certificate: URL
    let key: URL
    let inbox: URL
    let log: URL

    /// `port`: the one the registry's `endpoint:` names. `issuer`: the CA of its server
    /// certificate, when not the gateway's (a partner gateway's, docs/federation.md).
    init(for agency: String, port: Int, pki: DevelopmentPKI, in directory: URL, issuer: (certificate: Certificate, key: PrivateKey)? = nil) throws {
        self.agency = agency
        self.pki = pki
        self.port = port
        let base = directory.appendingPathComponent("receiver-\(agency)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        certificate = base.appendingPathComponent("server.pem")
        key = base.appendingPathComponent("server-key.pem")
        inbox = base.appendingPathComponent("deliveries")
        log = base.appendingPathComponent("posts.jsonl")
        let ca = try issuer?.certificate ?? Certificate(pem: String(contentsOf: pki.caCertificate, encoding: .utf8))
        let caKey = try issuer?.key ?? PrivateKey(pem: String(contentsOf: pki.caKey, encoding: .utf8))
        let serverKey = try PrivateKey.generate(.es256)
        let issued = try CertificateBuilder(
            commonName: "\(agency) case system", organization: agency, country: "NZ", keyUsage: ["digitalSignature"],
            extendedKeyUsage: ["serverAuth"], alternativeNames: [.dns("localhost"), .ip("127.0.0.1")]
        ).issued(for: serverKey.publicKey, by: ca, issuerKey: caKey)
        try issued.pem().write(to: certificate, atomically: true, encoding: .utf8)
        try serverKey.pemPKCS8().write(to: key, atomically: true, encoding: .utf8)
    }

    /// Starts the receiver and waits until it listens; the caller stops it by pid.
    /// `refuse`: answer every POST with 422 and a problem of that code, as a partner gateway would.
    /// `receiptKey`: answer accepted POSTs with a partner's receipt signed with this private key.
    func start(failFirst: Int = 0, delayMilliseconds: Int = 0, refuse: String? = nil, receiptKey: URL? = nil) async throws -> BackgroundProcess {
        let script = PackageRoot.url.appendingPathComponent("Tests/Interop/push_receiver.py").path
        let process = try BackgroundProcess(try await PythonEnvironment.interpreter(), [
            script, "--port", "\(port)", "--cert", certificate.path, "--key", key.path, "--client-ca", pki.caCertificate.path,
            "--inbox", inbox.path, "--log", log.path, "--agency", agency, "--pki", pki.directory.path,
            "--fail-first", "\(failFirst)", "--delay-ms", "\(delayMilliseconds)",
        ] + (refuse.map { ["--refuse", $0] } ?? []) + (receiptKey.map { ["--receipt-key", $0.path] } ?? []))
        let line = await process.readLine()
        guard line?.hasPrefix("listening") == true else {
            kill(process.processIdentifier, SIGKILL)
            let output = await process.finish()
            throw ReceiverFailure(description: "push_receiver.py did not start: \(output.standardError)")
        }
        return process
    }

    /// Every POST the receiver answered, in order.
    var posts: [Post] {
        guard let text = try? String(contentsOf: log, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return Post(deliveryID: DeliveryID(object["delivery_id"] as? String ?? ""), status: object["status"] as? Int ?? 0,
                        consistent: object["consistent"] as? Bool ?? false, verified: object["verified"] as? Bool,
                        client: object["client"] as? [String] ?? [])
        }
    }

    /// The delivery ids filed, each once however often it was pushed.
    var filed: Set<DeliveryID> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: inbox.path)) ?? []
        return Set(names.filter { $0.hasSuffix(".json") }.map { DeliveryID($0.dropLast(5)) })
    }

    struct Post {
        let deliveryID: DeliveryID
        let status: Int
        let consistent: Bool
        let verified: Bool?
        let client: [String]
    }

    struct ReceiverFailure: Error, CustomStringConvertible {
        let description: String
    }
}
