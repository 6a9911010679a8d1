/// AccordStore: messages, deliveries, audit leaves and agreement versions in SQLite through GRDB.
public enum AccordStore {}
