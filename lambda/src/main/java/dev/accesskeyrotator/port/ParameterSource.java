package dev.accesskeyrotator.port;

import java.util.Map;

/** Parameter Store, read once per run. */
public interface ParameterSource {

    /** Every parameter directly under the prefix, keyed by the name after the prefix. */
    Map<String, String> readUnder(String prefix);
}
