package dev.netcon.docker;

/**
 * Run inside the image by {@link ReceiverImageIT} with the netcon jar on the
 * class path: says whether Netty's native epoll transport loads there (its
 * library links to glibc files a bare base image may lack). Reflection keeps
 * Netty off the test class path.
 */
public final class EpollProbe {
    private EpollProbe() {
    }

    public static void main(String[] args) throws Exception {
        Class<?> epoll;
        try {
            epoll = Class.forName("io.netty.channel.epoll.Epoll");
        } catch (ClassNotFoundException e) {
            System.out.println("epoll: no netty epoll classes in the jar");
            return;
        }
        if ((Boolean) epoll.getMethod("isAvailable").invoke(null)) {
            System.out.println("epoll: available");
        } else {
            Throwable cause = (Throwable) epoll.getMethod("unavailabilityCause").invoke(null);
            System.out.println("epoll: unavailable: " + cause + (cause.getCause() != null ? " / " + cause.getCause() : ""));
        }
    }
}
