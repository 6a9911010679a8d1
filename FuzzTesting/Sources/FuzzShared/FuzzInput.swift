/// What every fuzz target needs besides the code it fuzzes: the input as Swift values, a way to
/// fail loudly when a property breaks (libFuzzer keeps the input as `crash-*`), and the
/// repository's own files located from this source file, so that the targets read the shipped
/// agreements rather than copies.
public enum FuzzInput {
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
        guard let data, size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// The input as text, or nil when it is not UTF-8, so that a target feeding a `String` API
    /// is not fed the replacement characters a lossy decoding would make.
    public static func text(_ bytes: [UInt8]) -> String? {
        String(validating: bytes, as: UTF8.self)
    }

    /// The repository root: FuzzTesting/Sources/FuzzShared/ is three folders below it.
    public static var repositoryRoot: String {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(4)
        return parts.joined(separator: "/")
    }

    /// A broken property: stops the run so that libFuzzer records the input.
    public static func fail(_ property: String) -> Never {
        fatalError("fuzz property broken: \(property)")
    }
}
