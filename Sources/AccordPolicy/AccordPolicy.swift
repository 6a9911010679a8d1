/// AccordPolicy: information-sharing agreements, their validation, and the decision engine.
/// Pure Swift with no I/O beyond reading what it is handed.
public enum AccordPolicy {}
