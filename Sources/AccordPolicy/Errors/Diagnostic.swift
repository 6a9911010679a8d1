/// Where a problem was found: a file and, when known, a 1-based line and column.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// One problem found while loading or validating agreements, shown to an administrator
/// as `file:line:column: message`. Messages name keys, ids and paths, never payload values.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public let check: ValidationCheck
    public let location: SourceLocation
    public let message: String

    public init(_ check: ValidationCheck, at location: SourceLocation, _ message: String) {
        self.check = check
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message) [\(check.rawValue)]" }
}

/// The stable code of each validation check. Codes are part of the interface: tools and
/// tests match on them, so a code is never renamed or reused.
public enum ValidationCheck: String, Sendable, Hashable, CaseIterable {
    case yamlSyntax = "yaml-syntax"
    case wrongType = "wrong-type"
    case missingKey = "missing-key"
    case unknownKey = "unknown-key"
    case duplicateKey = "duplicate-key"
    case missingFile = "missing-file"
    case invalidIdentifier = "invalid-identifier"
    case duplicateAgency = "duplicate-agency"
    case invalidAgencyName = "invalid-agency-name"
    case invalidJurisdiction = "invalid-jurisdiction"
    case invalidAgencyKind = "invalid-agency-kind"
    case kindJurisdictionMismatch = "kind-jurisdiction-mismatch"
    case certificateMismatch = "certificate-mismatch"
    case invalidEndpoint = "invalid-endpoint"
    case invalidCAPath = "invalid-ca-path"
    case duplicatePurpose = "duplicate-purpose"
    case duplicateMessageType = "duplicate-message-type"
    case schemaFileMismatch = "schema-file-mismatch"
    case invalidClaimPath = "invalid-claim-path"
    case duplicateClaimPath = "duplicate-claim-path"
    case invalidDataType = "invalid-data-type"
    case invalidEnumValues = "invalid-enum-values"
    case unknownSensitivityTag = "unknown-sensitivity-tag"
    case duplicateAgreement = "duplicate-agreement"
    case agreementFileMismatch = "agreement-file-mismatch"
    case invalidVersion = "invalid-version"
    case invalidStatus = "invalid-status"
    case invalidDate = "invalid-date"
    case invalidValidityWindow = "invalid-validity-window"
    case missingLegalBasis = "missing-legal-basis"
    case unknownAgency = "unknown-agency"
    case flowPartyNotInParties = "flow-party-not-in-parties"
    case emptyList = "empty-list"
    case selfFlow = "self-flow"
    case unknownMessageType = "unknown-message-type"
    case unknownPurpose = "unknown-purpose"
    case unknownClaimPath = "unknown-claim-path"
    case disclosedAndNeverDisclosed = "disclosed-and-never-disclosed"
    case invalidClassification = "invalid-classification"
    case invalidHandlingCode = "invalid-handling-code"
    case invalidReview = "invalid-review"
    case invalidHold = "invalid-hold"
    case holdNeverApplies = "hold-never-applies"
    case overseasWithoutSafeguard = "overseas-without-safeguard"
    case invalidSafeguard = "invalid-safeguard"
    case safeguardNotOverseas = "safeguard-not-overseas"
    case childClaimsToNonChildAgency = "child-claims-to-non-child-agency"
    case duplicateFlow = "duplicate-flow"
    case conflictingOverlap = "conflicting-overlap"
    case invalidProperty = "invalid-property"
    case duplicateProperty = "duplicate-property"
    /// A property the set breaks; the message names each counterexample.
    case propertyViolated = "property-violated"
}
