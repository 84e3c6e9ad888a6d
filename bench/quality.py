"""Benchmark `fairloop.quality` against crowd-kit on synthetic crowds with a known truth.

Data (seeded): 5 classes, 1,000 workers with accuracies uniform in 0.5-0.95 (wrong
answers uniform over the other classes), 333,334 items labelled by 3 distinct workers
each: 1,000,002 labels. GLAD and MACE run on the first 100,000 items (300,000 labels).
Bradley-Terry runs on 1,000,000 comparisons over 1,000 ids (strengths N(0, 1), 10%
ties). Every case runs in a fresh process so that its peak RSS is its own.

    .venv/bin/python bench/quality.py               # ours and crowd-kit, prints a table
    .venv/bin/python bench/quality.py --no-crowdkit # ours only
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import warnings

import numpy as np

CLASSES, WORKERS, ITEMS, SMALL_ITEMS = 5, 1000, 333_334, 100_000


def labels_data(n_items: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2024)
    accuracy = rng.uniform(0.5, 0.95, WORKERS)
    truth = rng.integers(0, CLASSES, ITEMS)
    # 3 distinct workers per item: a random worker and two distinct offsets from it
    first = rng.integers(0, WORKERS, ITEMS)
    second = (first + rng.integers(1, WORKERS, ITEMS)) % WORKERS
    step = rng.integers(1, WORKERS - 1, ITEMS)
    third = (second + step) % WORKERS
    third = np.where(third == first, (third + 1) % WORKERS, third)
    third = np.where(third == second, (third + 1) % WORKERS, third)
    workers = np.stack([first, second, third], axis=1).ravel()
    items = np.repeat(np.arange(ITEMS), 3)
    right = rng.random(items.size) < accuracy[workers]
    wrong = (truth[items] + rng.integers(1, CLASSES, items.size)) % CLASSES
    labels = np.where(right, truth[items], wrong)
    keep = items < n_items
    return items[keep], workers[keep], labels[keep], truth[:n_items]


def pairs_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    n, rows = 1000, 1_000_000
    strength = rng.normal(0.0, 1.0, n)
    left = rng.integers(0, n, rows)
    right = (left + rng.integers(1, n, rows)) % n
    p = 1.0 / (1.0 + np.exp(strength[right] - strength[left]))
    u = rng.random(rows)
    outcome = np.where(u < 0.9 * p, 1.0, np.where(u < 0.9 * p + 0.1, 0.5, 0.0))
    return left, right, outcome, strength


def ours(case: str) -> dict[str, float]:
    from fairloop import quality as q

    if case in ("bt", "bt_boot", "elo"):
        left, right, outcome, strength = pairs_data()
        start = time.perf_counter()
        if case == "elo":
            result = q.elo(left, right, outcome)
        else:
            result = q.bradley_terry(left, right, outcome, rounds=100 if case == "bt_boot" else 0)
        seconds = time.perf_counter() - start
        score = np.empty(strength.size)
        score[result.ids] = result.score
        quality = float(np.corrcoef(score, strength)[0, 1])
        return {"seconds": seconds, "quality": quality, "gradient": result.gradient}
    n_items = ITEMS if case in ("mv", "ds", "ds10", "onecoin") else SMALL_ITEMS
    items, workers, labels, truth = labels_data(n_items)
    full = {"n_iter": 100, "tol": 0.0}
    options = {"ds": full, "onecoin": full, "ds10": {"n_iter": 10, "tol": 0.0}}.get(case, {})
    method = "ds" if case == "ds10" else case
    start = time.perf_counter()
    result = q.aggregate(method, items, workers, labels, **options)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "quality": float((result.labels == truth).mean())}


def crowdkit(case: str) -> dict[str, float]:
    import pandas as pd
    from crowdkit import aggregation as ck

    n_items = ITEMS if case in ("mv", "ds", "ds10", "onecoin") else SMALL_ITEMS
    items, workers, labels, truth = labels_data(n_items)
    frame = pd.DataFrame({"task": items, "worker": workers, "label": labels})
    if case == "mace":  # crowd-kit's MACE needs rows sorted by (worker, label) to be right
        frame = frame.sort_values(["worker", "label"], kind="stable").reset_index(drop=True)
    model = {
        "mv": lambda: ck.MajorityVote(),
        "ds": lambda: ck.DawidSkene(n_iter=100, tol=0.0),
        "ds10": lambda: ck.DawidSkene(),  # default tol: stops after about 10 iterations
        "onecoin": lambda: ck.OneCoinDawidSkene(n_iter=100, tol=0.0),
        "glad": lambda: ck.GLAD(),
        "mace": lambda: ck.MACE(),
    }[case]()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        model.fit(frame)
        seconds = time.perf_counter() - start
    got = model.labels_.reindex(np.arange(n_items)).to_numpy()
    return {"seconds": seconds, "quality": float((got == truth).mean())}


def child(side: str, case: str) -> None:
    out = (ours if side == "ours" else crowdkit)(case)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def run(side: str, case: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", side, case], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"{side} {case} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


CASES = [
    ("mv", "majority vote, 1M labels"),
    ("ds", "Dawid-Skene 100 iterations, 1M labels"),
    ("ds10", "Dawid-Skene 10 iterations, 1M labels"),
    ("onecoin", "one-coin DS 100 iterations, 1M labels"),
    ("glad", "GLAD, 300k labels"),
    ("mace", "MACE, 300k labels"),
    ("bt", "Bradley-Terry MLE, 1M comparisons"),
    ("bt_boot", "Bradley-Terry + 100 bootstrap rounds, 1M"),
    ("elo", "online Elo K=4, 1M comparisons"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-crowdkit", action="store_true", help="run ours only")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    header = (
        f"| {'case':44} | ours s | peak MB | accuracy | crowd-kit s | peak MB | accuracy | ratio |"
    )
    print(header)
    print("|" + "|".join("-" * (len(cell)) for cell in header.split("|")[1:-1]) + "|")
    for case, title in CASES:
        mine = run("ours", case)
        quality = f"{mine['quality']:.4f}"
        ref_cells = "| - | - | - | - |"
        if not args.no_crowdkit and case not in ("bt", "bt_boot", "elo"):
            ref = run("crowdkit", case)
            ratio = ref["seconds"] / mine["seconds"]
            ref_cells = (
                f"| {ref['seconds']:11.2f} | {ref['peak_mb']:7.0f} | {ref['quality']:.4f}"
                f"   | {ratio:5.0f}x |"
            )
        if case in ("bt", "bt_boot", "elo"):
            quality = f"r={mine['quality']:.4f}"
        print(
            f"| {title:44} | {mine['seconds']:6.2f} | {mine['peak_mb']:7.0f} | {quality:8} "
            + ref_cells,
            flush=True,
        )


if __name__ == "__main__":
    main()
