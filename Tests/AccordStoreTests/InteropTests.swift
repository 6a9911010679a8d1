import AccordCore
import AccordAudit
import AccordCrypto
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// The short Python verifier in Tests/Interop checks a real export, and refuses a tampered one.
@Suite struct InteropTests {
    @Test(.needsPython) func pythonVerifierAcceptsARealExportAndRefusesATamperedOne() async throws {
        let python = try await PythonEnvironment.interpreter()
        let configuration = try StoreFixture.configuration(every: 7)
        let store = try SQLiteStore.inMemory(configuration: configuration)
        try await store.whileRunning {
            for n in 0 ..< 30 { _ = try await store.accept(StoreFixture.submission("m\(n)", passport: "LA\(n)")) }
        }
        let verifier = configuration.signer!.verifier
        let script = ProcessHelpers.packageRoot.appendingPathComponent("Tests/Interop/audit_verify.py").path
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("accord-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let full = try await AuditExportTests.export(store, verifier: verifier, pageSize: 8)
        let fullPath = directory.appendingPathComponent("full.jsonl").path
        try full.write(toFile: fullPath, atomically: true, encoding: .utf8)
        let accepted = try await ProcessHelpers.run(python, [script, fullPath, "--verifier-key", verifier.verifierKey])
        #expect(accepted.status == 0, "\(accepted.output)")
        #expect(accepted.output.contains("verified: 30 leaves"))

        let partial = try await AuditExportTests.export(store, verifier: verifier, matching: AuditQuery(messageID: "m12"))
        let partialPath = directory.appendingPathComponent("partial.jsonl").path
        try partial.write(toFile: partialPath, atomically: true, encoding: .utf8)
        #expect(try await ProcessHelpers.run(python, [script, partialPath]).status == 0)

        let tampered = full.replacingOccurrences(of: "\\\"message_id\\\":\\\"m12\\\"", with: "\\\"message_id\\\":\\\"m13\\\"")
        #expect(tampered != full)
        let tamperedPath = directory.appendingPathComponent("tampered.jsonl").path
        try tampered.write(toFile: tamperedPath, atomically: true, encoding: .utf8)
        #expect(try await ProcessHelpers.run(python, [script, tamperedPath]).status == 1)

        // An export cut short (a download interrupted) does not pass for a smaller one.
        let cut = full.split(separator: "\n").dropLast(3).joined(separator: "\n") + "\n"
        let cutPath = directory.appendingPathComponent("cut.jsonl").path
        try cut.write(toFile: cutPath, atomically: true, encoding: .utf8)
        let refused = try await ProcessHelpers.run(python, [script, cutPath])
        #expect(refused.status == 1 && refused.output.contains("cut short"), "\(refused.output)")

        let stranger = try NoteSigner(name: StoreFixture.origin, privateKey: PrivateKey.generate(.edDSA))
        #expect(try await ProcessHelpers.run(python, [script, fullPath, "--verifier-key", stranger.verifier.verifierKey]).status == 1)
    }
}
