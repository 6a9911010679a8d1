/// An information-sharing agreement's id, as its file declares it (`police-ot-s66c`).
public struct AgreementID: Identifier {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
}
