import CFuzzDriver

/// Hands a target's entry point to libFuzzer. SwiftPM names an executable target's entry
/// point `<Target>_main` and links it as `main`, so each target defines that symbol and calls
/// `run`, which parses libFuzzer's options and fuzzes `body` (docs/testing.md, "Fuzzing").
public enum FuzzDriver {
    public typealias Body = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    public static func run(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ body: Body) -> CInt {
        var argc = argc
        var argv = argv
        return LLVMFuzzerRunDriver(&argc, &argv, body)
    }
}
