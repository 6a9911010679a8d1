/// A console account that signs in with a name and password instead of a client
/// certificate, as listed in the accounts file.
public struct LocalAccount: Sendable, Hashable {
    public let name: String
    public let role: OperatorRole
    public let password: PasswordHash
    /// A disabled account cannot sign in, and its open sessions end.
    public let disabled: Bool

    public init(name: String, role: OperatorRole, password: PasswordHash, disabled: Bool = false) {
        self.name = name
        self.role = role
        self.password = password
        self.disabled = disabled
    }

    /// Names are the last part of the actor URI `urn:accord:operator:<role>:<name>`, so they
    /// keep to a small alphabet: lower-case letters, digits, `.`, `_` and `-`, 1 to 64 long,
    /// starting with a letter or digit.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...64).contains(bytes.count), let first = bytes.first, isLowerAlphanumeric(first) else { return false }
        return bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// The shortest password `accord accounts set` accepts.
    public static let minimumPasswordLength = 12
}
