package org.anatwin.versioning;

import java.util.Map;
import org.anatwin.model.ContentHash;
import org.anatwin.model.Derivation;
import org.anatwin.model.TriangleMesh;
import org.anatwin.modeling.Modeling;
import org.anatwin.modeling.Surface;
import org.anatwin.registration.Registrations;
import org.anatwin.registration.SurfaceRegistration;
import org.anatwin.storage.Storage;

/**
 * Re-runs the surface registration of a structure onto the same structure of the parent version, as
 * the build ran it: the parent's mesh read from the blob its recorded hash names, the new mesh as
 * this reproduction re-derived it, the default ICP options (the recorded {@code keep} must be
 * theirs), same frame or not as the two meshes record. The transform's hash ({@link
 * RegistrationInfo#transformSha256}) is compared with the one recorded on the registration.
 */
public final class RegistrationDerivation implements Derivation {
  private final Storage storage;

  public RegistrationDerivation(Storage storage) {
    this.storage = storage;
  }

  @Override
  public boolean reruns(String algorithm, String version) {
    return algorithm.equals(Registrations.ICP) && version.equals(Registrations.ICP_VERSION);
  }

  @Override
  public Map<String, Output> rerun(Recorded activity, Inputs inputs) {
    String generated = activity.generated().getFirst();
    Map<String, String> registration = inputs.properties(generated);
    String fixedId = registration.get("fixedMesh");
    String movingId = registration.get("movingMesh");
    if (fixedId == null || movingId == null) {
      throw new VersioningException(
          "versioning:derivation.input",
          "registration " + generated + " records no fixed or no moving mesh");
    }
    Registrations.IcpOptions options = Registrations.IcpOptions.defaults();
    if (!Double.toString(options.keep()).equals(activity.parameter("keep"))) {
      throw new VersioningException(
          "versioning:derivation.parameter",
          "the registration kept "
              + activity.parameter("keep")
              + " of its pairs; this version keeps "
              + options.keep());
    }
    if (!(inputs.value(movingId) instanceof Surface moving)) {
      throw new VersioningException(
          "versioning:derivation.input",
          "the moving mesh " + movingId + " was not re-derived by this reproduction");
    }
    TriangleMesh fixed = Modeling.fromStl(blob(fixedId, inputs));
    boolean sameFrame =
        String.valueOf(inputs.properties(fixedId).get("frameOfReferenceUid"))
            .equals(moving.frameOfReference().value());
    SurfaceRegistration result =
        Registrations.registerSurfaces(fixed, moving.mesh(), sameFrame, options);
    double[] matrix = java.util.Arrays.copyOf(result.transform().toArray(), 12);
    return Map.of(
        generated,
        new Output(Map.of("transformSha256", RegistrationInfo.transformSha256(matrix)), result));
  }

  private byte[] blob(String meshId, Inputs inputs) {
    String sha256 = inputs.properties(meshId).get("sha256");
    if (sha256 == null) {
      throw new VersioningException(
          "versioning:derivation.input", "mesh " + meshId + " records no STL hash");
    }
    // a missing or altered blob is refused with storage's own code
    return storage.blobs().get(ContentHash.parse(sha256));
  }
}
