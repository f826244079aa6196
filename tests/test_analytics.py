"""Tests for postmortem_kb.analytics: exact figures from small hand-made sets."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta

import pytest

from postmortem_kb.analytics import (
    NO_OWNER,
    DurationStats,
    Metric,
    QuarterCount,
    action_summary,
    analyze,
    co_occurring_patterns,
    detection_report,
    duration_report,
    duration_stats,
    incidents_per_quarter,
    lessons_by_pattern,
    lessons_by_service,
    minutes,
    on_this_day,
    quarter_of,
    quarter_range,
    quarter_span,
    recurring_patterns,
    to_jsonable,
    top_services,
    tracked_actions,
)
from postmortem_kb.model import (
    ActionItem,
    ActionStatus,
    Detection,
    Postmortem,
    Section,
    Severity,
    Status,
)

TODAY = date(2025, 6, 15)


def make_pm(
    pm_id: str,
    day: date,
    severity: str = "P2",
    *,
    detect: float = 0,
    respond: float | None = None,
    mitigate: float = 60,
    resolve: float | None = None,
    detection: str = "monitoring",
    services: tuple[str, ...] = ("api",),
    root_causes: tuple[str, ...] = ("bad-config",),
    contributing: tuple[str, ...] = (),
    actions: tuple[ActionItem, ...] = (),
    lessons: str = "",
) -> Postmortem:
    """A post-mortem started at 10:00 UTC on ``day``; offsets are minutes after ``started``."""
    started = datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)
    detected = started + timedelta(minutes=detect)
    sections = (Section("Lessons Learned", "lessons learned", 40, lessons),) if lessons else ()
    return Postmortem(
        id=pm_id,
        path=f"postmortems/{pm_id}.md",
        title=f"Title of {pm_id}",
        date=day,
        severity=Severity(severity),
        status=Status.FINAL,
        authors=("analyst",),
        timezone="UTC",
        started=started,
        detected=detected,
        responded=None if respond is None else detected + timedelta(minutes=respond),
        mitigated=started + timedelta(minutes=mitigate),
        resolved=None if resolve is None else started + timedelta(minutes=resolve),
        detection=Detection(detection),
        services=services,
        root_causes=root_causes,
        contributing_factors=contributing,
        action_items=actions,
        sections=sections,
    )


def item(
    item_id: str,
    owner: str,
    priority: str | None,
    due: date | None,
    status: str = "open",
    line: int = 50,
) -> ActionItem:
    return ActionItem(
        line=line,
        id=item_id,
        action=f"do {item_id}",
        owner=owner,
        priority=None if priority is None else Severity(priority),
        due=due,
        status=ActionStatus(status),
    )


# -- quarters -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 1, 1), "2025-Q1"),
        (date(2025, 3, 31), "2025-Q1"),
        (date(2025, 4, 1), "2025-Q2"),
        (date(2025, 9, 30), "2025-Q3"),
        (date(2025, 12, 31), "2025-Q4"),
        (date(999, 7, 1), "0999-Q3"),
    ],
)
def test_quarter_of_maps_month_to_calendar_quarter(day: date, expected: str) -> None:
    assert quarter_of(day) == expected


def test_quarter_range_crosses_year_end_and_is_empty_when_reversed() -> None:
    assert quarter_range("2024-Q3", "2025-Q2") == ("2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2")
    assert quarter_range("2025-Q2", "2025-Q2") == ("2025-Q2",)
    assert quarter_range("2025-Q2", "2025-Q1") == ()


def test_incidents_per_quarter_includes_empty_quarters_and_all_severities() -> None:
    pms = [
        make_pm("a", date(2024, 11, 2), "P1"),
        make_pm("b", date(2024, 12, 30), "P1"),
        make_pm("c", date(2024, 10, 1), "P3"),
        make_pm("d", date(2025, 8, 9), "P0"),
    ]
    result = incidents_per_quarter(pms)
    assert [(q.quarter, dict(q.by_severity), q.total) for q in result] == [
        ("2024-Q4", {"P0": 0, "P1": 2, "P2": 0, "P3": 1}, 3),
        ("2025-Q1", {"P0": 0, "P1": 0, "P2": 0, "P3": 0}, 0),
        ("2025-Q2", {"P0": 0, "P1": 0, "P2": 0, "P3": 0}, 0),
        ("2025-Q3", {"P0": 1, "P1": 0, "P2": 0, "P3": 0}, 1),
    ]
    assert list(result[0].by_severity) == [Severity.P0, Severity.P1, Severity.P2, Severity.P3]


def test_no_incidents_give_empty_series() -> None:
    assert quarter_span([]) == ()
    assert incidents_per_quarter([]) == ()
    report = duration_report([], Metric.TIME_TO_DETECT)
    assert report.overall == DurationStats(0, None, None, None, None, ())
    assert dict(report.by_quarter) == {}
    assert all(s.count == 0 for s in report.by_severity.values())


# -- durations ------------------------------------------------------------------------
def test_minutes_rounds_to_a_tenth() -> None:
    assert minutes(timedelta(seconds=90)) == 1.5
    assert minutes(timedelta(minutes=2, seconds=20)) == 2.3  # 2.333… → 2.3
    assert minutes(timedelta(hours=26)) == 1560.0


def test_median_and_p90_of_time_to_detect_for_one_quarter() -> None:
    detects = [30, 2, 120, 15, 7]  # minutes; sorted: 2, 7, 15, 30, 120
    pms = [make_pm(f"q1-{i}", date(2025, 1, 5 + i), detect=m) for i, m in enumerate(detects)]
    pms.append(make_pm("q2-big", date(2025, 5, 1), detect=999))  # another quarter: must not leak
    report = duration_report(pms, Metric.TIME_TO_DETECT)
    q1 = report.by_quarter["2025-Q1"]
    # p90, inclusive method: position (5 − 1) × 0.9 = 3.6 between 30 (rank 3) and 120 (rank 4).
    expected_p90 = 30 + 0.6 * (120 - 30)
    assert (q1.count, q1.median, q1.p90, q1.min, q1.max) == (5, 15.0, expected_p90, 2.0, 120.0)
    assert expected_p90 == 84.0
    assert q1.values == (2.0, 7.0, 15.0, 30.0, 120.0)
    assert list(report.by_quarter) == ["2025-Q1", "2025-Q2"]
    assert report.by_quarter["2025-Q2"].values == (999.0,)
    assert report.by_quarter["2025-Q2"].p90 == 999.0  # one value: p90 is that value


def test_even_count_median_averages_middle_values_and_p90_interpolates() -> None:
    stats = DurationStats.of([20.0, 1.0, 10.0, 4.0])
    # sorted 1, 4, 10, 20: median (4 + 10) / 2; p90 at position 3 × 0.9 = 2.7 → 10 + 0.7 × 10
    assert (stats.median, stats.p90) == (7.0, 17.0)
    two = DurationStats.of([10.0, 20.0])
    assert (two.median, two.p90) == (15.0, 19.0)  # 10 + 0.9 × 10


def test_statistics_are_rounded_to_a_tenth() -> None:
    stats = DurationStats.of([1.0, 1.1, 1.3])
    # p90 at position 1.8 → 1.1 + 0.8 × 0.2 = 1.26 → 1.3
    assert (stats.median, stats.p90) == (1.1, 1.3)


def test_optional_metric_leaves_out_incidents_without_the_timestamp() -> None:
    pms = [
        make_pm("a", date(2025, 1, 1), respond=4),
        make_pm("b", date(2025, 1, 2)),
        make_pm("c", date(2025, 1, 3), respond=10),
    ]
    stats = duration_stats(pms, Metric.TIME_TO_RESPOND)
    assert (stats.count, stats.median, stats.values) == (2, 7.0, (4.0, 10.0))
    assert duration_stats(pms, Metric.TIME_TO_RESOLVE).count == 0


def test_duration_falls_back_to_mitigated_while_unresolved() -> None:
    pms = [
        make_pm("a", date(2025, 1, 1), mitigate=30, resolve=300),
        make_pm("b", date(2025, 1, 2), mitigate=45),
    ]
    assert duration_stats(pms, Metric.DURATION).values == (45.0, 300.0)
    assert duration_stats(pms, Metric.TIME_TO_MITIGATE).values == (30.0, 45.0)


def test_durations_per_severity_always_list_p0_to_p3() -> None:
    pms = [
        make_pm("a", date(2025, 1, 1), "P0", mitigate=10),
        make_pm("b", date(2025, 1, 2), "P0", mitigate=30),
        make_pm("c", date(2025, 1, 3), "P2", mitigate=90),
    ]
    report = duration_report(pms, Metric.TIME_TO_MITIGATE)
    assert list(report.by_severity) == ["P0", "P1", "P2", "P3"]
    assert report.by_severity[Severity.P0].median == 20.0
    assert report.by_severity[Severity.P1].median is None
    assert report.by_severity[Severity.P2].values == (90.0,)


def test_metric_labels() -> None:
    assert Metric.TIME_TO_DETECT.label == "Time to detect"
    assert Metric.DURATION.label == "Duration"


# -- detection ------------------------------------------------------------------------
def test_detection_share_overall_and_per_quarter() -> None:
    pms = [
        make_pm("a", date(2025, 1, 1), detection="monitoring"),
        make_pm("b", date(2025, 2, 1), detection="monitoring"),
        make_pm("c", date(2025, 3, 1), detection="user-report"),
        make_pm("d", date(2025, 7, 1), detection="internal-report"),
    ]
    report = detection_report(pms)
    assert report.overall.total == 4
    assert dict(report.overall.counts) == {
        "monitoring": 2,
        "user-report": 1,
        "internal-report": 1,
        "other": 0,
    }
    assert dict(report.overall.shares) == {
        "monitoring": 0.5,
        "user-report": 0.25,
        "internal-report": 0.25,
        "other": 0.0,
    }
    assert [s.key for s in report.by_quarter] == ["2025-Q1", "2025-Q2", "2025-Q3"]
    q1, q2, _ = report.by_quarter
    assert (q1.shares[Detection.MONITORING], q1.shares[Detection.USER_REPORT]) == (0.667, 0.333)
    assert q2.total == 0
    assert set(q2.shares.values()) == {None}


# -- patterns and services ------------------------------------------------------------
def test_recurring_patterns_count_dates_and_median_interval() -> None:
    pms = [
        make_pm("a", date(2025, 1, 1), root_causes=("cache-stampede",)),
        make_pm("b", date(2025, 1, 11), root_causes=("cache-stampede", "bad-config")),
        make_pm("c", date(2025, 2, 10), root_causes=("cache-stampede",)),
        make_pm("d", date(2025, 3, 1), root_causes=("bad-config",), contributing=("no-alert",)),
    ]
    result = recurring_patterns(pms)
    assert [(r.pattern, r.count) for r in result] == [
        ("cache-stampede", 3),
        ("bad-config", 2),
        ("no-alert", 1),
    ]
    stampede = result[0]
    # gaps 10 and 30 days → median 20
    assert (stampede.first_seen, stampede.last_seen, stampede.median_interval_days) == (
        date(2025, 1, 1),
        date(2025, 2, 10),
        20.0,
    )
    assert stampede.incidents == ("a", "b", "c")
    assert result[1].median_interval_days == 49.0  # 11 Jan → 1 Mar
    assert result[2].median_interval_days is None
    assert [r.pattern for r in recurring_patterns(pms, root_causes_only=True)] == [
        "cache-stampede",
        "bad-config",
    ]
    assert len(recurring_patterns(pms, limit=1)) == 1


def test_recurring_pattern_ties_break_on_recency_then_id() -> None:
    pms = [
        make_pm("a", date(2025, 1, 1), root_causes=("zeta", "alpha")),
        make_pm("b", date(2025, 2, 1), root_causes=("beta",)),
    ]
    assert [r.pattern for r in recurring_patterns(pms)] == ["beta", "alpha", "zeta"]


def test_top_services_by_count_with_severities() -> None:
    pms = [
        make_pm("a", date(2025, 1, 1), "P0", services=("db", "api")),
        make_pm("b", date(2025, 2, 1), "P2", services=("db",)),
        make_pm("c", date(2025, 3, 1), "P2", services=("web", "web")),
    ]
    result = top_services(pms)
    assert [(s.service, s.count) for s in result] == [("db", 2), ("web", 1), ("api", 1)]
    assert dict(result[0].by_severity) == {"P0": 1, "P1": 0, "P2": 1, "P3": 0}
    assert (result[0].first_seen, result[0].last_seen) == (date(2025, 1, 1), date(2025, 2, 1))


def test_co_occurring_patterns_count_pairs_per_incident() -> None:
    pms = [
        make_pm("a", date(2025, 1, 1), root_causes=("c", "a"), contributing=("b",)),
        make_pm("b", date(2025, 1, 2), root_causes=("b", "a")),
        make_pm("c", date(2025, 1, 3), root_causes=("a",), contributing=("a",)),
    ]
    result = co_occurring_patterns(pms)
    assert [(p.first, p.second, p.count, p.incidents) for p in result] == [
        ("a", "b", 2, ("a", "b")),
        ("a", "c", 1, ("a",)),
        ("b", "c", 1, ("a",)),
    ]


# -- action items ---------------------------------------------------------------------
def _action_set() -> list[Postmortem]:
    return [
        make_pm(
            "inc-1",
            date(2025, 1, 10),
            "P1",
            actions=(
                item("A1", "sre", "P0", date(2025, 6, 5), line=51),  # overdue 10 days, urgent
                item("A2", "sre", "P1", date(2025, 6, 12), "in-progress", line=52),  # 3, urgent
                item("A3", "sre", "P2", date(2025, 5, 1), line=53),  # 45 days, not urgent
                item("A4", "sre", "P0", date(2025, 1, 1), "done", line=54),  # done: not overdue
                item("A5", "sre", "P1", TODAY, line=55),  # due today: not yet overdue
            ),
        ),
        make_pm(
            "inc-2",
            date(2025, 2, 1),
            "P3",
            actions=(
                item("B1", "db-team", "P1", date(2025, 6, 14), line=60),  # 1 day, urgent
                item("B2", "db-team", "P3", date(2025, 7, 1), "verified", line=61),
                item("B3", " ", None, None, "wont-do", line=62),
            ),
        ),
    ]


def test_tracked_actions_carry_their_incident_and_days_overdue() -> None:
    actions = tracked_actions(_action_set(), TODAY)
    assert [(a.incident_id, a.item.id, a.overdue, a.days_overdue) for a in actions] == [
        ("inc-1", "A1", True, 10),
        ("inc-1", "A2", True, 3),
        ("inc-1", "A3", True, 45),
        ("inc-1", "A4", False, None),
        ("inc-1", "A5", False, None),
        ("inc-2", "B1", True, 1),
        ("inc-2", "B2", False, None),
        ("inc-2", "B3", False, None),
    ]
    first = actions[0]
    assert (first.incident_title, first.incident_severity, first.priority) == (
        "Title of inc-1",
        Severity.P1,
        "P0",
    )
    assert (actions[-1].owner, actions[-1].priority) == (NO_OWNER, "unset")


def test_action_summary_counts_and_owner_follow_through() -> None:
    summary = action_summary(_action_set(), TODAY)
    assert (summary.total, summary.open, summary.overdue) == (8, 5, 4)
    assert dict(summary.by_status) == {
        "open": 4,
        "in-progress": 1,
        "done": 1,
        "verified": 1,
        "wont-do": 1,
    }
    assert dict(summary.by_priority) == {"P0": 2, "P1": 3, "P2": 1, "P3": 1, "unset": 1}
    assert dict(summary.open_by_priority) == {"P0": 1, "P1": 3, "P2": 1, "P3": 0, "unset": 0}
    owners = {o.owner: o for o in summary.by_owner}
    sre = owners["sre"]
    assert (sre.total, sre.open, sre.overdue, sre.urgent_overdue, sre.max_days_overdue) == (
        5,
        4,
        3,
        2,
        45,
    )
    assert [a.item.id for a in sre.urgent_overdue_items] == ["A1", "A2"]
    db = owners["db-team"]
    assert (db.overdue, db.urgent_overdue, db.max_days_overdue) == (1, 1, 1)
    assert owners[NO_OWNER].max_days_overdue is None
    assert [o.owner for o in summary.by_owner] == ["sre", "db-team", NO_OWNER]
    assert [a.item.id for a in summary.overdue_items] == ["A3", "A1", "A2", "B1"]
    assert [a.item.id for a in summary.open_items] == ["A3", "A1", "A2", "B1", "A5"]


# -- lessons --------------------------------------------------------------------------
def test_lessons_grouped_by_pattern_and_service_newest_first() -> None:
    pms = [
        make_pm("old", date(2024, 1, 1), root_causes=("p",), services=("db",), lessons="Old <b>"),
        make_pm("new", date(2025, 1, 1), root_causes=("p", "q"), services=("db",), lessons="New"),
        make_pm("none", date(2025, 2, 1), root_causes=("p",), services=("web",)),
    ]
    by_pattern = lessons_by_pattern(pms)
    assert [(g.key, [lesson.incident_id for lesson in g.lessons]) for g in by_pattern] == [
        ("p", ["new", "old"]),
        ("q", ["new"]),
    ]
    old = by_pattern[0].lessons[1]
    assert (old.incident_title, old.incident_date, old.markdown) == (
        "Title of old",
        date(2024, 1, 1),
        "Old <b>",
    )
    assert [g.key for g in lessons_by_service(pms)] == ["db"]


# -- on this day ----------------------------------------------------------------------
def test_on_this_day_lists_anniversaries_from_past_years_only() -> None:
    today = date(2025, 3, 14)
    pms = [
        make_pm("one-year", date(2024, 3, 14)),
        make_pm("four-years", date(2021, 3, 14)),
        make_pm("this-year", date(2025, 3, 14)),
        make_pm("tomorrow", date(2024, 3, 15)),
    ]
    result = on_this_day(pms, today)
    assert [(a.incident_id, a.years_ago, a.days_from_today) for a in result] == [
        ("four-years", 4, 0),
        ("one-year", 1, 0),
    ]
    wider = on_this_day(pms, today, window_days=1)
    assert [(a.incident_id, a.anniversary, a.days_from_today) for a in wider] == [
        ("four-years", today, 0),
        ("one-year", today, 0),
        ("tomorrow", date(2025, 3, 15), 1),
    ]


def test_on_this_day_window_crosses_year_end() -> None:
    pms = [
        make_pm("new-years-eve", date(2023, 12, 31)),
        make_pm("last-week", date(2024, 12, 31)),  # anniversary would be 0 years: excluded
        make_pm("early-jan", date(2020, 1, 4)),
    ]
    result = on_this_day(pms, date(2025, 1, 2), window_days=3)
    assert [(a.incident_id, a.anniversary, a.years_ago, a.days_from_today) for a in result] == [
        ("new-years-eve", date(2024, 12, 31), 1, -2),
        ("early-jan", date(2025, 1, 4), 5, 2),
    ]
    late = on_this_day([make_pm("jan", date(2023, 1, 1))], date(2024, 12, 30), window_days=3)
    assert [(a.anniversary, a.years_ago, a.days_from_today) for a in late] == [
        (date(2025, 1, 1), 2, 2)
    ]


def test_on_this_day_leap_day_falls_back_to_february_28() -> None:
    pms = [make_pm("leap", date(2024, 2, 29))]
    assert [a.years_ago for a in on_this_day(pms, date(2025, 2, 28))] == [1]
    assert on_this_day(pms, date(2025, 3, 1)) == ()
    assert [a.anniversary for a in on_this_day(pms, date(2028, 2, 29))] == [date(2028, 2, 29)]
    assert on_this_day(pms, date(2028, 2, 28)) == ()


@pytest.mark.parametrize("window", [-1, 183])
def test_on_this_day_rejects_window_outside_half_a_year(window: int) -> None:
    with pytest.raises(ValueError, match="window_days must be between 0 and 182"):
        on_this_day([], TODAY, window_days=window)


# -- whole report ---------------------------------------------------------------------
def _corpus() -> list[Postmortem]:
    return [
        *_action_set(),
        make_pm("x", date(2024, 6, 15), "P0", detect=3, respond=2, resolve=500, lessons="L"),
        make_pm("y", date(2025, 4, 2), "P2", detect=61, detection="user-report"),
    ]


def test_analyze_is_json_safe_and_independent_of_input_order() -> None:
    pms = _corpus()
    first = json.dumps(to_jsonable(analyze(pms, TODAY)), allow_nan=False, sort_keys=False)
    random.Random(7).shuffle(pms)
    second = json.dumps(to_jsonable(analyze(pms, TODAY)), allow_nan=False, sort_keys=False)
    assert first == second
    data = json.loads(first)
    assert data["incident_count"] == 4
    assert data["quarters"] == ["2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"]
    assert data["durations"]["time-to-detect"]["by_severity"]["P0"]["median"] == 3.0
    assert data["durations"]["time-to-respond"]["by_severity"]["P1"]["median"] is None
    assert data["actions"]["by_owner"][0]["owner"] == "sre"
    assert data["on_this_day"][0]["incident_id"] == "x"
    assert data["actions"]["overdue_items"][0]["item"]["due"] == "2025-05-01"


def test_to_jsonable_converts_model_values() -> None:
    assert to_jsonable(QuarterCount("2025-Q1", {Severity.P0: 1})) == {
        "quarter": "2025-Q1",
        "by_severity": {"P0": 1},
    }
    assert to_jsonable([float("nan"), float("inf"), 1.5, {2, 1}]) == [None, None, 1.5, [1, 2]]
    assert to_jsonable(datetime(2025, 1, 1, 9, 30, tzinfo=UTC)) == "2025-01-01T09:30:00+00:00"
    with pytest.raises(TypeError, match="cannot convert object"):
        to_jsonable(object())
