"""The pipeline end to end: ``python -m digits_example.pipeline [--min-accuracy 0.9]``.

Loads the data, checks the training and test features against the checked-in schema,
trains the model, evaluates it against the simpler baseline, and exits with status 0 when
everything holds, 1 otherwise (with the reason on standard error). ``readiness.toml``
runs it as the integration test of the pipeline.
"""

import argparse
import sys

import shiftwatch as sw
from digits_example.data import model_inputs, pixel_table, split
from digits_example.model import accuracy, baseline, train
from digits_example.monitoring import REFERENCE


def run(min_accuracy: float) -> list[str]:
    """Run the pipeline; the problems found (none when it is healthy)."""
    data = split()
    schema = sw.Profile.load(REFERENCE).schema
    problems = []
    for name, images in (("training", data.train_images), ("test", data.test_images)):
        result = schema.check(pixel_table(images))
        if not result.ok:
            problems.append(f"{result.n_violations} schema violations in the {name} features")
    model = train(data)
    inputs = model_inputs(data.test_images)
    score = accuracy(data.test_labels, model.predict(inputs))
    simple = accuracy(data.test_labels, baseline(data).predict(inputs))
    print(f"test accuracy {score:.3f} (baseline {simple:.3f}, required >= {min_accuracy:g})")
    if score < min_accuracy:
        problems.append(f"test accuracy {score:.3f} is below {min_accuracy:g}")
    if score <= simple:
        problems.append(f"the baseline ({simple:.3f}) is as good as the model ({score:.3f})")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-accuracy", type=float, default=0.9)
    options = parser.parse_args(argv)
    problems = run(options.min_accuracy)
    for problem in problems:
        print(f"pipeline check failed: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
