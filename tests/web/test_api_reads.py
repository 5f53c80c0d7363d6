"""Read endpoints × anonymous, each role and the outsider: status and what is visible.

In the fixture world unit B (``so-b``, the outsider's) is published; unit A (``so-a``, the
reporter's) is a draft with values; the district ``huyen-c`` is a draft.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.web.conftest import advance, entry
from tests.web.test_api_auth import ROLES, call, make_tokens

from dti.web.assessments.services import entry_save_self

WHO = ("anonymous", *ROLES)


@pytest.fixture
def tokens(world: dict[str, Any]) -> dict[str, str]:
    return make_tokens(world)


@pytest.fixture
def published(world: dict[str, Any], tokens: dict[str, str]) -> dict[str, Any]:
    reporter, outsider = world["users"]["reporter"], world["users"]["outsider"]
    for user, a, value in ((reporter, world["mine"], 1.0), (outsider, world["theirs"], 0.0)):
        e = entry(a, "1.1")
        entry_save_self(
            actor=user, entry=e, version=e.version, value=value, denominator=None, applicable=True
        )
    world["theirs"] = advance(world, world["theirs"], "published")
    return {**world, "tokens": tokens}


def _units_in(payload: Any) -> str:
    return str(payload)


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/frameworks",
        "/api/v1/frameworks/{framework}",
        "/api/v1/units",
        "/api/v1/units?group=so",
        "/api/v1/units?on=2024-01-01",
        "/api/v1/periods",
        "/api/v1/periods/{period}",
        "/api/v1/periods/{period}/results",
        "/api/v1/periods/{period}/rankings",
        "/api/v1/periods/{period}/units/{unit_b}/scorecard",
    ],
)
def test_public_reads_answer_everyone(published: dict[str, Any], who: str, url: str) -> None:
    url = url.format(
        framework=published["framework"].pk,
        period=published["period"].pk,
        unit_b=published["units"]["b"].pk,
    )
    response = call("GET", url, published["tokens"][who])
    assert response.status_code == 200, response.content


def test_framework_detail_has_the_tree(published: dict[str, Any]) -> None:
    body = call("GET", f"/api/v1/frameworks/{published['framework'].pk}").json()
    codes = {n["code"]: n for n in body["nodes"]}
    assert codes["1.2"]["parent"] == "1"
    assert codes["1.2"]["rule_type"] == "ratio"
    assert codes["T1"]["section"] == "bonus"
    assert body["groups"] == ["so", "huyen"]


def test_units_carry_group_parent_validity_and_predecessors(published: dict[str, Any]) -> None:
    body = call("GET", "/api/v1/units?group=so").json()
    assert {u["code"] for u in body} == {"so-a", "so-b"}
    assert {"group", "parent", "valid_from", "valid_to", "predecessors"} <= set(body[0])
    assert call("GET", "/api/v1/units?group=nope").json() == []


@pytest.mark.parametrize("who", WHO)
def test_progress_counts_need_a_token(published: dict[str, Any], who: str) -> None:
    body = call("GET", f"/api/v1/periods/{published['period'].pk}", published["tokens"][who]).json()
    if who == "anonymous":
        assert body["progress"] is None
    else:
        assert body["progress"]["total"] == 3
        assert body["progress"]["by_status"]["published"] == 1


# Which units' rows each caller sees in results and rankings (rank None = shown unranked).
VISIBLE = {
    "anonymous": {"so-b": 1},
    "outsider": {"so-b": 1},
    "reporter": {"so-b": 1, "so-a": None},
    "admin": {"so-a": 1, "so-b": 2, "huyen-c": 1},
    "verifier": {"so-a": 1, "so-b": 2, "huyen-c": 1},
    "leader": {"so-a": 1, "so-b": 2, "huyen-c": 1},
}


@pytest.mark.parametrize("who", WHO)
def test_results_show_published_to_all_and_the_rest_by_policy(
    published: dict[str, Any], who: str
) -> None:
    token = published["tokens"][who]
    rows = call("GET", f"/api/v1/periods/{published['period'].pk}/results", token).json()
    assert {r["unit"]: r["rank"] for r in rows} == VISIBLE[who]
    groups = call("GET", f"/api/v1/periods/{published['period'].pk}/rankings", token).json()
    ranked = {r["unit"]: r["rank"] for g in groups for r in g["rows"]}
    assert ranked == VISIBLE[who]
    if "so-a" not in VISIBLE[who]:
        # Nothing of the unpublished unit leaks but its name in the list of the units its
        # provisional group still misses.
        shown = [{k: v for k, v in g.items() if k != "missing"} for g in groups]
        assert "so-a" not in str(rows) + str(shown)
        assert "Sở Giao thông" not in str(rows) + str(shown)
        so = next(g for g in groups if g["group"] == "so")
        assert so["provisional"] and any(m.startswith("so-a") for m in so["missing"])


def test_results_filter_by_group(published: dict[str, Any]) -> None:
    url = f"/api/v1/periods/{published['period'].pk}/results?group=huyen"
    rows = call("GET", url, published["tokens"]["admin"]).json()
    assert [r["unit"] for r in rows] == ["huyen-c"]


def test_published_scores(published: dict[str, Any]) -> None:
    rows = call("GET", f"/api/v1/periods/{published['period'].pk}/results").json()
    (row,) = rows
    assert row["status"] == "published"
    assert row["verified"] is True
    assert row["verified_score"] == row["score"] == 0.0
    assert row["band"]


SCORECARD_A = {
    "anonymous": 404,
    "outsider": 404,
    "reporter": 200,
    "admin": 200,
    "verifier": 200,
    "leader": 200,
}


@pytest.mark.parametrize("who", WHO)
def test_unpublished_scorecard_by_policy(published: dict[str, Any], who: str) -> None:
    url = f"/api/v1/periods/{published['period'].pk}/units/{published['units']['a'].pk}/scorecard"
    response = call("GET", url, published["tokens"][who])
    assert response.status_code == SCORECARD_A[who]
    if response.status_code == 404:
        assert response.json()["error"]["code"] == "not_found"
        assert "so-b" not in response.content.decode()
    else:
        card = response.json()
        assert card["unit"] == "so-a"
        assert card["score"] == 10.0
        # The reporter's own unpublished card stands alone: no other unit's figures.
        assert card["group_size"] == (1 if who == "reporter" else 2)


def test_published_scorecard_for_everyone(published: dict[str, Any]) -> None:
    url = f"/api/v1/periods/{published['period'].pk}/units/{published['units']['b'].pk}/scorecard"
    card = call("GET", url).json()
    # The whole group counts (so-a is not published): rank 1 of 2, provisional.
    assert (card["unit"], card["rank"], card["group_size"]) == ("so-b", 1, 2)
    assert card["provisional"] is True and card["missing"][0].startswith("so-a")
    assert card["published_only"] is True
    assert {p["pillar"] for p in card["pillars"]} == {"1", "2"}


def test_missing_objects_are_404_in_the_error_shape(published: dict[str, Any]) -> None:
    for url in (
        "/api/v1/frameworks/999999",
        "/api/v1/periods/999999",
        "/api/v1/periods/999999/results",
        f"/api/v1/periods/{published['period'].pk}/units/999999/scorecard",
    ):
        response = call("GET", url)
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found"


def test_out_of_range_ids_are_422(published: dict[str, Any]) -> None:
    response = call("GET", "/api/v1/periods/99999999999999999999")
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["loc"] == ["path", "period_id"]


# Token-only reads.
ASSESSMENT_LIST = {
    "anonymous": None,
    "reporter": {"so-a"},
    "outsider": {"so-b"},
    "admin": {"so-a", "so-b", "huyen-c"},
    "verifier": {"so-b"},
    "leader": {"so-b"},
}
MINE_DETAIL = {
    "anonymous": 401,
    "reporter": 200,
    "outsider": 404,
    "admin": 200,
    "verifier": 404,
    "leader": 404,
}


@pytest.mark.parametrize("who", WHO)
def test_assessments_follow_the_web_policy(published: dict[str, Any], who: str) -> None:
    token = published["tokens"][who]
    response = call("GET", f"/api/v1/periods/{published['period'].pk}/assessments", token)
    if ASSESSMENT_LIST[who] is None:
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"
    else:
        assert {a["unit"] for a in response.json()} == ASSESSMENT_LIST[who]
    response = call("GET", f"/api/v1/assessments/{published['mine'].pk}", token)
    assert response.status_code == MINE_DETAIL[who]
    if response.status_code == 200:
        body = response.json()
        one = next(e for e in body["entries"] if e["indicator"] == "1.1")
        assert (one["value"], one["version"], one["self_points"]) == (1.0, 2, 10.0)


# -- a second province -------------------------------------------------------------------------

B_WHO = ("admin_b", "reporter_b", "verifier_b", "leader_b")


@pytest.mark.parametrize("who", B_WHO)
def test_another_province_s_tokens_see_only_what_is_published(
    published: dict[str, Any], second_province: dict[str, Any], who: str
) -> None:
    """To an account of province B the world's period is what it is to the public: published
    rows only, no progress counts, no assessments, no unpublished scorecard."""
    from dti.web.api.services import token_create

    token = token_create(actor=None, user=second_province["users"][who], name="b").secret
    period = published["period"].pk
    rows = call("GET", f"/api/v1/periods/{period}/results", token).json()
    assert {r["unit"]: r["rank"] for r in rows} == VISIBLE["anonymous"]
    groups = call("GET", f"/api/v1/periods/{period}/rankings", token).json()
    assert {r["unit"] for g in groups for r in g["rows"]} == set(VISIBLE["anonymous"])
    # (an unpublished unit is named only in a provisional group's list of missing units)
    assert all(r["unit"] != "so-a" for r in rows)
    assert call("GET", f"/api/v1/periods/{period}", token).json()["progress"] is None
    assert call("GET", f"/api/v1/periods/{period}/assessments", token).status_code == 404
    assert call("GET", f"/api/v1/assessments/{published['mine'].pk}", token).status_code == 404
    unit_a = published["units"]["a"].pk
    url = f"/api/v1/periods/{period}/units/{unit_a}/scorecard"
    assert call("GET", url, token).status_code == 404
    # Not vacuous: its own province's period is its own.
    own = second_province["period"].pk
    assert call("GET", f"/api/v1/periods/{own}", token).json()["progress"]["total"] == 2
    listed = call("GET", f"/api/v1/periods/{own}/assessments", token).json()
    assert {a["unit"] for a in listed} == (
        {"b-so-1"} if who == "reporter_b" else {"b-so-1", "b-so-2"} if who == "admin_b" else set()
    )
