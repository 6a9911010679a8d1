import Foundation
import Testing

/// Locates the published test vectors kept in `Tests/Vectors`, failing with a clear message.
enum Vectors {
    static func directory(_ relative: String, filePath: String = #filePath) throws -> URL {
        let tests = URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent()
        let folder = tests.appendingPathComponent("Vectors").appendingPathComponent(relative)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            Issue.record("test vectors not found at \(folder.path)")
            throw CocoaError(.fileNoSuchFile)
        }
        return folder
    }

    static func jsonFiles(under folder: URL) -> [URL] {
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        var files: [URL] = []
        while let url = enumerator?.nextObject() as? URL {
            if url.pathExtension == "json" { files.append(url) }
        }
        return files.sorted { $0.path < $1.path }
    }

    static func bytes(_ base64: String) -> [UInt8] {
        [UInt8](Data(base64Encoded: base64) ?? Data())
    }
}
