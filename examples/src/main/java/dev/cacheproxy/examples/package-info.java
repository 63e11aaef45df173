/**
 * Runnable examples: {@link dev.cacheproxy.examples.ExampleProxy} (the {@code cacheproxy-example.jar}
 * caching reverse proxy, configured by {@link dev.cacheproxy.examples.ExampleFlags}), a demo origin, and
 * {@link dev.cacheproxy.examples.TomcatFilterDemo} (the servlet filter in an embedded Tomcat).
 */
package dev.cacheproxy.examples;
