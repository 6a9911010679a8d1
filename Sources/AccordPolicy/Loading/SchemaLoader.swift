import AccordCore
import Yams

/// Reads `schemas/<type>.yaml`.
enum SchemaLoader {
    static let claimKeys = ["path", "type", "tags", "values", "description"]

    static func schema(_ file: AgreementSources.File, log: DiagnosticLog) -> (MessageSchema, SourceLocation)? {
        guard let root = YAMLDocument.parse(file, log: log),
              let m = MappingReader(root, file: file.path, what: "a message schema",
                                    allowed: ["type", "title", "claims"], log: log)
        else { return nil }
        let type = m.string("type", in: "a message schema")
        let what = type.map { "schema '\($0)'" } ?? "a message schema"
        let title = m.string("title", in: what)
        let items = m.sequence("claims", in: what)
        if let type {
            if !Identifier.isValid(type) {
                log.add(.invalidIdentifier, m.location(of: "type"),
                        "message type '\(type)' must be lowercase letters, digits, '.', '-' or '_', starting with a letter")
            }
            if type != file.stem {
                log.add(.schemaFileMismatch, m.location(of: "type"),
                        "message type '\(type)' must be defined in a file named '\(type).yaml'")
            }
        }
        var claims: [ClaimSchema] = []
        var seen: [String: SourceLocation] = [:]
        for item in items ?? [] {
            guard let c = MappingReader(item, file: file.path, what: "a claim", allowed: claimKeys, log: log),
                  let path = c.string("path", in: "a claim in \(what)")
            else { continue }
            let claimWhat = "claim '\(path)'"
            let typeText = c.string("type", in: claimWhat)
            let tagTexts = c.strings("tags", in: claimWhat, required: false) ?? []
            let values = c.strings("values", in: claimWhat, required: false)
            let description = c.string("description", in: claimWhat, required: false) ?? ""
            if !ClaimPath.isValid(path) {
                log.add(.invalidClaimPath, c.location(of: "path"),
                        "claim path '\(path)' must be dotted lowercase names, with [*] after an array")
            }
            if let first = seen[path] {
                log.add(.duplicateClaimPath, c.location(of: "path"), "claim path '\(path)' is already declared at \(first)")
                continue
            }
            seen[path] = c.location(of: "path")
            var dataType: ClaimDataType?
            if let typeText {
                dataType = ClaimDataType(rawValue: typeText)
                if dataType == nil {
                    log.add(.invalidDataType, c.location(of: "type"),
                            "data type '\(typeText)' is not one of: \(ClaimDataType.allCases.map(\.rawValue).joined(separator: ", "))")
                }
            }
            if dataType == .enumeration {
                let texts = values?.map(\.value) ?? []
                if texts.isEmpty {
                    log.add(.invalidEnumValues, c.location, "enum claim '\(path)' must list its 'values'")
                } else if Set(texts).count != texts.count {
                    log.add(.invalidEnumValues, c.location(of: "values"), "enum claim '\(path)' lists a value twice")
                }
            } else if values != nil, dataType != nil {
                log.add(.invalidEnumValues, c.location(of: "values"), "only enum claims take 'values' ('\(path)' is not an enum)")
            }
            var tags: Set<SensitivityTag> = []
            for tag in tagTexts {
                if let known = SensitivityTag(rawValue: tag.value) {
                    tags.insert(known)
                } else {
                    log.add(.unknownSensitivityTag, tag.location,
                            "sensitivity tag '\(tag.value)' is not one of: \(SensitivityTag.allCases.map(\.rawValue).joined(separator: ", "))")
                }
            }
            if let dataType {
                claims.append(ClaimSchema(path: path, dataType: dataType, tags: tags, values: values?.map(\.value) ?? [],
                                          description: description))
            }
        }
        if let items, items.isEmpty {
            log.add(.emptyList, m.location(of: "claims"), "\(what) must declare at least one claim")
        }
        guard let type, let title else { return nil }
        return (MessageSchema(type: type, title: title, claims: claims), m.location(of: "type"))
    }
}
