public import AccordPolicy
import AccordCrypto
import Foundation

/// Checks the files a partner gateway's registry entry names under the certificates directory:
/// its `ca:` must hold CA certificates and its `binding_key:` a public key (PEM), so that a
/// mistake is found by `accord agreements check --certificates`, not by the first forward
/// (docs/federation.md, "The registry entry").
public enum PartnerFiles {
    /// Every problem, each at the line and column where the file was named.
    public static func problems(certificatesDirectory: String, gateways: some Collection<PartnerGateway>) -> [String] {
        let base = URL(fileURLWithPath: certificatesDirectory)
        var problems: [String] = []
        for gateway in gateways.sorted(by: { $0.id < $1.id }) {
            let what = "partner gateway '\(gateway.id)'"
            let caPath = base.appendingPathComponent(gateway.issuingCA).path
            if !FileManager.default.fileExists(atPath: caPath) {
                problems.append("\(gateway.issuingCALocation): \(what): CA file \(caPath) does not exist [\(RegistryTrust.Check.missingCAFile.rawValue)]")
            } else {
                do {
                    let certificates = try Certificate.all(pemFile: caPath)
                    if certificates.isEmpty || !certificates.allSatisfy(\.isCertificateAuthority) {
                        problems.append("\(gateway.issuingCALocation): \(what): \(caPath) must hold only CA certificates [\(RegistryTrust.Check.notACA.rawValue)]")
                    }
                } catch {
                    problems.append("\(gateway.issuingCALocation): \(what): CA file \(caPath) cannot be read: \(error.message) [\(RegistryTrust.Check.unreadableCA.rawValue)]")
                }
            }
            let keyPath = base.appendingPathComponent(gateway.bindingKey).path
            do {
                _ = try PublicKey(pem: String(contentsOfFile: keyPath, encoding: .utf8))
            } catch {
                problems.append("\(gateway.bindingKeyLocation): \(what): binding_key \(keyPath) is not a readable PEM public key [unreadable-binding-key]")
            }
        }
        return problems
    }
}
