"""Old (scikit-learn) vs new (torch) logistic probe on saved features, one process, CPU and wall seconds."""
import sys, time, torch
torch.set_num_threads(1)
from bench.evaluation.probe import linear_probe
sys.path.insert(0, 'tests')  # run from the repository root
from test_probe_logistic import sklearn_probe
for name in sys.argv[1:]:
    d = torch.load(name)
    args = (d['train_x'], d['train_y'], d['test_x'], d['test_y'])
    for rep in range(2):
        c0, w0 = time.process_time(), time.perf_counter(); acc, c, _ = sklearn_probe(*args); c1, w1 = time.process_time(), time.perf_counter()
        r = linear_probe(*args); c2, w2 = time.process_time(), time.perf_counter()
        print(f"RESULT {name} rep {rep}: sklearn acc {acc:.4f} C {c} cpu {c1-c0:.2f}s wall {w1-w0:.2f}s | torch acc {r.accuracy:.4f} C {r.c} cpu {c2-c1:.2f}s wall {w2-w1:.2f}s | cpu ratio {(c1-c0)/(c2-c1):.1f}x", flush=True)
