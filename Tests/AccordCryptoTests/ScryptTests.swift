import AccordCore
import AccordCrypto
import AccordTestSupport
import Foundation
import Testing

/// scrypt through OpenSSL against the published vectors, and its parameter limits.
@Suite struct ScryptTests {
    /// RFC 7914 section 12, vectors 1 and 2 (the third and fourth take a second or more).
    @Test func rfc7914Vectors() throws {
        let empty = try Scrypt.derive(password: [], salt: [], parameters: .init(logN: 4, r: 1, p: 1), length: 64)
        #expect(Hex.encode(empty) == "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"
            + "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906")
        let nacl = try Scrypt.derive(password: Array("password".utf8), salt: Array("NaCl".utf8), parameters: .init(logN: 10, r: 8, p: 16), length: 64)
        #expect(Hex.encode(nacl) == "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622"
            + "eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640")
    }

    /// Python's hashlib.scrypt is a second implementation to agree with, on random input.
    @Test(.needsPython) func agreesWithPythonHashlib() async throws {
        let password = try SecureRandom.bytes(19)
        let salt = try SecureRandom.bytes(16)
        let ours = try Scrypt.derive(password: password, salt: salt, parameters: .init(logN: 12, r: 8, p: 2), length: 32)
        let output = try await ExternalProcess.run(try await PythonEnvironment.interpreter(), [
            "-c", "import hashlib,sys; print(hashlib.scrypt(bytes.fromhex(sys.argv[1]), salt=bytes.fromhex(sys.argv[2]), n=4096, r=8, p=2, dklen=32).hex())",
            Hex.encode(password), Hex.encode(salt),
        ])
        #expect(output.status == 0, "\(output.standardError)")
        #expect(output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == Hex.encode(ours))
    }

    @Test func refusesParametersOutsideTheAcceptedRanges() {
        for parameters in [Scrypt.Parameters(logN: 21, r: 8, p: 1), .init(logN: 15, r: 33, p: 1), .init(logN: 15, r: 8, p: 17), .init(logN: 0, r: 8, p: 1)] {
            #expect(throws: CryptoError.self, "\(parameters)") { try Scrypt.derive(password: [1], salt: [2], parameters: parameters) }
        }
    }
}
