"""The store on SQLite and PostgreSQL: migrations, duplicates, halves, labels, counts, alerts."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from shiftwatch.errors import InvalidParameterError
from shiftwatch.service.storage import Store, StoredCheck, StoredRow, metadata, upgrade


def row(event_id: str, index: int = 0, **parts: object) -> StoredRow:
    return StoredRow(
        event_id,
        index,
        parts.get("time"),
        parts.get("inputs"),
        parts.get("outputs"),
        None,  # type: ignore[arg-type]
    )


def test_the_migrations_build_exactly_the_tables_the_code_uses(db_url: str) -> None:
    store = Store(db_url)
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
        version = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    assert differences == []
    assert version == "0005"
    Store(db_url).close()  # opening again upgrades nothing and fails on nothing
    store.close()


def test_repeated_ids_are_stored_once(db_url: str) -> None:
    store = Store(db_url)
    first = store.add_rows("m", [row("a", inputs={"x": 1.0}), row("b", inputs={"x": 2**70})])
    again = store.add_rows("m", [row("a", inputs={"x": 9.0}), row("c", inputs={"x": float("nan")})])
    assert first == {("a", 0), ("b", 0)}
    assert again == {("c", 0)}
    assert store.count_rows("m") == 3
    assert store.count_rows("other") == 0
    stored = list(store.latest_rows("m", 10))
    assert [r.inputs["x"] for r in stored][:2] == [1.0, 2**70]  # the first "a" stays
    assert stored[2].inputs["x"] is None  # NaN is stored as a missing value
    store.close()


def test_halves_join_whichever_comes_first(db_url: str) -> None:
    store = Store(db_url)
    assert store.add_part("m", [row("r", outputs=[0.2, 0.8])], "outputs", 1.0)[0].inputs is None
    joined = store.add_part("m", [row("r", inputs={"x": 1.0})], "inputs", 2.0)
    assert [(r.inputs, r.outputs) for r in joined] == [({"x": 1.0}, [0.2, 0.8])]
    assert store.add_part("m", [row("r", inputs={"x": 5.0})], "inputs", 3.0) == []  # duplicate
    assert store.count_rows("m") == 1
    assert store.set_labels("m", [("r", 0, 1), ("unknown", 0, 0)]) == [("r", 0)]
    store.close()


def test_labels_land_on_their_own_row(db_url: str) -> None:
    store = Store(db_url)
    store.add_rows("m", [row("b", i, inputs={"x": float(i)}) for i in range(3)])
    assert store.set_labels("m", [("b", 2, "yes"), ("b", 0, "no"), ("b", 7, "x")]) == [
        ("b", 2),
        ("b", 0),
    ]
    assert store.count_event_rows("m", "b") == 3
    assert [r.label for r in store.latest_rows("m", 10)] == ["no", None, "yes"]
    store.close()


def test_violation_counts_add_up_and_alerts_keep_state(db_url: str) -> None:
    store = Store(db_url)
    store.add_violations("m", {("age", "type"): 2, ("plan", "null"): 1})
    store.add_violations("m", {("age", "type"): 3})
    assert store.violations("m") == {("age", "type"): 5, ("plan", "null"): 1}
    assert store.alert_state("m", "window") is None
    fired = store.record_alert("m", "window", "firing", 10.0, "age drifted")
    assert store.alert_state("m", "window") == "drifting"
    assert [a.id for a in store.undelivered_alerts()] == [fired]
    store.mark_alert(fired, delivered=True, attempts=2)
    store.record_alert("m", "window", "resolved", 20.0, "clean")
    assert store.alert_state("m", "window") == "ok"
    assert [(a.status, a.delivered, a.attempts) for a in store.alerts("m")] == [
        ("resolved", False, 0),
        ("firing", True, 2),
    ]
    store.close()


def test_trim_keeps_the_newest_rows(db_url: str) -> None:
    store = Store(db_url)
    store.add_rows("m", [row(f"e{i}", inputs={"x": float(i)}) for i in range(50)])
    store.add_rows("n", [row("keep", inputs={"x": 0.0})])
    assert store.trim("m", 20) == 30
    assert [r.inputs["x"] for r in store.latest_rows("m", 100)] == [float(i) for i in range(30, 50)]
    assert store.count_rows("n") == 1
    store.close()


def test_trimmed_ids_are_remembered_within_their_own_retention(db_url: str) -> None:
    store = Store(db_url)
    store.add_rows("m", [row(f"e{i}", inputs={"x": float(i)}) for i in range(50)])
    assert not store.has_trimmed("m")
    assert store.trim("m", 20, keep_ids=10) == 30
    assert store.has_trimmed("m") and not store.has_trimmed("n")
    asked = [(f"e{i}", 0) for i in range(50)] + [("e1", 1)]
    assert store.seen("m", asked) == {(f"e{i}", 0) for i in range(20, 30)}  # the newest 10
    assert store.seen("n", asked) == set()
    store.close()


def test_checks_are_kept_oldest_first(db_url: str) -> None:
    store = Store(db_url)
    for i in range(3):
        columns = {"age": {"p_value": 0.5 / (i + 1), "drift_score": 0.1 * i, "drifted": i == 2}}
        outputs = {"mean_confidence": 0.8 - 0.1 * i} if i else None
        store.add_check("m", StoredCheck(float(i), 1000, i == 2, "ok", columns, outputs))
    history = store.checks("m", 2)
    assert [c.at for c in history] == [1.0, 2.0]
    assert history[1].columns["age"] == {"p_value": 0.5 / 3, "drift_score": 0.2, "drifted": True}
    assert [c.outputs for c in store.checks("m", 3)] == [
        None,
        {"mean_confidence": 0.8 - 0.1},
        {"mean_confidence": 0.8 - 0.2},
    ]
    store.close()


def test_checks_recorded_before_the_outputs_column_read_back_without_outputs(
    db_url: str,
) -> None:
    engine = sa.create_engine(db_url)
    upgrade(engine, "0002")
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO checks (model, at, window_rows, drifted, state, columns) "
                "VALUES ('m', 5.0, 100, false, 'ok', '{}')"
            )
        )
    engine.dispose()
    store = Store(db_url)  # upgrades to the newest revision
    assert store.checks("m", 10) == [StoredCheck(5.0, 100, False, "ok", {}, None)]
    store.close()


def test_big_batches_with_repeats_across_statements_and_mixed_number_types(db_url: str) -> None:
    # 2,500 rows: SQLite sends them as three statements; "r5" comes again in the last one.
    # Times given as int or float, as Python callers may, fit PostgreSQL's float arrays.
    store = Store(db_url)
    rows = [row(f"r{i}", time=i if i % 2 else i + 0.5, inputs={"x": i}) for i in range(2_499)]
    rows.append(row("r5", time=1, inputs={"x": -1}))
    new = store.add_rows("m", rows, received_at=7)
    assert len(new) == 2_499 and ("r5", 0) in new
    assert store.count_rows("m") == 2_499
    stored = list(store.latest_rows("m", 3_000))
    assert [r.event_time for r in stored[:3]] == [0.5, 1.0, 2.5]
    assert next(r for r in stored if r.event_id == "r5").inputs == {"x": 5}
    assert store.add_rows("m", []) == set()
    store.close()


def test_a_postgresql_url_for_another_driver_is_refused_with_the_one_to_use() -> None:
    with pytest.raises(InvalidParameterError, match=r"postgresql\+psycopg://"):
        Store("postgresql+psycopg2://user@127.0.0.1/db")
