package dev.cacheproxy.api;

/** Thrown by a {@link CacheStore} that cannot do what was asked: a full disk, a lost connection, a corrupt entry. */
public class CacheStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * A failure described by this message.
     *
     * @param message what failed, for the log
     */
    public CacheStoreException(String message) {
        super(message);
    }

    /**
     * A failure described by this message, caused by another.
     *
     * @param message what failed, for the log
     * @param cause   the underlying failure
     */
    public CacheStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
