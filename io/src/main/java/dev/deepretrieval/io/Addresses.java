package dev.deepretrieval.io;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Network addresses the service binds: whether one reaches beyond this machine. */
public final class Addresses {

    private Addresses() {}

    /** Whether {@code host} names only this machine (every address it resolves to is loopback; unknown: false). */
    public static boolean isLoopback(String host) {
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
