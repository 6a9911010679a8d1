import Foundation

/// The command line as the process was started with it. The Swift runtime takes it from its
/// own start-up hook, which an `LD_PRELOAD` library such as libfaketime can leave empty; the
/// kernel's copy in `/proc/self/cmdline` is then the one to read, or `accord serve` would see
/// no subcommand, print its help and exit.
enum ProcessArguments {
    static var current: [String] {
        guard CommandLine.arguments.isEmpty,
              let bytes = FileManager.default.contents(atPath: "/proc/self/cmdline"), !bytes.isEmpty else {
            return CommandLine.arguments
        }
        var arguments = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        if arguments.last == "" { arguments.removeLast() }
        return arguments
    }
}
