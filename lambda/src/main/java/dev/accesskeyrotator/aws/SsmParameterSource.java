package dev.accesskeyrotator.aws;

import dev.accesskeyrotator.port.ParameterSource;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetParametersByPathRequest;

import java.util.HashMap;
import java.util.Map;

/** Parameter Store through SDK v2: one GetParametersByPath page holds all six parameters. */
public final class SsmParameterSource implements ParameterSource {
    private final SsmClient ssm;

    public SsmParameterSource(SsmClient ssm) {
        this.ssm = ssm;
    }

    @Override
    public Map<String, String> readUnder(String prefix) {
        String path = prefix.length() > 1 && prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        String namePrefix = path.endsWith("/") ? path : path + "/";
        return AwsCalls.call("GetParametersByPath", () -> {
            Map<String, String> values = new HashMap<>();
            ssm.getParametersByPathPaginator(GetParametersByPathRequest.builder().path(path).recursive(false)
                            .withDecryption(true).maxResults(10).build())
                    .forEach(page -> page.parameters().forEach(p -> {
                        if (p.name().startsWith(namePrefix)) {
                            values.put(p.name().substring(namePrefix.length()), p.value());
                        }
                    }));
            return values;
        });
    }
}
