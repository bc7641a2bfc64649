"""CIFAR cell with --probe official: the full official probe on clean cached features (timed), plus
the crop+flip path run for 2 of its 100 epochs (timed, to extrapolate the full cost)."""
import time, json
import bench.evaluation.probe as P
from bench.evaluation import probe_official as O
def patched(train_x, train_y, test_x, test_y, seed=0, view=None, device="cpu"):
    t = time.perf_counter(); clean = O.official_probe(train_x, train_y, test_x, test_y, seed=seed, device=device)
    t_clean = time.perf_counter() - t
    t = time.perf_counter(); short = O.official_probe(train_x, train_y, test_x, test_y, seed=seed, view=view, epochs=2, device=device)
    t_short = time.perf_counter() - t
    print("CIFAR_OFFICIAL", json.dumps({"clean_accuracy": clean.accuracy, "clean_lr": clean.lr, "clean_val": clean.validation_accuracy,
          "clean_seconds": t_clean, "cropflip_2_epochs_seconds": t_short, "cropflip_100_epochs_estimate": 50 * t_short,
          "cropflip_2_epochs_accuracy": short.accuracy}), flush=True)
    return clean
P.PROBE_FUNCTIONS["official"] = patched
from bench.cli import main
main()
