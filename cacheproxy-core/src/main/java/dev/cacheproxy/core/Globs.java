package dev.cacheproxy.core;

import java.util.function.Predicate;
import java.util.regex.Pattern;

/** Turns the simple patterns users write (query parameter names, route paths) into matchers. */
final class Globs {

    private Globs() {
    }

    /** {@code *} matches any run of characters, everything else itself: {@code utm_*}. */
    static Predicate<String> wildcard(String pattern) {
        if (pattern.indexOf('*') < 0) {
            return pattern::equals;
        }
        StringBuilder regex = new StringBuilder();
        int start = 0;
        for (int star = pattern.indexOf('*'); star >= 0; star = pattern.indexOf('*', start)) {
            regex.append(Pattern.quote(pattern.substring(start, star))).append(".*");
            start = star + 1;
        }
        regex.append(Pattern.quote(pattern.substring(start)));
        return Pattern.compile(regex.toString(), Pattern.DOTALL).asMatchPredicate();
    }

    /**
     * A path glob: {@code **} matches any run of characters including {@code /}, {@code *} any run
     * within one segment, {@code ?} one character other than {@code /}; the whole path must match.
     * {@code /api/**} matches {@code /api/} and everything under it, and {@code /api} itself.
     */
    static Predicate<String> pathGlob(String glob) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c != '*' && c != '?') {
                literal.append(c);
                continue;
            }
            if (literal.length() > 0) {
                regex.append(Pattern.quote(literal.toString()));
                literal.setLength(0);
            }
            if (c == '?') {
                regex.append("[^/]");
            } else if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                i++;
                // "/**" at the end also matches the directory itself, without its slash.
                if (i + 1 == glob.length() && regex.toString().endsWith("/\\E")) {
                    regex.setLength(regex.length() - "/\\E".length());
                    regex.append("\\E(?:/.*)?");
                } else {
                    regex.append(".*");
                }
            } else {
                regex.append("[^/]*");
            }
        }
        if (literal.length() > 0) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL).asMatchPredicate();
    }
}
