import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads a new password: from the terminal without echo (asked twice), or from standard input.
enum PasswordInput {
    static func firstLine() throws -> String {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw ValidationError("no password on standard input")
        }
        return line
    }

    static func prompt(for name: String) throws -> String {
        guard isatty(STDIN_FILENO) == 1 else {
            throw ValidationError("standard input is not a terminal: pass --password-stdin and pipe the password in")
        }
        let first = try readHidden("New password for \(name): ")
        let second = try readHidden("Repeat it: ")
        guard first == second else { throw ValidationError("the two passwords differ") }
        return first
    }

    private static func readHidden(_ prompt: String) throws -> String {
        FileHandle.standardError.write(Data(prompt.utf8))
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = readLine(strippingNewline: true) else { throw ValidationError("no password entered") }
        return line
    }
}
