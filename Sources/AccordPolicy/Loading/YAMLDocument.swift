import Yams

/// Parses one file's bytes into a node tree, logging syntax errors with their position.
enum YAMLDocument {
    static func parse(_ file: AgreementSources.File, log: DiagnosticLog) -> Node? {
        guard let text = String(validating: file.bytes, as: UTF8.self) else {
            log.add(.yamlSyntax, SourceLocation(file: file.path, line: 1, column: 1), "file is not valid UTF-8 text")
            return nil
        }
        do {
            guard let root = try Yams.compose(yaml: text) else {
                log.add(.yamlSyntax, SourceLocation(file: file.path, line: 1, column: 1), "file is empty")
                return nil
            }
            return root
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
            log.add(.duplicateKey, SourceLocation(file: file.path, line: context.mark.line, column: context.mark.column),
                    "key '\(duplicates.joined(separator: "', '"))' appears more than once in one mapping; keep one")
        } catch let error as YamlError {
            log.add(.yamlSyntax, location(of: error, file: file.path), "YAML syntax error: \(problem(of: error))")
        } catch {
            log.add(.yamlSyntax, SourceLocation(file: file.path, line: 1, column: 1), "YAML could not be read")
        }
        return nil
    }

    private static func location(of error: YamlError, file: String) -> SourceLocation {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            SourceLocation(file: file, line: mark.line, column: mark.column)
        default:
            SourceLocation(file: file, line: 1, column: 1)
        }
    }

    // The problem text from libyaml describes structure ("mapping values are not allowed
    // here"); the snippet Yams adds would echo file content, so it is left out.
    private static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _):
            problem
        default:
            "unreadable YAML"
        }
    }
}
