/// Key names of signed notes: non-empty, with neither Unicode spaces nor '+'.
enum NoteKeyName {
    static func validate(_ name: String) throws(AuditError) {
        guard !name.isEmpty else { throw AuditError(.invalidKeyName, "a note key name must not be empty") }
        for scalar in name.unicodeScalars {
            if scalar == "+" || scalar.properties.isWhitespace || scalar.value < 0x20 {
                throw AuditError(.invalidKeyName, "note key name '\(name)' contains a space, '+' or a control character")
            }
        }
    }
}
