"""The monthly report in four formats: HTML (with SVG charts), PDF (WeasyPrint over the
same HTML), JSON and CSV. Every number comes from ``MonthlyReport``; the CSV is exactly
``MonthlyReport.figures()``, so a test can compare the formats number by number."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from consultdesk.quality.charts import bar_chart
from consultdesk.quality.report_model import MonthlyReport
from consultdesk.shared.errors import DomainError, ValidationFailed

Format = Literal["html", "pdf", "json", "csv"]
FORMATS: tuple[Format, ...] = ("html", "pdf", "json", "csv")
Lang = Literal["zh", "en"]

CHANNELS = {
    "phone": ("电话", "Phone"),
    "chat": ("在线", "Online chat"),
    "bot": ("智能客服", "Chatbot"),
    "counter": ("柜台", "Counter"),
    "app": ("手机银行", "App"),
}
TYPES = {
    "account_query": ("账户查询", "Account query"),
    "product_info": ("产品咨询", "Product information"),
    "business_handling": ("业务办理", "Business handling"),
    "complaint": ("投诉", "Complaint"),
    "suggestion": ("建议", "Suggestion"),
    "other": ("其他", "Other"),
}
LINES = {
    "deposits": ("存款", "Deposits"),
    "loans": ("贷款", "Loans"),
    "credit_cards": ("信用卡", "Credit cards"),
    "ebanking": ("电子银行", "E-banking"),
    "precious_metals": ("贵金属", "Precious metals"),
    "wealth": ("理财", "Wealth"),
    "insurance": ("保险", "Insurance"),
    "forex": ("外汇", "Forex"),
    "accounts": ("账户", "Accounts"),
    "unknown": ("未标注", "Not set"),
}

_ENV = Environment(
    loader=PackageLoader("consultdesk.quality", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


class PdfUnavailable(DomainError):
    status = 503
    code = "pdf_unavailable"


def pct(value: Decimal | None, places: int = 1) -> str:
    """0.2345 -> '23.5%'; None -> '—'."""
    if value is None:
        return "—"
    return f"{(value * 100).quantize(Decimal(1).scaleb(-places))}%"


def num(value: Any) -> str:
    return "—" if value is None else str(value)


def name_of(table: dict[str, tuple[str, str]], key: str, lang: Lang) -> str:
    zh, en = table.get(key, (key, key))
    return en if lang == "en" else zh


def _trusted(html: str) -> Markup:
    """Markup we built: charts escape every text they draw, templates autoescape."""
    return Markup(html)  # noqa: S704


def _charts(report: MonthlyReport, lang: Lang) -> dict[str, Markup]:
    en = lang == "en"
    top = [
        (p.label_en if en else p.label, p.share or Decimal(0), pct(p.share))
        for p in report.top_problems
    ]
    channels = [(name_of(CHANNELS, k, lang), v, str(v)) for k, v in report.by_channel.items()]
    violations = [(k, v, str(v)) for k, v in report.violations_by_code.items()]
    return {
        "top": _trusted(
            bar_chart(
                "Top problems, share of volume" if en else "高频问题占比",
                top,
                alert_at=float(report.alert_share),
                chart_id="chart-top-problems",
            )
        ),
        "channels": _trusted(
            bar_chart(
                "Volume by channel" if en else "各渠道咨询量", channels, chart_id="chart-channels"
            )
        ),
        "violations": _trusted(
            bar_chart(
                "Compliance violations by code" if en else "合规违规（按代码）",
                violations,
                chart_id="chart-violations",
            )
        ),
    }


def report_body(report: MonthlyReport, lang: Lang = "zh") -> Markup:
    """The report's markup without page chrome: the console page and the files use it."""
    template = _ENV.get_template("report_body.html")
    return _trusted(
        template.render(
            r=report,
            lang=lang,
            en=lang == "en",
            charts=_charts(report, lang),
            pct=pct,
            num=num,
            channel=lambda k: name_of(CHANNELS, k, lang),
            ctype=lambda k: name_of(TYPES, k, lang),
            line=lambda k: name_of(LINES, k, lang),
        )
    )


def report_css() -> Markup:
    """The report's stylesheet, for pages that embed the body (the console)."""
    return _trusted(_ENV.get_template("report.css").render())


def to_html(report: MonthlyReport, lang: Lang = "zh") -> str:
    return _ENV.get_template("report_page.html").render(
        r=report, lang=lang, en=lang == "en", body=report_body(report, lang)
    )


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(type(value).__name__)


def to_json(report: MonthlyReport) -> str:
    return json.dumps(
        report.as_dict() | {"figures": [list(f) for f in report.figures()]},
        ensure_ascii=False,
        default=_json_default,
        indent=2,
    )


def to_csv(report: MonthlyReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["month", "branch", "section", "key", "label", "value"])
    for section, key, label, value in report.figures():
        shown = "" if value is None else str(value)
        writer.writerow([report.month, report.branch or "HO", section, key, label, shown])
    return out.getvalue()


def cjk_font_available() -> bool:
    """fontconfig knows a font with Chinese glyphs (else the PDF would draw boxes)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    found = subprocess.run(  # noqa: S603 (fc-list from PATH, fixed arguments)
        [fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=False
    )
    return bool(found.stdout.strip())


def to_pdf(report: MonthlyReport, lang: Lang = "zh") -> bytes:
    if not cjk_font_available():
        raise PdfUnavailable(
            "未找到中文字体，PDF 会显示方框：请安装 fonts-wqy-microhei 或 fonts-noto-cjk",
            field="format",
        )
    try:
        from weasyprint import HTML
    except OSError as exc:  # Pango missing
        raise PdfUnavailable(f"无法加载 PDF 组件（{exc}）", field="format") from None
    pdf = HTML(string=to_html(report, lang), base_url=str(Path.cwd())).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def render(report: MonthlyReport, fmt: str, lang: Lang = "zh") -> bytes:
    if fmt not in FORMATS:
        raise ValidationFailed(f"格式应为 {' | '.join(FORMATS)}", field="format")
    if fmt == "pdf":
        return to_pdf(report, lang)
    text = {
        "html": lambda: to_html(report, lang),
        "json": lambda: to_json(report),
        "csv": lambda: to_csv(report),
    }[fmt]()
    return text.encode("utf-8")
