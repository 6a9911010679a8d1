import AccordCore

/// Reads the members of a leaf object one by one and, at the end, refuses any it did not
/// read, so that a leaf cannot smuggle fields past the schema.
struct MemberReader {
    private var members: [String: JSONValue]

    init(members: [String: JSONValue]) {
        self.members = members
    }

    mutating func string(_ key: String) throws(AuditError) -> String {
        guard let value = try optionalString(key) else { throw AuditError(.invalidRecord, "member '\(key)' is missing") }
        return value
    }

    mutating func optionalString(_ key: String) throws(AuditError) -> String? {
        guard let value = members.removeValue(forKey: key) else { return nil }
        guard case .string(let text) = value else { throw AuditError(.invalidRecord, "member '\(key)' must be a string") }
        return text
    }

    mutating func integer(_ key: String) throws(AuditError) -> Int64 {
        guard let number = members.removeValue(forKey: key)?.integerValue else {
            throw AuditError(.invalidRecord, "member '\(key)' must be an integer")
        }
        return Int64(number)
    }

    mutating func strings(_ key: String) throws(AuditError) -> [String] {
        guard let value = members.removeValue(forKey: key) else { return [] }
        guard case .array(let elements) = value, !elements.isEmpty else {
            throw AuditError(.invalidRecord, "member '\(key)' must be a non-empty array of strings")
        }
        return try elements.map { (element: JSONValue) throws(AuditError) -> String in
            guard case .string(let text) = element else { throw AuditError(.invalidRecord, "member '\(key)' must hold strings") }
            return text
        }
    }

    mutating func optionalObject(_ key: String) throws(AuditError) -> [String: JSONValue]? {
        guard let value = members.removeValue(forKey: key) else { return nil }
        guard case .object(let object) = value else { throw AuditError(.invalidRecord, "member '\(key)' must be an object") }
        return object
    }

    mutating func objects(_ key: String) throws(AuditError) -> [[String: JSONValue]] {
        guard let value = members.removeValue(forKey: key) else { return [] }
        guard case .array(let elements) = value, !elements.isEmpty else {
            throw AuditError(.invalidRecord, "member '\(key)' must be a non-empty array of objects")
        }
        return try elements.map { (element: JSONValue) throws(AuditError) -> [String: JSONValue] in
            guard case .object(let object) = element else { throw AuditError(.invalidRecord, "member '\(key)' must hold objects") }
            return object
        }
    }

    mutating func stringMap(_ key: String) throws(AuditError) -> [String: String] {
        guard let object = try optionalObject(key) else { return [:] }
        guard !object.isEmpty else { throw AuditError(.invalidRecord, "member '\(key)' must not be empty") }
        var map: [String: String] = [:]
        for (name, value) in object {
            guard case .string(let text) = value else { throw AuditError(.invalidRecord, "member '\(key)' must map to strings") }
            map[name] = text
        }
        return map
    }

    func finish(_ what: String) throws(AuditError) {
        guard members.isEmpty else {
            throw AuditError(.invalidRecord, "\(what) has unknown members: \(members.keys.sorted().joined(separator: ", "))")
        }
    }
}
