import Foundation
public import Testing

/// Traits for tests that drive a program a fresh clone does not bring: such a test is skipped,
/// with the Debian package to install in its reason, when the program is absent. On CI (`CI`
/// set) nothing is skipped: `.ci/run` installs every package, so a missing one is a failure.
extension Trait where Self == ConditionTrait {
    /// Needs `program` on PATH, which Debian's `package` provides.
    public static func needs(_ program: String, fromPackage package: String) -> Self {
        .enabled(if: RequiredPackages.onCI || RequiredPackages.isOnPath(program),
                 Comment(rawValue: "needs \(program): apt-get install \(package)"))
    }

    /// Needs PostgreSQL's server programs (`initdb`, `pg_ctl`) to start a throwaway cluster.
    public static var needsPostgreSQLServer: Self {
        .enabled(if: RequiredPackages.onCI || PostgresCluster.binaries != nil,
                 "needs initdb and pg_ctl: apt-get install postgresql")
    }

    /// Needs the clients in `Tests/Interop/`, which run in `PythonEnvironment`; that is made on
    /// first use from PyPI, but needs python3 with its venv module to be made at all.
    public static var needsPython: Self {
        .enabled(if: RequiredPackages.onCI || PythonEnvironment.canBeMade,
                 "needs python3 with its venv module: apt-get install python3-venv")
    }
}

/// What the traits above look at.
enum RequiredPackages {
    static var onCI: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    static func isOnPath(_ program: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { directory in
            FileManager.default.isExecutableFile(atPath: "\(directory)/\(program)")
        }
    }
}
