/**
 * A servlet {@link jakarta.servlet.Filter} that puts the cacheproxy engine in front of any servlet:
 * {@link dev.cacheproxy.servlet.CachingFilter}. Everything else in this package is its private machinery.
 */
package dev.cacheproxy.servlet;
