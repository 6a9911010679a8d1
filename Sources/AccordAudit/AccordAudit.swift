/// AccordAudit: audit records, canonical JSON, the RFC 6962 Merkle log, proofs and
/// signed checkpoints. Free of I/O so that it can be tested and fuzzed alone.
public enum AccordAudit {}
