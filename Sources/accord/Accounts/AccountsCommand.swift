import AccordConsole
import ArgumentParser
import Foundation

/// `accord accounts`: the console's local accounts (name, role, scrypt password hash). The
/// running gateway notices changes to the file by itself; no restart is needed.
struct AccountsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accounts",
        abstract: "Manage the console's local accounts (for operators without a client certificate).",
        subcommands: [SetAccount.self, ListAccounts.self, DisableAccount.self, EnableAccount.self, RemoveAccount.self]
    )
}

/// Where the accounts file is; the same path as `console.accounts` in accord.yaml.
struct AccountsFileOption: ParsableArguments {
    @Option(name: .customLong("file"), help: "The accounts file (console.accounts in accord.yaml).")
    var path = "var/console-accounts.yaml"

    var url: URL { URL(fileURLWithPath: path) }

    func load() throws -> [LocalAccount] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return try AccountsFile.load(url)
    }

    func save(_ accounts: [LocalAccount]) throws {
        try AccountsFile.save(accounts, to: url)
    }
}

/// `accord accounts set`: adds an account or changes its role or password.
struct SetAccount: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Add an account, or change its role or password. Its open sessions end."
    )

    @OptionGroup var file: AccountsFileOption

    @Argument(help: "The account name (a-z, 0-9, '.', '_', '-').")
    var name: String

    @Option(help: "privacy-officer, administrator or auditor.")
    var role: String

    @Flag(help: "Read the password from the first line of standard input instead of prompting.")
    var passwordStdin = false

    func run() throws {
        guard LocalAccount.isValidName(name) else {
            throw ValidationError("the name '\(name)' is not allowed: use 1 to 64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit")
        }
        guard let role = OperatorRole(rawValue: role) else {
            throw ValidationError("the role '\(self.role)' is not one of \(OperatorRole.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let password = try passwordStdin ? PasswordInput.firstLine() : PasswordInput.prompt(for: name)
        guard password.count >= LocalAccount.minimumPasswordLength else {
            throw ValidationError("the password must be at least \(LocalAccount.minimumPasswordLength) characters long")
        }
        guard password.lowercased() != name.lowercased() else { throw ValidationError("the password must not be the account name") }
        let current = try file.load()
        let existed = current.contains { $0.name == name }
        var accounts = current.filter { $0.name != name }
        accounts.append(LocalAccount(name: name, role: role, password: try PasswordHash.make(password: password)))
        try file.save(accounts)
        print("\(existed ? "updated" : "added") \(name) (\(role.rawValue)) in \(file.path)")
    }
}

/// `accord accounts list`: names, roles and whether each is disabled; never the hashes.
struct ListAccounts: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the accounts and their roles.")

    @OptionGroup var file: AccountsFileOption

    func run() throws {
        let accounts = try file.load()
        if accounts.isEmpty { print("no accounts in \(file.path)") }
        for account in accounts.sorted(by: { $0.name < $1.name }) {
            print("\(account.name)\t\(account.role.rawValue)\(account.disabled ? "\tdisabled" : "")")
        }
    }
}

/// `accord accounts disable`: the account can no longer sign in, and its sessions end.
struct DisableAccount: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disable", abstract: "Stop an account signing in; its open sessions end.")

    @OptionGroup var file: AccountsFileOption
    @Argument(help: "The account name.") var name: String

    func run() throws { try AccountEdit.change(name, in: file, disabled: true) }
}

/// `accord accounts enable`: undoes `disable`.
struct EnableAccount: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enable", abstract: "Let a disabled account sign in again.")

    @OptionGroup var file: AccountsFileOption
    @Argument(help: "The account name.") var name: String

    func run() throws { try AccountEdit.change(name, in: file, disabled: false) }
}

/// `accord accounts remove`: deletes the account; its sessions end.
struct RemoveAccount: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Delete an account; its open sessions end.")

    @OptionGroup var file: AccountsFileOption
    @Argument(help: "The account name.") var name: String

    func run() throws {
        let accounts = try file.load()
        guard accounts.contains(where: { $0.name == name }) else { throw ValidationError("no account '\(name)' in \(file.path)") }
        try file.save(accounts.filter { $0.name != name })
        print("removed \(name) from \(file.path)")
    }
}

enum AccountEdit {
    static func change(_ name: String, in file: AccountsFileOption, disabled: Bool) throws {
        let accounts = try file.load()
        guard let account = accounts.first(where: { $0.name == name }) else { throw ValidationError("no account '\(name)' in \(file.path)") }
        try file.save(accounts.filter { $0.name != name } + [LocalAccount(name: name, role: account.role, password: account.password, disabled: disabled)])
        print("\(disabled ? "disabled" : "enabled") \(name) in \(file.path)")
    }
}
