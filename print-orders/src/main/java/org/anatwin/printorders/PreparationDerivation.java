package org.anatwin.printorders;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.anatwin.model.ContentHash;
import org.anatwin.model.Derivation;
import org.anatwin.model.PrintOrderId;
import org.anatwin.modeling.Modeling;
import org.anatwin.modeling.Surface;
import org.anatwin.printorders.preparation.CuraSlicer;
import org.anatwin.printorders.preparation.Preparer;
import org.jspecify.annotations.Nullable;

/**
 * Re-runs a recorded print preparation: the order's meshes (as an earlier step re-derived them, or
 * as stored) placed with the recorded scale and orientation on the recorded printer, packaged and
 * sliced again. The printer's current profile is the one used, so a profile changed since shows as
 * a differing profile hash.
 */
final class PreparationDerivation implements Derivation {
  private final PrintOrders orders;

  PreparationDerivation(PrintOrders orders) {
    this.orders = orders;
  }

  @Override
  public boolean reruns(String algorithm, String version) {
    return algorithm.equals(PrintOrders.PREPARE) && version.equals("1");
  }

  @Override
  public Map<String, Output> rerun(Recorded activity, Inputs inputs) {
    String orderId =
        activity.used().stream()
            .filter(id -> inputs.kind(id).equals("PrintOrder"))
            .findFirst()
            .orElseThrow(
                () ->
                    new PrintOrderException(
                        "print-orders:derivation.input",
                        "preparation " + activity.id() + " used no print order"));
    PrintOrder order =
        orders
            .order(PrintOrderId.parse(orderId))
            .orElseThrow(
                () ->
                    new PrintOrderException(
                        "print-orders:order.unknown", "no print order " + orderId));
    PrinterConfig printer = orders.printer(activity.parameter("printer"));
    if (printer == null) {
      throw new PrintOrderException(
          "print-orders:printer.unknown",
          "printer " + activity.parameter("printer") + " is no longer configured");
    }
    double scale;
    try {
      scale = Double.parseDouble(activity.parameter("scale"));
    } catch (NumberFormatException e) {
      throw new PrintOrderException(
          "print-orders:derivation.parameter",
          "preparation " + activity.id() + " recorded scale " + activity.parameter("scale"));
    }
    Preparer.Plate plate =
        orders.plate(
            order,
            orders.meshes(order.meshIds()),
            scale,
            printer,
            down(activity),
            mesh ->
                inputs.value(mesh.id()) instanceof Surface surface
                    ? Modeling.fromStl(Modeling.toStl(surface.mesh()))
                    : orders.storedMesh(mesh));
    Map<String, String> hashes = new HashMap<>();
    hashes.put("plateSha256", ContentHash.of(plate.stl()).hex());
    hashes.put("threeMfSha256", ContentHash.of(plate.threeMf()).hex());
    CuraSlicer.Sliced sliced = plate.sliced();
    if (sliced != null) {
      hashes.put("gcodeSha256", ContentHash.of(sliced.gcode()).hex());
      hashes.put("profileSha256", sliced.profileSha256().hex());
    }
    return Map.of(activity.generated().getFirst(), new Output(hashes, plate));
  }

  /** The recorded orientation: "automatic", or the down direction as "[x, y, z]". */
  private static double @Nullable [] down(Recorded activity) {
    String orientation = activity.parameter("orientation");
    if (orientation.equals("automatic")) {
      return null;
    }
    try {
      List<String> parts = List.of(orientation.replace("[", "").replace("]", "").split(",\\s*"));
      return parts.stream().mapToDouble(Double::parseDouble).toArray();
    } catch (NumberFormatException e) {
      throw new PrintOrderException(
          "print-orders:derivation.parameter",
          "preparation " + activity.id() + " recorded orientation " + orientation);
    }
  }
}
