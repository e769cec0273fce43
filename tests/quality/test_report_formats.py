"""The monthly report in four formats with the same numbers (issue 14): CSV is the
figures list, JSON carries it, the HTML marks each number with ``data-figure``, the PDF
prints them — compared number by number. The PDF is rendered to PNG (pdftoppm) and must
show its charts in colour and its Chinese in a CJK font, not boxes. The command line,
the API and the console page are exercised as a user reaches them (QC-3, CLS-5)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from consultdesk.bootstrap import Container, bootstrap
from consultdesk.demo import seed_session_only
from consultdesk.quality.history import generate_history
from consultdesk.quality.render import cjk_font_available, pct, render
from consultdesk.quality.report import monthly_report
from consultdesk.quality.report_model import MonthlyReport
from consultdesk.settings import Settings
from consultdesk.shared.clock import FakeClock
from consultdesk.shared.scope import HEAD_OFFICE_SCOPE

MONTH = "2026-02"
EXE = str(Path(sys.executable).parent / "consultdesk")
PDF_TOOLS = bool(shutil.which("pdftoppm") and shutil.which("pdftotext") and cjk_font_available())
# CI (CONSULTDESK_REQUIRE_BROWSER=1, which installs them) fails instead of skipping.
needs_pdf_tools = pytest.mark.skipif(
    not PDF_TOOLS and os.environ.get("CONSULTDESK_REQUIRE_BROWSER") != "1",
    reason="poppler-utils and a CJK font (fonts-wqy-microhei) are needed to check the PDF",
)


@pytest.fixture(scope="module")
def sqlite_history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Container, Path]]:
    folder = tmp_path_factory.mktemp("report")
    c = bootstrap(
        Settings(database_url=f"sqlite:///{folder / 'r.sqlite3'}", data_dir=folder),
        clock=FakeClock(),
    )
    from consultdesk.db.migrate import upgrade

    upgrade(c.engine)
    with c.uow() as s:
        seed_session_only(s)
    generate_history(engine=c.engine, now=c.clock.now(), months=3, consultations=1500)
    yield c, folder
    c.close()


@pytest.fixture(scope="module")
def report(sqlite_history: tuple[Container, Path]) -> MonthlyReport:
    c, _ = sqlite_history
    with c.uow() as s:
        return monthly_report(session=s, now=c.clock.now(), month=MONTH, scope=HEAD_OFFICE_SCOPE)


def shown(value: Any, key: str) -> str:
    """How the HTML and PDF print a figure."""
    if value is None:
        return "—"
    if isinstance(value, Decimal) and ("share" in key or key in ("containment", "faq_accuracy")):
        return pct(value)
    return str(value)


def test_csv_json_and_html_carry_the_same_figures(report: MonthlyReport) -> None:
    # REQ: QC-3 — numbers identical across the formats.
    figures = report.figures()
    rows = list(csv.DictReader(io.StringIO(render(report, "csv").decode("utf-8"))))
    assert [(r["section"], r["key"]) for r in rows] == [(f[0], f[1]) for f in figures]
    assert [r["value"] for r in rows] == ["" if f[3] is None else str(f[3]) for f in figures]
    data = json.loads(render(report, "json"))
    assert [
        [
            f[0],
            f[1],
            f[2],
            None if f[3] is None else str(f[3]) if isinstance(f[3], Decimal) else f[3],
        ]
        for f in figures
    ] == data["figures"]
    assert data["total"] == report.total
    html = render(report, "html").decode("utf-8")
    marked = dict(re.findall(r'data-figure="([^"]+)"[^>]*>([^<]*)<', html))
    checked = 0
    for section, key, _label, value in figures:
        name = f"{section}.{key}"
        if name in marked:
            assert marked[name].strip() == shown(value, key), name
            checked += 1
    assert checked >= len(figures) - 2  # every figure but the labels-only rows is marked
    assert html.count("<svg") == 3 and "电子银行登录问题" in html


@needs_pdf_tools
def test_the_pdf_prints_the_same_numbers_draws_its_charts_and_no_boxes(
    report: MonthlyReport, tmp_path: Path
) -> None:
    # REQ: QC-3 — management reads the month as a PDF, in Chinese.
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render(report, "pdf"))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "月度服务质量报告" in text and "高频问题" in text
    for p in report.top_problems:
        assert p.label in text and pct(p.share) in text
    assert str(report.total) in text and pct(report.service.first_response_share) in text
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"WenQuanYi|Noto.*CJK|NotoSansCJK", fonts), fonts
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    colours = Counter_of(image)
    assert colours[(0xC0, 0x39, 0x2B)] > 200, "the flagged bar (alert red) is missing"
    assert colours[(0x1F, 0x5F, 0xA8)] > 200, "the bars (blue) are missing"
    (Path(os.environ.get("CONSULTDESK_ARTIFACTS", tmp_path)) / "report-page-1.png").write_bytes(
        (tmp_path / next(tmp_path.glob("page*.png")).name).read_bytes()
    )


def Counter_of(image: Image.Image) -> dict[tuple[int, int, int], int]:
    found: dict[tuple[int, int, int], int] = {}
    for count, colour in image.getcolors(maxcolors=1 << 20) or []:
        found[colour] = count
    return found


def _env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSULTDESK_")}
    return env | {
        "CONSULTDESK_DATABASE_URL": f"sqlite:///{folder / 'r.sqlite3'}",
        "CONSULTDESK_DATA_DIR": str(folder),
    }


def test_the_report_command_writes_each_format_and_refuses_bad_input(
    sqlite_history: tuple[Container, Path], tmp_path: Path
) -> None:
    # REQ: QC-3 — `consultdesk report monthly 2026-11 --branch BJ01 --format … --out F`.
    _, folder = sqlite_history
    env = _env(folder)
    for fmt in ("csv", "json", "html") + (
        ("pdf",) if shutil.which("fc-list") and cjk_font_available() else ()
    ):
        out = tmp_path / f"r.{fmt}"
        done = subprocess.run(
            [
                EXE,
                "report",
                "monthly",
                MONTH,
                "--branch",
                "BJ01",
                "--format",
                fmt,
                "--out",
                str(out),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert out.stat().st_size > 500
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8"))))
    assert {r["branch"] for r in rows} == {"BJ01"}
    for args, field in (
        (["2026-13"], "month"),
        ([MONTH, "--format", "docx"], "format"),
        ([MONTH, "--format", "pdf"], "out"),
        ([MONTH, "--branch", "ZZ99"], "branch"),
    ):
        bad = subprocess.run(
            [EXE, "report", "monthly", *args], env=env, capture_output=True, text=True, check=False
        )
        assert bad.returncode == 2, (args, bad.stdout, bad.stderr)
        assert f"（{field}）" in bad.stderr and "Traceback" not in bad.stderr, bad.stderr


def test_the_api_and_console_page_with_role_checks(
    client: TestClient, container: Container, auth_headers: Any
) -> None:
    # REQ: QC-3, RSK-2 — supervisors and QA read it; agents do not; a branch reads itself.
    generate_history(
        engine=container.engine, now=container.clock.now(), months=2, consultations=300
    )
    supervisor = auth_headers("supervisor", branch="BJ01")
    got = client.get(
        f"/api/v1/quality/reports/monthly?month={MONTH}&format=json", headers=supervisor
    )
    assert got.status_code == 200, got.text
    assert got.json()["branch"] == "BJ01"
    csv_body = client.get(
        f"/api/v1/quality/reports/monthly?month={MONTH}&format=csv", headers=supervisor
    )
    assert csv_body.status_code == 200 and "attachment" in csv_body.headers["content-disposition"]
    other = client.get(
        f"/api/v1/quality/reports/monthly?month={MONTH}&branch=SH01", headers=supervisor
    )
    assert other.status_code == 403 and other.json()["error"]["field"] == "branch"
    bad = client.get("/api/v1/quality/reports/monthly?month=2026-13", headers=supervisor)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "month"
    fmt = client.get(
        f"/api/v1/quality/reports/monthly?month={MONTH}&format=xls", headers=supervisor
    )
    assert fmt.status_code == 422 and fmt.json()["error"]["field"] == "format"
    agent = auth_headers("agent", branch="BJ01")
    assert client.get("/api/v1/quality/reports/monthly", headers=agent).status_code == 403
    qa = auth_headers("qa")
    page = client.get(f"/console/reports?month={MONTH}", headers=qa)
    assert page.status_code == 200 and "<svg" in page.text and "全行" in page.text
    client.cookies.set("cd_lang", "en")
    english = client.get(f"/console/reports?month={MONTH}", headers=qa)
    assert "Monthly service report" in english.text and "Top problems" in english.text
    client.cookies.delete("cd_lang")
    cats = client.get("/api/v1/quality/categories", headers=agent)
    assert cats.status_code == 200 and cats.json()[0]["code"] == "ebank_login"
