import AccordCore
import AccordCrypto
import AccordMessages
import AccordTestSupport
import Foundation

/// Runs the reference implementation's scripts in `Tests/Interop/` (in `PythonEnvironment`)
/// with a JSON request in a temporary file, and reads their JSON answer from stdout.
enum PythonInterop {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let interopDirectory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Interop")

    /// `runBlocking` on a Dispatch thread: a Python process must not hold one of the few
    /// cooperative threads that in-process servers of other tests need.
    static func run(_ script: String, _ request: JSONValue) async throws -> JSONValue {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try runBlocking(script, request) })
            }
        }
    }

    private static func runBlocking(_ script: String, _ request: JSONValue) throws -> JSONValue {
        let requestFile = FileManager.default.temporaryDirectory.appendingPathComponent("accord-sdjwt-\(UUID().uuidString).json")
        try Data(CanonicalJSON.encode(request)).write(to: requestFile)
        defer { try? FileManager.default.removeItem(at: requestFile) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try PythonEnvironment.interpreter())
        process.arguments = [interopDirectory.appendingPathComponent(script).path, requestFile.path]
        process.currentDirectoryURL = interopDirectory
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw Failure(description: "cannot start \(process.executableURL?.path ?? "python3"): \(error)")
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stderr = String(decoding: errorData, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            if process.terminationStatus == 3 {
                throw Failure(description: stderr.isEmpty ? "a Python module is missing from Tests/Interop/requirements.txt" : stderr)
            }
            throw Failure(description: "\(script) exited with \(process.terminationStatus): \(stderr)")
        }
        return try JSONParser.parse(Array(outputData))
    }

    static func jwk(_ key: PublicKey) -> JSONValue {
        let jwk = key.jwk
        var members: [String: JSONValue] = ["kty": .string(jwk.kty), "crv": .string(jwk.crv), "x": .string(jwk.x)]
        if let y = jwk.y { members["y"] = .string(y) }
        return .object(members)
    }

    /// The reference issuer's SD-JWT for `claims`, concealing everything but the routing claims.
    static func issue(_ claims: [String: JSONValue], key: PrivateKey, holder: PublicKey, decoys: Bool = false) async throws -> String {
        let answer = try await run("sdjwt_issue.py", [
            "claims": .object(claims),
            "issuer_key_pem": .string(try key.pemPKCS8()),
            "alg": .string(key.algorithm.jwsName),
            "kid": .string(Fixtures.kid),
            "holder_jwk": jwk(holder),
            "typ": "accord+sd-jwt",
            "clear": ["iss", "jti", "iat", "exp", "accord"],
            "decoys": .bool(decoys),
        ])
        guard let text = answer["sd_jwt"]?.stringValue else { throw Failure(description: "no sd_jwt in answer") }
        return text
    }

    struct Case {
        var sdJWT: String
        var audience: String? = nil
        var nonce: String? = nil
    }

    /// Results of the reference verifier: the disclosed payload, or nil where it refused.
    static func verify(_ cases: [Case], issuerKey: PublicKey) async throws -> [Result<JSONValue, Failure>] {
        let answer = try await run("sdjwt_verify.py", [
            "issuer_jwk": jwk(issuerKey),
            "cases": .array(cases.map { item in
                var members: [String: JSONValue] = ["sd_jwt": .string(item.sdJWT)]
                if let audience = item.audience { members["aud"] = .string(audience) }
                if let nonce = item.nonce { members["nonce"] = .string(nonce) }
                return .object(members)
            }),
        ])
        guard let results = answer["results"]?.arrayValue, results.count == cases.count else {
            throw Failure(description: "reference verifier answered \(answer)")
        }
        return results.map { result in
            if result["ok"] == true, let payload = result["payload"] { return .success(payload) }
            return .failure(Failure(description: result["error"]?.stringValue ?? "refused"))
        }
    }

    static func present(
        _ sdJWT: String, disclose: JSONValue, holderKey: PrivateKey, audience: String, nonce: String
    ) async throws -> String {
        let answer = try await run("sdjwt_present.py", [
            "sd_jwt": .string(sdJWT), "disclose": disclose, "holder_key_pem": .string(try holderKey.pemPKCS8()),
            "alg": .string(holderKey.algorithm.jwsName), "aud": .string(audience), "nonce": .string(nonce),
        ])
        guard let text = answer["presentation"]?.stringValue else { throw Failure(description: "no presentation in answer") }
        return text
    }
}
