package dev.accesskeyrotator.localaws;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.OptionalInt;

/**
 * Opaque paging tokens that carry an offset, as AWS's NextToken values look opaque to callers. Each list gets its
 * own marker so a token from one listing is refused by another, as AWS refuses it.
 */
final class PageTokens {
    private final String marker;

    PageTokens(String marker) {
        this.marker = marker;
    }

    String encode(int offset) {
        return Base64.getUrlEncoder().encodeToString((marker + offset).getBytes(StandardCharsets.UTF_8));
    }

    /** The offset in the token, or empty when it is not a token of this listing (callers answer with their error). */
    OptionalInt decode(String token) {
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (decoded.startsWith(marker)) {
                return OptionalInt.of(Integer.parseInt(decoded.substring(marker.length())));
            }
        } catch (IllegalArgumentException notATokenOfOurs) {
            // NumberFormatException is an IllegalArgumentException too.
        }
        return OptionalInt.empty();
    }
}
