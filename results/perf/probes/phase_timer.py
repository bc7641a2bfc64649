"""Run `python -m bench run ...` with wall time per phase (monkeypatched), for before/after."""
import time, json, collections
import bench.run as R
T = collections.defaultdict(float)
def wrap(name, f):
    def g(*a, **k):
        t = time.perf_counter()
        try:
            return f(*a, **k)
        finally:
            T[name] += time.perf_counter() - t
    return g
R.load_data = wrap("load", R.load_data)
for name, key in (("extract_features", "features"), ("knn_accuracy", "knn")):
    if hasattr(R, name):  # the old code only; the new code records these itself
        setattr(R, name, wrap(key, getattr(R, name)))
import bench.evaluation.probe as _P
_P.PROBE_FUNCTIONS.update({k: wrap("probe", v) for k, v in _P.PROBE_FUNCTIONS.items()})
R.pretrain = wrap("pretrain_incl_monitor", R.pretrain)
from bench.cli import main
t0 = time.perf_counter()
rc = main()
print("PHASES", json.dumps({k: round(v, 2) for k, v in T.items()}), "total", round(time.perf_counter() - t0, 2))
