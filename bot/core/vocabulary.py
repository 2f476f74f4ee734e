"""The contract's codes (shared/CONTRACT.md §1, §3), defined once.

The script, the risk engine, the summary and `make validate` (which checks
domain.yml against them) all import these tuples; the Chinese labels people see
are in bot/catalogue/labels.yml, keyed by the same codes.
"""

from __future__ import annotations

from typing import Dict, Tuple

CALLER_ROLES: Tuple[str, ...] = ("borrower", "family", "authorized_agent", "third_party", "unknown")
PURPOSES: Tuple[str, ...] = (
    "repayment_plan",
    "fee_waiver",
    "collection_complaint",
    "credit_dispute",
    "account_inquiry",
    "fraud_report",
    "other",
    "unknown",
)
# Ordered: none < watch < level2 < level1.
LEVELS: Tuple[str, ...] = ("none", "watch", "level2", "level1")
NEXT_STEPS: Tuple[str, ...] = (
    "handled",
    "callback_registered_phone",
    "human_review",
    "escalate_team",
    "police_report_packet",
)
MATERIALS: Tuple[str, ...] = (
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
)
# How the borrower was verified (§3 v1.1), weakest first. Account facts need one of TRUSTED.
VERIFICATION: Tuple[str, ...] = ("none", "knowledge", "registered_phone", "sms_code")
TRUSTED_VERIFICATION: Tuple[str, ...] = ("registered_phone", "sms_code")
# The purposes registered as a case the turn they are heard (a reference and a reply deadline), and the
# kind of case each is stored as (complaint TS…, dispute YY…, fraud FZ…).
CASE_KINDS: Dict[str, str] = {"collection_complaint": "complaint", "credit_dispute": "dispute", "fraud_report": "fraud"}
# What a caller may raise: a matter is a purpose with its own reference (§3 `matters`).
MATTER_PURPOSES: Tuple[str, ...] = tuple(p for p in PURPOSES if p != "unknown")
SIGNAL_CODES: Tuple[str, ...] = (
    "watchlist_phone",
    "watchlist_phrase",
    "voiceprint_match",
    "multi_account_number",
    "template_complaint",
    "gray_phrase",
    "unauthorized_third_party",
    "refuses_borrower_contact",
    "lawyer_claim_unauthorized",
    "impersonating_official",
    "impersonating_lawyer",
    "extortion",
    "forged_document",
    "role_flip",
)
