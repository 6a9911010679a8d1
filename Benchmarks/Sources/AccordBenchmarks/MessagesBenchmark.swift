import AccordCore
import AccordCrypto
import AccordMessages
import ArgumentParser
import Foundation

/// `AccordBenchmarks messages`: SD-JWT verification and presentation rates for a ~1 KB
/// message with 12 disclosures, next to the bare signature operations they rest on.
struct MessagesBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "messages", abstract: "SD-JWT messages verified/s and presentations made/s (ES256, EdDSA).")

    @Option(help: "Seconds to run each measurement.")
    var seconds: Double = 1.0

    func run() throws {
        let now = Date()
        let message = Self.message(now: now)
        print("SD-JWT messages (\(seconds) s per figure)")
        for algorithm in KeyAlgorithm.allCases {
            let issuerKey = try PrivateKey.generate(algorithm)
            let gatewayKey = try PrivateKey.generate(algorithm)
            let issuer = try SDJWTIssuer(signingKey: issuerKey, kid: "bench")
            let text = try issuer.issue(message, holderKey: gatewayKey.publicKey)
            let verifier = SDJWTVerifier(resolver: StaticIssuerKeyResolver(["nz-police": ["bench": issuerKey.publicKey]]))
            let verified = try verifier.verify(text, now: now)
            let binder = try KeyBinder(gatewayKey: gatewayKey)
            let decision = GatewayDecision(agreementID: "inz-police-2024", agreementDigest: "digest", auditLeafIndex: 1, withheldPaths: [])
            let permitted: Set<String> = ["subject.name", "subject.date_of_birth", "indicators[*]", "employer.name"]

            let signingInput = Array(text.split(separator: "~")[0].utf8.prefix(1024))
            let signer = try JWSSigner(key: issuerKey)
            let signature = try signer.sign(signingInput)
            let bareVerifier = try JWSVerifier(key: issuerKey.publicKey)
            let bareVerify = try measure { try bareVerifier.verify(signature: signature, for: signingInput) }
            let bareSign = try measure { _ = try signer.sign(signingInput) }
            let verifyRate = try measure { _ = try verifier.verify(text, now: now) }
            let presentRate = try measure {
                let redacted = verified.redact(permitting: permitted)
                _ = try binder.present(redacted, of: verified, audience: "immigration-nz", nonce: "d-1", decision: decision, issuedAt: now)
            }
            print("\(algorithm.jwsName): message \(text.utf8.count) bytes, \(verified.disclosures.count) disclosures")
            report("bare signature verify", bareVerify, nil)
            report("messages verified", verifyRate, bareVerify)
            report("bare signature sign", bareSign, nil)
            report("presentations made (redact + KB-JWT)", presentRate, bareSign)
        }
    }

    private func measure(_ body: () throws -> Void) throws -> Double {
        for _ in 0..<50 { try body() }
        let clock = ContinuousClock()
        let start = clock.now
        var count = 0
        while true {
            for _ in 0..<50 { try body() }
            count += 50
            let elapsed = clock.now - start
            let secondsElapsed = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            if secondsElapsed >= seconds { return Double(count) / secondsElapsed }
        }
    }

    private func report(_ label: String, _ rate: Double, _ bare: Double?) {
        let cost = 1e6 / rate
        var line = "  " + label.padding(toLength: 40, withPad: " ", startingAt: 0)
        line += String(format: "%10.0f /s  %8.1f µs", rate, cost)
        if let bare {
            line += String(format: "  (%.0f%% over the bare operation)", (cost - 1e6 / bare) / (1e6 / bare) * 100)
        }
        print(line)
    }

    /// A referral of about 1 KB once issued, with exactly 12 disclosures.
    static func message(now: Date) -> [String: JSONValue] {
        let seconds = Int(now.timeIntervalSince1970)
        return [
            "iss": "nz-police", "jti": "msg-bench-0001", "iat": .integer(seconds), "exp": .integer(seconds + 3600),
            "accord": ["type": "referral", "to": ["immigration-nz"], "purpose": "investigation", "classification": "in-confidence"],
            "subject": [
                "name": "Sione Tupou", "passport_number": "FJ1234567", "date_of_birth": "1994-03-02",
                "nationality": "FJ", "visa_status": "work visa, employer-assisted",
            ],
            "indicators": ["debt bondage", "passport withheld", "excessive hours"],
            "employer": ["name": "Southern Orchards Ltd"],
        ]
    }
}
