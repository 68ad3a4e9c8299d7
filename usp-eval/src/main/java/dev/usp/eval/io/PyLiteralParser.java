package dev.usp.eval.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the Python dict literal of a .npy header: string keys; values that are strings,
 * {@code True}/{@code False}, or tuples of integers (Python 2's {@code 3L} suffix accepted).
 * Tuples become {@code long[]}.
 */
final class PyLiteralParser {

    private final String s;
    private final String where;
    private int pos;

    PyLiteralParser(String text, String where) {
        this.s = text;
        this.where = where;
    }

    Map<String, Object> parseDict() throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        expect('{');
        while (peek() != '}') {
            String key = parseString();
            expect(':');
            out.put(key, parseValue());
            if (peek() == ',') {
                pos++;
            } else if (peek() != '}') {
                throw error("',' or '}'");
            }
        }
        pos++;
        if (peek() != 0) {
            throw error("end of header");
        }
        return out;
    }

    private Object parseValue() throws IOException {
        char c = peek();
        if (c == '\'' || c == '"') {
            return parseString();
        }
        if (c == '(') {
            return parseTuple();
        }
        if (s.startsWith("True", pos)) {
            pos += 4;
            return Boolean.TRUE;
        }
        if (s.startsWith("False", pos)) {
            pos += 5;
            return Boolean.FALSE;
        }
        throw error("a string, a bool or a tuple of ints");
    }

    private long[] parseTuple() throws IOException {
        expect('(');
        List<Long> values = new ArrayList<>();
        while (peek() != ')') {
            values.add(parseInt());
            if (peek() == ',') {
                pos++;
            } else if (peek() != ')') {
                throw error("',' or ')'");
            }
        }
        pos++;
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    private long parseInt() throws IOException {
        peek();
        int start = pos;
        while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
            pos++;
        }
        if (start == pos) {
            throw error("an integer");
        }
        long v;
        try {
            v = Long.parseLong(s.substring(start, pos));
        } catch (NumberFormatException e) {
            throw error("an integer that fits 64 bits");
        }
        if (pos < s.length() && s.charAt(pos) == 'L') {
            pos++;
        }
        return v;
    }

    private String parseString() throws IOException {
        char quote = peek();
        if (quote != '\'' && quote != '"') {
            throw error("a quoted string");
        }
        int end = s.indexOf(quote, pos + 1);
        if (end < 0) {
            throw error("a closing quote");
        }
        String v = s.substring(pos + 1, end);
        pos = end + 1;
        return v;
    }

    private void expect(char c) throws IOException {
        if (peek() != c) {
            throw error("'" + c + "'");
        }
        pos++;
    }

    /** Skips white space and returns the next character, or 0 at the end. */
    private char peek() {
        while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
            pos++;
        }
        return pos < s.length() ? s.charAt(pos) : 0;
    }

    private IOException error(String expected) {
        return new IOException(where + ": cannot parse .npy header at offset " + pos + ", expected " + expected
                + ": " + s.strip());
    }
}
