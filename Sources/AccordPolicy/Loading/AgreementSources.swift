public import AccordCore

/// The files of one agreements directory, as bytes: the registry, the purposes, the message
/// schemas and the agreements. Loading works on these values so that validation needs no I/O;
/// reading them from a directory is `AccordPolicyFiles`' job (docs/architecture.md).
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
    /// The SHA-256 that names agreement versions, handed in so that this target needs no crypto library.
    public var hashing: any SHA256Hashing.Type

    public init(
        directory: String, agencies: File?, purposes: File?, schemas: [File], agreements: [File],
        properties: File? = nil, hashing: any SHA256Hashing.Type
    ) {
        self.directory = directory
        self.hashing = hashing
        self.properties = properties
        self.agencies = agencies
        self.purposes = purposes
        self.schemas = schemas
        self.agreements = agreements
    }
}
