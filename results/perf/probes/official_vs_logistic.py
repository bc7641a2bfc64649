"""Default logistic probe vs the official probe on saved features, timed in the same process."""
import sys, time, torch
torch.set_num_threads(1)
from bench.evaluation.probe import linear_probe
from bench.evaluation.probe_official import official_probe
d = torch.load(sys.argv[1])
args = (d['train_x'], d['train_y'], d['test_x'], d['test_y'])
t = time.perf_counter(); a = linear_probe(*args, seed=0); ta = time.perf_counter() - t
t = time.perf_counter(); b = official_probe(*args, seed=0); tb = time.perf_counter() - t
print(f"RESULT {sys.argv[1]} logistic acc {a.accuracy:.4f} C {a.c} {ta:.1f}s | official acc {b.accuracy:.4f} lr {b.lr} val {b.validation_accuracy} {tb:.1f}s | ratio {tb/ta:.1f}x")
