package org.clconv.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the subset of Python literals an NPY header uses: a dict of string keys whose values are strings,
 * {@code True}/{@code False}, integers, and tuples or lists of those (a structured dtype's descr is a list of
 * tuples, so nesting is allowed). Strings become {@link String}, booleans {@link Boolean}, integers
 * {@link Long}, tuples and lists {@link List}, the dict a {@link Map} in the file's key order.
 */
final class PythonLiteral {
    private final String text;
    private int pos;

    private PythonLiteral(String text) {
        this.text = text;
    }

    /** Parses {@code text} as one dict literal, allowing only whitespace after it. */
    static Map<String, Object> parseDict(String text) throws NpyFormatException {
        PythonLiteral p = new PythonLiteral(text);
        p.skipSpace();
        if (!p.peek('{')) {
            throw p.error("expected a dict starting with '{'");
        }
        Map<String, Object> dict = p.dict();
        p.skipSpace();
        if (p.pos != text.length()) {
            throw p.error("unexpected text after the dict");
        }
        return dict;
    }

    private Map<String, Object> dict() throws NpyFormatException {
        expect('{');
        Map<String, Object> map = new LinkedHashMap<>();
        while (!consumeClosing('}')) {
            skipSpace();
            if (!peek('\'') && !peek('"')) {
                throw error("expected a quoted key");
            }
            String key = string();
            skipSpace();
            expect(':');
            if (map.put(key, value()) != null) {
                throw error("duplicate key '" + key + "'");
            }
            separatorOr('}');
        }
        return map;
    }

    private List<Object> sequence(char close) throws NpyFormatException {
        expect(close == ')' ? '(' : '[');
        List<Object> items = new ArrayList<>();
        while (!consumeClosing(close)) {
            items.add(value());
            separatorOr(close);
        }
        return items;
    }

    private Object value() throws NpyFormatException {
        skipSpace();
        if (pos >= text.length()) {
            throw error("expected a value");
        }
        char c = text.charAt(pos);
        if (c == '\'' || c == '"') {
            return string();
        }
        if (c == '(') {
            return sequence(')');
        }
        if (c == '[') {
            return sequence(']');
        }
        if (c == '{') {
            return dict();
        }
        if (c == '-' || Character.isDigit(c)) {
            return integer();
        }
        if (text.startsWith("True", pos)) {
            pos += 4;
            return Boolean.TRUE;
        }
        if (text.startsWith("False", pos)) {
            pos += 5;
            return Boolean.FALSE;
        }
        throw error("unexpected character '" + c + "'");
    }

    private String string() throws NpyFormatException {
        char quote = text.charAt(pos++);
        int end = text.indexOf(quote, pos);
        if (end < 0) {
            throw error("unterminated string");
        }
        String s = text.substring(pos, end);
        if (s.indexOf('\\') >= 0) {
            throw error("escape sequences are not supported in header strings");
        }
        pos = end + 1;
        return s;
    }

    private Long integer() throws NpyFormatException {
        int start = pos;
        if (text.charAt(pos) == '-') {
            pos++;
        }
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
            pos++;
        }
        String digits = text.substring(start, pos);
        // Files written by Python 2 spell longs with an L suffix, e.g. (3L, 4L).
        if (pos < text.length() && text.charAt(pos) == 'L') {
            pos++;
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw error("bad integer '" + digits + "'");
        }
    }

    /** After an item: a comma (then maybe the closing bracket, as in Python's trailing comma) or the bracket. */
    private void separatorOr(char close) throws NpyFormatException {
        skipSpace();
        if (peek(',')) {
            pos++;
        } else if (!peek(close)) {
            throw error("expected ',' or '" + close + "'");
        }
    }

    private boolean consumeClosing(char close) {
        skipSpace();
        if (peek(close)) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(char c) throws NpyFormatException {
        if (!peek(c)) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private boolean peek(char c) {
        return pos < text.length() && text.charAt(pos) == c;
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private NpyFormatException error(String what) {
        return new NpyFormatException("malformed NPY header: " + what + " at offset " + pos + " in " + quoted(text));
    }

    private static String quoted(String header) {
        String shown = header.strip();
        return "\"" + (shown.length() > 120 ? shown.substring(0, 120) + "..." : shown) + "\"";
    }
}
