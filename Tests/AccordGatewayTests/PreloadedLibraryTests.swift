import AccordTestSupport
import Foundation
import Testing

/// `accord` under an `LD_PRELOAD` library, as an administrator runs it under libfaketime to see
/// how the agreements stand on a later date: such a library can keep the command line from the
/// Swift runtime, and accord must still see its subcommand rather than print its help and exit 0.
@Suite(.needsFakeTime) struct PreloadedLibraryTests {
    @Test func accordSeesItsCommandLineUnderLibfaketime() async throws {
        let agreements = PackageRoot.url.appendingPathComponent("Agreements").path
        let run = try await ExternalProcess.run("env", FakeTime.environment(offset: "+0d") + [
            PackageRoot.accordExecutable.path, "agreements", "check", agreements,
        ])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("holds: Informants are never disclosed"), "\(run.standardOutput.prefix(300))")
    }
}
