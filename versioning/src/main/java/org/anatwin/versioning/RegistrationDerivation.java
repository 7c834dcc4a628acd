package org.anatwin.versioning;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.anatwin.model.ContentHash;
import org.anatwin.model.Derivation;
import org.anatwin.model.TriangleMesh;
import org.anatwin.modeling.Modeling;
import org.anatwin.modeling.Surface;
import org.anatwin.registration.Registrations;
import org.anatwin.registration.SurfaceRegistration;
import org.anatwin.storage.Storage;
import org.apache.commons.geometry.euclidean.threed.Vector3D;

/**
 * Re-runs the surface registration of a structure onto the same structure of the parent version, as
 * the build ran it: the parent's mesh read from the blob its recorded hash names, the new mesh as
 * this reproduction re-derived it, the default ICP options (the recorded {@code keep} must be
 * theirs), same frame or not as the two meshes record. The transform's hash ({@link
 * RegistrationInfo#transformSha256}) is compared with the one recorded on the registration. A
 * registration from landmarks: Horn's start from the recorded landmark pairs, ICP on both stored
 * meshes, the same hash compared.
 */
public final class RegistrationDerivation implements Derivation {
  private final Storage storage;

  public RegistrationDerivation(Storage storage) {
    this.storage = storage;
  }

  @Override
  public boolean reruns(String algorithm, String version) {
    return (algorithm.equals(Registrations.ICP) && version.equals(Registrations.ICP_VERSION))
        || (algorithm.equals(TwinPlans.LANDMARK_REGISTRATION) && version.equals("1"));
  }

  @Override
  public Map<String, Output> rerun(Recorded activity, Inputs inputs) {
    if (activity.algorithm().equals(TwinPlans.LANDMARK_REGISTRATION)) {
      return landmarks(activity, inputs);
    }
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

  /**
   * A registration started from landmark pairs (Horn's closed form on the labels both versions
   * carry) and refined by ICP on the two stored meshes, as {@code registerWithLandmarks} ran it:
   * the moving version is the later of the two the landmarks sit on.
   */
  private Map<String, Output> landmarks(Recorded activity, Inputs inputs) {
    String generated = activity.generated().getFirst();
    if (!Registrations.ICP_VERSION.equals(activity.parameter("icp"))) {
      throw new VersioningException(
          "versioning:derivation.parameter",
          "the registration was refined by ICP "
              + activity.parameter("icp")
              + ", this version has "
              + Registrations.ICP_VERSION);
    }
    Map<String, String> registration = inputs.properties(generated);
    // landmark label -> position, per version id
    Map<String, Map<String, Vector3D>> byVersion = new TreeMap<>();
    for (String used : activity.used()) {
      Map<String, String> p = inputs.properties(used);
      if (inputs.kind(used).equals("Annotation") && "LANDMARK".equals(p.get("kind"))) {
        String[] xyz = String.valueOf(p.get("position")).split(",");
        if (xyz.length != 3) {
          throw new VersioningException(
              "versioning:derivation.input", "landmark " + used + " records no position");
        }
        byVersion
            .computeIfAbsent(String.valueOf(p.get("versionId")), v -> new TreeMap<>())
            .put(
                p.get("label"),
                Vector3D.of(
                    Double.parseDouble(xyz[0]),
                    Double.parseDouble(xyz[1]),
                    Double.parseDouble(xyz[2])));
      }
    }
    if (byVersion.size() != 2) {
      throw new VersioningException(
          "versioning:derivation.input",
          "the registration's landmarks lie on " + byVersion.size() + " versions, not 2");
    }
    List<String> versions = new ArrayList<>(byVersion.keySet());
    versions.sort(java.util.Comparator.comparingLong(v -> number(v, inputs)));
    Map<String, Vector3D> theirs = byVersion.get(versions.get(0));
    Map<String, Vector3D> mine = byVersion.get(versions.get(1));
    List<String> labels = mine.keySet().stream().filter(theirs::containsKey).sorted().toList();
    SurfaceRegistration result =
        TwinPlans.landmarkRegistration(
            Modeling.fromStl(blob(registration.get("fixedMesh"), inputs)),
            Modeling.fromStl(blob(registration.get("movingMesh"), inputs)),
            labels.stream().map(theirs::get).toList(),
            labels.stream().map(mine::get).toList());
    return Map.of(
        generated,
        new Output(
            Map.of(
                "transformSha256",
                RegistrationInfo.transformSha256(
                    java.util.Arrays.copyOf(result.transform().toArray(), 12))),
            result));
  }

  /** A version's number as recorded (the later version of a pair is the one registered). */
  private static long number(String versionId, Inputs inputs) {
    String number = inputs.properties(versionId).get("number");
    if (number == null) {
      throw new VersioningException(
          "versioning:derivation.input", "version " + versionId + " is not in the lineage read");
    }
    return Long.parseLong(number);
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
