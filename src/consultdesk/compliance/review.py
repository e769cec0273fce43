"""Use cases that run the compliance checks over the desk's own records: QA scoring of a
consultation's transcript (QC-2) and drills an agent runs (RSK-8)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from consultdesk.compliance import service
from consultdesk.compliance.drills import DrillResult, start_drill
from consultdesk.compliance.model import ReplyContext
from consultdesk.compliance.qa import IDENTITY_VERIFIED, QaScore, Turn, score_transcript
from consultdesk.consultations import service as consultations
from consultdesk.consultations.reply_gate import TOPIC_OF_LINE
from consultdesk.identity import service as identity
from consultdesk.shared.errors import ValidationFailed
from consultdesk.shared.scope import SYSTEM


def score_consultation(*, session: Session, consultation_id: str) -> QaScore:
    """QC-2: the consultation's transcript against the QA checklist, with evidence; the
    moment identity was verified is placed among the turns."""
    consultation = consultations.get_consultation(
        scope=SYSTEM, session=session, consultation_id=consultation_id
    )
    verified_at = identity.verification_of(
        session=session, consultation_id=consultation_id
    ).verified_at
    turns: list[Turn] = []
    marked = False
    for message in consultations.transcript(
        scope=SYSTEM, session=session, consultation_id=consultation_id
    ):
        if verified_at is not None and not marked and message.created_at >= verified_at:
            turns.append(Turn(speaker="agent", event=IDENTITY_VERIFIED))
            marked = True
        if message.author_kind.value in ("customer", "agent", "bot"):
            turns.append(Turn(speaker=message.author_kind.value, text=message.text))
    if not any(t.text for t in turns):
        raise ValidationFailed("该咨询没有可评分的对话", field="consultation_id")
    context = ReplyContext(topic=TOPIC_OF_LINE.get(consultation.business_line or "", "general"))
    return score_transcript(turns=turns, context=context)


def run_drill(
    *, session: Session, now: datetime, agent_id: str, script_id: str, answers: list[str]
) -> DrillResult:
    """RSK-8: the agent's answers to a scripted customer, scored and kept."""
    run = start_drill(script_id=script_id)
    if len(answers) != len(run.script.steps):
        raise ValidationFailed(
            f"该演练共 {len(run.script.steps)} 句客户发言，需要同样数量的回答", field="answers"
        )
    for text in answers:
        run.answer(text)
    result = run.outcome()
    service.record_drill_result(session=session, now=now, agent_id=agent_id, result=result)
    return result
