#!/usr/bin/python3
"""Peer of `./anatwin bench segment`: the same ONNX network run by PyTorch on the CPU over the
whole volume at once (no patches, no overlap: the framework the model was trained in, at its
fastest), then argmax.

Usage: torch_segment.py MODEL.onnx VOLUME.raw NX NY NZ LOWER UPPER THREADS
Prints one JSON line: seconds (inference and argmax, after loading), peak_rss_mib, bone voxels.
The network is rebuilt from the ONNX graph (Conv, Relu and elementwise constants), so peer and
service run the same weights.
"""

import json
import resource
import sys
import time

import numpy as np
import onnx
import torch
from onnx import numpy_helper


def main():
    model_path, raw, nx, ny, nz, lower, upper, threads = sys.argv[1:9]
    nx, ny, nz, threads = int(nx), int(ny), int(nz), int(threads)
    lower, upper = float(lower), float(upper)
    torch.set_num_threads(threads)
    graph = onnx.load(model_path).graph
    consts = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant":
            consts[node.output[0]] = torch.from_numpy(
                numpy_helper.to_array(node.attribute[0].t).copy())
    hu = np.fromfile(raw, dtype="<i2").reshape(nz, ny, nx).astype(np.float32)
    began = time.perf_counter()
    with torch.no_grad():
        values = {graph.input[0].name: torch.from_numpy(
            ((np.clip(hu, lower, upper) - lower) / (upper - lower))[None, None])}
        values.update(consts)
        for node in graph.node:
            if node.op_type == "Constant":
                continue
            args = [values[i] for i in node.input if i]
            if node.op_type == "Conv":
                pads = next((list(a.ints) for a in node.attribute if a.name == "pads"), [0] * 6)
                out = torch.nn.functional.conv3d(
                    args[0], args[1], args[2] if len(args) > 2 else None, padding=pads[:3])
            elif node.op_type == "Relu":
                out = torch.relu(args[0])
            elif node.op_type in ("Mul", "Add", "Sub", "Div"):
                out = {"Mul": torch.mul, "Add": torch.add, "Sub": torch.sub, "Div": torch.div}[
                    node.op_type](args[0], args[1])
            else:
                raise SystemExit("unsupported ONNX operator " + node.op_type)
            values[node.output[0]] = out
            for name in node.input:  # free what no later node reads
                if name in values and name not in consts and all(
                        name not in n.input for n in graph.node[list(graph.node).index(node) + 1:]):
                    del values[name]
        logits = values[graph.output[0].name]
        labels = torch.argmax(logits[0], dim=0)
    seconds = time.perf_counter() - began
    print(json.dumps({
        "seconds": seconds,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "bone": int(labels.sum()),
    }))


if __name__ == "__main__":
    main()
