package org.anatwin.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import org.anatwin.printorders.PrinterConfig;
import org.anatwin.printorders.printer.HotFolderDriver;
import org.anatwin.printorders.printer.MoonrakerDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Printers as configured under {@code anatwin.printing.printers.<id>.*}. */
class PrinterConfigurationTests {
  @TempDir Path root;

  private static PrintingProperties.PrinterSetting setting(
      String driver, URI url, String technology, Path folder, String format) {
    return new PrintingProperties.PrinterSetting(
        "test",
        driver,
        url,
        "key",
        0,
        0,
        0,
        null,
        null,
        technology,
        folder,
        format,
        java.util.List.of("Resin Grey", "Dental LT"));
  }

  @Test
  void anSlaPrinterBehindAHotFolderTakesThe3mfWithItsOwnMinimumWall() {
    PrinterConfig sla =
        CoreConfiguration.printer(
            "form-1", setting("hotfolder", null, "sla", root.resolve("hot"), null), root);
    assertThat(sla.driver()).isInstanceOf(HotFolderDriver.class);
    assertThat(sla.printer().technology()).isEqualTo("SLA");
    assertThat(sla.minWallMm()).isEqualTo(0.4);
    assertThat(sla.bed().profile()).as("not sliced by CuraEngine").isNull();
    assertThat(sla.takes("dental lt")).isTrue();
    assertThat(sla.takes("PLA")).isFalse();
  }

  @Test
  void anFdmPrinterIsSlicedWithACuraProfile() {
    PrinterConfig klipper =
        CoreConfiguration.printer(
            "voron",
            setting("moonraker", URI.create("http://127.0.0.1:7125"), null, null, null),
            root);
    assertThat(klipper.driver()).isInstanceOf(MoonrakerDriver.class);
    assertThat(klipper.printer().technology()).isEqualTo("FDM");
    assertThat(klipper.minWallMm()).isEqualTo(0.8);
    assertThat(klipper.bed().profile()).isNotNull();
  }

  @Test
  void anUnknownDriverOrTechnologyOrAMissingFolderIsRefusedAtStart() {
    assertThatThrownBy(
            () -> CoreConfiguration.printer("x", setting("telnet", null, null, null, null), root))
        .hasMessageContaining("driver is octoprint, moonraker, hotfolder or folder");
    assertThatThrownBy(
            () ->
                CoreConfiguration.printer("x", setting("folder", null, "laser", null, null), root))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                CoreConfiguration.printer("x", setting("hotfolder", null, "sls", null, null), root))
        .hasMessageContaining("anatwin.printing.printers.x.folder");
  }
}
