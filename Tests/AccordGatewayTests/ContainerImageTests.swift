import AccordTestSupport
import Foundation
import Testing

/// Deploy/Containerfile's run-time stage installs every Debian library the `accord` binary links
/// directly, so that the image starts: libpq joined libssl and libsqlite with the PostgreSQL
/// backend, and an image without it would stop at the dynamic loader.
@Suite struct ContainerImageTests {
    static let inEveryImage: Set<String> = ["libc6", "libgcc-s1", "libstdc++6"]

    @Test(.needs("readelf", fromPackage: "binutils"), .needs("dpkg-query", fromPackage: "dpkg"))
    func theRunTimeStageInstallsTheLibrariesTheGatewayLinks() async throws {
        let binary = PackageRoot.accordExecutable.path
        let needed = try await ExternalProcess.run("readelf", ["--dynamic", binary])
        try #require(needed.status == 0, "\(needed.standardError)")
        let sonames = needed.standardOutput.matches(of: /\(NEEDED\)\s+Shared library: \[([^\]]+)\]/).map { String($0.1) }
        let resolved = try await ExternalProcess.run("ldd", [binary])
        let paths = Dictionary(resolved.standardOutput.matches(of: /(?m)^\s*(\S+) => (\/\S+)/).map { (String($0.1), String($0.2)) }) { $1 }

        var packages: Set<String> = []
        for soname in sonames {
            // The Swift runtime comes with the toolchain here and is linked statically into the image.
            guard let path = paths[soname], path.hasPrefix("/usr/lib/") || path.hasPrefix("/lib/") else { continue }
            let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            // With /lib a link to /usr/lib, dpkg knows each file under the one its package names.
            let names = [real, real.hasPrefix("/usr/lib/") ? String(real.dropFirst(4)) : "/usr" + real]
            var package: String?
            for name in names where package == nil {
                let owner = try await ExternalProcess.run("dpkg", ["-S", name])
                if owner.status == 0 { package = String(owner.standardOutput.prefix { $0 != ":" }) }
            }
            let owner = try #require(package, "no Debian package holds \(real)")
            // Packages of priority required, and the C and C++ runtimes apt itself needs, are in
            // every Debian image, debian:bookworm-slim too.
            let priority = try await ExternalProcess.run("dpkg-query", ["--show", "--showformat=${Priority}", owner])
            if priority.standardOutput != "required" && !Self.inEveryImage.contains(owner) { packages.insert(owner) }
        }
        #expect(packages.contains("libpq5") && packages.contains("libssl3"), "the binary links libpq and OpenSSL: \(packages.sorted())")

        let containerfile = try String(contentsOf: PackageRoot.url.appendingPathComponent("Deploy/Containerfile"), encoding: .utf8)
        let runTime = try #require(containerfile.components(separatedBy: "\nFROM ").last, "the Containerfile has no run-time stage")
        let install = try #require(runTime.firstMatch(of: /apt-get install -y --no-install-recommends ([^\\&\n]+)/), "the run-time stage installs nothing")
        let installed = Set(install.1.split(separator: " ").map(String.init))
        for package in packages.sorted() {
            #expect(installed.contains(package), "the image does not install \(package), which the gateway links")
        }
    }
}
