package dev.cacheproxy.jetty;

import com.hazelcast.cache.HazelcastCachingProvider;
import com.hazelcast.config.CacheSimpleConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.spi.CachingProvider;

/**
 * A Hazelcast cluster inside the test: members on 127.0.0.1 that find each other over TCP/IP (no
 * multicast), with timeouts short enough that a member that leaves is noticed in seconds, and a
 * cluster name of their own so that other test runs on the machine never join them.
 */
final class HazelcastMembers implements AutoCloseable {

    /** The distributed cache every member declares. */
    static final String SHARED_CACHE = "cacheproxy";

    private final List<HazelcastInstance> members = new ArrayList<>();
    private final List<CacheManager> cacheManagers = new ArrayList<>();

    /** Starts this many members together and waits until each sees all of them. */
    HazelcastMembers(int count) {
        String clusterName = "cacheproxy-test-" + UUID.randomUUID();
        List<Integer> ports = freePorts(count);
        List<CompletableFuture<HazelcastInstance>> starting = new ArrayList<>();
        for (int port : ports) {
            Config config = config(clusterName, port, ports);
            starting.add(CompletableFuture.supplyAsync(() -> Hazelcast.newHazelcastInstance(config)));
        }
        for (CompletableFuture<HazelcastInstance> member : starting) {
            members.add(member.join());
        }
        for (HazelcastInstance member : members) {
            if (member.getCluster().getMembers().size() != count) {
                close();
                throw new IllegalStateException("the members did not form one cluster: " + member.getCluster().getMembers());
            }
        }
    }

    HazelcastInstance member(int index) {
        return members.get(index);
    }

    /** A JCache CacheManager of this member's own, as a proxy embedding that member would make. */
    CacheManager cacheManager(int index) {
        CachingProvider provider = Caching.getCachingProvider(HazelcastCachingProvider.MEMBER_CACHING_PROVIDER);
        CacheManager manager = provider.getCacheManager(URI.create("cacheproxy-test-member-" + index + "-" + UUID.randomUUID()),
                HazelcastMembers.class.getClassLoader(), HazelcastCachingProvider.propertiesByInstanceItself(members.get(index)));
        cacheManagers.add(manager);
        return manager;
    }

    /**
     * The cache of this name, declared in every member's configuration, through this member's own
     * handle. (In one JVM per member, JCache's {@code Caching.getCachingProvider()} with its default URI
     * gives the same cache; two members in one JVM cannot share that default.)
     */
    javax.cache.Cache<String, byte[]> sharedCache(int index) {
        return members.get(index).getCacheManager().getCache(SHARED_CACHE);
    }

    /** The member leaves as a crashed process would: no goodbye to the others. */
    void crash(int index) {
        members.get(index).getLifecycleService().terminate();
    }

    @Override
    public void close() {
        for (CacheManager manager : cacheManagers) {
            try {
                manager.close();
            } catch (RuntimeException memberAlreadyGone) {
                // Its member was crashed on purpose.
            }
        }
        members.forEach(member -> member.getLifecycleService().terminate());
    }

    private static Config config(String clusterName, int port, List<Integer> ports) {
        Config config = new Config();
        config.setClusterName(clusterName);
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        config.setProperty("hazelcast.socket.bind.any", "false");
        config.setProperty("hazelcast.local.localAddress", "127.0.0.1");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.max.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.partition.count", "23");
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", "5");
        config.setProperty("hazelcast.operation.call.timeout.millis", "5000");
        config.setProperty("hazelcast.merge.first.run.delay.seconds", "600");
        config.getJetConfig().setEnabled(false);
        // One backup (the default, said out loud): what a member that leaves held survives on the other.
        config.addCacheConfig(new CacheSimpleConfig().setName(SHARED_CACHE).setBackupCount(1));
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(port).setPortAutoIncrement(false);
        network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setConnectionTimeoutSeconds(2);
        for (int member : ports) {
            join.getTcpIpConfig().addMember("127.0.0.1:" + member);
        }
        return config;
    }

    /** Ports the system just handed out, so that two test runs on one machine do not collide. */
    private static List<Integer> freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } catch (IOException noPort) {
            throw new UncheckedIOException(noPort);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // It was only holding the port number.
                }
            }
        }
    }
}
