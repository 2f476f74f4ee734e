import pytest

from bot.core import materials
from bot.core.vocabulary import CALLER_ROLES as ROLES
from bot.core.vocabulary import PURPOSES

CONTRACT_MATERIALS = {
    "id_card",
    "income_proof",
    "unemployment_proof",
    "medical_proof",
    "hardship_certificate",
    "repayment_proposal",
    "power_of_attorney",
    "agent_id",
    "borrower_confirmation",
    "complaint_evidence",
    "credit_report",
    "dispute_statement",
    "police_report_receipt",
}


@pytest.mark.parametrize("purpose", [p for p in PURPOSES if p != "unknown"])
@pytest.mark.parametrize("role", ROLES)
def test_every_purpose_and_role_has_a_standard_of_contract_codes(purpose, role):
    catalogue = materials.load_catalogue()
    assert role in catalogue["standard"][purpose], f"{purpose} × {role} missing"
    codes = materials.materials_for(purpose, role, "illness")
    assert set(codes) <= CONTRACT_MATERIALS


def test_every_code_has_a_chinese_label():
    labels = materials.load_catalogue()["labels"]
    assert set(labels) == CONTRACT_MATERIALS


@pytest.mark.parametrize(
    "hardship,proof",
    [
        ("unemployment", "unemployment_proof"),
        ("illness", "medical_proof"),
        ("income_drop", "income_proof"),
        ("poverty", "hardship_certificate"),
        (None, "income_proof"),
    ],
)
def test_borrower_hardship_plan_asks_the_proof_that_fits(hardship, proof):
    codes = materials.materials_for("repayment_plan", "borrower", hardship)
    assert codes == ["id_card", proof, "repayment_proposal"]


@pytest.mark.parametrize("role", ["authorized_agent", "third_party"])
@pytest.mark.parametrize("purpose", ["repayment_plan", "fee_waiver", "credit_dispute", "account_inquiry"])
def test_agents_and_third_parties_always_need_authorisation(role, purpose):
    codes = materials.materials_for(purpose, role)
    assert "power_of_attorney" in codes and "agent_id" in codes


def test_third_party_demands_need_the_borrowers_own_confirmation():
    for purpose in ("repayment_plan", "fee_waiver", "credit_dispute", "account_inquiry"):
        assert "borrower_confirmation" in materials.materials_for(purpose, "third_party")


def test_extras_are_appended_once():
    codes = materials.materials_for(
        "fee_waiver", "family", "illness", extra=["power_of_attorney", "borrower_confirmation"]
    )
    assert codes.count("power_of_attorney") == 1
    assert codes[-1] == "medical_proof"


def test_describe_numbers_the_chinese_names():
    text = materials.describe(["id_card", "medical_proof"])
    assert text.startswith("1. 身份证明；2. 医疗诊断")


def test_labels_cover_contract_codes():
    assert materials.label("caller_role", "third_party") == "第三方机构"
    assert materials.label("next_step", "callback_registered_phone") == "回拨预留号码核实"
    assert materials.label("purpose", None) == "未确认"
