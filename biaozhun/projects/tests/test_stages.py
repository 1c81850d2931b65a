"""The transition table: reachability, terminal stages, codes, main line, refusal message."""

from itertools import pairwise

import pytest

from biaozhun.projects.stages import (
    ALLOWED,
    MAIN_LINE,
    STAGE_CODES,
    TERMINAL,
    WORKING_STAGES,
    InvalidTransition,
    Stage,
    stage_code,
)


def _reachable_from(start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for nxt in ALLOWED[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_every_stage_is_reachable_from_proposed():
    assert _reachable_from(Stage.PROPOSED) == set(Stage.values)


def test_the_table_names_every_stage_and_only_stages():
    assert set(ALLOWED) == set(Stage.values)
    for stage, exits in ALLOWED.items():
        assert exits <= set(Stage.values), stage
        assert stage not in exits, f"{stage} moves to itself"


@pytest.mark.parametrize("stage", [Stage.FILED, Stage.REJECTED, Stage.TERMINATED])
def test_terminal_stages_have_no_exits(stage):
    assert ALLOWED[stage] == frozenset()


def test_terminal_is_exactly_filed_rejected_terminated():
    assert frozenset({Stage.FILED, Stage.REJECTED, Stage.TERMINATED}) == TERMINAL


def test_every_non_terminal_stage_can_reach_a_terminal_one():
    for stage in Stage.values:
        assert _reachable_from(stage) & TERMINAL, stage


@pytest.mark.parametrize("stage", Stage.values)
def test_every_stage_has_a_code(stage):
    code = stage_code(stage)
    assert code == STAGE_CODES[stage]
    phase, subphase = code.split(".")
    assert (len(phase), len(subphase)) == (2, 2)
    assert phase.isdigit() and subphase.isdigit()


def test_stage_codes_are_those_of_gb_t_16733():
    assert STAGE_CODES == {
        "proposed": "10.00", "evaluated": "10.60", "planned": "10.99", "drafting": "20.20",
        "extended": "20.93", "public_comment": "30.20", "comment_resolution": "30.60",
        "technical_review": "40.20", "submitted": "50.00", "approved": "50.99",
        "published": "60.00", "filed": "60.60", "rejected": "10.98", "terminated": "20.98",
    }


def test_main_line_order():
    assert list(MAIN_LINE) == [
        "proposed", "evaluated", "planned", "drafting", "public_comment",
        "comment_resolution", "technical_review", "submitted", "approved", "published",
        "filed"]


def test_main_line_is_a_path_of_the_table():
    for here, there in pairwise(MAIN_LINE):
        assert there in ALLOWED[here], f"{here} → {there}"


def test_main_line_codes_never_go_down():
    codes = [STAGE_CODES[s] for s in MAIN_LINE]
    assert codes == sorted(codes)


def test_every_working_stage_may_be_terminated():
    assert frozenset({Stage.DRAFTING, Stage.EXTENDED, Stage.PUBLIC_COMMENT,
                      Stage.COMMENT_RESOLUTION, Stage.TECHNICAL_REVIEW,
                      Stage.SUBMITTED}) == WORKING_STAGES
    for stage in WORKING_STAGES:
        assert Stage.TERMINATED in ALLOWED[stage], stage


def test_only_proposals_are_rejected():
    assert {s for s, exits in ALLOWED.items() if Stage.REJECTED in exits} == {
        Stage.PROPOSED, Stage.EVALUATED}


def test_approved_and_published_cannot_be_terminated():
    assert ALLOWED[Stage.APPROVED] == frozenset({Stage.PUBLISHED})
    assert ALLOWED[Stage.PUBLISHED] == frozenset({Stage.FILED})


def test_invalid_transition_message_names_both_stages():
    error = InvalidTransition(Stage.PROPOSED, Stage.PUBLISHED)
    assert str(error) == "立项申请 → 发布"
    assert (error.from_stage, error.to_stage, error.reasons) == ("proposed", "published", [])


def test_invalid_transition_message_lists_the_reasons():
    error = InvalidTransition(Stage.DRAFTING, Stage.PUBLIC_COMMENT,
                              ["缺少材料：征求意见稿", "缺少材料：编制说明"])
    assert str(error) == "起草 → 征求意见：缺少材料：征求意见稿；缺少材料：编制说明"
    assert error.reasons == ["缺少材料：征求意见稿", "缺少材料：编制说明"]


def test_invalid_transition_with_an_unknown_stage_keeps_its_name():
    assert str(InvalidTransition("limbo", Stage.FILED, ["x"])) == "limbo → 备案：x"
