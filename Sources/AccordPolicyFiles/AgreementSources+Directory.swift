public import AccordCore
public import AccordPolicy
public import Foundation

/// Reading an agreements directory into the bytes `AccordPolicy` validates, kept here so that
/// the policy target does no I/O (docs/architecture.md). Each file is named as the
/// administrator gave the directory (`Agreements/purposes.yaml`), so diagnostics still point
/// at `file:line:column` in the file they came from.
extension AgreementSources {
    /// Reads `<dir>/agencies.yaml`, `<dir>/purposes.yaml`, `<dir>/properties.yaml`,
    /// `<dir>/schemas/*.yaml` and every other `<dir>/*.yaml` as an agreement. `tests/` holds scenarios and is not read here.
    public static func read(directory: URL, hashing: any SHA256Hashing.Type) throws(PolicyError) -> AgreementSources {
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
                                agreements: agreements, properties: properties, hashing: hashing)
    }
}
