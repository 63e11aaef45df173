/**
 * Purges and statistics over HTTP for operators: {@link dev.cacheproxy.admin.AdminEndpoint}, which a
 * proxy servlet or any servlet puts in front of its engine. It takes the engine as the capabilities
 * it uses ({@link dev.cacheproxy.api.PurgeableEngine}, {@link dev.cacheproxy.api.ObservableEngine});
 * everything else in this package is its private machinery.
 */
package dev.cacheproxy.admin;
