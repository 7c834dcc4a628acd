package org.anatwin.app;

import java.nio.file.Path;
import java.util.Map;
import org.anatwin.ingest.Ingest;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings under {@code anatwin.*}: the data folder ({@code ANATWIN_HOME}, default {@code
 * ~/.anatwin}), an optional external Neo4j ({@code anatwin.neo4j.uri}; when unset Neo4j is
 * embedded), the DICOM listener ({@code anatwin.dicom.*}) and whether to build the demo twin on an
 * empty store.
 */
@ConfigurationProperties("anatwin")
public record AnatwinProperties(
    @Nullable Path home, Neo4j neo4j, Dicom dicom, boolean demo, Ingest.Limits limits) {
  public AnatwinProperties {
    if (home == null) {
      String env = System.getenv("ANATWIN_HOME");
      home =
          env != null && !env.isBlank()
              ? Path.of(env)
              : Path.of(System.getProperty("user.home"), ".anatwin");
    }
    if (neo4j == null) {
      neo4j = new Neo4j(null, "", "", 0);
    }
    if (dicom == null) {
      dicom = new Dicom(null, null, 11112, 0, null);
    }
    // anatwin.limits.*: what ingest accepts; unset or 0 keeps the default (see Ingest.Limits)
    limits = limits == null ? Ingest.Limits.defaults() : limits.orDefaults();
  }

  /**
   * The graph: external when {@code uri} is set, else embedded with Bolt on {@code boltPort} (0:
   * free port).
   */
  public record Neo4j(@Nullable String uri, String user, String password, int boltPort) {
    public Neo4j {
      user = user == null ? "" : user;
      password = password == null ? "" : password;
    }
  }

  /**
   * The C-STORE SCP: AE title, bind address (loopback by default), port (0: a free one), PDU size.
   */
  public record Dicom(
      @Nullable String aeTitle,
      @Nullable String bind,
      int port,
      int maxPduLength,
      @Nullable Map<String, Remote> remotes) {
    public Dicom {
      aeTitle = aeTitle == null || aeTitle.isBlank() ? "ANATWIN" : aeTitle;
      bind = bind == null || bind.isBlank() ? "127.0.0.1" : bind;
      maxPduLength = maxPduLength <= 0 ? 262144 : maxPduLength;
      remotes = remotes == null ? Map.of() : Map.copyOf(remotes);
    }
  }

  /**
   * A configured send destination: {@code anatwin.dicom.remotes.<name>.host / .port / .ae-title}.
   */
  public record Remote(String host, int port, String aeTitle) {}

  public Path dataHome() {
    return home == null ? Path.of(".") : home;
  }
}
