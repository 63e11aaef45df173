package dev.cacheproxy.admin;

import dev.cacheproxy.api.CacheStoreException;
import dev.cacheproxy.api.ObservableEngine;
import dev.cacheproxy.api.PurgeableEngine;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.RequestHead;
import java.io.IOException;
import java.util.Enumeration;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Purges and statistics over HTTP, for operators: a {@code PURGE} of any URL purges that URL (all its
 * variants), and under {@code /_cacheproxy}: {@code POST purge?tag=T}, {@code POST purge-all} and
 * {@code GET stats} (JSON). Method and path are configurable.
 *
 * <p>Off unless a token is configured; then every admin request needs {@code Authorization: Bearer
 * TOKEN} (401 without it) and, when an allowlist is configured, a client address on it (403
 * otherwise); a refused request purges nothing. While off, {@link #handle} answers nothing: the method
 * and the path reach the origin like any request, so the proxy stays transparent.
 *
 * <p>It takes the engine as the two capabilities it uses, {@link PurgeableEngine} and
 * {@link ObservableEngine} (a {@code CachingEngine} is both), so that an engine without them is refused
 * by the compiler rather than by a request. Thread safe; immutable once built.
 */
public final class AdminEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(AdminEndpoint.class);

    /** The endpoint that answers nothing: every request goes on to the cache and the origin. */
    public static final AdminEndpoint OFF = new AdminEndpoint(null, null, Optional.empty(), "/_cacheproxy", "PURGE",
            AddressAllowlist.EVERYONE);

    /** The default path under which the admin resources are. */
    public static final String DEFAULT_PATH = "/_cacheproxy";
    /** The default method that purges the URL it is sent to. */
    public static final String DEFAULT_PURGE_METHOD = "PURGE";

    private final PurgeableEngine purging;
    private final ObservableEngine observing;
    private final Optional<BearerToken> token;
    private final String path;
    /** The path with a slash after it, made once: every request through the proxy is checked against it. */
    private final String pathBelow;
    private final String purgeMethod;
    private final AddressAllowlist allowlist;

    private AdminEndpoint(PurgeableEngine purging, ObservableEngine observing, Optional<BearerToken> token, String path,
                          String purgeMethod, AddressAllowlist allowlist) {
        this.purging = purging;
        this.observing = observing;
        this.token = token;
        this.path = path;
        this.pathBelow = path + "/";
        this.purgeMethod = purgeMethod;
        this.allowlist = allowlist;
    }

    /**
     * A builder for an endpoint on this engine, which purges and reports statistics (a {@code CachingEngine} does).
     *
     * @param <E>    the engine's type
     * @param engine the engine to purge and report on
     * @return the builder
     */
    public static <E extends PurgeableEngine & ObservableEngine> Builder builder(E engine) {
        return new Builder(engine, engine);
    }

    /**
     * The endpoint the init-parameters {@code adminToken}, {@code adminPath}, {@code purgeMethod} and
     * {@code adminAllow} describe: {@link #OFF} without {@code adminToken}.
     *
     * @param initParameter an init-parameter by name, null when absent
     * @param <E>    the engine's type
     * @param engine the engine to purge and report on
     * @return the endpoint
     * @throws IllegalArgumentException for a value that is not valid, naming it
     */
    public static <E extends PurgeableEngine & ObservableEngine> AdminEndpoint fromInitParameters(
            E engine, UnaryOperator<String> initParameter) {
        String adminToken = initParameter.apply("adminToken");
        if (adminToken == null) {
            for (String needsToken : new String[] {"adminPath", "purgeMethod", "adminAllow"}) {
                if (initParameter.apply(needsToken) != null) {
                    throw new IllegalArgumentException(needsToken + " is set but adminToken is not: the admin endpoint stays off"
                            + " without a token");
                }
            }
            return OFF;
        }
        Builder builder = builder(engine).token(adminToken);
        Optional.ofNullable(initParameter.apply("adminPath")).ifPresent(builder::path);
        Optional.ofNullable(initParameter.apply("purgeMethod")).ifPresent(builder::purgeMethod);
        Optional.ofNullable(initParameter.apply("adminAllow")).ifPresent(builder::allow);
        return builder.build();
    }

    /**
     * Checks an admin token as every way of configuring one does (builder, init-parameter, command line):
     * at least 16 characters, no spaces around it.
     *
     * @param token the token to check
     * @throws IllegalArgumentException saying what is wrong with it (never the token itself)
     */
    public static void checkToken(String token) {
        new BearerToken(token);
    }

    private static HeaderFields fields(HttpServletRequest request) {
        HeaderFields.Builder fields = HeaderFields.builder();
        for (Enumeration<String> names = request.getHeaderNames(); names.hasMoreElements(); ) {
            String name = names.nextElement();
            for (Enumeration<String> values = request.getHeaders(name); values.hasMoreElements(); ) {
                fields.add(name, values.nextElement());
            }
        }
        return fields.build();
    }

    /** {@return whether the endpoint answers anything at all} */
    public boolean isOn() {
        return token.isPresent();
    }

    /**
     * Whether {@link #handle} would answer a request with this method and path (within the context,
     * still percent-encoded): for a server adapter that must leave such requests to it rather than
     * ask the cache first.
     *
     * @param method        the request method
     * @param pathInContext the request path within the context, still percent-encoded
     * @return {@code true} when the endpoint would answer it
     */
    public boolean claims(String method, String pathInContext) {
        return token.isPresent() && (method.equals(purgeMethod)
                || pathInContext.equals(path) || pathInContext.startsWith(pathBelow));
    }

    /**
     * Answers the request if it is an admin request, and says so; otherwise leaves it alone.
     *
     * @param request     the client's request
     * @param response    the response to answer an admin request on
     * @param purgeTarget the {@code GET} the request stands for when it purges its URL: the target URI and
     *                    path rewrite its responses are stored under (its fields are the purge request's)
     * @return whether the request was answered here (then the caller does nothing more with it)
     * @throws IOException when writing the answer fails
     */
    public boolean handle(HttpServletRequest request, HttpServletResponse response, Function<HttpServletRequest, RequestHead> purgeTarget)
            throws IOException {
        if (token.isEmpty()) {
            return false;
        }
        String requestPath = request.getRequestURI().substring(request.getContextPath().length());
        if (!claims(request.getMethod(), requestPath)) {
            return false;
        }
        boolean purge = request.getMethod().equals(purgeMethod);
        if (!allowlist.allows(request.getRemoteAddr())) {
            LOG.warn("refused an admin request from {}: not on the allowlist", request.getRemoteAddr());
            write(response, 403, StatisticsJson.error("this address may not use the admin endpoint"));
            return true;
        }
        if (!token.get().isIn(request.getHeader("Authorization"))) {
            LOG.warn("refused an admin request from {}: missing or wrong token", request.getRemoteAddr());
            response.setHeader("WWW-Authenticate", "Bearer realm=\"cacheproxy\"");
            write(response, 401, StatisticsJson.error("send the admin token as Authorization: Bearer TOKEN"));
            return true;
        }
        try {
            if (purge) {
                // The purge request's own fields stand in for the GET's: a key with a header or cookie
                // dimension purges the responses of the value it carries, as Varnish's return(purge) does.
                write(response, 200, StatisticsJson.of(purging.purge(purgeTarget.apply(request).withHeaders(fields(request)))));
            } else {
                answerAdminPath(request, response, requestPath.substring(path.length()));
            }
        } catch (IllegalArgumentException badRequest) {
            write(response, 400, StatisticsJson.error(badRequest.getMessage()));
        } catch (UnsupportedOperationException unsupported) {
            write(response, 501, StatisticsJson.error(unsupported.getMessage()));
        } catch (CacheStoreException storeFailed) {
            LOG.warn("a purge failed in the store", storeFailed);
            write(response, 503, StatisticsJson.error("the store failed; the purge may be partial: " + storeFailed.getMessage()));
        }
        return true;
    }

    private void answerAdminPath(HttpServletRequest request, HttpServletResponse response, String resource) throws IOException {
        String method = request.getMethod();
        switch (resource) {
            case "/stats" -> {
                if (requireMethod(response, method, "GET")) {
                    write(response, 200, StatisticsJson.of(observing.statistics()));
                }
            }
            case "/purge" -> {
                String tag = request.getParameter("tag");
                if (tag == null) {
                    throw new IllegalArgumentException("say what to purge: " + path + "/purge?tag=TAG (or " + purgeMethod + " the URL itself)");
                }
                if (requireMethod(response, method, "POST")) {
                    write(response, 200, StatisticsJson.of(purging.purgeTag(tag)));
                }
            }
            case "/purge-all" -> {
                if (requireMethod(response, method, "POST")) {
                    write(response, 200, StatisticsJson.of(purging.purgeAll()));
                }
            }
            default -> write(response, 404, StatisticsJson.error("no such admin resource; there are " + path + "/stats, "
                    + path + "/purge?tag=TAG and " + path + "/purge-all"));
        }
    }

    private static boolean requireMethod(HttpServletResponse response, String method, String allowed) throws IOException {
        if (method.equals(allowed)) {
            return true;
        }
        response.setHeader("Allow", allowed);
        write(response, 405, StatisticsJson.error("use " + allowed));
        return false;
    }

    private static void write(HttpServletResponse response, int status, String json) throws IOException {
        byte[] body = (json + "\n").getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** Configures an {@link AdminEndpoint}. Not thread safe. */
    public static final class Builder {
        private final PurgeableEngine purging;
        private final ObservableEngine observing;
        private Optional<BearerToken> token = Optional.empty();
        private String path = DEFAULT_PATH;
        private String purgeMethod = DEFAULT_PURGE_METHOD;
        private AddressAllowlist allowlist = AddressAllowlist.EVERYONE;

        private Builder(PurgeableEngine purging, ObservableEngine observing) {
            this.purging = Objects.requireNonNull(purging, "engine");
            this.observing = Objects.requireNonNull(observing, "engine");
        }

        /**
         * The secret every admin request must send as {@code Authorization: Bearer TOKEN}; required.
         *
         * @param token the secret, at least 16 characters
         * @return this builder
         */
        public Builder token(String token) {
            this.token = Optional.of(new BearerToken(token));
            return this;
        }

        /**
         * Where the admin resources are, e.g. {@code /_cacheproxy} (the default): a path starting with {@code /}.
         *
         * @param path the path prefix of the admin resources
         * @return this builder
         */
        public Builder path(String path) {
            if (path == null || !path.matches("/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*[^/]")) {
                throw new IllegalArgumentException("the admin path must start with / and not end with one, got \"" + path + "\"");
            }
            this.path = path;
            return this;
        }

        /**
         * The method that purges the URL it is sent to; default {@code PURGE}. An RFC 9110 token, compared case-sensitively.
         *
         * @param method the method name
         * @return this builder
         */
        public Builder purgeMethod(String method) {
            if (method == null || !method.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")
                    || method.equals("GET") || method.equals("HEAD") || method.equals("POST")) {
                throw new IllegalArgumentException("the purge method must be a method name other than GET, HEAD and POST, got \""
                        + method + "\"");
            }
            this.purgeMethod = method;
            return this;
        }

        /**
         * The client addresses allowed, e.g. {@code 127.0.0.1, 10.0.0.0/8, ::1}; default every address.
         *
         * @param addressesAndCidrBlocks addresses and CIDR blocks, separated by commas
         * @return this builder
         */
        public Builder allow(String addressesAndCidrBlocks) {
            this.allowlist = AddressAllowlist.parse(Objects.requireNonNull(addressesAndCidrBlocks, "addressesAndCidrBlocks"));
            return this;
        }

        /**
         * The endpoint, with the token, allowlist and path set.
         *
         * @return the endpoint
         * @throws IllegalStateException without a token: an endpoint without one is {@link AdminEndpoint#OFF}
         */
        public AdminEndpoint build() {
            if (token.isEmpty()) {
                throw new IllegalStateException("an admin endpoint needs a token; without one use AdminEndpoint.OFF");
            }
            return new AdminEndpoint(purging, observing, token, path, purgeMethod, allowlist);
        }
    }
}
