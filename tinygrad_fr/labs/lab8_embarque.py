"""Lab 8: from training to the board. Train the 8x8 digits network (64-128-10, ReLU), export
it to ONNX in float32 and in int8 (static quantization, QDQ), then run both files with ONNX
Runtime and with tinygrad_fr's NumPy-only runner, printing accuracies, sizes and timings.

The .onnx files it writes (``--out``, default the current folder) are the ones to copy to a
Raspberry Pi, a Jetson Nano or, through onnx2tf, to a Coral (see docs/embedded.md).
Needs scikit-learn (the digits) and onnx; onnxruntime is optional (its columns are skipped).

Run: tinygrad-fr lab 8  (or: python examples/lab8_embarque.py)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import tinygrad_fr as tg
from tinygrad_fr import nn
from tinygrad_fr.nn import functional as F  # noqa: N812 - PyTorch's usual alias

from .common import EXIT_MISSING_DEPENDENCY, add_common_arguments, is_fast, lab_parser

EPOCHS, FAST_EPOCHS = 15, 3
BATCH = 64
CALIBRATION = 512  # training images used to calibrate the int8 activations


def train(x: np.ndarray, y: np.ndarray, epochs: int, seed: int) -> nn.Sequential:
    """The 64-128-10 network trained with Adam on mini-batches of 64."""
    tg.manual_seed(seed)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = tg.optim.Adam(model.parameters(), lr=1e-2)
    order = np.random.default_rng(seed)
    for _ in range(epochs):
        for rows in np.array_split(order.permutation(len(x)), len(x) // BATCH):
            optimizer.zero_grad()
            F.cross_entropy(model(tg.Tensor(x[rows])), tg.from_numpy(y[rows])).backward()
            optimizer.step()
    model.eval()
    return model


def best_time(run: Callable[[np.ndarray], Any], x: np.ndarray, repeats: int) -> float:
    """The fastest of ``repeats`` runs, in milliseconds (the least disturbed by the system)."""
    run(x)  # warm-up: first-call allocations
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run(x)
        times.append(time.perf_counter() - start)
    return 1000 * min(times)


def onnxruntime_session(path: Path) -> Callable[[np.ndarray], np.ndarray] | None:
    """``x -> logits`` with ONNX Runtime on the CPU, or None if it is not installed."""
    try:
        import onnxruntime
    except ImportError:
        return None
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return lambda x: session.run(None, {"input": x})[0]


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    """Run the lab; returns the exit status (2 when onnx or the digits are missing)."""
    parser = lab_parser(__doc__, prog)
    add_common_arguments(parser)
    parser.add_argument("--epochs", type=int, default=None, help=f"epochs (default {EPOCHS})")
    parser.add_argument("--out", default=".", help="folder for the .onnx files (default: .)")
    args = parser.parse_args(argv)
    fast = is_fast(args.fast)
    epochs = args.epochs or (FAST_EPOCHS if fast else EPOCHS)
    try:
        import onnx  # noqa: F401 - only to say early that it is missing

        x_train, y_train, x_test, y_test = tg.datasets.load_digits(seed=args.seed)
    except ImportError as error:
        print(f'{error}\nInstallez : pip install "tinygrad_fr[onnx,digits]"', file=sys.stderr)
        return EXIT_MISSING_DEPENDENCY
    print(f"Chiffres 8x8 : {len(x_train)} images d'entraînement, {len(x_test)} de test")
    start = time.perf_counter()
    model = train(x_train, y_train, epochs, args.seed)
    seconds = time.perf_counter() - start
    print(f"Réseau 64-128-10 (ReLU) entraîné en {epochs} époques ({seconds:.1f} s)")
    quantized = tg.quantization.quantize_static(model, x_train[:CALIBRATION])
    print(f"Quantifié en int8 (calibration sur {CALIBRATION} images d'entraînement)")

    folder = Path(args.out)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"float32": folder / "chiffres_float32.onnx", "int8": folder / "chiffres_int8.onnx"}
    example = tg.Tensor(x_test[:1])
    tg.onnx.export(model, example, paths["float32"])
    tg.onnx.export(quantized, example, paths["int8"])
    sizes = {kind: path.stat().st_size for kind, path in paths.items()}
    for kind, path in paths.items():
        print(f"Fichier {path} : {sizes[kind] / 1000:.1f} ko")
    print(f"Le fichier int8 est {sizes['float32'] / sizes['int8']:.2f} fois plus petit")

    def tinygrad_run(network: nn.Module) -> Callable[[np.ndarray], np.ndarray]:
        def run(x: np.ndarray) -> np.ndarray:
            with tg.no_grad():
                return network(tg.Tensor(x)).numpy()

        return run

    runs: list[tuple[str, Callable[[np.ndarray], np.ndarray] | None]] = [
        ("tinygrad_fr float32", tinygrad_run(model)),
        ("tinygrad_fr int8 (NumPy)", tinygrad_run(quantized)),
        ("ONNX Runtime float32", onnxruntime_session(paths["float32"])),
        ("ONNX Runtime int8", onnxruntime_session(paths["int8"])),
        ("lecteur NumPy float32", tg.onnx.load(paths["float32"])),
        ("lecteur NumPy int8", tg.onnx.load(paths["int8"])),
    ]
    reference = runs[0][1](x_test).argmax(axis=1)  # type: ignore[misc]
    repeats = 5 if fast else 30
    batch_label = f"lot de {len(x_test)}"
    print(f"\n{'':26}{'précision':>11}{'accord':>10}{batch_label:>14}{'1 image':>10}")
    for name, run in runs:
        if run is None:
            print(f"{name:26}  (onnxruntime absent : pip install onnxruntime)")
            continue
        predicted = run(x_test).argmax(axis=1)
        accuracy = 100 * (predicted == y_test).mean()
        agreement = 100 * (predicted == reference).mean()
        batch_ms = best_time(run, x_test, repeats)
        one_ms = best_time(run, x_test[:1], repeats)
        print(f"{name:26}{accuracy:9.2f} %{agreement:8.2f} %{batch_ms:11.2f} ms{one_ms:7.2f} ms")
    print("\naccord : prédictions identiques à celles du réseau float32 de tinygrad_fr")
    print("Sur la carte : copiez les fichiers .onnx, puis voir docs/embedded.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
