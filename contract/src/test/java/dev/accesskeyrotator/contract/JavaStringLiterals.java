package dev.accesskeyrotator.contract;

import java.util.ArrayList;
import java.util.List;

/**
 * The string literals of a Java source file, with their values as the compiler sees them: escapes translated, text
 * blocks stripped of incidental indentation. A small lexer rather than a regular expression, because a quote inside a
 * comment, a character literal ({@code '"'}) or an escaped quote would otherwise shift every literal after it and the
 * scan would check the code between literals instead of the literals.
 */
final class JavaStringLiterals {

    /** A literal's value and the line (1-based) its opening quote is on. */
    record Literal(int line, String value) {}

    private JavaStringLiterals() {}

    static List<Literal> extract(String source) {
        String text = translateUnicodeEscapes(source);
        List<Literal> literals = new ArrayList<>();
        int line = 1;
        int i = 0;
        int length = text.length();
        while (i < length) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                i++;
            } else if (c == '/' && i + 1 < length && text.charAt(i + 1) == '/') {
                i = text.indexOf('\n', i);
                if (i < 0) {
                    i = length;
                }
            } else if (c == '/' && i + 1 < length && text.charAt(i + 1) == '*') {
                int end = text.indexOf("*/", i + 2);
                end = end < 0 ? length : end + 2;
                line += count(text, i, end, '\n');
                i = end;
            } else if (c == '\'') {
                i = endOfQuoted(text, i + 1, '\'');
            } else if (text.startsWith("\"\"\"", i)) {
                // A text block: the content starts on the line after the opening delimiter.
                int contentStart = text.indexOf('\n', i + 3) + 1;
                if (contentStart == 0) {
                    throw new IllegalArgumentException("unterminated text block at line " + line);
                }
                int close = closingTextBlockDelimiter(text, contentStart, line);
                String raw = text.substring(contentStart, close);
                literals.add(new Literal(line, raw.stripIndent().translateEscapes()));
                line += count(text, i, close, '\n');
                i = close + 3;
            } else if (c == '"') {
                int end = endOfQuoted(text, i + 1, '"');
                if (end > length || text.substring(i, end).indexOf('\n') >= 0) {
                    throw new IllegalArgumentException("unterminated string literal at line " + line);
                }
                literals.add(new Literal(line, text.substring(i + 1, end - 1).translateEscapes()));
                i = end;
            } else {
                i++;
            }
        }
        return literals;
    }

    /** The index just past the closing {@code quote}, skipping escaped characters. */
    private static int endOfQuoted(String text, int from, char quote) {
        int i = from;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == quote) {
                return i + 1;
            } else {
                i++;
            }
        }
        return text.length() + 1;
    }

    /** The closing {@code """} of a text block: three quotes not escaped by a preceding backslash. */
    private static int closingTextBlockDelimiter(String text, int from, int line) {
        int i = from;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (text.startsWith("\"\"\"", i)) {
                return i;
            } else {
                i++;
            }
        }
        throw new IllegalArgumentException("unterminated text block starting at line " + line);
    }

    /**
     * The compiler translates {@code \}{@code uXXXX} anywhere in the source before it finds literals (JLS 3.3), so a
     * term could hide behind one. A backslash preceded by an odd number of backslashes is itself escaped.
     */
    static String translateUnicodeEscapes(String source) {
        if (source.indexOf("\\u") < 0) {
            return source;
        }
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (c == '\\' && precedingBackslashes(source, i) % 2 == 0 && i + 1 < source.length()
                    && source.charAt(i + 1) == 'u') {
                int hex = i + 1;
                while (hex < source.length() && source.charAt(hex) == 'u') {
                    hex++;
                }
                if (hex + 4 <= source.length() && source.substring(hex, hex + 4).matches("[0-9a-fA-F]{4}")) {
                    out.append((char) Integer.parseInt(source.substring(hex, hex + 4), 16));
                    i = hex + 4;
                    continue;
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    private static int precedingBackslashes(String text, int index) {
        int n = 0;
        for (int j = index - 1; j >= 0 && text.charAt(j) == '\\'; j--) {
            n++;
        }
        return n;
    }

    private static int count(String text, int from, int to, char wanted) {
        int n = 0;
        for (int j = from; j < to; j++) {
            if (text.charAt(j) == wanted) {
                n++;
            }
        }
        return n;
    }
}
