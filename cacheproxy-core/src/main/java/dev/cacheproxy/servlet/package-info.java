/**
 * The engine in a servlet container: {@link dev.cacheproxy.servlet.CachingFilter}, a servlet
 * {@link jakarta.servlet.Filter} that puts the cacheproxy engine in front of any servlet, and the two
 * pieces every servlet adapter shares with it ({@code CachingProxyServlet} in cacheproxy-jetty too):
 * {@link dev.cacheproxy.servlet.AnswerWriter}, which writes the engine's answers to a servlet response,
 * and {@link dev.cacheproxy.servlet.CollapsingWait}, which waits out request collapsing. Everything else
 * in this package is the filter's private machinery.
 */
package dev.cacheproxy.servlet;
