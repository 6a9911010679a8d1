/// AccordMessages: SD-JWT (RFC 9901) issue, parse, verify, redact and present, with the
/// gateway's key binding.
public enum AccordMessages {}
