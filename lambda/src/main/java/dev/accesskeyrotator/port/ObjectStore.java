package dev.accesskeyrotator.port;

/** S3 objects in the hub's results bucket: the Distributed Map's result files in, the organization report out. */
public interface ObjectStore {

    /** @throws AwsFailure with kind NOT_FOUND for a missing object or bucket */
    byte[] get(String bucket, String key);

    void put(String bucket, String key, byte[] body, String contentType);
}
