import AccordCore
import AccordCrypto
import AccordMessages
import Foundation

/// One load shape: who sends, to whom, and what. Each is covered by agreements the gateway
/// accepts, so every message should be answered 202: one recipient by the shipped
/// Immigration NZ - Police protocol, two by the shipped Customs agreements with Immigration NZ
/// and Police, four by those plus Customs - ABF (s318) and the bench-only Customs - Labour
/// Inspectorate agreement that `BenchSetup` writes (no shipped agreement covers four).
struct BenchShape: Sendable {
    let recipientCount: Int
    let sender: String
    let recipients: [String]
    let type: String
    let purpose: String
    let content: [String: JSONValue]

    static let supportedRecipientCounts = [1, 2, 4]

    static func forRecipients(_ count: Int) -> BenchShape? {
        switch count {
        case 1:
            BenchShape(recipientCount: 1, sender: "nz.immigration", recipients: ["nz.police"], type: "referral",
                       purpose: "law-enforcement", content: referral)
        case 2:
            BenchShape(recipientCount: 2, sender: "nz.customs", recipients: ["nz.immigration", "nz.police"],
                       type: "indicator-report", purpose: "border-security", content: indicatorReport)
        case 4:
            BenchShape(recipientCount: 4, sender: "nz.customs", recipients: ["nz.immigration", "nz.police", "au.abf", "nz.mbie-labour"],
                       type: "indicator-report", purpose: "border-security", content: indicatorReport)
        default:
            nil
        }
    }

    /// The referral of the gateway tests: some fields disclosed to Police, some withheld.
    static let referral: [String: JSONValue] = [
        "subject": .object(["family_name": "Tupou", "given_names": "Sione", "passport_number": "FJ1234567"]),
        "indicators": .array(["passport-or-id-withheld", "debt-bondage"]),
        "summary": "Worker reports passport held by employer",
        "informant": .object(["name": "Mele Informant"]),
        "health": .object(["concerns": "untreated injury"]),
    ]

    /// An indicator report a Customs officer might file after a port inspection.
    static let indicatorReport: [String: JSONValue] = [
        "indicators": .array(["passport-or-id-withheld", "debt-bondage", "excessive-hours"]),
        "observed_on": "2026-03-02",
        "location": .object(["region": "Bay of Plenty", "address": "12 Example Road, Te Puke"]),
        "workplace": .object(["industry": "horticulture"]),
        "employer": .object(["name": "Example Orchards Ltd", "nzbn": "9429000000000"]),
        "workers_estimated": 14,
        "narrative": "Crew arriving on a charter flight; supervisor held all passports",
        "informant": .object(["name": "Port officer 4411"]),
    ]
}

/// SD-JWTs issued before the clock starts, each with its own `jti`, as request bodies.
enum MessagePool {
    /// Issues `count` messages of `shape` with the sender's development signing key, bound to
    /// `holderKey`, on every core (an issuer holds a signing context, so one per task).
    static func issue(_ count: Int, shape: BenchShape, pki: URL, holderKey: PublicKey, runID: String) async throws -> [[UInt8]] {
        let keyPath = pki.appendingPathComponent("agencies/\(shape.sender)/signing-key.pem").path
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, count / 256 + 1))
        let now = Int(Date().timeIntervalSince1970)
        return try await withThrowingTaskGroup(of: (Int, [[UInt8]]).self) { group in
            for worker in 0..<workers {
                let range = stride(from: worker, to: count, by: workers)
                group.addTask {
                    let key = try PrivateKey(pemFile: keyPath)
                    let issuer = try SDJWTIssuer(signingKey: key, kid: key.publicKey.jwk.thumbprintBase64URL)
                    var bodies: [[UInt8]] = []
                    bodies.reserveCapacity(count / workers + 1)
                    for index in range {
                        var message = shape.content
                        message["iss"] = .string(shape.sender)
                        message["jti"] = .string("bench-\(runID)-\(shape.recipientCount)-\(index)")
                        message["iat"] = .integer(now)
                        message["exp"] = .integer(now + 3_600)
                        message["accord"] = .object([
                            "type": .string(shape.type), "to": .array(shape.recipients.map(JSONValue.string)),
                            "purpose": .string(shape.purpose), "classification": "IN-CONFIDENCE",
                        ])
                        bodies.append(Array(try issuer.issue(message, holderKey: holderKey).utf8))
                    }
                    return (worker, bodies)
                }
            }
            var parts = [[[UInt8]]](repeating: [], count: workers)
            for try await (worker, bodies) in group { parts[worker] = bodies }
            var pool: [[UInt8]] = []
            pool.reserveCapacity(count)
            for index in 0..<count { pool.append(parts[index % workers][index / workers]) }
            return pool
        }
    }
}
