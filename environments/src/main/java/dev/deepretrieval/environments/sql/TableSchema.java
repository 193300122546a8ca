package dev.deepretrieval.environments.sql;

import java.util.List;
import java.util.Locale;

/**
 * One table of a Spider schema: its columns in order and primary key.
 *
 * @param name the table name as the schema spells it
 * @param primaryKey primary-key column names (may be empty)
 */
public record TableSchema(String name, List<Column> columns, List<String> primaryKey) {

    /**
     * @param type the declared MySQL type, upper case (e.g. {@code VARCHAR(255)}, {@code INT}, {@code FLOAT(10,2)})
     */
    public record Column(String name, String type, boolean notNull) {

        /** The type's base name: {@code VARCHAR(255)} → {@code VARCHAR}. */
        public String baseType() {
            int paren = type.indexOf('(');
            return (paren < 0 ? type : type.substring(0, paren)).strip().toUpperCase(Locale.ROOT);
        }

        public ValueKind kind() {
            return switch (baseType()) {
                case "INT", "INTEGER", "SMALLINT", "TINYINT", "MEDIUMINT", "BIGINT", "BIT", "BOOL", "BOOLEAN" -> ValueKind.INTEGER;
                case "REAL", "FLOAT", "DOUBLE", "DECIMAL", "NUMERIC", "NUMBER" -> ValueKind.DECIMAL;
                case "DATE" -> ValueKind.DATE;
                case "DATETIME", "TIMESTAMP", "TIME", "YEAR" -> ValueKind.TIMESTAMP;
                default -> ValueKind.TEXT;
            };
        }
    }

    /** How a column's CSV text is bound and declared. */
    public enum ValueKind {
        INTEGER,
        DECIMAL,
        DATE,
        TIMESTAMP,
        TEXT
    }

    public TableSchema {
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
    }

    public Column column(String columnName) {
        for (Column c : columns) {
            if (c.name().equalsIgnoreCase(columnName)) {
                return c;
            }
        }
        throw new IllegalArgumentException("table " + name + " has no column " + columnName);
    }
}
