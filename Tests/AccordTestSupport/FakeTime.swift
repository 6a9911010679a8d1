import Foundation
public import Testing

/// libfaketime (Debian's `faketime`), preloaded into a program a test starts to move its wall
/// clock: `["env"] + environment(offset:) + [program, …]`.
public enum FakeTime {
    /// Where Debian puts the library; nil when the package is not installed.
    public static let library: String? = [
        "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
    ].first { FileManager.default.fileExists(atPath: $0) }

    /// `offset` in libfaketime's relative form: `"+2y"`, `"-50s"`. Only the wall clock is
    /// meant to move, as when a real clock is set (`DONT_FAKE_MONOTONIC`); libfaketime still
    /// reaches what Swift's timers wait on, so a program run under it must not need a
    /// `Task.sleep` to wake (`accord demo --no-partner`, docs/federation.md "The demo").
    public static func environment(offset: String) -> [String] {
        ["LD_PRELOAD=\(library ?? "")", "FAKETIME=\(offset)", "DONT_FAKE_MONOTONIC=1"]
    }
}

extension Trait where Self == ConditionTrait {
    /// Needs libfaketime to move the wall clock of a process a test starts.
    public static var needsFakeTime: Self {
        .enabled(if: RequiredPackages.onCI || FakeTime.library != nil, "needs libfaketime: apt-get install faketime")
    }
}
