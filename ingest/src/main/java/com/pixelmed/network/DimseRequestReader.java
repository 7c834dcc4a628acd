package com.pixelmed.network;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TransferSyntax;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * Reads one DIMSE request off an association: its command set, and its data set fragment by
 * fragment into a sink. Anatwin's own SCP loop (in {@code org.anatwin.ingest}) uses it so that it
 * can answer each C-STORE with the status of what really happened; PixelMed's {@link
 * ReceivedDataHandler} can only be extended inside this package, which is why this one class lives
 * here. It builds no path and no command from any received value.
 */
public final class DimseRequestReader extends ReceivedDataHandler {
  /**
   * Receives the data set's fragments in order; each is an array of its own (PixelMed copies every
   * PDV out of its PDU), which the sink may keep.
   */
  @FunctionalInterface
  public interface DataSink {
    void accept(byte[] fragment) throws IOException;
  }

  private static final AttributeTag COMMAND_DATA_SET_TYPE = new AttributeTag(0x0000, 0x0800);
  private static final int NO_DATA_SET = 0x0101;
  private static final int MAX_COMMAND_BYTES = 64 * 1024;

  private final ByteArrayOutputStream command = new ByteArrayOutputStream();
  private final DataSink data;
  private AttributeList commandList;
  private byte presentationContextId;

  public DimseRequestReader(DataSink data) {
    this.data = data;
  }

  @Override
  public void sendPDataIndication(PDataPDU pdu, Association association)
      throws DicomNetworkException, DicomException, IOException {
    for (Object item : pdu.getPDVList()) {
      PresentationDataValue pdv = (PresentationDataValue) item;
      presentationContextId = pdv.getPresentationContextID();
      if (pdv.isCommand()) {
        command.write(pdv.getValue());
        if (command.size() > MAX_COMMAND_BYTES) {
          throw new DicomNetworkException("command set longer than " + MAX_COMMAND_BYTES);
        }
        if (pdv.isLastFragment()) {
          commandList = new AttributeList();
          commandList.read(
              new DicomInputStream(
                  new ByteArrayInputStream(command.toByteArray()),
                  TransferSyntax.ImplicitVRLittleEndian,
                  false));
          int dataSetType =
              com.pixelmed.dicom.Attribute.getSingleIntegerValueOrDefault(
                  commandList, COMMAND_DATA_SET_TYPE, NO_DATA_SET);
          if (dataSetType == NO_DATA_SET) {
            setDone(true);
          }
        }
      } else {
        if (commandList == null) {
          throw new DicomNetworkException("data set fragment before the command set");
        }
        data.accept(pdv.getValue());
        if (pdv.isLastFragment()) {
          setDone(true);
        }
      }
    }
  }

  /** The command set; only once {@link #isDone()} holds. */
  public AttributeList commandList() {
    return commandList;
  }

  /** The presentation context the request came on, for the response. */
  public byte presentationContextId() {
    return presentationContextId;
  }
}
