package dev.accesskeyrotator.testing.fakes;

import dev.accesskeyrotator.port.ParameterSource;

import java.util.LinkedHashMap;
import java.util.Map;

/** Parameter Store values under the prefix, by short name. */
public final class InMemoryParameters implements ParameterSource {
    private final Map<String, String> values = new LinkedHashMap<>();

    public InMemoryParameters set(String name, String value) {
        values.put(name, value);
        return this;
    }

    @Override
    public Map<String, String> readUnder(String prefix) {
        return Map.copyOf(values);
    }
}
