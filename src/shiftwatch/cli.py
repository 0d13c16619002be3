"""The ``shiftwatch`` command. It parses, calls the library, and prints; no statistics here.

Exit codes: 0 done (and no drift, with ``--fail-on-drift``), 1 drift found with
``--fail-on-drift``, 2 bad input (one line on standard error, no traceback).
"""

import json
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TypeVar

import numpy as np
import numpy.typing as npt
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from shiftwatch.compare import ProgressCallback
from shiftwatch.compare import compare as compare_data
from shiftwatch.distributed import profile_parquet
from shiftwatch.errors import (
    ColumnMismatchError,
    InvalidParameterError,
    SchemaError,
    ShiftwatchError,
    ShiftwatchWarning,
)
from shiftwatch.io import to_table
from shiftwatch.outputs.performance import PerformanceEstimator
from shiftwatch.profile import Profile, RowsCallback
from shiftwatch.report.performance_table import performance_table
from shiftwatch.report.profile_table import profile_table
from shiftwatch.report.terminal import report_table
from shiftwatch.report.violations import violations_table, violations_to_json
from shiftwatch.schema import DEFAULT_MAX_PER_RULE, Schema
from shiftwatch.sketch.quantiles import DEFAULT_K

app = typer.Typer(
    name="shiftwatch",
    help="Watch ML model inputs and outputs for data shift, with a known false-alarm rate.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help as written: [server] stays, flags show no <bool> metavar
)
console = Console()
errors = Console(stderr=True)

T = TypeVar("T")
EXIT_DRIFT = 1
EXIT_BAD_INPUT = 2


def _fail(message: str) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(EXIT_BAD_INPUT)


def _assignments(option: str, items: list[str] | None, parse: Callable[[str], T]) -> dict[str, T]:
    """Parse repeated ``COLUMN=VALUE`` options."""
    parsed: dict[str, T] = {}
    for item in items or []:
        column, sep, value = item.rpartition("=")
        if not sep or not column:
            raise InvalidParameterError(f"{option} expects COLUMN=VALUE. Got {item!r} instead.")
        try:
            parsed[column] = parse(value)
        except ValueError:
            raise InvalidParameterError(
                f"{option} {item!r}: {value!r} is not a valid value."
            ) from None
    return parsed


@contextmanager
def _column_progress(enabled: bool) -> Iterator[ProgressCallback | None]:
    """A Rich progress bar over columns on standard error, gone when the work is done."""
    if not enabled:
        yield None
        return
    with Progress(
        TextColumn("comparing [bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
    ) as progress:
        task = progress.add_task("columns", total=None)

        def advance(done: int, total: int, column: str) -> None:
            progress.update(task, completed=done, total=total, description=column)

        yield advance


@app.command()
def compare(
    reference: Annotated[str, typer.Argument(help="Reference data: CSV, Parquet or JSON lines.")],
    current: Annotated[str, typer.Argument(help="Current data, same columns as the reference.")],
    alpha: Annotated[float, typer.Option(help="Family-wise false-alarm rate.")] = 0.05,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the full report as JSON here.")
    ] = None,
    markdown_path: Annotated[
        Path | None, typer.Option("--markdown", help="Write a Markdown summary here.")
    ] = None,
    html_path: Annotated[
        Path | None,
        typer.Option("--html", help="Write a self-contained HTML report with plots here."),
    ] = None,
    fail_on_drift: Annotated[
        bool, typer.Option("--fail-on-drift", help="Exit with status 1 when drift is found.")
    ] = False,
    column: Annotated[
        list[str] | None, typer.Option("--column", "-c", help="Compare only these columns.")
    ] = None,
    kind: Annotated[
        list[str] | None, typer.Option(help="Override a column's kind: COLUMN=KIND.")
    ] = None,
    test: Annotated[
        list[str] | None, typer.Option(help="Override a column's test: COLUMN=TEST.")
    ] = None,
    threshold: Annotated[
        list[str] | None, typer.Option(help="Override a materiality threshold: COLUMN=VALUE.")
    ] = None,
    correction: Annotated[
        str, typer.Option(help="holm, bonferroni, benjamini_hochberg or none.")
    ] = "holm",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the verdict.")] = False,
    workers: Annotated[
        int | None,
        typer.Option(help="Threads testing columns (default: one per core on big data)."),
    ] = None,
    multivariate: Annotated[
        str,
        typer.Option(
            help="Check the numeric columns together: auto (projection test, when there are "
            "at least 2 numeric columns), none, projection, mmd or classifier."
        ),
    ] = "auto",
) -> None:
    """Compare CURRENT with REFERENCE, column by column, and say what shifted."""
    try:
        with _column_progress(enabled=not quiet and errors.is_terminal) as on_progress:
            report = compare_data(
                reference,
                current,
                alpha=alpha,
                columns=column or None,
                kinds=_assignments("--kind", kind, str),
                tests=_assignments("--test", test, str),
                thresholds=_assignments("--threshold", threshold, float),
                correction=correction,
                on_progress=on_progress,
                workers=workers,
                multivariate=False if multivariate == "none" else multivariate,
            )
        if json_path is not None:
            report.to_json(json_path)
        if markdown_path is not None:
            report.to_markdown(markdown_path)
        if html_path is not None:
            report.to_html(html_path)
    except ColumnMismatchError as error:
        raise _fail(error.hint("-c/--column")) from None
    except ShiftwatchError as error:
        raise _fail(str(error)) from None
    except OSError as error:
        raise _fail(f"cannot write the report: {error}") from None
    if quiet:
        console.print("drift detected" if report.drifted else "no drift detected")
    else:
        console.print(report_table(report))
    if fail_on_drift and report.drifted:
        raise typer.Exit(EXIT_DRIFT)


@contextmanager
def _row_progress(enabled: bool) -> Iterator[RowsCallback | None]:
    """A Rich progress bar over rows on standard error, gone when the work is done."""
    if not enabled:
        yield None
        return
    with Progress(
        TextColumn("profiling"),
        BarColumn(),
        TextColumn("{task.completed:,} rows"),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
    ) as progress:
        task = progress.add_task("rows", total=None)

        def advance(rows: int, total: int | None) -> None:
            progress.update(task, completed=rows, total=total)

        yield advance


@app.command()
def profile(
    data: Annotated[
        str, typer.Argument(help="Data: CSV, Parquet, JSON lines, or a folder/glob of Parquet.")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Profile file to write.")],
    k: Annotated[int, typer.Option(help="Quantile sketch size: error ~ 1/k.")] = DEFAULT_K,
    scheduler: Annotated[
        str | None, typer.Option(help="Profile Parquet on this Dask scheduler: tcp://host:8786.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Profile Parquet on a local Dask cluster of N processes.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
) -> None:
    """Summarise DATA in one pass (bounded memory) into a profile file, or on Dask."""
    try:
        with _row_progress(enabled=not quiet and errors.is_terminal) as on_progress:
            if scheduler is None and workers is None:
                result = Profile.from_data(data, k=k, on_progress=on_progress)
            else:
                result = profile_parquet(
                    data, scheduler=scheduler, workers=workers, k=k, on_progress=on_progress
                )
        result.save(output)
    except (ShiftwatchError, ImportError) as error:  # ImportError: the dask extra is missing
        raise _fail(str(error)) from None
    except OSError as error:
        raise _fail(f"cannot write the profile: {error}") from None
    if not quiet:
        console.print(profile_table(result))
        console.print(escape(f"Wrote {output} ({output.stat().st_size:,} bytes)."))


@app.command()
def show(
    path: Annotated[Path, typer.Argument(help="A profile file written by `shiftwatch profile`.")],
) -> None:
    """Print what a profile holds, column by column."""
    try:
        loaded = Profile.load(path)
    except ShiftwatchError as error:
        raise _fail(str(error)) from None
    console.print(profile_table(loaded))


def _outputs_file(
    path: str, role: str, label: str, prediction: str
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.intp] | None, npt.NDArray[np.intp] | None]:
    """A file's probabilities, labels and predictions (the last two None when absent).

    The probabilities are every column but the label and prediction ones, in file order.
    """
    table = to_table(path, role=role)
    names = table.column_names
    found = {}
    for option, name in (("--label", label), ("--prediction", prediction)):
        if name not in names:
            continue
        values = np.asarray(table.column(name).to_numpy(zero_copy_only=False))
        if values.dtype.kind == "f" and np.all(np.isfinite(values)) and np.all(values % 1 == 0):
            values = values.astype(np.intp)
        if values.dtype.kind not in "iu":
            raise SchemaError(
                f"Column {name!r} ({option}) of the {role} file {path} must hold class indices "
                f"(0, 1, ...: the probability columns' order). Got {values.dtype} values."
            )
        found[name] = values.astype(np.intp)
    columns = [name for name in names if name not in (label, prediction)]
    if len(columns) < 2:
        raise SchemaError(
            f"The {role} file {path} needs one probability column per class (at least 2) "
            f"beside {label!r} and {prediction!r}. Got columns {names}."
        )
    try:
        probabilities = np.column_stack(
            [table.column(name).to_numpy(zero_copy_only=False) for name in columns]
        ).astype(np.float64)
    except (TypeError, ValueError):
        raise SchemaError(
            f"The probability columns {columns} of the {role} file {path} must be numbers."
        ) from None
    return probabilities, found.get(label), found.get(prediction)


@app.command()
def performance(
    reference: Annotated[
        str,
        typer.Argument(
            help="Labelled reference outputs (CSV, Parquet, JSON lines): a probability column "
            "per class, in class order, a label column, optionally a prediction column."
        ),
    ],
    current: Annotated[str, typer.Argument(help="Current outputs, same columns; labels optional.")],
    threshold: Annotated[
        float | None,
        typer.Option(help="Binary decisions: class 1 when its probability >= THRESHOLD."),
    ] = None,
    chunk_size: Annotated[
        int | None, typer.Option(help="Estimate every CHUNK_SIZE current rows separately.")
    ] = None,
    metric: Annotated[
        list[str] | None,
        typer.Option("--metric", "-m", help="Metrics (default: accuracy, precision, ...)."),
    ] = None,
    calibration: Annotated[str, typer.Option(help="auto, isotonic or temperature.")] = "auto",
    label: Annotated[str, typer.Option(help="The label column (class index).")] = "label",
    prediction: Annotated[
        str, typer.Option(help="The decision column, if any (else threshold or argmax).")
    ] = "prediction",
    json_path: Annotated[
        str | None,
        typer.Option("--json", help="Write the estimates as JSON here ('-': print it instead)."),
    ] = None,
) -> None:
    """Estimate CURRENT's accuracy, precision, recall, F1 and ROC AUC without labels."""
    try:
        reference_probabilities, reference_labels, reference_predictions = _outputs_file(
            reference, "reference", label, prediction
        )
        probabilities, labels, predictions = _outputs_file(current, "current", label, prediction)
        if reference_labels is None:
            raise SchemaError(
                f"The reference file {reference} needs a {label!r} column (the true class "
                "index) to calibrate on."
            )
        if chunk_size is not None and chunk_size < 1:
            raise InvalidParameterError(f"--chunk-size must be >= 1. Got {chunk_size}.")
        estimator = PerformanceEstimator(
            metric or None, threshold=threshold, calibration=calibration
        )
        with warnings.catch_warnings():  # reliability is in the table and the JSON
            warnings.simplefilter("ignore", ShiftwatchWarning)
            estimator.fit(reference_probabilities, reference_labels, reference_predictions)
            size = chunk_size or len(probabilities)
            chunks = []
            for start in range(0, len(probabilities), size):
                rows = slice(start, start + size)
                estimate = estimator.estimate(
                    probabilities[rows],
                    predictions=None if predictions is None else predictions[rows],
                    labels=None if labels is None else labels[rows],
                )
                chunks.append((start, estimate))
        document = {
            "reference": {
                "n": estimator.n_reference_,
                "calibration": estimator.calibration_,
                "reliable": estimator.reliable_,
                "metrics": estimator.reference_values_,
            },
            "chunks": [
                {"start": start, "stop": start + estimate.n, **estimate.to_dict()}
                for start, estimate in chunks
            ],
        }
        if json_path == "-":
            console.print_json(json.dumps(document))
            return
        if json_path is not None:
            Path(json_path).write_text(json.dumps(document, indent=2) + "\n")
    except ShiftwatchError as error:
        raise _fail(str(error)) from None
    except OSError as error:
        raise _fail(f"cannot write the JSON: {error}") from None
    console.print(performance_table([(f"{start:,}-{start + e.n - 1:,}", e) for start, e in chunks]))
    if not estimator.reliable_:
        console.print(
            escape(
                "The calibration failed its self-check on held-out reference rows: "
                + "; ".join(estimator.self_check_.reasons if estimator.self_check_ else ())
            )
        )
    console.print(
        escape(
            f"Calibrated ({estimator.calibration_}) on {estimator.n_reference_:,} labelled "
            "reference rows. No label-free estimate sees concept shift (the same confidence "
            "meaning another chance of being right); labels, when given, do."
        )
    )


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the generated data and reports.")] = Path(
        "demo-output"
    ),
    scenario: Annotated[
        str,
        typer.Option(
            help="digits: a classifier meets new image sources (needs scikit-learn); "
            "table: a shifted month of a loan table."
        ),
    ] = "digits",
    rows: Annotated[int, typer.Option(min=10, help="Rows in each set (table scenario).")] = 20_000,
) -> None:
    """Run the main job end to end on bundled data: monitor, detect, estimate, report."""
    out.mkdir(parents=True, exist_ok=True)
    if scenario == "digits":
        _digits_demo(out)
    elif scenario == "table":
        _table_demo(out, rows)
    else:
        raise _fail(f"Unknown --scenario {scenario!r}; expected 'digits' or 'table'.")


def _digits_demo(out: Path) -> None:
    from rich.table import Table

    from shiftwatch.demos import digits

    try:
        world = digits.DigitsScenario()
    except ShiftwatchError as error:
        raise _fail(str(error)) from None
    console.print(
        "Trained a logistic regression on 600 of scikit-learn's digits; profiled 597 reference "
        "images (brightness, contrast, sharpness, entropy, clipped pixels) with the model's "
        "prediction and confidence. Streaming production in batches of 100 images through "
        "Monitor(window=500, check_every=100, ert=50,000)...\n"
    )
    total = sum(phase.rows for phase in digits.PHASES)
    with Progress(
        TextColumn("streaming"), BarColumn(), MofNCompleteColumn(), console=errors
    ) as progress:
        task = progress.add_task("rows", total=total)
        results = digits.run(world, on_batch=lambda n: progress.advance(task, n))
    timeline = Table(title="What was detected, and when", title_justify="left")
    for column in ("rows", "phase", "event", "detail"):
        timeline.add_column(column)
    phases = Table(
        title="Accuracy per phase: estimated without labels, then true", title_justify="left"
    )
    for column in (
        "rows",
        "phase",
        "true accuracy",
        "estimated (95% interval)",
        "errors vs expected",
    ):
        phases.add_column(column)
    for result in results:
        end = result.start_row + result.phase.rows
        for event in result.events:
            offset = event.at_row - result.start_row
            timeline.add_row(
                f"{event.at_row:,}",
                escape(f"{result.phase.name} (+{offset:,})"),
                "ALARM" if event.kind == "alarm" else "resolved",
                escape(event.detail),
            )
        estimate = result.estimate
        verdict = "more errors" if result.errors.drifted else "as expected"
        phases.add_row(
            f"{result.start_row:,}-{end:,}",
            escape(result.phase.name),
            f"{result.true_accuracy:.1%}",
            f"{estimate.value:.1%} ({estimate.low:.1%}-{estimate.high:.1%})"
            + ("" if estimate.reliable else " unreliable"),
            f"{verdict} (p = {result.errors.p_value:.2g})",
        )
    console.print(timeline)
    console.print(phases)
    console.print(
        "The estimate holds while the model's calibration carries over (noise, class mix). "
        "Inverted images are out of distribution: the model is confidently wrong there, so the "
        "estimate is marked unreliable when the confidence moved far from the reference's; "
        "the drift alarm and, later, the labels tell the rest."
    )
    report = digits.phase_report(world, "noisy camera")
    reference_images = world.images[world.reference]
    noisy_images = digits.phase_images(world, "noisy camera")
    report.to_html(
        out / "digits-report.html",
        images=(digits.as_uint8(reference_images), digits.as_uint8(noisy_images)),
        accuracy={
            "reference": world.estimate_accuracy(world.predict(reference_images)),
            "noisy camera": world.estimate_accuracy(world.predict(noisy_images)),
        },
    )
    report.to_json(out / "digits-report.json")
    console.print(
        escape(
            f"\nThe noisy camera against the reference: drifted columns "
            f"{', '.join(report.drifted_columns) or 'none'}. Wrote {out / 'digits-report.html'} "
            f"and {out / 'digits-report.json'}."
        )
    )


def _table_demo(out: Path, rows: int) -> None:
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    from shiftwatch.demos.tabular import demo_tables

    reference, current = demo_tables(n_rows=rows)
    pq.write_table(reference, out / "reference.parquet")
    pa_csv.write_csv(current, out / "current.csv")
    console.print(
        escape(
            f"Generated {rows:,} reference rows ({out / 'reference.parquet'}) and {rows:,} current "
            f"rows ({out / 'current.csv'}) with known shifts: income +15%, plan mix, nulls in "
            "credit_score, a new region, a negligible age shift.\n"
        )
    )
    report = compare_data(out / "reference.parquet", out / "current.csv")
    console.print(report_table(report))
    report.to_json(out / "report.json")
    report.to_markdown(out / "summary.md")
    reference_profile = Profile.from_data(out / "reference.parquet")
    reference_profile.save(out / "reference.swp")
    from_profile = compare_data(out / "reference.swp", out / "current.csv")
    same = from_profile.drifted_columns == report.drifted_columns
    console.print(
        escape(
            f"\nWrote {out / 'report.json'} and {out / 'summary.md'}.\nProfiled the reference "
            f"into {out / 'reference.swp'} ({(out / 'reference.swp').stat().st_size:,} bytes); "
            f"compared with the profile instead of the data, the drifted columns are "
            f"{'the same' if same else 'different: ' + ', '.join(from_profile.drifted_columns)}."
        )
    )


EXIT_VIOLATIONS = 1


@app.command()
def validate(
    data: Annotated[
        str, typer.Argument(help="Data to check: CSV, Parquet, JSON lines, or a Parquet folder.")
    ],
    profile_path: Annotated[
        Path,
        typer.Option("--profile", "-p", help="Reference profile written by `shiftwatch profile`."),
    ],
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the counts and violations as JSON here.")
    ] = None,
    tolerance: Annotated[
        float | None,
        typer.Option(
            help="Infer the rules again, widening each reference range by this share of it "
            "on each side (default: the rules saved in the profile)."
        ),
    ] = None,
    max_per_rule: Annotated[
        int, typer.Option(help="Violations recorded per column and rule; all are counted.")
    ] = DEFAULT_MAX_PER_RULE,
) -> None:
    """Check every row of DATA against the rules of a reference profile.

    Exit codes: 0 no violation, 1 violations found, 2 bad input.
    """
    try:
        reference = Profile.load(profile_path)
        schema = (
            reference.schema
            if tolerance is None
            else Schema.from_profile(reference, tolerance=tolerance)
        )
        result = schema.check(data, max_per_rule=max_per_rule)
        if json_path is not None:
            violations_to_json(result, json_path)
    except ShiftwatchError as error:
        raise _fail(str(error)) from None
    except OSError as error:
        raise _fail(f"cannot write the violations: {error}") from None
    console.print(violations_table(result))
    if not result.ok:
        raise typer.Exit(EXIT_VIOLATIONS)


@app.command()
def readiness(
    path: Annotated[
        Path, typer.Argument(help="Project folder holding readiness.toml, or the file itself.")
    ] = Path("."),
    json_path: Annotated[
        str | None,
        typer.Option("--json", help="Write every score as JSON here ('-': standard output)."),
    ] = None,
    markdown_path: Annotated[
        str | None,
        typer.Option("--markdown", help="Write a Markdown summary here ('-': standard output)."),
    ] = None,
    min_score: Annotated[
        float | None, typer.Option(help="Exit with status 1 when the final score is below this.")
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(help="Seconds for the pytest session and each command (default: the file's)."),
    ] = None,
    template: Annotated[
        bool,
        typer.Option("--template", help="Print a readiness.toml for PATH, evidence filled in."),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress; print only the score line.")
    ] = False,
) -> None:
    """Score PATH on the ML Test Score rubric from the answers in its readiness.toml.

    Runs the commands and pytest markers that answer tests (1 point each when they pass),
    counts tests run by hand (0.5), and reports the lowest of the four section totals.
    Exit codes: 0 done, 1 score below --min-score, 2 bad input.
    """
    from shiftwatch.testing.readiness import assess
    from shiftwatch.testing.readiness import render as shown
    from shiftwatch.testing.readiness.template import readiness_template

    if template:
        typer.echo(readiness_template(path if path.is_dir() else path.parent), nl=False)
        return
    try:
        with shown.readiness_progress(errors, enabled=not quiet) as on_progress:
            report = assess(path, timeout=timeout, on_progress=on_progress)
        for target, write in (
            (json_path, shown.readiness_to_json),
            (markdown_path, shown.readiness_to_markdown),
        ):
            if target == "-":
                typer.echo(write(report), nl=False)
            elif target is not None:
                Path(target).write_text(write(report), encoding="utf-8")
    except ShiftwatchError as error:
        raise _fail(str(error)) from None
    except OSError as error:
        raise _fail(f"cannot write the report: {error}") from None
    if "-" not in (json_path, markdown_path):
        console.print(escape(shown.headline(report)) if quiet else shown.readiness_table(report))
    if min_score is not None and report.score < min_score:
        errors.print(f"The ML Test Score, {report.score:g}, is below --min-score {min_score:g}.")
        raise typer.Exit(1)


@app.command()
def serve(
    reference: Annotated[
        Path | None,
        typer.Option(help="A reference profile (.swp): watch one model, named by --model."),
    ] = None,
    model: Annotated[str, typer.Option(help="The model's name with --reference.")] = "default",
    window: Annotated[int, typer.Option(help="Rows in the window with --reference.")] = 1_000,
    ert: Annotated[
        float, typer.Option(help="Rows between false alarms, on average, with --reference.")
    ] = 100_000.0,
    webhook: Annotated[
        str | None, typer.Option(help="Alert webhook URL with --reference (Alertmanager shape).")
    ] = None,
    config: Annotated[
        Path | None, typer.Option(help="A shiftwatch.toml with [server] and [[models]].")
    ] = None,
    db: Annotated[
        str | None, typer.Option(help="Database URL (default sqlite:///shiftwatch.db).")
    ] = None,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    write_token: Annotated[
        list[str] | None,
        typer.Option(metavar="TOKEN", help="A bearer token for ingest (repeatable)."),
    ] = None,
    read_token: Annotated[
        list[str] | None,
        typer.Option(
            metavar="TOKEN", help="A bearer token for reads and /metrics (repeatable; none: open)."
        ),
    ] = None,
    admin_token: Annotated[
        list[str] | None,
        typer.Option(
            metavar="TOKEN", help="A bearer token for admin calls such as POST /check (repeatable)."
        ),
    ] = None,
) -> None:
    """Run the monitoring service: ingest predictions, check windows, export metrics, alert."""
    try:
        from shiftwatch.service.server import run_server
        from shiftwatch.service.settings import load_settings
    except ImportError as error:
        raise _fail(
            f"The service needs its extra ({error.name} is missing): "
            "pip install 'shiftwatch[service]'"
        ) from None
    overrides: dict[str, object] = {
        key: value
        for key, value in (("db_url", db), ("host", host), ("port", port))
        if value is not None
    }
    for key, tokens in (
        ("write_tokens", write_token),
        ("read_tokens", read_token),
        ("admin_tokens", admin_token),
    ):
        if tokens:
            overrides[key] = tokens
    models = []
    if reference is not None:
        models.append(
            {
                "name": model,
                "reference": str(reference),
                "window": window,
                "ert": ert,
                "webhook_url": webhook,
            }
        )
    try:
        settings = load_settings(config, server=overrides, models=models)
        if not settings.models:
            raise InvalidParameterError(
                "No model to watch: give --reference ref.swp or a --config with [[models]]."
            )
        run_server(settings)
    except ShiftwatchError as error:
        raise _fail(str(error)) from None
