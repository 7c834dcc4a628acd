package org.anatwin.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Checkpoints in a file, one per line ({@code size TAB root TAB time TAB signature}), appended and
 * fsynced; signed with an Ed25519 key made on first use and kept beside it ({@code
 * checkpoint-key.pk8}, owner-only; the public half in {@code checkpoint-key.pub}, X.509 DER). A
 * reader checks the file with the public key alone.
 */
public final class FileCheckpoints implements CheckpointStore {
  private final Path file;
  private final PrivateKey privateKey;
  private final PublicKey publicKey;

  public FileCheckpoints(Path folder) {
    try {
      Files.createDirectories(folder);
      this.file = folder.resolve("checkpoints.tsv");
      Path secret = folder.resolve("checkpoint-key.pk8");
      Path pub = folder.resolve("checkpoint-key.pub");
      KeyFactory keys = KeyFactory.getInstance("Ed25519");
      if (!Files.exists(secret)) {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Path temp = Files.createTempFile(folder, ".key-", ".tmp");
        try {
          Files.setPosixFilePermissions(
              temp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
          // not a POSIX file system: the folder's permissions protect it
        }
        Files.write(temp, pair.getPrivate().getEncoded());
        Files.write(pub, pair.getPublic().getEncoded());
        Files.move(temp, secret, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
      this.privateKey = keys.generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(secret)));
      this.publicKey = keys.generatePublic(new X509EncodedKeySpec(Files.readAllBytes(pub)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the audit checkpoints in " + folder, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the audit checkpoint key is unusable", e);
    }
  }

  /** The public key checkpoints are checked with (X.509 DER). */
  public byte[] publicKey() {
    return publicKey.getEncoded();
  }

  @Override
  public synchronized Checkpoint write(long size, String rootHash, Instant time) {
    String signature;
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(privateKey);
      s.update(Checkpoint.signedText(size, rootHash, time));
      signature = Base64.getEncoder().encodeToString(s.sign());
    } catch (GeneralSecurityException e) {
      throw new AuditException("audit:checkpoint.sign", "cannot sign a checkpoint: " + e);
    }
    Checkpoint checkpoint = new Checkpoint(size, rootHash, time, signature);
    String line = size + "\t" + rootHash + "\t" + time + "\t" + signature + "\n";
    try (FileChannel out =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      out.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII)));
      out.force(true);
    } catch (IOException e) {
      throw new AuditException(
          "audit:checkpoint.write", "cannot write the checkpoint to " + file + ": " + e);
    }
    return checkpoint;
  }

  @Override
  public List<Checkpoint> all() {
    List<Checkpoint> out = new ArrayList<>();
    if (!Files.exists(file)) {
      return out;
    }
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
        String[] f = line.split("\t");
        if (f.length != 4) {
          // a torn last line from a crash, or an edit: it verifies as nothing
          out.add(new Checkpoint(-1, line, Instant.EPOCH, ""));
          continue;
        }
        try {
          out.add(new Checkpoint(Long.parseLong(f[0]), f[1], Instant.parse(f[2]), f[3]));
        } catch (RuntimeException e) {
          out.add(new Checkpoint(-1, line, Instant.EPOCH, ""));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return out;
  }

  @Override
  public boolean verify(Checkpoint checkpoint) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(publicKey);
      s.update(checkpoint.signedText());
      return s.verify(Base64.getDecoder().decode(checkpoint.signature()));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }
}
