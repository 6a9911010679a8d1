import AccordCrypto
import ArgumentParser
import Foundation

/// Signs and verifies per second for ES256 and EdDSA through AccordCrypto, next to
/// `openssl speed` run in the same invocation on the same machine.
struct CryptoBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crypto",
        abstract: "JWS signatures per second next to 'openssl speed ecdsap256 ed25519'."
    )

    @Option(help: "Seconds per measurement.")
    var seconds = 3.0

    func run() throws {
        // openssl speed signs a 20-byte buffer; measure that size for a like-for-like ratio,
        // and a typical SD-JWT signing input for what Accord actually pays.
        let shortMessage = [UInt8](repeating: 0x5A, count: 20)
        let jwsInput = Array((String(repeating: "eyJhbGciOiJFUzI1NiJ9", count: 3) + "." + String(repeating: "eyJpc3MiOiJuei5wb2xpY2UifQ", count: 14)).utf8)
        print("AccordCrypto on OpenSSL \(opensslVersion()), \(ProcessInfo.processInfo.activeProcessorCount) cores, one thread, \(seconds) s per figure")
        print("algorithm   operation   accord/s (20 B)   accord/s (\(jwsInput.count) B)   openssl speed/s   accord/openssl")
        let reference = opensslSpeed()
        for algorithm in KeyAlgorithm.allCases {
            let key = try PrivateKey.generate(algorithm)
            let signer = try JWSSigner(key: key)
            let verifier = try JWSVerifier(key: key.publicKey)
            let shortSignature = try signer.sign(shortMessage)
            let longSignature = try signer.sign(jwsInput)
            let signShort = try operationsPerSecond(seconds: seconds) { _ = try signer.sign(shortMessage) }
            let signLong = try operationsPerSecond(seconds: seconds) { _ = try signer.sign(jwsInput) }
            let verifyShort = try operationsPerSecond(seconds: seconds) { try verifier.verify(signature: shortSignature, for: shortMessage) }
            let verifyLong = try operationsPerSecond(seconds: seconds) { try verifier.verify(signature: longSignature, for: jwsInput) }
            let name = algorithm.jwsName.padding(toLength: 11, withPad: " ", startingAt: 0)
            for (operation, short, long) in [("sign", signShort, signLong), ("verify", verifyShort, verifyLong)] {
                let ref = reference[algorithm]?[operation]
                let ratio = ref.map { String(format: "%.2f", short / $0) } ?? "n/a"
                print("\(name) \(operation.padding(toLength: 11, withPad: " ", startingAt: 0)) \(formatRate(short))        \(formatRate(long))          \(ref.map(formatRate) ?? "       n/a")        \(ratio)")
            }
        }
    }

    private func opensslVersion() -> String {
        (try? run("openssl", ["version"]))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "(openssl command not found)"
    }

    /// Parses `openssl speed -seconds N ecdsap256 ed25519` into sign/s and verify/s.
    private func opensslSpeed() -> [KeyAlgorithm: [String: Double]] {
        guard let output = try? run("openssl", ["speed", "-seconds", String(Int(seconds.rounded(.up))), "ecdsap256", "ed25519"]) else { return [:] }
        var result: [KeyAlgorithm: [String: Double]] = [:]
        for line in output.split(separator: "\n") {
            let algorithm: KeyAlgorithm? = line.contains("(nistp256)") ? .es256 : line.contains("(Ed25519)") ? .edDSA : nil
            guard let algorithm else { continue }
            let numbers = line.split(separator: " ").compactMap { Double($0) }
            guard numbers.count >= 2 else { continue }
            result[algorithm] = ["sign": numbers[numbers.count - 2], "verify": numbers[numbers.count - 1]]
        }
        return result
    }

    /// Runs a command and returns its standard output. The child is spawned with an empty
    /// signal mask and default handlers: `openssl speed` times itself with SIGALRM, which
    /// Foundation's Process would leave blocked (inherited from Dispatch's threads).
    private func run(_ executable: String, _ arguments: [String]) throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("accord-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGALRM)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, executable, &actions, &attributes, argv, environ)
        guard status == 0 else { throw POSIXError(POSIXErrorCode(rawValue: status) ?? .ENOENT) }
        var exit: Int32 = 0
        waitpid(pid, &exit, 0)
        return (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    }
}
