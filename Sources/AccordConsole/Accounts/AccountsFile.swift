public import Foundation
import Yams

/// The accounts file (`console.accounts` in accord.yaml): YAML listing each local account's
/// name, role and scrypt password hash. `accord accounts` writes it; the console reads it.
///
/// ```yaml
/// accounts:
///   - name: alice
///     role: privacy-officer
///     password: "$scrypt$ln=15,r=8,p=1$…$…"
///     disabled: false        # optional
/// ```
public enum AccountsFile {
    /// Reads and checks the file: every problem names its line and column.
    public static func load(_ url: URL) throws(AccountsFileError) -> [LocalAccount] {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw AccountsFileError(location: url.path, message: "cannot read the accounts file: \(error.localizedDescription)")
        }
        return try parse(text, file: url.path)
    }

    public static func parse(_ text: String, file: String) throws(AccountsFileError) -> [LocalAccount] {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { return [] }
            root = node
        } catch let error as YamlError {
            throw AccountsFileError(location: file, message: "not valid YAML: \(error)")
        } catch {
            throw AccountsFileError(location: file, message: "not valid YAML")
        }
        func location(_ node: Node) -> String {
            node.mark.map { "\(file):\($0.line):\($0.column)" } ?? file
        }
        func fields(_ node: Node, _ allowed: Set<String>, _ what: String) throws(AccountsFileError) -> [String: Node] {
            guard let mapping = node.mapping else { throw AccountsFileError(location: location(node), message: "\(what) must be a mapping") }
            var result: [String: Node] = [:]
            for (key, value) in mapping {
                guard let name = key.string, allowed.contains(name) else {
                    throw AccountsFileError(location: location(key), message: "unknown key '\(key.string ?? "?")' in \(what); expected one of \(allowed.sorted().joined(separator: ", "))")
                }
                guard result[name] == nil else { throw AccountsFileError(location: location(key), message: "'\(name)' appears twice in \(what)") }
                result[name] = value
            }
            return result
        }
        func scalar(_ node: Node?, _ what: String, in parent: Node) throws(AccountsFileError) -> String {
            guard let node else { throw AccountsFileError(location: location(parent), message: "\(what) is missing") }
            guard let value = node.scalar?.string, !value.isEmpty else {
                throw AccountsFileError(location: location(node), message: "\(what) must be a non-empty string")
            }
            return value
        }

        let top = try fields(root, ["accounts"], "the accounts file")
        guard let list = top["accounts"] else { return [] }
        if list.scalar?.string == "" || list.scalar?.string == "null" { return [] }
        guard let items = list.sequence else { throw AccountsFileError(location: location(list), message: "accounts must be a list") }
        var accounts: [LocalAccount] = []
        var seen: Set<String> = []
        for item in items {
            let entry = try fields(item, ["name", "role", "password", "disabled"], "an account")
            let nameNode = entry["name"]
            let name = try scalar(nameNode, "name", in: item)
            guard LocalAccount.isValidName(name) else {
                throw AccountsFileError(location: location(nameNode ?? item),
                                        message: "the name '\(name)' is not allowed: use 1 to 64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit")
            }
            guard seen.insert(name).inserted else {
                throw AccountsFileError(location: location(nameNode ?? item), message: "the account '\(name)' is listed twice")
            }
            let roleText = try scalar(entry["role"], "role of '\(name)'", in: item)
            guard let role = OperatorRole(rawValue: roleText) else {
                throw AccountsFileError(location: location(entry["role"] ?? item),
                                        message: "the role '\(roleText)' of '\(name)' is not one of \(OperatorRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let passwordText = try scalar(entry["password"], "password of '\(name)'", in: item)
            let password: PasswordHash
            do throws(PasswordHashError) { password = try PasswordHash(parsing: passwordText) } catch {
                throw AccountsFileError(location: location(entry["password"] ?? item), message: "\(error) (account '\(name)')")
            }
            var disabled = false
            if let node = entry["disabled"] {
                switch node.scalar?.string {
                case "true", "yes": disabled = true
                case "false", "no": disabled = false
                default: throw AccountsFileError(location: location(node), message: "disabled of '\(name)' must be true or false")
                }
            }
            accounts.append(LocalAccount(name: name, role: role, password: password, disabled: disabled))
        }
        return accounts
    }

    /// The file's text for `accounts`, in name order.
    public static func render(_ accounts: [LocalAccount]) -> String {
        var text = "# Accord console accounts: managed with `accord accounts`. Keep this file readable by the\n"
        text += "# accord user only; it holds scrypt hashes, never passwords.\n"
        guard !accounts.isEmpty else { return text + "accounts: []\n" }
        text += "accounts:\n"
        for account in accounts.sorted(by: { $0.name < $1.name }) {
            text += "  - name: \(account.name)\n    role: \(account.role.rawValue)\n    password: \"\(account.password)\"\n"
            if account.disabled { text += "    disabled: true\n" }
        }
        return text
    }

    /// Writes the file atomically (a temporary file in the same directory, then rename),
    /// readable and writable by its owner only. A file that exists keeps its owner and group:
    /// an administrator running this as root must not leave the gateway's user unable to read it.
    public static func save(_ accounts: [LocalAccount], to url: URL) throws(AccountsFileError) {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: temporary.path, contents: Data(render(accounts).utf8),
                                                 attributes: [.posixPermissions: 0o600]) else {
                throw AccountsFileError(location: url.path, message: "cannot write \(temporary.path)")
            }
            if let owner = try? FileManager.default.attributesOfItem(atPath: url.path),
               let uid = (owner[.ownerAccountID] as? NSNumber)?.uint32Value, let gid = (owner[.groupOwnerAccountID] as? NSNumber)?.uint32Value,
               uid != getuid() || gid != getgid() {
                guard chown(temporary.path, uid, gid) == 0 else {
                    throw AccountsFileError(location: url.path, message: "cannot give the new file the old one's owner (\(uid):\(gid)): \(String(cString: strerror(errno)))")
                }
            }
            guard rename(temporary.path, url.path) == 0 else {
                throw AccountsFileError(location: url.path, message: "cannot replace the accounts file: \(String(cString: strerror(errno)))")
            }
        } catch let error as AccountsFileError {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw AccountsFileError(location: url.path, message: "cannot write the accounts file: \(error.localizedDescription)")
        }
    }
}

/// A problem with the accounts file, at `file:line:column`.
public struct AccountsFileError: Error, Sendable, CustomStringConvertible {
    public let location: String
    public let message: String

    public var description: String { "\(location): \(message)" }
}
