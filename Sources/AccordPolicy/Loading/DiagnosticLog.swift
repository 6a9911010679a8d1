/// Gathers every problem of one validation run, so an administrator sees all of them at once.
final class DiagnosticLog {
    private(set) var items: [Diagnostic] = []

    func add(_ check: ValidationCheck, _ location: SourceLocation, _ message: String) {
        items.append(Diagnostic(check, at: location, message))
    }
}
