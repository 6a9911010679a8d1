import AccordCrypto
public import Foundation
public import NIOCore

extension TLSContext {
    /// A client context for an agency system of a development PKI (`accord pki init`): the
    /// agency's TLS certificate and key from `agencies/<agency>/tls.pem` and `tls-key.pem`,
    /// and the trust store (`ca.pem`, `ca.crl`) loaded from `pkiDirectory` itself, as
    /// `TrustStore.load(directory:)` reads it.
    ///
    /// - Parameters:
    ///   - pkiDirectory: the directory `accord pki init` wrote, usually `Certificates/dev`.
    ///   - agency: the agency id, e.g. `nz.police`.
    ///   - serverName: the gateway's DNS name or IP address, checked against its certificate.
    public static func agencyClient(
        pkiDirectory: URL, agency: String, serverName: String,
        minimumVersion: TLSConfiguration.MinimumVersion = .tls13, handshakeTimeout: TimeAmount = .seconds(10)
    ) throws(TLSError) -> TLSContext {
        let pki = DevelopmentPKI(directory: pkiDirectory)
        let certificate = pki.agencyTLSCertificate(agency)
        let key = pki.agencyTLSKey(agency)
        guard FileManager.default.fileExists(atPath: certificate.path), FileManager.default.fileExists(atPath: key.path) else {
            throw TLSError(.configuration, "no TLS certificate and key for agency '\(agency)' in \(pki.agencyDirectory(agency).path); run 'accord pki init' with the agency in the registry")
        }
        let configuration: TLSConfiguration
        do {
            configuration = try TLSConfiguration(
                role: .client(serverName: serverName),
                certificateChain: Certificate.all(pemFile: certificate.path),
                privateKey: PrivateKey(pemFile: key.path),
                trustStore: TrustStore.load(directory: pkiDirectory.path),
                minimumVersion: minimumVersion, handshakeTimeout: handshakeTimeout
            )
        } catch {
            throw TLSError(.configuration, "cannot load the TLS identity of agency '\(agency)': \(error)")
        }
        return try TLSContext(configuration)
    }
}
