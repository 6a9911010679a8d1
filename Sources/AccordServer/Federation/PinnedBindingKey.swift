import AccordCrypto
import AccordPolicy
import Foundation

extension PartnerGateway {
    /// The partner's key-binding public key, as the registry pins it (`binding_key:`, a PEM
    /// file under the certificates directory): what its forwards are bound with and its
    /// receipts signed with (docs/federation.md, "Why the binding key is pinned in the
    /// registry"). Nil when the file cannot be read as a public key.
    func pinnedBindingKey(certificatesDirectory: String) -> PublicKey? {
        let path = URL(fileURLWithPath: certificatesDirectory).appendingPathComponent(bindingKey).path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return try? PublicKey(pem: text)
    }
}
