/**
 * The engine in Jetty 12.1: {@link dev.cacheproxy.jetty.CachingProxyServlet}, a caching reverse proxy on
 * Jetty's ee10 {@code ProxyServlet} whose hooks each hand one phase of an exchange to the engine, and
 * {@link dev.cacheproxy.jetty.CachingHandler}, a core handler in front of it that answers hits without
 * the servlet machinery; {@link dev.cacheproxy.jetty.OriginTransport} says how to reach the origin. This
 * package translates Jetty's hooks and does the I/O; it holds no caching rule.
 */
package dev.cacheproxy.jetty;
