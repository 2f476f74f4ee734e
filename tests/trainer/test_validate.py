"""Each validation check: a broken fixture it catches (file, line, severity) and a clean copy it passes."""

from pathlib import Path

import pytest

from bot.trainer import validate
from bot.trainer.problems import ERROR, WARNING, report
from bot.trainer.project import Project
from bot.trainer.yamlfile import find_line
from tests.trainer.helpers import edit


def run(check, project):
    return check(validate.Context(project))


def only(problems, severity=ERROR):
    found = [p for p in problems if p.severity == severity]
    assert len(found) == 1, report(problems)
    return found[0]


QUICK = [c for c in validate.QUICK_CHECKS]


@pytest.mark.parametrize("check", QUICK, ids=lambda c: c.__name__)
def test_every_quick_check_passes_the_clean_copy(project_copy, check):
    assert run(check, project_copy) == []


def test_real_project_has_no_errors():
    problems = validate.run_checks(Project.default())
    assert [p for p in problems if p.severity == ERROR] == [], report(problems)


# ---- YAML syntax ---------------------------------------------------------------------------------
def test_yaml_syntax_error_names_file_and_line(project_copy):
    edit(project_copy.domain, "  utter_goodbye:\n", "  utter_goodbye:\n   - text: \"再见\"\n  bad indent: [\n")
    problem = only(run(validate.check_yaml_syntax, project_copy))
    assert problem.file == "domain.yml" and problem.line
    assert "YAML 格式错误" in problem.message


# ---- materials catalogue -------------------------------------------------------------------------
def test_missing_role_entry_for_a_purpose(project_copy):
    edit(
        project_copy.materials,
        "    third_party: [power_of_attorney, agent_id, borrower_confirmation]\n"
        "    unknown: [borrower_confirmation]\n  fee_waiver:",
        "    third_party: [power_of_attorney, agent_id, borrower_confirmation]\n  fee_waiver:",
    )
    problem = only(run(validate.check_materials_standard, project_copy))
    assert problem.file == "bot/catalogue/materials.yml"
    assert problem.line == find_line(project_copy.materials, "  repayment_plan:")
    assert "repayment_plan" in problem.message and "unknown" in problem.message


def test_missing_purpose_in_the_standard(project_copy):
    edit(
        project_copy.domain,
        "account_inquiry, fraud_report, other, unknown]",
        "account_inquiry, fraud_report, other, refund, unknown]",
    )
    problem = only(run(validate.check_materials_standard, project_copy))
    assert "refund" in problem.message and problem.line == find_line(project_copy.materials, "standard:")


def test_unknown_material_code(project_copy):
    edit(
        project_copy.materials,
        "    borrower: [id_card, dispute_statement, credit_report]",
        "    borrower: [id_card, dispute_statment, credit_report]",
    )
    problem = only(run(validate.check_material_codes, project_copy))
    assert "dispute_statment" in problem.message
    assert problem.line == find_line(project_copy.materials, "dispute_statment")


def test_new_material_code_outside_the_contract_is_a_warning(project_copy):
    edit(
        project_copy.materials,
        "  police_report_receipt: 报案回执（如已报警）\n",
        "  police_report_receipt: 报案回执（如已报警）\n  bank_statement: 银行流水\n",
    )
    problems = run(validate.check_material_codes, project_copy)
    problem = only(problems, WARNING)
    assert "bank_statement" in problem.message and not [p for p in problems if p.severity == ERROR]


def test_catalogue_shape_reply_days(project_copy):
    edit(project_copy.materials, "  complaint: 15", "  complaint: 0")
    problem = only(run(validate.check_catalogue_shape, project_copy))
    assert "reply_days" in problem.message and problem.line == find_line(project_copy.materials, "complaint: 0")


# ---- risk files ----------------------------------------------------------------------------------
def test_lexicon_weight_out_of_range(project_copy):
    edit(project_copy.lexicon, "  - term: 专业反催收\n    weight: 0.80", "  - term: 专业反催收\n    weight: 1.5")
    problem = only(run(validate.check_risk_files, project_copy))
    assert problem.file == "bot/core/risk/lexicon.yml"
    assert problem.line == find_line(project_copy.lexicon, "weight: 1.5")
    assert "0 到 1" in problem.message


def test_risk_thresholds_must_increase(project_copy):
    edit(project_copy.risk, "  level2: 0.50", "  level2: 0.10")
    problem = only(run(validate.check_risk_files, project_copy))
    assert problem.file == "bot/core/risk/risk.yml" and "从小到大" in problem.message
    assert problem.line == find_line(project_copy.risk, "levels:")


def test_pattern_rule_with_an_undefined_word_group(project_copy):
    edit(
        project_copy.lexicon,
        "(利息|罚息|违约金|滞纳金|手续费|服务费|本金",
        "({benefits}|罚息|违约金|滞纳金|手续费|服务费|本金",
    )
    problem = only(run(validate.check_risk_files, project_copy))
    assert problem.file == "bot/core/risk/lexicon.yml"
    assert "{benefits}" in problem.message and "没有在 pattern_words 里定义" in problem.message


# ---- stories, rules, domain ------------------------------------------------------------------------
def test_story_uses_a_response_that_does_not_exist(project_copy):
    rules = project_copy.data / "rules" / "script.yml"
    edit(rules, "  - action: utter_goodbye", "  - action: utter_goodby")
    problem = only(run(validate.check_story_steps, project_copy))
    assert problem.file == "data/rules/script.yml" and problem.line == find_line(rules, "utter_goodby")
    assert "utter_goodby" in problem.message and "收尾后客户说没有了" in problem.message


def test_test_story_uses_an_unknown_intent(project_copy):
    path = project_copy.test_stories / "test_digressions.yml"
    edit(path, "    intent: bot_challenge", "    intent: bot_chalenge")
    problem = only(run(validate.check_story_steps, project_copy))
    assert problem.file == "tests/stories/test_digressions.yml" and "bot_chalenge" in problem.message


def test_code_utters_a_response_the_domain_lost(project_copy):
    edit(project_copy.domain, "  utter_matters_noted:", "  utter_matter_noted:")
    problems = run(validate.check_code_responses, project_copy)
    problem = only(problems)
    assert problem.file == "actions/wrap_up.py" and "utter_matters_noted" in problem.message
    assert problem.line == find_line(project_copy.root / "actions" / "wrap_up.py", '"utter_matters_noted"')


def test_agent_variant_missing_once_the_domain_has_them(project_copy):
    domain = project_copy.domain.read_text(encoding="utf-8")
    if "channel: agent" not in domain:
        pytest.skip("the domain has no agent variants yet")
    _drop_agent_variants(project_copy.domain, only_response="utter_goodbye")
    problem = only(run(validate.check_agent_variants, project_copy))
    assert "utter_goodbye" in problem.message and problem.line == find_line(project_copy.domain, "  utter_goodbye:")


def test_no_agent_variants_at_all_is_one_warning(project_copy):
    _drop_agent_variants(project_copy.domain)
    problems = run(validate.check_agent_variants, project_copy)
    problem = only(problems, WARNING)
    assert "channel: agent" in problem.message and not [p for p in problems if p.severity == ERROR]


def test_agent_variant_missing_for_a_condition(tmp_path):
    domain = tmp_path / "domain.yml"
    domain.write_text(
        'version: "3.1"\nresponses:\n  utter_ask:\n'
        '    - condition: [{type: slot, name: role, value: borrower}]\n      text: "本人请讲"\n'
        '    - text: "请讲"\n    - text: "请询问客户"\n      channel: agent\n'
        '  utter_ok:\n    - text: "好"\n'
        '    - condition: [{type: slot, name: role, value: borrower}]\n      text: "好的"\n'
        '      channel: agent\n',
        encoding="utf-8",
    )
    problems = run(validate.check_agent_variants, Project.at(tmp_path))
    problem = only(problems)
    assert "utter_ok" in problem.message and "不带条件" in problem.message


def _drop_agent_variants(domain: Path, only_response: str = "") -> None:
    """Remove `channel: agent` variants (of one response, or of all)."""
    from ruamel.yaml import YAML

    yaml = YAML()
    doc = yaml.load(domain.read_text(encoding="utf-8"))
    for name, variants in doc["responses"].items():
        if not only_response or name == only_response:
            doc["responses"][name] = type(variants)(v for v in variants if v.get("channel") != "agent")
    with open(domain, "w", encoding="utf-8") as fh:
        yaml.dump(doc, fh)


def test_placeholder_no_action_fills(project_copy):
    edit(project_copy.domain, "需要您准备：{materials}。", "需要您准备：{materials}，{deadline}。")
    problem = only(run(validate.check_placeholders, project_copy))
    assert "{deadline}" in problem.message and "utter_materials" in problem.message
    assert "{materials}" in problem.message  # says which values the code does fill


def test_placeholder_unbalanced_brace(project_copy):
    edit(project_copy.domain, "编号 {reference}，", "编号 {reference，")
    problem = only(run(validate.check_placeholders, project_copy))
    assert "花括号不成对" in problem.message


def test_unused_response_is_a_warning(project_copy):
    edit(project_copy.domain, "responses:\n", "responses:\n  utter_never_said:\n    - text: \"没人会说这句\"\n")
    problem = only(run(validate.check_unused_responses, project_copy), WARNING)
    assert "utter_never_said" in problem.message
    assert problem.line == find_line(project_copy.domain, "utter_never_said:")


# ---- Rasa's own checks -------------------------------------------------------------------------------
def test_rasa_checks_find_contradicting_stories_and_rules_and_an_unknown_nlu_intent(project_copy):
    stories = project_copy.data / "stories" / "calls.yml"
    stories.write_text(
        stories.read_text(encoding="utf-8")
        + "\n- story: 致谢后直接道别\n  steps:\n  - intent: thanks\n  - action: utter_goodbye\n",
        encoding="utf-8",
    )
    stories.write_text(
        stories.read_text(encoding="utf-8")
        + "".join(
            f"\n- story: 收尾后又闲聊（{name}）\n  steps:\n  - intent: thanks\n  - action: utter_you_are_welcome\n"
            f"  - intent: affirm\n  - action: utter_ask_more\n  - intent: chitchat\n  - action: utter_chitchat\n"
            f"  - intent: affirm\n  - action: {action}\n"
            for name, action in (("甲", "utter_goodbye"), ("乙", "utter_anything_else"))
        ),
        encoding="utf-8",
    )
    nlu = project_copy.data / "nlu" / "basics.yml"
    nlu.write_text(
        nlu.read_text(encoding="utf-8") + "- intent: complain\n  examples: |\n    - 我要投诉你们\n", encoding="utf-8"
    )
    problems = run(validate.check_rasa, project_copy)
    errors = [p for p in problems if p.severity == ERROR]
    contradiction = [p for p in errors if "致谢后直接道别" in p.message]
    assert contradiction, report(problems)
    assert contradiction[0].file == "data/stories/calls.yml"
    assert contradiction[0].line == find_line(stories, "致谢后直接道别")
    assert "致谢" in contradiction[0].message and "utter_you_are_welcome" in contradiction[0].message
    between = [p for p in errors if p.check == "故事之间冲突" and "在“affirm”之后" in p.message]
    assert between and "收尾后又闲聊（甲）" in between[0].message and "收尾后又闲聊（乙）" in between[0].message
    assert between[0].line in (find_line(stories, "收尾后又闲聊（甲）"), find_line(stories, "收尾后又闲聊（乙）"))
    unknown = [p for p in errors if "complain" in p.message]
    assert unknown and unknown[0].file == "data/nlu/basics.yml"
    assert unknown[0].line == find_line(nlu, "intent: complain")


# ---- the command -------------------------------------------------------------------------------------
def add_unused_response(project):
    """A response nothing says (with an agent variant when the domain has them)."""
    agent = "channel: agent" in project.domain.read_text(encoding="utf-8")
    edit(
        project.domain,
        "responses:\n",
        "responses:\n  utter_never_said:\n    - text: \"没人会说这句\"\n"
        + ("    - text: \"请告知客户：没人会说这句\"\n      channel: agent\n" if agent else "")
        + "    - text: \"没人会说这句\"\n      channel: ivr\n",
    )


def test_command_fails_on_errors_and_groups_them(project_copy, capsys):
    edit(
        project_copy.materials,
        "    borrower: [id_card, dispute_statement, credit_report]",
        "    borrower: [id_crad, dispute_statement, credit_report]",
    )
    add_unused_response(project_copy)
    assert validate.main(["--quick", "--root", str(project_copy.root)]) == 1
    out = capsys.readouterr().out
    assert "错误（1 个" in out and "警告（1 个" in out
    assert f"bot/catalogue/materials.yml:{find_line(project_copy.materials, 'id_crad')}" in out
    assert out.index("错误（") < out.index("警告（") and "校验未通过" in out


def test_command_passes_with_warnings_only(project_copy, capsys):
    add_unused_response(project_copy)
    assert validate.main(["--quick", "--root", str(project_copy.root)]) == 0
    assert "校验通过：没有错误，1 个警告" in capsys.readouterr().out


# ---- call_form slots -----------------------------------------------------------------------------
def test_form_slots_out_of_step_with_the_script(project_copy):
    edit(project_copy.domain, "      - hardship\n      - case_detail\n", "      - case_detail\n      - hardship\n")
    problem = only(run(validate.check_form_slots, project_copy))
    assert problem.file == "domain.yml" and problem.line == find_line(project_copy.domain, "call_form:")
    assert "QUESTIONS" in problem.message and "hardship, case_detail" in problem.message


# ---- phone (IVR) variants --------------------------------------------------------------------------
def test_every_caller_line_needs_a_phone_variant(project_copy):
    edit(
        project_copy.domain,
        '''    - channel: ivr
      text: "好的，已补充记录。"
''',
        "",
    )
    problem = only(run(validate.check_ivr_variants, project_copy))
    assert "utter_detail_added" in problem.message and "channel: ivr" in problem.message


def test_phone_variants_must_be_fit_to_be_heard(project_copy):
    edit(
        project_copy.domain,
        'text: "好的，已补充记录。"\n\n',
        'text: "好的，已补充记录，请按上面的材料准备／提交。"\n\n',
    )
    problems = run(validate.check_ivr_variants, project_copy)
    messages = " ".join(p.message for p in problems)
    assert "上面" in messages and "／" in messages


def test_a_long_phone_variant_is_a_warning(project_copy):
    edit(
        project_copy.domain,
        'text: "好的，已补充记录。"\n\n',
        'text: "好的，已补充记录' + "。我们会尽快处理" * 8 + '"\n\n',
    )
    problem = only(run(validate.check_ivr_variants, project_copy), severity=WARNING)
    assert "utter_detail_added" in problem.message and "个字" in problem.message


# ---- web chat wording ------------------------------------------------------------------------------
def test_a_phone_word_in_what_the_web_chat_shows_is_an_error(project_copy):
    edit(
        project_copy.domain, '    - text: "好的，已补充记录。"\n', '    - text: "好的，已补充记录，本通话将被录音。"\n'
    )
    problem = only(run(validate.check_chat_wording, project_copy))
    assert problem.file == "domain.yml" and problem.line == find_line(project_copy.domain, "已补充记录，本通话将被录音")
    assert "utter_detail_added" in problem.message and "通话" in problem.message and "录音" in problem.message


def test_a_key_press_or_a_transfer_in_a_socketio_variant_is_an_error(project_copy):
    edit(
        project_copy.domain,
        '    - text: "好的，已补充记录。"\n',
        '    - text: "好的，已补充记录。"\n    - channel: socketio\n      text: "正在为您转接人工客服，需要帮助请按0。"\n',
    )
    problem = only(run(validate.check_chat_wording, project_copy))
    assert "channel: socketio" in problem.message and "转接" in problem.message and "按0" in problem.message


def test_phone_words_in_phone_and_agent_variants_are_fine(project_copy):
    # utter_opening's ivr and agent variants say 本通话将被录音; only the chat's text is checked
    assert "本通话将被录音" in project_copy.domain.read_text(encoding="utf-8")
    assert run(validate.check_chat_wording, project_copy) == []


def test_a_call_back_promised_in_the_chat_must_say_when(project_copy):
    edit(
        project_copy.domain,
        '    - text: "好的，已补充记录。"\n',
        '    - text: "好的，已补充记录，我们会给您打电话。"\n',
    )
    problem = only(run(validate.check_chat_wording, project_copy))
    assert "多久之内" in problem.message and "给您打电话" in problem.message
    edit(project_copy.domain, "我们会给您打电话。", "我们会在 {callback_hours} 个工作小时内给您打电话。")
    assert run(validate.check_chat_wording, project_copy) == []


def test_the_phone_word_list_is_the_catalogue(project_copy):
    edit(project_copy.domain, '    - text: "好的，已补充记录。"\n', '    - text: "好的，已补充记录，请扫码。"\n')
    assert run(validate.check_chat_wording, project_copy) == []
    edit(project_copy.chat, "  - 来电\n", "  - 来电\n  - 扫码\n")
    assert "扫码" in only(run(validate.check_chat_wording, project_copy)).message


def test_a_phone_word_list_that_is_not_a_list_is_an_error(project_copy):
    text = project_copy.chat.read_text(encoding="utf-8")
    start = text.index("phone_only:")
    end = text.index("\n\n", start)
    project_copy.chat.write_text(text[:start] + "phone_only: 来电" + text[end:], encoding="utf-8")
    problem = only(run(validate.check_chat_wording, project_copy))
    assert problem.file == "bot/catalogue/chat.yml" and "phone_only" in problem.message
