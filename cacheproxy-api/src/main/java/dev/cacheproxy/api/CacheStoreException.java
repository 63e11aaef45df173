package dev.cacheproxy.api;

/** Thrown by a {@link CacheStore} that cannot do what was asked: a full disk, a lost connection, a corrupt entry. */
public class CacheStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CacheStoreException(String message) {
        super(message);
    }

    public CacheStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
