"""The public survey page /survey/{token} (zh/en) and the satisfaction API (CLS-2, QC-1)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from consultdesk.bootstrap import Container
from consultdesk.shared.clock import FakeClock
from consultdesk.surveys import service
from consultdesk.surveys.model import Rating
from tests.surveys.conftest import closed_consultation, customer

ANSWERS = {"resolution": "5", "attitude": "4", "efficiency": "4", "rating": "fair", "comment": "好"}


def invited(container: Container) -> tuple[str, str]:
    cid = closed_consultation(container, customer(container))
    with container.uow() as s:
        _, link = service.invite_survey(
            session=s,
            now=container.clock.now(),
            keyring=container.keyring,
            consultation_id=cid,
            base_url="http://testserver",
            actor="usr_a",
        )
    return cid, link.rsplit("/", 1)[1]


# REQ: CLS-2
def test_survey_page_in_chinese_asks_the_three_questions(
    container: Container, client: TestClient, october: FakeClock
) -> None:
    _, token = invited(container)
    r = client.get(f"/survey/{token}")
    assert r.status_code == 200
    for text in ("服务满意度调查", "问题是否得到解决", "服务态度", "办理效率", "非常满意"):
        assert text in r.text


def test_survey_page_in_english(
    container: Container, client: TestClient, october: FakeClock
) -> None:
    _, token = invited(container)
    r = client.get(f"/survey/{token}?lang=en")
    assert "Service satisfaction survey" in r.text and "Very satisfied" in r.text


# REQ: CLS-2
def test_answering_through_the_page_links_the_rating_back(
    container: Container, client: TestClient, october: FakeClock
) -> None:
    cid, token = invited(container)
    r = client.post(f"/survey/{token}", data=ANSWERS)
    assert r.status_code == 200 and "感谢您的评价" in r.text
    with container.uow() as s:
        assert service.rating_of(session=s, consultation_id=cid) == Rating.FAIR
        survey = service.survey_of(session=s, consultation_id=cid)
    assert survey is not None and survey.answers is not None and survey.answers.comment == "好"


def test_second_answer_is_refused_with_a_clear_page(
    container: Container, client: TestClient, october: FakeClock
) -> None:
    _, token = invited(container)
    client.post(f"/survey/{token}", data=ANSWERS)
    r = client.post(f"/survey/{token}", data=ANSWERS)
    assert r.status_code == 409 and "已提交过" in r.text


def test_unknown_link_is_a_404_page(client: TestClient) -> None:
    r = client.get("/survey/not-a-real-token")
    assert r.status_code == 404 and "调查链接无效" in r.text


def test_expired_link_is_refused(
    container: Container, client: TestClient, october: FakeClock
) -> None:
    _, token = invited(container)
    october.advance(days=31)
    assert client.get(f"/survey/{token}").status_code == 410


# REQ: QC-1
def test_monthly_api_reports_score_and_missing_review(
    container: Container, client: TestClient, october: FakeClock, auth_headers: Any
) -> None:
    h = auth_headers("supervisor", branch="BJ01")
    cid = closed_consultation(container, customer(container))
    r = client.put(f"/api/v1/consultations/{cid}/rating", json={"rating": "unsatisfied"}, headers=h)
    assert r.status_code == 200, r.text
    r = client.get("/api/v1/satisfaction/monthly?month=2026-10", headers=h)
    body = r.json()
    assert (body["score"], body["review_required"], body["review_missing"]) == ("0.0", True, True)
    assert body["branch"] == "BJ01"


def test_quality_review_via_api_and_bad_month_is_422(
    container: Container, client: TestClient, october: FakeClock, auth_headers: Any
) -> None:
    h = auth_headers("qa")
    text = "原因分析与改进计划的具体说明文字"
    r = client.post(
        "/api/v1/quality-reviews",
        json={"month": "2026-10", "cause_analysis": text, "improvement_plan": text},
        headers=h,
    )
    assert r.status_code == 201, r.text
    r = client.post(
        "/api/v1/quality-reviews",
        json={"month": "2026-13", "cause_analysis": text, "improvement_plan": text},
        headers=h,
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "month"


def test_agent_of_another_branch_cannot_rate(
    container: Container, client: TestClient, october: FakeClock, auth_headers: Any
) -> None:
    cid = closed_consultation(container, customer(container))
    r = client.put(
        f"/api/v1/consultations/{cid}/rating",
        json={"rating": "fair"},
        headers=auth_headers("agent", branch="SH01"),
    )
    assert r.status_code == 404


def test_unanswered_question_shows_the_form_again_with_an_error(
    container: Container, client: TestClient, october: FakeClock
) -> None:
    _, token = invited(container)
    r = client.post(f"/survey/{token}", data={"resolution": "5", "attitude": "4"})
    assert r.status_code == 422
    assert "请为“办理效率”评 1–5 分" in r.text and 'name="efficiency"' in r.text
