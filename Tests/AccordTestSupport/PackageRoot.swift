public import Foundation

/// Locates files of the repository from tests, whatever the working directory.
public enum PackageRoot {
    /// The directory holding Package.swift.
    public static let url: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory
            }
            directory.deleteLastPathComponent()
        }
        fatalError("no Package.swift above \(#filePath)")
    }()

    /// `Tests/Vectors`: published test vectors, kept in the repository (see its README).
    public static var vectors: URL {
        url.appendingPathComponent("Tests/Vectors")
    }

    /// A fresh empty directory under the system temporary directory.
    public static func temporaryDirectory(_ label: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("accord-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}

extension PackageRoot {
    /// The `accord` executable built beside the test bundle (`swift test` builds every product).
    public static var accordExecutable: URL {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("accord")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return candidate
            }
            directory.deleteLastPathComponent()
        }
        return url.appendingPathComponent(".build/debug/accord")
    }
}
