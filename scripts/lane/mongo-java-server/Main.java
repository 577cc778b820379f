// The local MongoDB-wire lane: mongo-java-server's in-memory backend on a loopback port, with the oplog enabled so
// change streams work. Usage: java -cp <jars>:<classes> Main <port> [host]. Prints one ready line once bound.
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.util.List;
import java.util.concurrent.CountDownLatch;

public final class Main {
  // mongo-java-server emulates MongoDB 5.0 but reports wire version 8 (real 5.0 says 13); the Node driver 7 refuses
  // anything below 9. The version only changes what the handshake reports, not how the server behaves.
  private static final MongoVersion MONGO_5_0 = new MongoVersion() {
    @Override public List<Integer> getVersionArray() { return List.of(5, 0, 0); }
    @Override public int getWireVersion() { return 13; }
  };

  public static void main(String[] args) throws InterruptedException {
    if (args.length < 1) {
      System.err.println("usage: Main <port> [host]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    String host = args.length > 1 ? args[1] : "127.0.0.1";
    MongoServer server = new MongoServer(new MemoryBackend().version(MONGO_5_0));
    server.enableOplog();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdownNow();
      stopped.countDown();
    }));
    server.bind(host, port);
    System.out.println("mongo-java-server ready on mongodb://" + host + ":" + port);
    System.out.flush();
    stopped.await();
  }
}
