import AccordCore
public import AccordCrypto
import Foundation

/// A stored password: scrypt parameters, salt and derived key in one string,
/// `$scrypt$ln=15,r=8,p=1$<salt>$<key>` (the PHC string format, with base64url without
/// padding for salt and key). The password itself is never stored.
public struct PasswordHash: Sendable, Hashable, CustomStringConvertible {
    public let parameters: Scrypt.Parameters
    public let salt: [UInt8]
    public let key: [UInt8]

    static let keyLength = 32
    static let saltLength = 16

    /// Hashes a new password with a fresh random salt.
    public static func make(password: String, parameters: Scrypt.Parameters = .interactive) throws(CryptoError) -> PasswordHash {
        let salt = try SecureRandom.bytes(saltLength)
        let key = try Scrypt.derive(password: normalized(password), salt: salt, parameters: parameters, length: keyLength)
        return PasswordHash(parameters: parameters, salt: salt, key: key)
    }

    init(parameters: Scrypt.Parameters, salt: [UInt8], key: [UInt8]) {
        self.parameters = parameters
        self.salt = salt
        self.key = key
    }

    /// Parses a stored string; throws the reason when it is not one this version accepts.
    public init(parsing text: String) throws(PasswordHashError) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].isEmpty, parts[1] == "scrypt" else {
            throw PasswordHashError("is not a $scrypt$ln=…,r=…,p=…$salt$key string")
        }
        var values: [String: Int] = [:]
        for item in parts[2].split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, let value = Int(pair[1]), values[String(pair[0])] == nil else {
                throw PasswordHashError("has a malformed parameter '\(item)'")
            }
            values[String(pair[0])] = value
        }
        guard Set(values.keys) == ["ln", "r", "p"], let logN = values["ln"], let r = values["r"], let p = values["p"] else {
            throw PasswordHashError("needs exactly the parameters ln, r and p")
        }
        let parameters = Scrypt.Parameters(logN: logN, r: r, p: p)
        guard parameters.isAccepted else {
            throw PasswordHashError("names scrypt parameters outside ln \(Scrypt.Parameters.acceptedLogN), r \(Scrypt.Parameters.acceptedR), p \(Scrypt.Parameters.acceptedP)")
        }
        let salt: [UInt8], key: [UInt8]
        do {
            salt = try Base64URL.decode(String(parts[3]))
            key = try Base64URL.decode(String(parts[4]))
        } catch {
            throw PasswordHashError("has a salt or key that is not base64url")
        }
        guard salt.count >= 8, key.count >= 16 else { throw PasswordHashError("has a salt or key that is too short") }
        self.init(parameters: parameters, salt: salt, key: key)
    }

    /// Whether `password` is the one this hash was made from; constant time in the comparison.
    public func matches(_ password: String) -> Bool {
        guard let derived = try? Scrypt.derive(password: Self.normalized(password), salt: salt, parameters: parameters, length: key.count) else {
            return false
        }
        return ConstantTime.equals(derived, key)
    }

    public var description: String {
        "$scrypt$ln=\(parameters.logN),r=\(parameters.r),p=\(parameters.p)$\(Base64URL.encode(salt))$\(Base64URL.encode(key))"
    }

    /// The same password typed on different systems can arrive composed or decomposed; NFC
    /// makes them one.
    static func normalized(_ password: String) -> [UInt8] {
        Array(password.precomposedStringWithCanonicalMapping.utf8)
    }
}

/// Why a stored password string was refused (never contains the string itself).
public struct PasswordHashError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ reason: String) { description = "the password hash \(reason)" }
}
