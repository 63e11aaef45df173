package dev.cacheproxy.api;

import java.util.Objects;
import java.util.Optional;

/**
 * How a proxy maps the path a client asked for to the path its origin is asked for: a client path that
 * is {@code clientPrefix} or begins with it followed by {@code /} is sent with that prefix replaced by
 * {@code originPrefix} ({@code /shop/item} to {@code /store/item}). A route that strips its prefix, or
 * an origin URL with a path of its own, makes one; a cache in front of one origin has {@link #NONE}.
 *
 * <p>It decides, with the client's URI, which resource of the origin a request names, so it is part of
 * the cache key ({@link CacheKey#withPathRewrite}): two routes that send one client path to different
 * origin paths never share a response. Everything else that reads the request's target (key functions,
 * route rules, {@code Cache-Status}, purges) keeps seeing the path the client used.
 *
 * @param clientPrefix the client's path prefix that is replaced: {@code ""} (nothing: the origin's prefix
 *                     is put in front of every path) or a path beginning with {@code /}
 * @param originPrefix what replaces it: {@code ""} or a path beginning with {@code /}. Trailing slashes of
 *                     both are dropped; equal prefixes make {@link #NONE}
 */
public record PathRewrite(String clientPrefix, String originPrefix) {

    /** Client paths are origin paths. */
    public static final PathRewrite NONE = new PathRewrite("", "");

    /**
     * Checks the prefixes and drops their trailing slashes; equal prefixes make {@link #NONE}.
     *
     * @param clientPrefix the client's path prefix that is replaced: {@code ""} or a path beginning with {@code /}
     * @param originPrefix what replaces it: {@code ""} or a path beginning with {@code /}
     * @throws IllegalArgumentException if a prefix does not begin with {@code /}, or has a space, a control
     *                                  character, {@code ?} or {@code #}
     */
    public PathRewrite {
        clientPrefix = checked(clientPrefix, "clientPrefix");
        originPrefix = checked(originPrefix, "originPrefix");
        if (clientPrefix.equals(originPrefix)) {
            // One form for "no rewrite", so that equal rewrites make equal keys.
            clientPrefix = "";
            originPrefix = "";
        }
    }

    private static String checked(String prefix, String what) {
        Objects.requireNonNull(prefix, what);
        String path = prefix;
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (!path.isEmpty() && !path.startsWith("/")) {
            throw new IllegalArgumentException("a path prefix is empty or begins with /, got " + what + " \"" + prefix + "\"");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '?' || c == '#') {
                throw new IllegalArgumentException("a path prefix is a raw URI path (no space, control character, ? or #), got "
                        + what + " \"" + prefix + "\"");
            }
        }
        return path;
    }

    /** {@return whether client paths go to the origin unchanged} */
    public boolean isNone() {
        return clientPrefix.isEmpty() && originPrefix.isEmpty();
    }

    /**
     * Whether this client path is one the rewrite applies to: the client prefix, or under it.
     *
     * @param clientPath a raw path beginning with {@code /}
     * @return whether the rewrite applies to it
     */
    public boolean covers(String clientPath) {
        return isUnder(clientPath, clientPrefix);
    }

    /**
     * The origin's path for this client path: {@code /shop/item} to {@code /store/item}; the client
     * prefix alone ({@code /shop}) to the origin prefix ({@code /store}, or {@code /} when that is empty).
     *
     * @param clientPath a raw path the rewrite {@linkplain #covers covers}
     * @return the origin's path for it
     * @throws IllegalArgumentException if the path is not {@linkplain #covers covered}
     */
    public String originPath(String clientPath) {
        if (!covers(clientPath)) {
            throw new IllegalArgumentException("the path \"" + clientPath + "\" is not under the prefix \"" + clientPrefix + "\"");
        }
        return joined(originPrefix, clientPath.substring(clientPrefix.length()));
    }

    /**
     * The client's path for a path of the origin: the inverse of {@link #originPath}, for a
     * {@code Location} or {@code Content-Location} the origin sent; empty when no client path of this
     * rewrite names it (it lies outside the origin prefix).
     *
     * @param originPath a raw path of the origin, beginning with {@code /}
     * @return the client's path for it, if the rewrite maps one there
     */
    public Optional<String> clientPath(String originPath) {
        if (!isUnder(originPath, originPrefix)) {
            return Optional.empty();
        }
        return Optional.of(joined(clientPrefix, originPath.substring(originPrefix.length())));
    }

    private static boolean isUnder(String path, String prefix) {
        return prefix.isEmpty() ? path.startsWith("/")
                : path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
    }

    private static String joined(String prefix, String rest) {
        String path = prefix + rest;
        return path.isEmpty() ? "/" : path;
    }
}
