public import Foundation

/// The files of one agreements directory, as bytes: the registry, the purposes, the message
/// schemas and the agreements. Loading works on these values so that validation needs no I/O.
public struct AgreementSources: Sendable {
    /// One file's name (as shown in errors) and contents.
    public struct File: Sendable, Hashable {
        public let path: String
        public let bytes: [UInt8]

        public init(path: String, bytes: [UInt8]) {
            self.path = path
            self.bytes = bytes
        }

        public init(path: String, text: String) {
            self.init(path: path, bytes: Array(text.utf8))
        }

        /// The file name without directory or `.yaml`.
        var stem: String {
            let name = path.split(separator: "/").last.map(String.init) ?? path
            return name.hasSuffix(".yaml") ? String(name.dropLast(5)) : name
        }
    }

    public var agencies: File?
    public var purposes: File?
    public var schemas: [File]
    public var agreements: [File]
    /// `properties.yaml`: statements the set must always satisfy (docs/agreements.md); optional.
    public var properties: File?
    /// Where the files came from, for messages about a missing file.
    public var directory: String

    public init(directory: String, agencies: File?, purposes: File?, schemas: [File], agreements: [File],
                properties: File? = nil) {
        self.directory = directory
        self.properties = properties
        self.agencies = agencies
        self.purposes = purposes
        self.schemas = schemas
        self.agreements = agreements
    }

    /// Reads `<dir>/agencies.yaml`, `<dir>/purposes.yaml`, `<dir>/schemas/*.yaml` and every
    /// other `<dir>/*.yaml` but `properties.yaml` as an agreement. `tests/` holds scenarios and is not read here.
    public static func read(directory: URL) throws(PolicyError) -> AgreementSources {
        let fm = FileManager.default
        let display = directory.relativePath
        func load(_ url: URL, _ shown: String) throws(PolicyError) -> File {
            guard let data = fm.contents(atPath: url.path) else {
                throw PolicyError(.unreadableSource, "\(shown): cannot be read")
            }
            return File(path: shown, bytes: Array(data))
        }
        func yamlFiles(in url: URL) throws(PolicyError) -> [String] {
            guard let names = try? fm.contentsOfDirectory(atPath: url.path) else {
                throw PolicyError(.unreadableSource, "\(url.relativePath): directory cannot be read")
            }
            return names.filter { $0.hasSuffix(".yaml") }.sorted()
        }
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PolicyError(.unreadableSource, "\(display): not a directory")
        }
        var agencies: File?
        var purposes: File?
        var agreements: [File] = []
        var properties: File?
        for name in try yamlFiles(in: directory) {
            let file = try load(directory.appendingPathComponent(name), "\(display)/\(name)")
            switch name {
            case "agencies.yaml": agencies = file
            case "purposes.yaml": purposes = file
            case "properties.yaml": properties = file
            default: agreements.append(file)
            }
        }
        var schemas: [File] = []
        let schemaDirectory = directory.appendingPathComponent("schemas")
        if fm.fileExists(atPath: schemaDirectory.path) {
            for name in try yamlFiles(in: schemaDirectory) {
                schemas.append(try load(schemaDirectory.appendingPathComponent(name), "\(display)/schemas/\(name)"))
            }
        }
        return AgreementSources(directory: display, agencies: agencies, purposes: purposes, schemas: schemas,
                                agreements: agreements, properties: properties)
    }
}
