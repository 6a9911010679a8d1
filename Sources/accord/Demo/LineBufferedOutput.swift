// @preconcurrency: C's `stdout` is a mutable global, which Swift 6 refuses to read otherwise;
// it is only read here, once, before the demo prints anything.
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// Standard output flushed at each newline, whether it is a terminal or a pipe.
enum LineBufferedOutput {
    /// Piped (`accord demo | tee demo.log`), stdout is block-buffered: the exchanges would
    /// appear only when the buffer fills or the process exits, which a serving demo never does.
    /// Must be called before the first `print`.
    static func enable() {
        setvbuf(stdout, nil, _IOLBF, 0)
    }
}
