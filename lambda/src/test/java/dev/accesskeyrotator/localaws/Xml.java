package dev.accesskeyrotator.localaws;

import java.time.Instant;
import java.util.function.Consumer;

/** A tiny builder for the XML bodies of Query-protocol responses; escapes text, nothing else. */
public final class Xml {
    private final StringBuilder out = new StringBuilder();

    public static Xml create() { return new Xml(); }

    /** Appends {@code <name>text</name>}; a null value appends nothing, as AWS omits absent members. */
    public Xml element(String name, Object value) {
        if (value == null) {
            return this;
        }
        String text = value instanceof Instant instant ? instant.toString() : String.valueOf(value);
        out.append('<').append(name).append('>').append(escape(text)).append("</").append(name).append('>');
        return this;
    }

    /** Appends {@code <name>...</name>} with children written by {@code body}. */
    public Xml nested(String name, Consumer<Xml> body) {
        out.append('<').append(name).append('>');
        body.accept(this);
        out.append("</").append(name).append('>');
        return this;
    }

    public static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '&' -> escaped.append("&amp;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&apos;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }

    @Override public String toString() { return out.toString(); }
}
