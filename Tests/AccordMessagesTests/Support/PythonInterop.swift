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

    /// Runs `script` on `request`, without holding a thread while Python runs.
    static func run(_ script: String, _ request: JSONValue) async throws -> JSONValue {
        let requestFile = FileManager.default.temporaryDirectory.appendingPathComponent("accord-sdjwt-\(UUID().uuidString).json")
        try Data(CanonicalJSON.encode(request)).write(to: requestFile)
        defer { try? FileManager.default.removeItem(at: requestFile) }
        let python = try await PythonEnvironment.interpreter()
        let output: ExternalProcess.Output
        do {
            output = try await ExternalProcess.run(python, [interopDirectory.appendingPathComponent(script).path, requestFile.path],
                                                   directory: interopDirectory)
        } catch {
            throw Failure(description: "cannot start \(python): \(error)")
        }
        guard output.status == 0 else {
            if output.status == 3 {
                throw Failure(description: output.standardError.isEmpty ? "a Python module is missing from Tests/Interop/requirements.txt" : output.standardError)
            }
            throw Failure(description: "\(script) exited with \(output.status): \(output.standardError)")
        }
        return try JSONParser.parse(Array(output.standardOutput.utf8))
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
