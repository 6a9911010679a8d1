import AccordCore
import AccordCrypto
import Foundation
import Synchronization

/// The agreement files of the agreements directory as the console reads and writes them:
/// only `<id>.yaml` directly inside it (never the registry, purposes, schemas or scenarios),
/// each written whole and atomically.
struct AgreementFiles {
    /// Why a file was not written.
    enum WriteError: Error {
        /// A new agreement's file name is taken (by a file written meanwhile, perhaps).
        case exists
        case failed(String)
    }

    /// Files of the directory that are not agreements.
    static let reserved: Set<String> = ["agencies.yaml", "purposes.yaml", "properties.yaml"]
    /// The largest agreement text accepted. The shipped agreements are under 3 KB; percent-
    /// encoded in a form, 32 KiB of text stays under the console's 64 KiB upload limit.
    static let maximumBytes = 32 * 1024
    /// Held while a save checks the file it replaces and writes it; a save is a few
    /// milliseconds of validation, and administrators are few.
    static let saving = Mutex(())

    let directory: URL

    /// The agreement file names, sorted.
    func names() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { name in
            var isDirectory: ObjCBool = false
            return name.hasSuffix(".yaml") && !Self.reserved.contains(name) && !name.hasPrefix(".")
                && FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path, isDirectory: &isDirectory)
                && !isDirectory.boolValue
        }.sorted()
    }

    /// The text of an agreement file named by `names()`; nil for any other name.
    func text(of name: String) -> String? {
        guard names().contains(name), let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else {
            return nil
        }
        return String(data: data, encoding: .utf8)
    }

    /// `<id>.yaml` for a valid agreement id (lowercase letters, digits, '.', '-', '_', starting
    /// with a letter, as the validator requires), so never a path, a hidden file or the registry.
    static func fileName(forID id: String) -> String? {
        guard let first = id.first, first.isASCII, first.isLowercase, id.count <= 64,
              id.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_") })
        else { return nil }
        let name = "\(id).yaml"
        return reserved.contains(name) ? nil : name
    }

    /// SHA-256 of a text, hex: what an editor saw, to notice a file changed meanwhile.
    static func digest(_ text: String) -> String {
        SHA256.Hasher().digest(of: text).hex
    }

    /// Writes `text` as `name` through a temporary file in the same directory: a new file by
    /// `link` (which refuses an existing name), an existing one by `rename`. Readers see the
    /// old text or the new, never part of one.
    func write(_ text: String, as name: String, creating: Bool) throws(WriteError) {
        precondition(!name.contains("/") && name.hasSuffix(".yaml"), "agreement file names are plain <id>.yaml")
        let target = directory.appendingPathComponent(name).path
        let temporary = directory.appendingPathComponent(".\(name).\(UUID().uuidString).tmp").path
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else {
            throw .failed("cannot write a temporary file in the agreements directory")
        }
        defer { unlink(temporary) }
        if let handle = FileHandle(forWritingAtPath: temporary) {
            try? handle.synchronize()
            try? handle.close()
        }
        // An edit keeps the file's permissions; rename would otherwise give it the new file's.
        if !creating, let mode = try? FileManager.default.attributesOfItem(atPath: target)[.posixPermissions] {
            try? FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: temporary)
        }
        if creating {
            guard link(temporary, target) == 0 else { throw errno == EEXIST ? .exists : .failed("cannot create \(name) (errno \(errno))") }
        } else {
            guard rename(temporary, target) == 0 else { throw .failed("cannot replace \(name) (errno \(errno))") }
        }
    }
}
