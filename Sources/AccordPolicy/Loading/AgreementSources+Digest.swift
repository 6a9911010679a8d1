import AccordCore

extension AgreementSources {
    /// SHA-256 (hex) over every file of the set, named within its directory, with its bytes:
    /// the registry, the purposes, the schemas, the agreements and the properties. It names exactly the files
    /// an administrator reviewed, wherever the directory lies, so an activation can insist on
    /// that version (a change to any file, a schema included, gives another digest).
    public var filesDigest: String {
        var files = schemas + agreements
        if let agencies { files.append(agencies) }
        if let purposes { files.append(purposes) }
        if let properties { files.append(properties) }
        var bytes: [UInt8] = []
        for (name, file) in files.map({ (relativeName(of: $0), $0) }).sorted(by: { $0.0 < $1.0 }) {
            bytes += Array("\(name) \(file.bytes.count)\n".utf8) + file.bytes
        }
        return hashing.init().digest(of: bytes).hex
    }

    /// The file's name within the directory (`agencies.yaml`, `schemas/referral.yaml`).
    public func relativeName(of file: File) -> String {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        return file.path.hasPrefix(prefix) ? String(file.path.dropFirst(prefix.count)) : file.path
    }
}
