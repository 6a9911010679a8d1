/// The console's roles, carried in the operator certificate as
/// `urn:accord:operator:<role>:<name>`.
public enum OperatorRole: String, Sendable, Hashable, CaseIterable {
    case privacyOfficer = "privacy-officer"
    case administrator
    /// Read-only: audit search, integrity and export.
    case auditor

    /// Whether this role may do `action`. Deny is the default: a role lists what it may do.
    public func permits(_ action: ConsoleAction) -> Bool {
        switch self {
        case .privacyOfficer:
            [.searchAudit, .exportAudit, .viewIntegrity, .verifyLog, .viewFlows, .reviewHeld].contains(action)
        case .auditor:
            [.searchAudit, .exportAudit, .viewIntegrity, .verifyLog].contains(action)
        case .administrator:
            [.viewAgencies, .viewAgreements, .changeAgreements, .reloadTrust].contains(action)
        }
    }

    public var title: String {
        switch self {
        case .privacyOfficer: "Privacy officer"
        case .administrator: "Administrator"
        case .auditor: "Auditor"
        }
    }
}

/// What an operator can do in the console; each page or form needs one.
public enum ConsoleAction: String, Sendable, Hashable, CaseIterable {
    case searchAudit, exportAudit, viewIntegrity, verifyLog, viewFlows, reviewHeld
    case viewAgencies, viewAgreements, changeAgreements, reloadTrust
}

/// A person signed in to the console, by client certificate or by local account.
public struct ConsoleOperator: Sendable, Hashable {
    public let role: OperatorRole
    public let name: String
    /// For a local account, the key of its session (a hash of the cookie, never the cookie);
    /// nil for a certificate. CSRF tokens are bound to it, so each session has its own.
    public let session: String?

    public init(role: OperatorRole, name: String, session: String? = nil) {
        self.role = role
        self.name = name
        self.session = session
    }

    /// Whether this operator signed in with a password (and so can sign out).
    public var usesAccount: Bool { session != nil }

    /// The identity written as the actor of audit records this operator causes.
    public var actor: String { "urn:accord:operator:\(role.rawValue):\(name)" }
}

/// Who may use the console, decided from the client certificate's identity.
public enum ConsoleAdmission: Sendable, Equatable {
    case admitted(ConsoleOperator)
    case refused(reason: String)

    public init(_ identity: (some CustomStringConvertible & Sendable)?, role: String?, name: String?) {
        guard let identity else {
            self = .refused(reason: "A verified client certificate is needed to use the console.")
            return
        }
        guard let role, let name else {
            self = .refused(reason: "The certificate of \(identity) is not an operator certificate; agency systems cannot use the console.")
            return
        }
        guard let known = OperatorRole(rawValue: role) else {
            self = .refused(reason: "The role '\(role)' in this operator certificate is not a console role.")
            return
        }
        self = .admitted(ConsoleOperator(role: known, name: name))
    }
}
