package org.anatwin.ingest;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomOutputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.network.AReleaseException;
import com.pixelmed.network.Association;
import com.pixelmed.network.AssociationFactory;
import com.pixelmed.network.DimseRequestReader;
import com.pixelmed.network.PresentationContext;
import com.pixelmed.network.PresentationContextSelectionPolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import org.anatwin.ingest.internal.DicomInstance;
import org.anatwin.ingest.internal.TransferSyntaxes;
import org.anatwin.model.Actor;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The C-STORE and C-ECHO SCP. Binds its own server socket (loopback by default, not PixelMed's
 * dispatcher, which binds every interface), turns on {@code TCP_NODELAY} and runs each association
 * on a virtual thread. PixelMed negotiates the association and frames the PDUs; our loop reads each
 * request, keeps the data set in memory up to the instance limit (no spool file, no name made from
 * a DICOM value), stores it through {@link Ingest} — blob made durable, graph committed — and only
 * then answers. Every C-STORE gets the status of what happened: success (also for a duplicate),
 * 0111 for a different data set under a stored SOP Instance UID, A700 over the size limit, A900
 * when the data set is not the one the request names, C000 for a malformed object, 0110 when
 * storing failed; failures carry our refusal code as the error comment and are audited.
 */
public final class DicomListener implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DicomListener.class);

  private static final int C_STORE_RQ = 0x0001;
  private static final int C_STORE_RSP = 0x8001;
  private static final int C_ECHO_RQ = 0x0030;
  private static final int C_ECHO_RSP = 0x8030;
  private static final int SUCCESS = 0x0000;
  private static final int PROCESSING_FAILURE = 0x0110;
  private static final int DUPLICATE_SOP_INSTANCE = 0x0111;
  private static final int OUT_OF_RESOURCES = 0xA700;
  private static final int DATA_SET_DOES_NOT_MATCH_SOP_CLASS = 0xA900;
  private static final int CANNOT_UNDERSTAND = 0xC000;

  /** Verification and the storage SOP classes the design names. */
  static final Set<String> ACCEPTED_SOP_CLASSES =
      Set.of(
          "1.2.840.10008.1.1", // Verification
          "1.2.840.10008.5.1.4.1.1.2", // CT Image
          "1.2.840.10008.5.1.4.1.1.2.1", // Enhanced CT Image
          "1.2.840.10008.5.1.4.1.1.2.2", // Legacy Converted Enhanced CT Image
          "1.2.840.10008.5.1.4.1.1.4", // MR Image
          "1.2.840.10008.5.1.4.1.1.4.1", // Enhanced MR Image
          "1.2.840.10008.5.1.4.1.1.4.4", // Legacy Converted Enhanced MR Image
          "1.2.840.10008.5.1.4.1.1.66.4", // Segmentation
          "1.2.840.10008.5.1.4.1.1.66.7", // Label Map Segmentation
          "1.2.840.10008.5.1.4.1.1.481.3", // RT Structure Set
          "1.2.840.10008.5.1.4.1.1.104.3", // Encapsulated STL
          "1.2.840.10008.5.1.4.1.1.104.4", // Encapsulated OBJ
          "1.2.840.10008.5.1.4.1.1.104.5", // Encapsulated MTL
          "1.2.840.10008.5.1.4.1.1.66.1", // Spatial Registration
          "1.2.840.10008.5.1.4.1.1.66.3"); // Deformable Spatial Registration

  /**
   * Where and as whom to listen; port 0 picks a free port. {@code maxPduLength} is announced to
   * peers and enforced on every P-DATA-TF PDU they send (4 KiB to 16 MiB; 0, "unlimited" in PS3.8,
   * is not offered).
   */
  public record Settings(String aeTitle, String bindAddress, int port, int maxPduLength) {
    public Settings {
      if (aeTitle.isBlank() || aeTitle.length() > 16) {
        throw new IngestException(
            "ingest:scp.ae-title", "an AE title has 1 to 16 characters: '" + aeTitle + "'");
      }
      if (maxPduLength < 4096 || maxPduLength > 16 << 20) {
        throw new IngestException(
            "ingest:scp.max-pdu",
            "the maximum PDU length must be 4096 to 16777216 bytes, not " + maxPduLength);
      }
    }
  }

  private final Ingest ingest;
  private final Settings settings;
  private final ServerSocket server;
  private final Thread acceptor;
  private final java.util.Set<Thread> associations =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  DicomListener(Ingest ingest, Settings settings) {
    this.ingest = ingest;
    this.settings = settings;
    try {
      this.server = PduGuard.serverSocket(settings.maxPduLength());
      server.setReuseAddress(true);
      server.bind(
          new InetSocketAddress(InetAddress.getByName(settings.bindAddress()), settings.port()),
          64);
    } catch (IOException e) {
      throw new IngestException(
          "ingest:scp.bind",
          "cannot listen on "
              + settings.bindAddress()
              + ":"
              + settings.port()
              + ": "
              + e.getMessage(),
          e);
    }
    this.acceptor = Thread.ofPlatform().name("dicom-scp-accept").daemon().start(this::accept);
  }

  /** The port the SCP listens on. */
  public int port() {
    return server.getLocalPort();
  }

  public String aeTitle() {
    return settings.aeTitle();
  }

  public String host() {
    return settings.bindAddress();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        socket.setTcpNoDelay(true);
        Thread association =
            Thread.ofVirtual()
                .name("dicom-association")
                .unstarted(
                    () -> {
                      try {
                        serve(socket);
                      } finally {
                        associations.remove(Thread.currentThread());
                      }
                    });
        associations.add(association);
        association.start();
      } catch (IOException e) {
        if (!server.isClosed()) {
          log.warn("accepting a DICOM connection failed: {}", e.getMessage());
        }
      }
    }
  }

  private void serve(Socket socket) {
    Actor sender = Actor.dicomSender("unknown");
    int stored = 0;
    int duplicates = 0;
    try (socket) {
      Association association =
          AssociationFactory.createNewAssociation(
              socket, settings.aeTitle(), settings.maxPduLength(), 0, 0, ACCEPTED, 0);
      sender = Actor.dicomSender(association.getCallingAETitle());
      while (true) {
        Received received = new Received(ingest.limits().maxInstanceBytes());
        DimseRequestReader reader = new DimseRequestReader(received::append);
        association.setReceivedDataHandler(reader);
        try {
          association.waitForPDataPDUsUntilHandlerReportsDone();
        } catch (AReleaseException released) {
          break;
        }
        Request request = Request.of(reader.commandList());
        byte context = reader.presentationContextId();
        switch (request.commandField()) {
          case C_ECHO_RQ ->
              association.send(context, request.response(C_ECHO_RSP, SUCCESS, null), null);
          case C_STORE_RQ -> {
            Status status =
                store(
                    request,
                    received,
                    association.getTransferSyntaxForPresentationContextID(context),
                    sender);
            switch (status.outcome()) {
              case NEW -> stored++;
              case DUPLICATE -> duplicates++;
              case null -> {
                // refused: audited as a failure of its own in store()
              }
            }
            association.send(
                context, request.response(C_STORE_RSP, status.code(), status.comment()), null);
          }
          default -> {
            log.warn(
                "unsupported DIMSE command 0x{} from {}",
                Integer.toHexString(request.commandField()),
                sender.userName());
            association.abort();
            return;
          }
        }
      }
    } catch (IOException | com.pixelmed.network.DicomNetworkException | RuntimeException e) {
      log.warn(
          "DICOM association from {} ended with an error: {}",
          socket.getRemoteSocketAddress(),
          e.getMessage());
    } finally {
      if (stored + duplicates > 0) {
        try {
          ingest.auditReceipt(sender, "dicom.c-store", stored, duplicates);
        } catch (RuntimeException e) {
          // every instance was audited when stored (as lineage) and already answered; this is the
          // association's summary
          log.error("the receipt of an association from {} was not audited", sender.userName(), e);
        }
      }
    }
  }

  /** What a C-STORE did: its DIMSE status, an error comment for failures, and the outcome. */
  private record Status(int code, @Nullable String comment, Ingest.@Nullable Stored outcome) {
    static Status refused(int code, IngestException e) {
      return new Status(code, e.code(), null);
    }
  }

  /**
   * Stores one received data set (blob durable, graph committed) and returns the status to answer
   * with. A refusal is audited as a failure with its code and answered with a failure status whose
   * error comment is that code; the association goes on.
   */
  private Status store(Request request, Received received, String transferSyntax, Actor sender) {
    try {
      if (received.overLimit()) {
        throw new IngestException(
            "ingest:file.too-large",
            "the data set has more than " + received.limit() + " bytes, over the instance limit");
      }
      byte[] bytes = received.asPart10(request, transferSyntax, sender.userName());
      DicomInstance instance = ingest.parse(bytes);
      if (!instance.sopInstanceUid().value().equals(request.sopInstanceUid())
          || !instance.sopClassUid().equals(request.sopClassUid())) {
        throw new IngestException(
            "ingest:c-store.mismatch",
            "the data set's SOP Class and Instance UIDs differ from the C-STORE request's");
      }
      return new Status(
          SUCCESS,
          null,
          ingest.store(instance, bytes, sender, "C-STORE from " + sender.userName()));
    } catch (IngestException e) {
      ingest.auditRefusal(sender, "dicom.c-store", e);
      log.warn("refused an object from {}: {} {}", sender.userName(), e.code(), e.getMessage());
      return Status.refused(statusOf(e.code()), e);
    } catch (RuntimeException e) {
      IngestException failure =
          new IngestException("ingest:c-store.failed", "storing failed: " + e.getMessage(), e);
      ingest.auditRefusal(sender, "dicom.c-store", failure);
      log.error("storing an object from {} failed", sender.userName(), e);
      return Status.refused(PROCESSING_FAILURE, failure);
    }
  }

  /** DIMSE status for a refusal code (PS3.4 Annex B.2.3, PS3.7 Annex C). */
  private static int statusOf(String code) {
    return switch (code) {
      case "ingest:instance.conflict" -> DUPLICATE_SOP_INSTANCE;
      case "ingest:file.too-large" -> OUT_OF_RESOURCES;
      case "ingest:c-store.mismatch" -> DATA_SET_DOES_NOT_MATCH_SOP_CLASS;
      default -> CANNOT_UNDERSTAND;
    };
  }

  /** The fields of a request's command set that the response needs. */
  private record Request(
      int commandField, int messageId, String sopClassUid, String sopInstanceUid) {
    static Request of(AttributeList command) {
      return new Request(
          Attribute.getSingleIntegerValueOrDefault(command, TagFromName.CommandField, -1),
          Attribute.getSingleIntegerValueOrDefault(command, TagFromName.MessageID, 0),
          Attribute.getSingleStringValueOrEmptyString(command, TagFromName.AffectedSOPClassUID),
          Attribute.getSingleStringValueOrEmptyString(command, TagFromName.AffectedSOPInstanceUID));
    }

    /** The response command set, implicit VR little endian, group length first. */
    byte[] response(int field, int status, @Nullable String comment) {
      CommandWriter out = new CommandWriter();
      out.uid(0x0002, sopClassUid);
      out.us(0x0100, field);
      out.us(0x0120, messageId);
      out.us(0x0800, 0x0101);
      out.us(0x0900, status);
      if (comment != null) {
        out.text(0x0902, comment.length() > 64 ? comment.substring(0, 64) : comment);
      }
      if (field == C_STORE_RSP) {
        out.uid(0x1000, sopInstanceUid);
      }
      return out.withGroupLength();
    }
  }

  /** Writes group 0000 elements in implicit VR little endian. */
  private static final class CommandWriter {
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    void us(int element, int value) {
      element(element, new byte[] {(byte) value, (byte) (value >> 8)});
    }

    void uid(int element, String uid) {
      element(element, padded(uid, (byte) 0));
    }

    void text(int element, String text) {
      element(element, padded(text, (byte) ' '));
    }

    private static byte[] padded(String value, byte pad) {
      byte[] ascii = value.getBytes(StandardCharsets.US_ASCII);
      if (ascii.length % 2 == 0) {
        return ascii;
      }
      byte[] even = Arrays.copyOf(ascii, ascii.length + 1);
      even[ascii.length] = pad;
      return even;
    }

    private void element(int element, byte[] value) {
      writeHeader(body, element, value.length);
      body.writeBytes(value);
    }

    private static void writeHeader(ByteArrayOutputStream out, int element, int length) {
      out.write(0);
      out.write(0);
      out.write(element);
      out.write(element >> 8);
      out.write(length);
      out.write(length >> 8);
      out.write(length >> 16);
      out.write(length >> 24);
    }

    byte[] withGroupLength() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      writeHeader(out, 0x0000, 4);
      int length = body.size();
      out.writeBytes(
          new byte[] {
            (byte) length, (byte) (length >> 8), (byte) (length >> 16), (byte) (length >> 24)
          });
      out.writeBytes(body.toByteArray());
      return out.toByteArray();
    }
  }

  /**
   * A data set as it arrives, kept in memory up to the instance limit; past it the rest is read off
   * the wire and dropped, so an oversized object is refused without being held.
   */
  private static final class Received {
    private final long limit;

    /** The data set's fragments as PixelMed handed them over, joined once into the file. */
    private final java.util.List<byte[]> fragments = new java.util.ArrayList<>();

    private long total;

    Received(long limit) {
      this.limit = limit;
    }

    void append(byte[] fragment) {
      total += fragment.length;
      if (total <= limit) {
        fragments.add(fragment);
      } else {
        fragments.clear();
      }
    }

    boolean overLimit() {
      return total > limit;
    }

    long limit() {
      return limit;
    }

    /** The data set as a Part 10 file: preamble, file meta information, data set. */
    byte[] asPart10(Request request, String transferSyntax, String sourceAeTitle) {
      try {
        ByteArrayOutputStream meta = new ByteArrayOutputStream(512);
        DicomOutputStream out =
            new DicomOutputStream(meta, TransferSyntax.ExplicitVRLittleEndian, transferSyntax);
        new FileMetaInformation(
                request.sopClassUid(), request.sopInstanceUid(), transferSyntax, sourceAeTitle)
            .getAttributeList()
            .write(out);
        out.flush();
        byte[] file = new byte[Math.toIntExact(meta.size() + total)];
        int at = meta.size();
        System.arraycopy(meta.toByteArray(), 0, file, 0, at);
        for (byte[] fragment : fragments) {
          System.arraycopy(fragment, 0, file, at, fragment.length);
          at += fragment.length;
        }
        return file;
      } catch (IOException | DicomException e) {
        throw new IngestException(
            "ingest:c-store.meta", "cannot describe the received data set: " + e.getMessage(), e);
      }
    }
  }

  /**
   * The presentation contexts we accept: the storage SOP classes of the design (CT, MR, their
   * Enhanced and Legacy Converted forms, SEG, RTSTRUCT, encapsulated STL/OBJ, spatial registration)
   * and Verification, each in the first of the proposed transfer syntaxes we store ({@link
   * TransferSyntaxes#PREFERENCE}: uncompressed first, then the lossless compressed ones we decode).
   * Any other abstract syntax is rejected (result 3, abstract syntax not supported), a context
   * proposing only other transfer syntaxes too (result 4), so the sender can transcode.
   */
  private static final PresentationContextSelectionPolicy ACCEPTED =
      new PresentationContextSelectionPolicy() {
        @Override
        public java.util.LinkedList applyPresentationContextSelectionPolicy(
            java.util.LinkedList contexts, int association) {
          for (Object item : contexts) {
            PresentationContext context = (PresentationContext) item;
            String chosen = choose(context);
            context.newTransferSyntaxUIDs();
            if (!ACCEPTED_SOP_CLASSES.contains(context.getAbstractSyntaxUID())) {
              context.setResultReason((byte) 3);
            } else if (chosen == null) {
              context.setResultReason((byte) 4);
            } else {
              context.addTransferSyntaxUID(chosen);
              context.setResultReason((byte) 0);
            }
          }
          return contexts;
        }

        @Override
        public java.util.LinkedList applyPresentationContextSelectionPolicy(
            java.util.LinkedList contexts, int association, int debugLevel) {
          return applyPresentationContextSelectionPolicy(contexts, association);
        }

        private static @Nullable String choose(PresentationContext context) {
          java.util.List<?> proposed = context.getTransferSyntaxUIDs();
          for (String syntax : TransferSyntaxes.PREFERENCE) {
            if (proposed.contains(syntax)) {
              return syntax;
            }
          }
          return null;
        }
      };

  /**
   * Stops accepting, then lets the associations in progress finish (up to 10 s each: their last
   * store and their audit event), so whoever closes the storage next does not cut them off.
   */
  @Override
  public void close() {
    try {
      server.close();
      acceptor.join(5000);
      for (Thread association : java.util.List.copyOf(associations)) {
        association.join(10_000);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
