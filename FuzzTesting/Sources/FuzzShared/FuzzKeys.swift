/// Keys made for fuzzing alone and published with it, so that the seeds in
/// FuzzTesting/Corpus carry valid signatures and mutations get past the signature checks.
/// They sign nothing else; the gateway never trusts them.
public enum FuzzKeys {
    /// ES256: signs the seed SD-JWTs as issuer `fuzz-agency`, kid `fuzz-1`.
    public static let issuer = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgb7OXxQGkJSddj/xE
        kYMwLqPYNdt+etrvFXWMajeupJKhRANCAAS2njAqBv07GbrG7QG7/uDi7jvIXaLR
        S/WA5bqKv4ua9qWhrhEsTn5SOr/VCqSXH5zKKDAFyFDpPPgLwW9PuI8U
        -----END PRIVATE KEY-----
        """

    /// ES256: the holder the seed SD-JWTs bind in `cnf` (the gateway's binding key in use).
    public static let holder = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgtZvHfE8DRC8CCjJs
        9ImXIFKpHX0By0LqJs1PXpk7fdehRANCAARTR63+lSDXrELCpux7yvkmxOzxOVI4
        G5JjkFM4KwM+bD/gi1XoMeUe1ffAwZoszUFM2i+OSYoIgauwRfpibjPX
        -----END PRIVATE KEY-----
        """

    /// Ed25519: signs the seed checkpoints as `accord.fuzz/log`.
    public static let noteSigner = """
        -----BEGIN PRIVATE KEY-----
        MC4CAQAwBQYDK2VwBCIEIFTZzlRVVgp4z6dNYy/77XraC+OsKauCGbU/0nq79spy
        -----END PRIVATE KEY-----
        """
}
