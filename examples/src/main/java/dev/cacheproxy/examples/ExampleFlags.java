package dev.cacheproxy.examples;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * The example proxy's command line, parsed and checked.
 *
 * @param origin where to proxy to; empty means "start the demo origin"
 * @param port   the port to listen on, 0 for any free one
 * @param bind   the address to listen on
 * @param help   whether {@code --help} was given
 */
record ExampleFlags(Optional<URI> origin, int port, String bind, boolean help) {

    static final String USAGE = String.join("\n",
            "Usage: java -jar cacheproxy-example.jar [flags]",
            "",
            "A caching reverse proxy (RFC 9111) in front of one origin.",
            "",
            "  --origin URL   the origin to proxy to, e.g. http://127.0.0.1:8000",
            "                 (default: start a demo origin on 127.0.0.1 and proxy to it)",
            "  --port N       the port to listen on, 0 to 65535 (default 8080; 0 picks a free one)",
            "  --bind ADDR    the address to listen on (default 127.0.0.1)",
            "  --help         print this and exit");

    /** The flags, or an {@link IllegalArgumentException} whose message is the one-line reason. */
    static ExampleFlags parse(List<String> args) {
        Optional<URI> origin = Optional.empty();
        int port = 8080;
        String bind = "127.0.0.1";
        boolean help = false;
        for (int i = 0; i < args.size(); i++) {
            String flag = args.get(i);
            switch (flag) {
                case "--help", "-h" -> help = true;
                case "--origin" -> origin = Optional.of(parseOrigin(valueOf(args, ++i, flag)));
                case "--port" -> port = parsePort(valueOf(args, ++i, flag));
                case "--bind" -> bind = valueOf(args, ++i, flag);
                default -> throw new IllegalArgumentException("unknown flag " + flag + " (see --help)");
            }
        }
        return new ExampleFlags(origin, port, bind, help);
    }

    private static String valueOf(List<String> args, int index, String flag) {
        if (index >= args.size() || args.get(index).startsWith("--")) {
            throw new IllegalArgumentException(flag + " needs a value (see --help)");
        }
        return args.get(index);
    }

    private static URI parseOrigin(String text) {
        URI uri;
        try {
            uri = URI.create(text);
        } catch (IllegalArgumentException malformed) {
            throw new IllegalArgumentException("--origin " + text + " is not a valid URI");
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("--origin must be an http:// or https:// URL with a host, got " + text);
        }
        return uri;
    }

    private static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("--port must be between 0 and 65535, got " + text);
            }
            return port;
        } catch (NumberFormatException notANumber) {
            throw new IllegalArgumentException("--port must be a number, got " + text);
        }
    }
}
