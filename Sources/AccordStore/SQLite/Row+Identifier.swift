import AccordCore
import GRDB

extension Row {
    /// A typed identifier from the text column that holds it.
    func id<ID: Identifier>(_ column: String) -> ID { ID(rawValue: self[column]) }
}
